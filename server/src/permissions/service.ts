/**
 * The permission system's one interface: every caller that runs a tool on the model's behalf
 * (the chat loop, workflow steps) or on the user's (POST /api/tool/call) asks `authorize`.
 * It decides with the engine, waits for an approval when the caller can, records every
 * decision in the audit log, and saves "allow always" rules into the versioned config.
 */
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import type { AppContext } from '../context.js';
import { checkCommand } from '../tools/sudo-guard.js';
import type { ApprovalPreview, ApprovalRequest, ApproveRequest, AuditEntry, PermissionDecision, PermissionMode, PermissionRule } from '../wire/permissions.js';
import { Approvals, type ApprovalAnswer } from './approvals.js';
import { AuditLog } from './audit.js';
import { decide } from './engine.js';
import { previewOf } from './preview.js';
import { suggestRules } from './suggest.js';

/** How the caller takes an `ask`: the chat waits for the user, a workflow step pauses, the user's own call counts as yes. */
export type AskHandling = 'wait' | 'return' | 'allow';

export interface AuthorizeCall {
  tool: string;
  args: Record<string, unknown>;
  source: AuditEntry['source'];
  onAsk: AskHandling;
  conversationId?: string;
  workflowId?: string;
  toolCallId?: string;
  /** Default: the Settings mode. */
  mode?: PermissionMode;
  /** Writes inside it are allowed in accept-edits mode. Default: the home directory. */
  projectDir?: string;
  /** Where relative paths start. Default: the home directory. */
  cwd?: string;
  /** Aborting withdraws a waiting request (the turn was stopped). */
  signal?: AbortSignal;
  /** Called with the request before waiting (the chat relays it on its stream). */
  announce?: (request: ApprovalRequest) => void;
  /** Called once the request is answered, expired or withdrawn. */
  settled?: (request: ApprovalRequest, outcome: ApprovalAnswer['decision']) => void;
}

/** What a coding agent may do once its call is allowed, in its own CLI's terms (Claude Code's --permission-mode / --allowedTools). */
export interface AgentScope {
  permissionMode: 'default' | 'acceptEdits' | 'plan' | 'bypassPermissions';
  allowedTools: string[];
}

export type Authorization =
  | { allowed: true; decision: PermissionDecision; agentScope?: AgentScope; approval?: ApprovalRequest }
  /** ask: the caller returns instead of waiting (onAsk 'return'); the reason says why, the preview shows what would run. */
  | { allowed: false; ask: true; decision: PermissionDecision; reason: string; preview: ApprovalPreview }
  /** Denied by a rule, the mode, the user (with their note) or the timeout. */
  | { allowed: false; ask: false; decision: PermissionDecision; reason: string; note?: string };

export interface PermissionsDeps {
  config: AppContext['config'];
  db: AppContext['db'];
  log: AppContext['log'];
  /** The home directory (read-only tools are allowed inside it). Default: the OS's, real. */
  home?: () => string;
}

export class Permissions {
  readonly approvals = new Approvals();
  readonly audit: AuditLog;
  readonly #home: () => string;

  constructor(private readonly deps: PermissionsDeps) {
    this.audit = new AuditLog(deps.db);
    this.#home = deps.home ?? (() => realpathSync(homedir()));
  }

  /** The engine's decision, and what "allow always" would save; runs nothing, records nothing. */
  async check(tool: string, args: Record<string, unknown>, options: { mode?: PermissionMode; projectDir?: string; cwd?: string } = {}): Promise<PermissionDecision & { suggested_rules: PermissionRule[] }> {
    const home = this.#home();
    const config = this.deps.config.get();
    const settings = config.permissions;
    // The sudo guard first: asking the user about a command that would be refused anyway helps no one.
    if (tool === 'terminal' && typeof args.command === 'string' && !config.profile.sudo_bypass) {
      const verdict = checkCommand(args.command, { env: process.env });
      if (verdict.blocked) return { decision: 'deny', reason: verdict.reason, decided_by: 'guard', commands: [], sudo_blocked: true, suggested_rules: [] };
    }
    const decision = await decide({
      tool,
      args,
      mode: options.mode ?? settings.mode,
      rules: settings.rules,
      home,
      cwd: options.cwd ?? home,
      projectDir: options.projectDir ?? home,
      env: process.env,
    });
    return { ...decision, suggested_rules: suggestRules(tool, args, decision, decision.path) };
  }

