/**
 * Approvals waiting for the user. A request is bound to a hash of the exact tool and arguments
 * it showed: the answer must name that hash (409 otherwise), can be given once (409 the second
 * time), and not after the request expired (410). An unanswered request is denied at its
 * deadline; an aborted turn withdraws its requests.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '../http/errors.js';
import type { ApprovalRequest, ApproveRequest } from '../wire/permissions.js';
import { APPROVAL_TOMBSTONE_TTL_MS } from '../limits.js';

/** How a request ended. */
export type ApprovalAnswer =
  | { decision: 'allow_once' | 'allow_always' | 'deny'; note?: string; at: string }
  | { decision: 'timeout'; at: string }
  | { decision: 'withdrawn'; at: string };

/** Answered requests remembered at most; past it the oldest go first (a flood of asks must not grow memory). */
const TOMBSTONES_MAX = 5000;

interface Pending {
  request: ApprovalRequest;
  resolve: (answer: ApprovalAnswer) => void;
  timer: NodeJS.Timeout;
}

/** SHA-256 over the tool name and its arguments with keys sorted: what the user saw, exactly. */
export function approvalHash(tool: string, args: Record<string, unknown>): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
        : value;
  return createHash('sha256').update(JSON.stringify([tool, canonical(args)])).digest('hex');
}

export class Approvals {
  readonly #pending = new Map<string, Pending>();
  /** id → how it ended, for answers that come too late. */
  readonly #ended = new Map<string, { state: 'answered' | 'expired' | 'withdrawn'; at: number }>();

  /**
   * Opens a request and answers when the user does, the deadline passes, or `signal` aborts.
   * `timeoutS`: seconds before it is denied.
   */
  open(fields: Omit<ApprovalRequest, 'id' | 'hash' | 'created_at' | 'expires_at'>, timeoutS: number, signal: AbortSignal): { request: ApprovalRequest; answer: Promise<ApprovalAnswer> } {
    const now = Date.now();
    const request: ApprovalRequest = {
      ...fields,
      id: randomUUID(),
      hash: approvalHash(fields.tool, fields.args),
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + timeoutS * 1000).toISOString(),
    };
    const answer = new Promise<ApprovalAnswer>((resolve) => {
      const finish = (state: 'answered' | 'expired' | 'withdrawn', a: ApprovalAnswer): void => {
        const pending = this.#pending.get(request.id);
        if (!pending) return;
        clearTimeout(pending.timer);
        this.#pending.delete(request.id);
        this.#remember(request.id, state);
        signal.removeEventListener('abort', onAbort);
        resolve(a);
      };
      const onAbort = (): void => finish('withdrawn', { decision: 'withdrawn', at: new Date().toISOString() });
      const timer = setTimeout(() => finish('expired', { decision: 'timeout', at: new Date().toISOString() }), timeoutS * 1000);
      timer.unref();
      this.#pending.set(request.id, { request, resolve: (a) => finish('answered', a), timer });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    return { request, answer };
  }

  /** Answers a pending request; throws 404 / 409 / 410 as the module comment says. */
  answer(body: ApproveRequest): ApprovalRequest {
    const pending = this.#pending.get(body.id);
    if (!pending) {
      const ended = this.#ended.get(body.id);
      if (ended?.state === 'expired') throw new AppError(410, 'GONE', `Approval ${body.id} expired unanswered and was denied`);
      if (ended?.state === 'answered') throw new AppError(409, 'CONFLICT', `Approval ${body.id} was already answered`);
      if (ended?.state === 'withdrawn') throw new AppError(410, 'GONE', `Approval ${body.id} was withdrawn: its turn was stopped`);
      throw new AppError(404, 'NOT_FOUND', `No approval request ${body.id}`);
    }
    if (pending.request.hash !== body.hash) {
      throw new AppError(409, 'CONFLICT', `The hash does not match approval ${body.id}: it approves ${pending.request.tool} with the arguments it showed, nothing else`);
    }
    pending.resolve({ decision: body.decision, ...(body.note !== undefined && { note: body.note }), at: new Date().toISOString() });
    return pending.request;
  }

  /** Requests waiting, oldest first; of one conversation when given. */
  list(conversationId?: string): ApprovalRequest[] {
    return [...this.#pending.values()].map((p) => p.request).filter((r) => conversationId === undefined || r.conversation_id === conversationId);
  }

  #remember(id: string, state: 'answered' | 'expired' | 'withdrawn'): void {
    const now = Date.now();
    this.#ended.set(id, { state, at: now });
    if (this.#ended.size > TOMBSTONES_MAX) {
      for (const [key, value] of this.#ended) if (now - value.at > APPROVAL_TOMBSTONE_TTL_MS || this.#ended.size > TOMBSTONES_MAX) this.#ended.delete(key);
    }
  }
}
