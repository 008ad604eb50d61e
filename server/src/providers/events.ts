import type { ChatEvent } from './types.js';

type ToolCallEvent = Extract<ChatEvent, { type: 'tool_call' }>;

/** A complete tool call from its accumulated argument text; empty text means no arguments. */
export function toolCallEvent(id: string, name: string, rawArgs: string): ToolCallEvent {
  if (rawArgs.trim() === '') return { type: 'tool_call', id, name, args: {} };
  try {
    const args: unknown = JSON.parse(rawArgs);
    if (args !== null && typeof args === 'object' && !Array.isArray(args)) return { type: 'tool_call', id, name, args: args as Record<string, unknown> };
    return { type: 'tool_call', id, name, args: {}, raw_args: rawArgs, args_error: 'the arguments are not a JSON object' };
  } catch (err) {
    return { type: 'tool_call', id, name, args: {}, raw_args: rawArgs, args_error: `the arguments are not valid JSON (${(err as Error).message})` };
  }
}

/** Tracks whether reasoning is being streamed, so exactly one `thinking_end` follows it. */
export class ThinkingState {
  #open = false;

  /** A thinking event; opens the reasoning phase. */
  thinking(text: string): ChatEvent {
    this.#open = true;
    return { type: 'thinking', text };
  }

  /** `thinking_end` when reasoning was open (and closes it), else nothing. */
  end(signature?: string): ChatEvent[] {
    if (!this.#open) return [];
    this.#open = false;
    return [signature === undefined ? { type: 'thinking_end' } : { type: 'thinking_end', signature }];
  }
}

/** A token count from whatever a provider sent (missing or malformed counts as 0). */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0;
}