  /** Decides one call and, for an ask, handles it as the caller said. Every outcome is audited. */
  async authorize(call: AuthorizeCall): Promise<Authorization> {
    const mode = call.mode ?? this.deps.config.get().permissions.mode;
    const home = this.#home();
    const cwd = call.cwd ?? home;
    const checked = await this.check(call.tool, call.args, { mode, projectDir: call.projectDir ?? home, cwd });
    const { suggested_rules: suggested, ...decision } = checked;
    const record = (d: 'allow' | 'deny', decidedBy: AuditEntry['decided_by'], reason: string, note?: string, at?: string): void =>
      this.audit.record({
        source: call.source,
        conversation_id: call.conversationId ?? null,
        workflow_id: call.workflowId ?? null,
        tool: call.tool,
        args: call.args,
        decision: d,
        decided_by: decidedBy,
        reason,
        rule: decision.rule?.rule ?? null,
        note: note ?? null,
        ...(at && { at }),
      });

    if (decision.decision === 'deny') {
      record('deny', decision.decided_by, decision.reason);
      return { allowed: false, ask: false, decision, reason: decision.reason };
    }
    if (decision.decision === 'allow') {
      record('allow', decision.decided_by, decision.reason);
      return { allowed: true, decision, ...this.#scope(call.tool, mode) };
    }
    const scope = this.#scope(call.tool, mode).agentScope;
    if (call.onAsk === 'allow') {
      record('allow', 'user', `${call.source === 'workflow' ? 'approved in the workflow' : "the user's own call"} (${decision.reason})`);
      return { allowed: true, decision, ...(scope && { agentScope: scope }) };
    }
    if (call.onAsk === 'return') return { allowed: false, ask: true, decision, reason: decision.reason, preview: await this.preview(call.tool, call.args, decision, { cwd, mode }) };

    const timeoutS = this.deps.config.get().permissions.approval_timeout_s;
    const { request, answer } = this.approvals.open(
      {
        conversation_id: call.conversationId ?? '',
        tool_call_id: call.toolCallId ?? '',
        tool: call.tool,
        args: call.args,
        reason: decision.reason,
        ...(decision.rule && { rule: decision.rule }),
        preview: await this.preview(call.tool, call.args, decision, { cwd, mode }),
        suggested_rules: suggested,
      },
      timeoutS,
      call.signal ?? new AbortController().signal,
    );
    call.announce?.(request);
    const answered: ApprovalAnswer = await answer;
    call.settled?.(request, answered.decision);
    switch (answered.decision) {
      case 'allow_once':
      case 'allow_always': {
        const saved = answered.decision === 'allow_always' ? this.#saveRules(request.suggested_rules) : [];
        record('allow', 'user', `${answered.decision === 'allow_once' ? 'allowed once' : `allowed always${saved.length ? ` (saved ${saved.map(ruleText).join(', ')})` : ''}`} by the user`, answered.note, answered.at);
        return { allowed: true, decision, approval: request, ...(scope && { agentScope: scope }) };
      }
      case 'deny':
        record('deny', 'user', 'denied by the user', answered.note, answered.at);
        return { allowed: false, ask: false, decision, reason: 'The user denied this call', ...(answered.note && { note: answered.note }) };
      case 'timeout': {
        const reason = `No answer within ${timeoutS} s (permissions.approval_timeout_s), so the call was denied`;
        record('deny', 'timeout', reason, undefined, answered.at);
        return { allowed: false, ask: false, decision, reason };
      }
      case 'withdrawn':
        record('deny', 'stopped', 'the turn was stopped while the approval waited', undefined, answered.at);
        return { allowed: false, ask: false, decision, reason: 'The turn was stopped before the call was approved' };
    }
  }

  /** What an approval card shows for the call: a diff, the parsed commands, the MCP tool, the agent's scope. */
  async preview(tool: string, args: Record<string, unknown>, decision: PermissionDecision, options: { cwd?: string; mode?: PermissionMode } = {}): Promise<ApprovalPreview> {
    const scope = this.#scope(tool, options.mode ?? this.deps.config.get().permissions.mode).agentScope;
    return previewOf(tool, args, decision, options.cwd ?? this.#home(), scope && describeScope(scope));
  }

  /** Answers a waiting approval (POST /api/chat/approve); 404/409/410 as approvals.ts says. */
  answer(body: ApproveRequest): { request: ApprovalRequest; saved_rules: PermissionRule[] } {
    const request = this.approvals.answer(body);
    return { request, saved_rules: body.decision === 'allow_always' ? request.suggested_rules : [] };
  }

  #saveRules(rules: readonly PermissionRule[]): PermissionRule[] {
    if (rules.length === 0) return [];
    const fresh = rules.filter((r) => !this.deps.config.get().permissions.rules.some((e) => e.tool === r.tool && e.match === r.match && e.action === r.action));
    if (fresh.length > 0) {
      this.deps.config.update('permissions: allow always', (c) => ({ ...c, permissions: { ...c.permissions, rules: [...c.permissions.rules, ...fresh] } }));
    }
    return fresh;
  }

  /** The scope an allowed agent call runs with: Claude Code gets the mode and the terminal rules the user allowed. */
  #scope(tool: string, mode: PermissionMode): { agentScope?: AgentScope } {
    if (tool !== 'claude_run') return {};
    // (read-only mode denies agents outright, so Claude Code's plan mode is not needed here.)
    const permissionMode: AgentScope['permissionMode'] = mode === 'trusted' ? 'bypassPermissions' : 'acceptEdits';
    const allowedTools = this.deps.config
      .get()
      .permissions.rules.filter((r) => r.tool === 'terminal' && r.action === 'allow' && r.match)
      .map((r) => `Bash(${r.match!.replace(/ \*$/, ':*')})`);
    return { agentScope: { permissionMode, allowedTools } };
  }
}

function ruleText(rule: PermissionRule): string {
  return `${rule.tool}${rule.match ? ` "${rule.match}"` : ''} → ${rule.action}`;
}

/** The scope in words, for the approval card. */
export function describeScope(scope: AgentScope): string {
  return `--permission-mode ${scope.permissionMode}${scope.allowedTools.length ? ` --allowedTools ${scope.allowedTools.join(' ')}` : ''}`;
}
