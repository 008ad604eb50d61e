import { MCP_TOOL_NAME_MAX_CHARS } from '../limits.js';

/** Prefix of every chat tool an MCP server contributes; no built-in tool starts with it. */
export const MCP_TOOL_PREFIX = 'mcp__';

/** True for a name in the MCP tools' namespace. */
export function isMcpToolName(name: string): boolean {
  return name.startsWith(MCP_TOOL_PREFIX);
}

/** `mcp__<server>__<tool>` in the characters providers accept ([A-Za-z0-9_-]), cut to MCP_TOOL_NAME_MAX_CHARS. */
export function chatToolName(server: string, tool: string): string {
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${MCP_TOOL_PREFIX}${clean(server)}__${clean(tool)}`.slice(0, MCP_TOOL_NAME_MAX_CHARS);
}

/** `name`, or — when cutting or cleaning made two tools collide — `name` with a `_2`, `_3`… suffix that still fits. */
export function uniqueToolName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) {
    const suffix = `_${n}`;
    const candidate = name.slice(0, MCP_TOOL_NAME_MAX_CHARS - suffix.length) + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}
