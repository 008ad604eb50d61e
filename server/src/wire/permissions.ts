/**
 * Permission shapes shared by server and studio: rules and settings (the config's `permissions`
 * section), a decision, an approval request and its answer, and an audit entry.
 */
import { z } from 'zod';
import { APPROVAL_TIMEOUT_MAX_S, APPROVAL_TIMEOUT_MIN_S } from './settings-values.js';
import { TOOL_NAMES } from './tools.js';

export const PermissionActionSchema = z.enum(['allow', 'ask', 'deny']);
export type PermissionAction = z.infer<typeof PermissionActionSchema>;

/**
 * ask: anything not known to only read needs the user's yes. accept-edits: as ask, but file
 * writes inside the conversation's project folder are allowed. read-only: every call that may
 * write is denied. trusted: everything is allowed except what a deny rule names.
 */
export const PermissionModeSchema = z.enum(['ask', 'accept-edits', 'read-only', 'trusted']);
export type PermissionMode = z.infer<typeof PermissionModeSchema>;

/** What a rule's `tool` may name: a built-in tool, or `mcp` for tools of MCP servers. */
export const RULE_TOOLS = [...TOOL_NAMES, 'mcp'] as const;
export type RuleTool = (typeof RULE_TOOLS)[number];
/** Tools whose `match` is a path glob. */
export const PATH_TOOLS: ReadonlySet<string> = new Set(['read_file', 'write_file', 'list_dir', 'search_files']);

const PATTERN_MAX_CHARS = 1000;

/**
 * One rule. `match`: for `terminal` a command pattern (`git status`, `git push *`, `rm *`), for
 * file tools a path glob (`~/projects/**`), for `mcp` a tool-name glob (`mcp__github__*`); for
 * the agents it is not used. A rule without `match` covers every call of its tool.
 */
export const PermissionRuleSchema = z
  .strictObject({
    tool: z.enum(RULE_TOOLS, { error: `tool must be one of ${RULE_TOOLS.join(', ')}` }),
    match: z.string().trim().min(1).max(PATTERN_MAX_CHARS).optional(),
    action: PermissionActionSchema,
  })
  .superRefine((rule, ctx) => {
    const problem = rule.match === undefined ? null : patternProblem(rule.tool, rule.match);
    if (problem) ctx.addIssue({ code: 'custom', path: ['match'], message: problem });
  });
export type PermissionRule = z.infer<typeof PermissionRuleSchema>;

/** Why `match` cannot be a pattern for `tool`, or null. */
export function patternProblem(tool: RuleTool, match: string): string | null {
  if (tool === 'crush_run' || tool === 'claude_run') return `${tool} rules take no match: they cover every call of the agent`;
  if (tool === 'mcp') return /^mcp__[A-Za-z0-9_*?-]+(__[A-Za-z0-9_.*?-]*)?$/.test(match) ? null : 'an mcp match is a tool-name glob like mcp__github__* or mcp__github__create_issue';
  if (PATH_TOOLS.has(tool)) {
    if (!(match.startsWith('/') || match === '~' || match.startsWith('~/'))) return 'a path glob starts with / or ~/ (e.g. ~/projects/**)';
    if (match.includes('\0')) return 'a path glob cannot hold a NUL character';
    return null;
  }
  // terminal: words separated by spaces; `*` matches anything, a trailing ` *` also nothing.
  if (/[\n\r\0]/.test(match)) return 'a command pattern is one line';
  if (/^\*+$/.test(match.replace(/\s/g, ''))) return 'a command pattern must name a program (use mode "trusted" to allow every command)';
  if (/[;&|<>`$()]/.test(match)) return 'a command pattern is one simple command: no ; & | < > ` $ ( ) — each command of a line is matched on its own';
  return null;
}

/** The config's `permissions` section. */
export const PermissionSettingsSchema = z.strictObject({
  /** The mode of a conversation that did not choose one. */
  mode: PermissionModeSchema,
  /** A request left unanswered this long is denied. */
  approval_timeout_s: z.number().int().min(APPROVAL_TIMEOUT_MIN_S).max(APPROVAL_TIMEOUT_MAX_S),
  rules: z.array(PermissionRuleSchema).max(500),
});
export type PermissionSettings = z.infer<typeof PermissionSettingsSchema>;

/** The config's `chat` section. */
export const ChatSettingsSchema = z.strictObject({
  /** A turn no client watches is aborted after this many seconds. */
  detach_grace_s: z.number().int().min(0).max(86_400),
});
export type ChatSettings = z.infer<typeof ChatSettingsSchema>;

/** Which rule decided: its index in `permissions.rules` and the rule itself. */
export const RuleRefSchema = z.object({ index: z.number().int().min(0), rule: PermissionRuleSchema });
export type RuleRef = z.infer<typeof RuleRefSchema>;

/** The decision on one simple command of a terminal call (or one file it redirects into). */
export const CommandDecisionSchema = z.object({
  command: z.string(),
  /** command: a simple command; redirect: a file it writes with `>`; unresolved: what cannot be known before it runs. */
  kind: z.enum(['command', 'redirect', 'unresolved']),
  /** For a redirect: the real path written. */
  path: z.string().optional(),
  decision: PermissionActionSchema,
  reason: z.string(),
  rule: RuleRefSchema.optional(),
});
export type CommandDecision = z.infer<typeof CommandDecisionSchema>;

/** What the engine decided for one call. */
export const PermissionDecisionSchema = z.object({
  decision: PermissionActionSchema,
  reason: z.string(),
  /** The rule that decided, when one did. */
  rule: RuleRefSchema.optional(),
  /** Who decided: a rule, the mode, the defaults, or the sudo guard (a command that would raise privileges, with sudo_bypass off). */
  decided_by: z.enum(['rule', 'mode', 'default', 'guard']),
  /** The sudo guard refused the command: nothing would run, and no rule or approval can change that. */
  sudo_blocked: z.literal(true).optional(),
  /** For terminal calls: every simple command, each with its own decision. */
  commands: z.array(CommandDecisionSchema),
  /** For file tools: the real path the call touches. */
  path: z.string().optional(),
});
export type PermissionDecision = z.infer<typeof PermissionDecisionSchema>;

/** Body of POST /api/permissions/check. */
export const PermissionCheckRequestSchema = z.strictObject({
  tool: z.string().min(1).max(200),
  args: z.record(z.string(), z.unknown()).default({}),
  /** Default: the Settings mode. */
  mode: PermissionModeSchema.optional(),
});

/** What POST /api/permissions/check answers: the decision, and the rules an `allow_always` would save. */
export const PermissionCheckResultSchema = PermissionDecisionSchema.extend({ suggested_rules: z.array(PermissionRuleSchema) });
export type PermissionCheckResult = z.infer<typeof PermissionCheckResultSchema>;

/** What an approval card shows. */
export const ApprovalPreviewSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('diff'), path: z.string(), new_file: z.boolean(), diff: z.string() }),
  z.object({ kind: z.literal('commands'), commands: z.array(CommandDecisionSchema) }),
  z.object({ kind: z.literal('mcp'), server: z.string(), tool: z.string(), args: z.record(z.string(), z.unknown()) }),
  z.object({ kind: z.literal('agent'), agent: z.string(), prompt: z.string(), cwd: z.string().optional(), scope: z.string() }),
  z.object({ kind: z.literal('args'), args: z.record(z.string(), z.unknown()) }),
]);
export type ApprovalPreview = z.infer<typeof ApprovalPreviewSchema>;

