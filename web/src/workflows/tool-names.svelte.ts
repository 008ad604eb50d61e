/** The tool names a `tool` step may call (GET /api/tools/list), read once, for the editor's suggestions. */
import type { ToolInfo } from '$wire/tools';
import { api } from '../lib/api';

let names = $state.raw<string[]>([]);
let requested = false;

/** Reads the tool list the first time it is asked for; a failure leaves the suggestions empty. */
export function loadToolNames(): void {
  if (requested) return;
  requested = true;
  api
    .get<ToolInfo[]>('/api/tools/list')
    .then((tools) => {
      names = tools.map((tool) => tool.name);
    })
    .catch(() => {
      requested = false;
    });
}

/** The known tool names, in the server's order. */
export function toolNames(): readonly string[] {
  return names;
}
