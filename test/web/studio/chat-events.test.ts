// applyChatEvent (web/src/studio/chat-stream.ts): the SSE events of a streamed chat
// (server/src/wire/chat-events.ts) folded into the assistant turn the Studio shows.
import { describe, expect, it, vi } from 'vitest';
import type { ChatStreamEvent } from '$wire/chat-events';
import type { ApprovalRequest } from '$wire/permissions';

// i18n.svelte.ts holds the language as rune state, which only the Svelte compiler understands;
// applyChatEvent translates nothing, so a stand-in that answers the key is enough.
vi.mock('../../../web/src/lib/i18n.svelte', () => ({ t: (key: string) => key, tOr: (_key: string, fallback: string) => fallback, language: () => 'en' }));

const { applyChatEvent, resolveApproval, withdrawApprovals } = await import('../../../web/src/studio/chat-stream');
const { newAssistantEntry } = await import('../../../web/src/studio/transcript');
type AssistantEntry = ReturnType<typeof newAssistantEntry>;

/** A sink that records what it was told. */
function recordingSink() {
  const conversations: string[] = [];
  const usages: { input_tokens: number; output_tokens: number }[] = [];
  return { conversations, usages, sink: { conversation: (id: string) => conversations.push(id), usage: (u: { input_tokens: number; output_tokens: number }) => usages.push(u) } };
}

/** A fresh turn with `events` applied in order. */
function turnAfter(events: ChatStreamEvent[], turn: AssistantEntry = newAssistantEntry()): AssistantEntry {
  const { sink } = recordingSink();
  for (const event of events) applyChatEvent(turn, event, sink);
  return turn;
}

function approval(id: string, toolCallId: string, tool = 'bash'): ApprovalRequest {
  return {
    id,
    conversation_id: 'c1',
    tool_call_id: toolCallId,
    tool,
    args: { command: 'rm -rf build' },
    reason: 'asks before running commands',
    preview: { kind: 'args', args: { command: 'rm -rf build' } },
    suggested_rules: [],
    hash: 'a'.repeat(64),
    created_at: '2026-01-01T00:00:00Z',
    expires_at: '2026-01-01T00:05:00Z',
  };
}