/** An `ask` waiting for the user (the chat's `approval_request` event; GET /api/chat/history lists them). */
export const ApprovalRequestSchema = z.object({
  id: z.string(),
  conversation_id: z.string(),
  tool_call_id: z.string(),
  tool: z.string(),
  args: z.record(z.string(), z.unknown()),
  reason: z.string(),
  rule: RuleRefSchema.optional(),
  preview: ApprovalPreviewSchema,
  /** The rules `allow_always` would save: the narrowest that cover what asked (none when no rule can: `eval`, `$x`). */
  suggested_rules: z.array(PermissionRuleSchema),
  /** SHA-256 of the tool and its arguments; the answer must name it. */
  hash: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;

/** Body of POST /api/chat/approve. */
export const ApproveRequestSchema = z.strictObject({
  id: z.string().min(1).max(100),
  /** The request's hash: the answer approves exactly what was shown. */
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'hash is the 64 hex digits of the approval request'),
  decision: z.enum(['allow_once', 'allow_always', 'deny']),
  note: z.string().max(2000).optional(),
});
export type ApproveRequest = z.infer<typeof ApproveRequestSchema>;

/** What POST /api/chat/approve answers. */
export const ApproveResponseSchema = z.object({
  id: z.string(),
  decision: ApproveRequestSchema.shape.decision,
  /** The rules allow_always saved. */
  saved_rules: z.array(PermissionRuleSchema),
});
export type ApproveResponse = z.infer<typeof ApproveResponseSchema>;

/** Who decided a call in the audit log. */
export const AuditDeciderSchema = z.enum(['rule', 'mode', 'default', 'guard', 'user', 'timeout', 'stopped']);
export type AuditDecider = z.infer<typeof AuditDeciderSchema>;

/** One decision on a tool call, as GET /api/permissions/audit lists it. */
export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  /** chat, workflow or tool_call (the user's own POST /api/tool/call). */
  source: z.enum(['chat', 'workflow', 'tool_call']),
  conversation_id: z.string().nullable(),
  workflow_id: z.string().nullable(),
  tool: z.string(),
  /** The arguments, cut to a few hundred characters. */
  summary: z.string(),
  decision: z.enum(['allow', 'deny']),
  decided_by: AuditDeciderSchema,
  reason: z.string(),
  rule: PermissionRuleSchema.nullable(),
  note: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Path of PUT and DELETE /api/permissions/rules/{index}: the rule's place in the list. */
export const RuleIndexParams = z.strictObject({ index: z.coerce.number().int().min(0) });

/** Query of GET /api/permissions/audit. */
export const AuditQuerySchema = z.strictObject({
  conversation_id: z.string().min(1).max(100).optional(),
  workflow_id: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
