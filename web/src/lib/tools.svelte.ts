/**
 * The tools a model may call (GET /api/tools/list), read once: the studio's cards show their
 * descriptions, the workflow editor suggests their names.
 */
import type { ToolInfo } from '$wire/tools';
import { api } from './api';

let tools = $state.raw<ToolInfo[]>([]);
let requested = false;

/** Reads the tool list the first time it is asked for; a failure leaves it empty (asked again next time). */
export function loadTools(): void {
  if (requested) return;
  requested = true;
  api
    .get('/api/tools/list')
    .then((list) => {
      tools = list;
    })
    .catch(() => {
      requested = false;
    });
}

/** A tool's description, or undefined when unknown. */
export function toolDescription(name: string): string | undefined {
  return tools.find((tool) => tool.name === name)?.description;
}

/** The known tool names, in the server's order. */
export function toolNames(): readonly string[] {
  return tools.map((tool) => tool.name);
}
