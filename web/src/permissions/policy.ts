/**
 * What the studio shows of the permission system (wire/permissions.ts): the modes, the tools a
 * rule may name and what each one's `match` is, and the words for actions, decisions and rules.
 * The wire's RULE_TOOLS and PATH_TOOLS live beside zod, so they are mirrored here; the Record
 * types make the compiler refuse a list that forgets one.
 */
import type { ChatStreamEvent } from '$wire/chat-events';
import type { AuditDecider, AuditEntry, PermissionAction, PermissionMode, PermissionRule, RuleRef, RuleTool } from '$wire/permissions';
import { t, type MessageKey } from '../lib/i18n.svelte';

/** The modes, in the order every switch lists them (the first is the server's default). */
export const PERMISSION_MODES: readonly PermissionMode[] = ['ask', 'accept-edits', 'read-only', 'trusted'];

/** The name of each mode. */
export const MODE_LABELS: Record<PermissionMode, MessageKey> = {
  ask: 'permissions.mode_ask',
  'accept-edits': 'permissions.mode_accept_edits',
  'read-only': 'permissions.mode_read_only',
  trusted: 'permissions.mode_trusted',
};

/** What each mode does, in one sentence. */
export const MODE_HINTS: Record<PermissionMode, MessageKey> = {
  ask: 'permissions.mode_ask_hint',
  'accept-edits': 'permissions.mode_accept_edits_hint',
  'read-only': 'permissions.mode_read_only_hint',
  trusted: 'permissions.mode_trusted_hint',
};

/** What a rule's `match` is for each tool: a command pattern, a path glob, an MCP tool-name glob, or nothing (the agents). */
export type MatchKind = 'command' | 'path' | 'tool_name' | 'none';

/** The match kind of every tool a rule may name. */
export const RULE_MATCH: Record<RuleTool, MatchKind> = {
  terminal: 'command',
  read_file: 'path',
  write_file: 'path',
  list_dir: 'path',
  search_files: 'path',
  crush_run: 'none',
  claude_run: 'none',
  mcp: 'tool_name',
};

/** The tools a rule may name, in the server's order. */
export const RULE_TOOLS = Object.keys(RULE_MATCH) as RuleTool[];

/** The label of each match kind's field, and an example of a pattern. */
export const MATCH_LABELS: Record<MatchKind, { label: MessageKey; placeholder: string }> = {
  command: { label: 'permissions.match_command', placeholder: 'git push *' },
  path: { label: 'permissions.match_path', placeholder: '~/projects/**' },
  tool_name: { label: 'permissions.match_tool_name', placeholder: 'mcp__github__*' },
  none: { label: 'permissions.match_none', placeholder: '' },
};

/** The actions, strictest last, as the rule editor lists them. */
export const PERMISSION_ACTIONS: readonly PermissionAction[] = ['allow', 'ask', 'deny'];

/** The name of each action. */
export const ACTION_LABELS: Record<PermissionAction, MessageKey> = {
  allow: 'permissions.action_allow',
  ask: 'permissions.action_ask',
  deny: 'permissions.action_deny',
};

/** The badge class of an action: green allow, amber ask, red deny. */
export const ACTION_TONES: Record<PermissionAction, 'success' | 'warning' | 'danger'> = { allow: 'success', ask: 'warning', deny: 'danger' };

/** Who decided a call, in the tester and the audit log. */
export const DECIDER_LABELS: Record<AuditDecider, MessageKey> = {
  rule: 'permissions.by_rule',
  mode: 'permissions.by_mode',
  default: 'permissions.by_default',
  guard: 'permissions.by_guard',
  user: 'permissions.by_user',
  timeout: 'permissions.by_timeout',
  stopped: 'permissions.by_stopped',
};

/** Where an audited call came from. */
export const SOURCE_LABELS: Record<AuditEntry['source'], MessageKey> = {
  chat: 'permissions.source_chat',
  workflow: 'permissions.source_workflow',
  tool_call: 'permissions.source_tool_call',
};

/** How an approval ended, as `approval_resolved` says. */
export type ApprovalOutcome = Extract<ChatStreamEvent, { approval_resolved: unknown }>['approval_resolved']['decision'];

/** The words for each way an approval ends. */
export const OUTCOME_LABELS: Record<ApprovalOutcome, MessageKey> = {
  allow_once: 'approval.outcome_allow_once',
  allow_always: 'approval.outcome_allow_always',
  deny: 'approval.outcome_deny',
  timeout: 'approval.outcome_timeout',
  withdrawn: 'approval.outcome_withdrawn',
};

/** A rule in one line: `terminal "git push *" → allow`. */
export function ruleText(rule: PermissionRule): string {
  return `${rule.tool}${rule.match ? ` "${rule.match}"` : ''} → ${t(ACTION_LABELS[rule.action])}`;
}

/** Which rule decided, in one line: its number in Settings and the rule. */
export function ruleRefText(ref: RuleRef): string {
  return t('permissions.rule_ref', { n: ref.index + 1, rule: ruleText(ref.rule) });
}
