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

/**
 * Tracks whether reasoning is being streamed, so exactly one `thinking_end` follows it. Callers
 * write `if (thinking.open) yield thinking.close()`: a plain yield, where `yield*` of a list
 * would cost an async generator a round of promises for every text delta, reasoning or not.
 */
export class ThinkingState {
  #open = false;

  /** Whether reasoning is being streamed and has not been closed yet. */
  get open(): boolean {
    return this.#open;
  }

  /** A thinking event; opens the reasoning phase. */
  thinking(text: string): ChatEvent {
    this.#open = true;
    return { type: 'thinking', text };
  }

  /** The `thinking_end` event that closes reasoning (call when `open`). */
  close(signature?: string): ChatEvent {
    this.#open = false;
    return signature === undefined ? { type: 'thinking_end' } : { type: 'thinking_end', signature };
  }
}

/** A token count from whatever a provider sent (missing or malformed counts as 0). */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0;
}
