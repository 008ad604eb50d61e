import type { ToolOutcome } from '../tools/outcome.js';
import { TOOL_OUTPUT_MAX_BYTES } from '../limits.js';

/** The parts of an MCP content item the chat can show. */
interface ContentItem {
  type: string;
  text?: string;
  mimeType?: string;
  data?: string;
  uri?: string;
  resource?: { uri?: string; text?: string; mimeType?: string };
}

/** What tools/call answers (older servers answer `toolResult` instead of `content`). */
export interface CallResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: unknown;
  toolResult?: unknown;
}

function describe(item: ContentItem): string {
  switch (item.type) {
    case 'text':
      return item.text ?? '';
    case 'image':
    case 'audio':
      return `[${item.type}: ${item.mimeType ?? 'unknown type'}, ${Math.floor(((item.data?.length ?? 0) * 3) / 4)} bytes, not shown]`;
    case 'resource':
      return item.resource?.text ?? `[resource: ${item.resource?.uri ?? 'unnamed'}]`;
    case 'resource_link':
      return `[resource link: ${item.uri ?? 'unnamed'}]`;
    default:
      return `[${item.type} content]`;
  }
}

/** Past TOOL_OUTPUT_MAX_BYTES the middle is cut, as for the built-in tools. */
function capped(text: string): string {
  if (Buffer.byteLength(text) <= TOOL_OUTPUT_MAX_BYTES) return text;
  const half = Math.floor(TOOL_OUTPUT_MAX_BYTES / 2);
  return `${text.slice(0, half)}\n[… output cut to ${TOOL_OUTPUT_MAX_BYTES} bytes …]\n${text.slice(-half)}`;
}

/** An MCP tool result as the chat's tool outcome: text content joined, `isError` as `is_error`. */
export function toolOutcome(result: CallResult): ToolOutcome {
  const items = Array.isArray(result.content) ? (result.content as ContentItem[]) : [];
  let text = items.map(describe).join('\n');
  if (text === '' && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent);
  if (text === '' && result.toolResult !== undefined) text = JSON.stringify(result.toolResult);
  return { content: capped(text === '' ? '(no output)' : text), is_error: result.isError === true };
}
