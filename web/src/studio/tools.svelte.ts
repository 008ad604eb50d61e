/** The tools the model may call (GET /api/tools/list), read once, for the cards' tooltips. */
import type { ToolInfo } from '$wire/tools';
import { api } from '../lib/api';

let descriptions = $state.raw<Record<string, string>>({});
let requested = false;

/** Reads the tool list the first time it is asked for; a failure leaves the tooltips empty. */
export function loadTools(): void {
  if (requested) return;
  requested = true;
  api
    .get<ToolInfo[]>('/api/tools/list')
    .then((tools) => {
      descriptions = Object.fromEntries(tools.map((tool) => [tool.name, tool.description]));
    })
    .catch(() => {
      requested = false;
    });
}

/** A tool's description, or undefined when unknown. */
export function toolDescription(name: string): string | undefined {
  return descriptions[name];
}