describe('applyChatEvent', () => {
  it('concatenates text deltas into one text block', () => {
    const turn = turnAfter([{ content: 'Hel' }, { content: 'lo, ' }, { content: 'world' }]);
    expect(turn.blocks).toEqual([{ kind: 'text', text: 'Hello, world' }]);
    expect(turn.status).toBe('streaming');
  });

  it('gathers thinking deltas into an open block, and folds it when the answer starts', () => {
    const turn = turnAfter([{ thinking: 'Let me ' }, { thinking: 'see.' }]);
    expect(turn.blocks).toEqual([{ kind: 'thinking', text: 'Let me see.', done: false, open: true }]);
    applyChatEvent(turn, { content: 'Answer' }, recordingSink().sink);
    expect(turn.blocks).toEqual([
      { kind: 'thinking', text: 'Let me see.', done: true, open: false },
      { kind: 'text', text: 'Answer' },
    ]);
  });

  it('closes thinking on thinking_end, so later thinking starts a new block', () => {
    const turn = turnAfter([{ thinking: 'first' }, { thinking_end: true }, { thinking: 'second' }]);
    expect(turn.blocks).toEqual([
      { kind: 'thinking', text: 'first', done: true, open: false },
      { kind: 'thinking', text: 'second', done: false, open: true },
    ]);
  });

  it('starts a new text block after a tool call instead of appending to the text before it', () => {
    const turn = turnAfter([{ content: 'Looking.' }, { tool_call: { tool_call_id: 't1', name: 'read_file', args: { path: 'a' } } }, { content: 'Found it.' }]);
    expect(turn.blocks.map((b) => b.kind)).toEqual(['text', 'tool', 'text']);
    expect(turn.blocks[2]).toEqual({ kind: 'text', text: 'Found it.' });
  });

  it('adds a card per tool call and puts each result on its own card, whatever the order', () => {
    const turn = turnAfter([
      { thinking: 'plan' },
      { tool_call: { tool_call_id: 't1', name: 'read_file', args: { path: 'a' } } },
      { tool_call: { tool_call_id: 't2', name: 'bash', args: { command: 'ls' } } },
      { tool_result: { tool_call_id: 't2', content: 'a b', is_error: false } },
      { tool_result: { tool_call_id: 't1', content: 'ENOENT', is_error: true } },
    ]);
    // The tool call folded the thinking before it.
    expect(turn.blocks[0]).toMatchObject({ kind: 'thinking', done: true });
    expect(turn.blocks.slice(1)).toEqual([
      { kind: 'tool', call: { tool_call_id: 't1', name: 'read_file', args: { path: 'a' } }, result: { content: 'ENOENT', is_error: true }, approval: null, resolution: null },
      { kind: 'tool', call: { tool_call_id: 't2', name: 'bash', args: { command: 'ls' } }, result: { content: 'a b', is_error: false }, approval: null, resolution: null },
    ]);
  });

  it('keeps the flags of a tool result (sudo blocked, permission denied)', () => {
    const turn = turnAfter([
      { tool_call: { tool_call_id: 't1', name: 'bash', args: {} } },
      { tool_result: { tool_call_id: 't1', content: 'denied', is_error: true, permission_denied: true, sudo_blocked: true } },
    ]);
    expect(turn.blocks[0]).toMatchObject({ result: { content: 'denied', is_error: true, permission_denied: true, sudo_blocked: true } });
  });

  it('ignores a tool result for a call it never saw, without throwing', () => {
    const turn = turnAfter([{ content: 'x' }, { tool_result: { tool_call_id: 'ghost', content: 'late', is_error: false } }]);
    expect(turn.blocks).toEqual([{ kind: 'text', text: 'x' }]);
  });

  it('puts an approval request on the card of its call, and takes it off when resolved', () => {
    const turn = turnAfter([{ tool_call: { tool_call_id: 't1', name: 'bash', args: { command: 'rm -rf build' } } }, { approval_request: approval('ap1', 't1') }]);
    expect(turn.blocks).toHaveLength(1);
    expect(turn.blocks[0]).toMatchObject({ kind: 'tool', approval: { id: 'ap1' }, resolution: null });
    applyChatEvent(turn, { approval_resolved: { id: 'ap1', decision: 'allow_once' } }, recordingSink().sink);
    expect(turn.blocks[0]).toMatchObject({ kind: 'tool', approval: null, resolution: 'allow_once' });
  });

  it('gives an approval request for a call not shown its own card', () => {
    const turn = turnAfter([{ approval_request: approval('ap1', 't9', 'write_file') }]);
    expect(turn.blocks).toEqual([
      {
        kind: 'tool',
        call: { tool_call_id: 't9', name: 'write_file', args: { command: 'rm -rf build' } },
        result: null,
        approval: expect.objectContaining({ id: 'ap1' }),
        resolution: null,
      },
    ]);
    applyChatEvent(turn, { approval_resolved: { id: 'ap1', decision: 'deny' } }, recordingSink().sink);
    expect(turn.blocks[0]).toMatchObject({ approval: null, resolution: 'deny' });
  });

  it('resolves only the approval named, and ignores one it does not know', () => {
    const turn = turnAfter([
      { tool_call: { tool_call_id: 't1', name: 'bash', args: {} } },
      { tool_call: { tool_call_id: 't2', name: 'bash', args: {} } },
      { approval_request: approval('ap1', 't1') },
      { approval_request: approval('ap2', 't2') },
      { approval_resolved: { id: 'unknown', decision: 'timeout' } },
      { approval_resolved: { id: 'ap2', decision: 'timeout' } },
    ]);
    expect(turn.blocks[0]).toMatchObject({ approval: { id: 'ap1' }, resolution: null });
    expect(turn.blocks[1]).toMatchObject({ approval: null, resolution: 'timeout' });
  });

  it('clears an earlier resolution when the same call asks again', () => {
    const turn = turnAfter([
      { tool_call: { tool_call_id: 't1', name: 'bash', args: {} } },
      { approval_request: approval('ap1', 't1') },
      { approval_resolved: { id: 'ap1', decision: 'deny' } },
      { approval_request: approval('ap2', 't1') },
    ]);
    expect(turn.blocks[0]).toMatchObject({ approval: { id: 'ap2' }, resolution: null });
  });

  it('withdraws every pending approval (the turn was stopped) and resolveApproval notes the outcome', () => {
    const turn = turnAfter([
      { tool_call: { tool_call_id: 't1', name: 'bash', args: {} } },
      { tool_call: { tool_call_id: 't2', name: 'bash', args: {} } },
      { approval_request: approval('ap1', 't1') },
      { approval_request: approval('ap2', 't2') },
    ]);
    resolveApproval(turn, 'ap1', 'allow_always');
    withdrawApprovals(turn);
    expect(turn.blocks.map((b) => (b.kind === 'tool' ? [b.approval, b.resolution] : null))).toEqual([
      [null, 'allow_always'],
      [null, 'withdrawn'],
    ]);
  });

  it('hands the conversation id and usage to the sink, leaving the blocks alone', () => {
    const { sink, conversations, usages } = recordingSink();
    const turn = newAssistantEntry();
    applyChatEvent(turn, { conversation_id: 'c42' }, sink);
    applyChatEvent(turn, { usage: { input_tokens: 10, output_tokens: 3 } }, sink);
    applyChatEvent(turn, { usage: { input_tokens: 12, output_tokens: 5 } }, sink);
    expect(conversations).toEqual(['c42']);
    expect(usages).toEqual([
      { input_tokens: 10, output_tokens: 3 },
      { input_tokens: 12, output_tokens: 5 },
    ]);
    expect(turn.blocks).toEqual([]);
    expect(turn.status).toBe('streaming');
  });

  it('shows an error as a block, folds open thinking, and marks the turn failed', () => {
    const turn = turnAfter([{ thinking: 'hmm' }, { error: 'provider timed out', code: 'PROVIDER_ERROR' }]);
    expect(turn.blocks).toEqual([
      { kind: 'thinking', text: 'hmm', done: true, open: false },
      { kind: 'error', message: 'provider timed out' },
    ]);
    expect(turn.status).toBe('failed');
  });

  it('marks the turn done on done, but keeps a failed turn failed', () => {
    expect(turnAfter([{ content: 'ok' }, { done: 'true' }]).status).toBe('done');
    expect(turnAfter([{ error: 'boom', code: 'INTERNAL' }, { done: 'true' }]).status).toBe('failed');
  });

  it('marks a turn that ends with TURN_STOPPED stopped, not failed: no error block, and done keeps it stopped', () => {
    const turn = turnAfter([{ thinking: 'hmm' }, { error: 'The turn was stopped: stopped by the user', code: 'TURN_STOPPED' }, { done: 'true' }]);
    expect(turn.blocks).toEqual([{ kind: 'thinking', text: 'hmm', done: true, open: false }]);
    expect(turn.status).toBe('stopped');
  });

  it('folds thinking still open when done arrives', () => {
    const turn = turnAfter([{ thinking: 'never ended' }, { done: 'true' }]);
    expect(turn.blocks).toEqual([{ kind: 'thinking', text: 'never ended', done: true, open: false }]);
  });

  it('puts reflection events into the revised answer, leaving the first pass as it was', () => {
    const turn = turnAfter([
      { content: 'first draft' },
      { reflection_start: true },
      { thinking: 'reconsider', reflection: true },
      { content: 'better ', reflection: true },
      { content: 'answer', reflection: true },
      { error: 'cut off', code: 'REPLY_CUT' },
    ]);
    expect(turn.blocks).toEqual([{ kind: 'text', text: 'first draft' }]);
    expect(turn.revised).toEqual([
      { kind: 'thinking', text: 'reconsider', done: true, open: false },
      { kind: 'text', text: 'better answer' },
      { kind: 'error', message: 'cut off' },
    ]);
  });

  it('starts the revised answer even when a reflection event comes before reflection_start', () => {
    const turn = turnAfter([{ content: 'revised first', reflection: true }]);
    expect(turn.blocks).toEqual([]);
    expect(turn.revised).toEqual([{ kind: 'text', text: 'revised first' }]);
  });

  it('does not throw on out-of-order or unknown events, and leaves the turn unchanged by unknown ones', () => {
    const turn = newAssistantEntry();
    const { sink } = recordingSink();
    const odd = [
      { thinking_end: true },
      { approval_resolved: { id: 'nope', decision: 'deny' } },
      { tool_result: { tool_call_id: 'nope', content: '', is_error: false } },
      { done: 'true' },
      { content: 'after done' },
      { something_new: 1 },
      {},
    ] as unknown as ChatStreamEvent[];
    expect(() => {
      for (const event of odd) applyChatEvent(turn, event, sink);
    }).not.toThrow();
    expect(turn.blocks).toEqual([{ kind: 'text', text: 'after done' }]);
    const before = structuredClone(turn);
    applyChatEvent(turn, { brand_new_event: { x: 1 } } as unknown as ChatStreamEvent, sink);
    expect(turn).toEqual(before);
  });
});
