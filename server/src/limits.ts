/**
 * The limits and timeouts a user or a client meets (a refusal, a cut, a wait, a retention), in
 * one place, units in the names. Numbers marked "seed" come from the original API (SPEC §5) and
 * must not drift. Numbers the studio needs too live in wire/ and are re-exported here.
 *
 * Tuning constants nobody outside one module sees (coalescing windows, buffer growth steps,
 * search ranking weights, worker priorities) stay beside the code they tune, with the reason
 * for their value.
 */
import { SKILL_IMPORT_MAX_ZIP_BYTES } from './wire/upload-limits.js';

/** Default HTTP port when neither --port nor ATELIER_PORT is given. */
export const DEFAULT_PORT = 7878;

/** Largest JSON body accepted by routes that do not name their own limit. */
export const DEFAULT_BODY_LIMIT_BYTES = 1 * 1024 * 1024;
/** seed: POST /api/chat body limit. */
export const CHAT_BODY_LIMIT_BYTES = 50 * 1024 * 1024;

/** How many config generations are kept for rollback (older ones are pruned). */
export const CONFIG_GENERATIONS_KEPT = 20;

/** Largest single WebSocket message accepted from a client. */
export const WS_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Frames a terminal socket may send before it must start or attach, and junk frames tolerated before it is closed (1008). */
export const TERMINAL_BAD_FRAMES_MAX = 100;
/** An exited terminal session stays attachable this long, so a reload still shows how it ended. */
export const TERMINAL_EXITED_KEEP_MS = 60_000;
/** Longest window title kept; a program may send any length. */
export const TERMINAL_TITLE_MAX_CHARS = 200;

/** Terminal font and scrollback bounds; the studio checks them too, so they live in the wire. */
export { TERMINAL_FONT_SIZE_MAX, TERMINAL_FONT_SIZE_MIN, TERMINAL_SCROLLBACK_MAX_LINES } from './wire/terminal-limits.js';

/** A tool's version command is killed after this long; one slow CLI must not stall a scan. */
export const TOOL_VERSION_TIMEOUT_MS = 4_000;
/** Version commands run at most this many at once (the machine may have 2 cores). */
export const TOOL_SCAN_CONCURRENCY = 8;
/** Output kept from one version command; a version is in the first lines, anything past this is noise. */
export const TOOL_VERSION_OUTPUT_MAX_BYTES = 64 * 1024;
/** Completed scans kept in SQLite; only the latest is served, the others help compare after a change. */
export const TOOL_SCANS_KEPT = 5;

/** Metrics calls closer together than this reuse the previous sample (CPU deltas need time). */
export const METRICS_MIN_SAMPLE_INTERVAL_MS = 250;
/**
 * The event-loop delay monitor runs only while metrics are read, and stops this long after the
 * last read: its 10 ms timer woke an idle server 100 times a second (measured: 99 of its ~100
 * wake-ups a second, and half a wake-up per relayed chat token).
 */
export const METRICS_LOOP_MONITOR_WATCH_MS = 60_000;

/** Lifetime of the sign-in cookie; the token itself changes on every launch anyway. */
export const SESSION_COOKIE_MAX_AGE_S = 7 * 24 * 3600;

/** Children get this long to exit after SIGTERM during shutdown before SIGKILL. */
export const SHUTDOWN_GRACE_MS = 3_000;

/** A provider that sends no response byte for this long after the request is given up (PROVIDER_TIMEOUT). */
export const PROVIDER_FIRST_BYTE_TIMEOUT_MS = 60_000;
/** Silence between two chunks of a provider stream longer than this ends it (PROVIDER_TIMEOUT); keep-alive comments count as life. */
export const PROVIDER_STALL_TIMEOUT_MS = 120_000;
/** Whole-request budget of the cheap calls: validate, quota, model lists. */
export const PROVIDER_PROBE_TIMEOUT_MS = 15_000;
/** Largest SSE event a provider may send; a stream that buffers more is malformed (PROVIDER_BAD_STREAM). */
export const PROVIDER_SSE_MAX_BUFFER_CHARS = 16 * 1024 * 1024;
/** Largest JSON answer (non-streamed chat, model lists, quotas) read from a provider, in bytes of the body. */
export const PROVIDER_JSON_MAX_BYTES = 16 * 1024 * 1024;
/** Bytes read from a provider's error body to quote its message; the rest is dropped. */
export const PROVIDER_ERROR_BODY_MAX_BYTES = 64 * 1024;
/** Anthropic requires max_tokens; used when the caller names none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 8_192;
/** max_tokens of the verify probes: enough for a reasoning model to think briefly and still answer. */
export const PROVIDER_VERIFY_MAX_TOKENS = 1_024;
/** Buckets returned by GET /api/providers/consumption when `buckets` is not given, per period. */
export const CONSUMPTION_DEFAULT_BUCKETS = { day: 30, week: 12, month: 12 } as const;
/** Most buckets one consumption query may ask for (a year of days). */
export const CONSUMPTION_MAX_BUCKETS = 366;

/** Image sizes and counts of a chat message; the studio checks them too, so they live in the wire. */
export { MAX_IMAGE_BYTES, MAX_IMAGES_PER_MESSAGE } from './wire/upload-limits.js';
/** Browser cache lifetime of a served image: ids are random and never reused, so only deletion makes a copy stale. */
export const IMAGE_CACHE_MAX_AGE_S = 24 * 3600;
/** Search hits returned when the client names no limit, and the most it may ask for. */
export const CONVERSATION_SEARCH_LIMIT_DEFAULT = 20;
export const CONVERSATION_SEARCH_LIMIT_MAX = 100;
/** Longest search query accepted; longer input is a paste, not a search. */
export const CONVERSATION_SEARCH_QUERY_MAX_CHARS = 500;
/** Words of a query used (all must match); more only makes a slower AND that finds nothing. */
export const CONVERSATION_SEARCH_MAX_TERMS = 16;
/** Tokens of context a search snippet shows around the match. */
export const CONVERSATION_SNIPPET_TOKENS = 16;
/** Conversations per page of GET /api/conversations when not asked, and the most per page. */
export const CONVERSATION_LIST_LIMIT_DEFAULT = 100;
export const CONVERSATION_LIST_LIMIT_MAX = 1000;
/** Characters of the last message previewed under each listed conversation. */
export const CONVERSATION_PREVIEW_CHARS = 160;
/** Longest conversation title; a title taken from the first message is cut to this. */
export const CONVERSATION_TITLE_MAX_CHARS = 120;

/** seed: the terminal tool's timeout when a call names none, and the longest a call may ask for. */
export const TERMINAL_TOOL_TIMEOUT_DEFAULT_S = 60;
export const TERMINAL_TOOL_TIMEOUT_MAX_S = 300;
/** Longest command the terminal tool accepts; the sudo guard parses all of it before anything runs. */
export const TERMINAL_TOOL_COMMAND_MAX_CHARS = 64 * 1024;
/** seed: crush_run / claude_run timeout, default and ceiling alike. */
export const AGENT_TOOL_TIMEOUT_S = 1800;
/** seed: agents of one kind running at once (2 crush + 2 claude); the next call is refused with 429. */
export const AGENT_TOOL_CONCURRENCY = 2;
/** Retry-After sent with a refused agent call: agents run for minutes, so this is a hint, not a promise. */
export const AGENT_TOOL_RETRY_AFTER_S = 30;
/** Output one tool call returns; past it the middle is cut (the head and the tail of a build log both matter). */
export const TOOL_OUTPUT_MAX_BYTES = 100 * 1024;
/** Nested shell texts (bash -c, eval, env -S, …) the sudo guard follows before refusing the command. */
export const SUDO_GUARD_MAX_DEPTH = 8;
/** read_file refuses larger files (offset/limit page through anything below it). */
export const READ_FILE_MAX_BYTES = 10 * 1024 * 1024;
/** Lines read_file returns when the call names no limit. */
export const READ_FILE_DEFAULT_LINES = 2_000;
/** Largest content write_file accepts. */
export const WRITE_FILE_MAX_BYTES = 5 * 1024 * 1024;
/** POST /api/tool/call body limit: a maximal write_file content, even if JSON escaping doubles it. */
export const TOOL_CALL_BODY_LIMIT_BYTES = 2 * WRITE_FILE_MAX_BYTES + 64 * 1024;
/** Entries list_dir returns; a bigger directory is cut with a note. */
export const LIST_DIR_MAX_ENTRIES = 1_000;
/** search_files stops after visiting this many files (node_modules, .git and dist are never entered). */
export const SEARCH_FILES_MAX_FILES = 20_000;
/** search_files stops after this many matching lines. */
export const SEARCH_FILES_MAX_MATCHES = 200;
/** Files larger than this are skipped by search_files (logs and bundles, rarely what is sought). */
export const SEARCH_FILES_MAX_FILE_BYTES = 1024 * 1024;
/** A search runs in a worker killed after this long: a catastrophic regex must not stall the server. */
export const SEARCH_FILES_TIMEOUT_MS = 20_000;
/** Longest search pattern accepted. */
export const SEARCH_PATTERN_MAX_CHARS = 1_000;
/** A matching line is cut to this many characters in search results (minified files have huge lines). */
export const SEARCH_MATCH_LINE_MAX_CHARS = 300;

/** seed: model turns per chat message in the tool-call loop. */
export const CHAT_MAX_TOOL_ITERATIONS = 15;
/** Chat requests served at once (streams included); the next gets 429 with Retry-After. */
export const CHAT_MAX_CONCURRENT = 128;
/** Earlier messages of a conversation sent back to the model with a new one. */
export const CHAT_HISTORY_MESSAGES_MAX = 100;

/** Per-route rate limits (SPEC §5): calls that reach an LLM provider. */
export const LLM_ROUTE_RATE_LIMIT = { requests: 120, perMs: 60_000 } as const;
/** Per-route rate limits (SPEC §5): calls that run a tool on this machine. */
export const TOOL_ROUTE_RATE_LIMIT = { requests: 120, perMs: 60_000 } as const;

/** Largest SKILL.md read, validated or tested; the format asks for under 500 lines, so this is only a guard. */
export const SKILL_MD_MAX_BYTES = 512 * 1024;
/** Files one skill folder may hold (listing, deploy, export) and entries one imported archive may hold. */
export const SKILL_MAX_FILES = 500;
/** Largest single file of a skill, uncompressed: checked on a zip entry's declared size and again while inflating it. */
export const SKILL_MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Largest skill folder, all files uncompressed: an archive that inflates past this is a zip bomb, stopped mid-stream. */
export const SKILL_MAX_TOTAL_BYTES = 25 * 1024 * 1024;
/** Largest skill archive accepted by POST /api/skills/import, decoded (in the wire: the studio checks it too). */
export { SKILL_IMPORT_MAX_ZIP_BYTES };
/** POST /api/skills/import body limit: a maximal archive as base64 (4 characters per 3 bytes) plus room for the JSON around it. */
export const SKILL_IMPORT_BODY_LIMIT_BYTES = Math.ceil(SKILL_IMPORT_MAX_ZIP_BYTES / 3) * 4 + 64 * 1024;
/** max_tokens of a skill test run: enough to show the approach, cheap enough to click twice. */
export const SKILL_TEST_MAX_TOKENS = 2_048;

/** A language server's version command is killed after this long (most are node scripts: a cold start takes a second). */
export const LSP_VERSION_TIMEOUT_MS = 5_000;
/** Version commands GET /api/lsp runs at once (each may start a node process). */
export const LSP_VERSION_CONCURRENCY = 4;
/** A language server that has not finished initialize → shutdown → exit in this long is killed with its process group. */
export const LSP_HANDSHAKE_TIMEOUT_MS = 15_000;
/** Handshakes GET /api/lsp/health runs at once (tsserver-backed servers use hundreds of MB each). */
export const LSP_HANDSHAKE_CONCURRENCY = 3;
/** After `exit`, a server gets this long to leave before its process group is killed. */
export const LSP_EXIT_GRACE_MS = 2_000;
/** Bytes of a failed server's stderr kept for the health report (its last words). */
export const LSP_STDERR_TAIL_BYTES = 4 * 1024;
/** One installer command (npm install, go install, pip install, rustup) is killed after this long. */
export const LSP_INSTALL_TIMEOUT_MS = 600_000;
/** Installer output kept per command; past it the middle is cut. */
export const LSP_INSTALL_OUTPUT_MAX_BYTES = 256 * 1024;
/** Lines of a failed installer's output quoted in the error. */
export const LSP_INSTALL_ERROR_TAIL_LINES = 15;
/** Auto-install's project walk: how deep it goes and how many entries it looks at before stopping. */
export const LSP_DETECT_MAX_DEPTH = 6;
export const LSP_DETECT_MAX_ENTRIES = 20_000;
/** Largest editor config file the editor-config route reads to merge into; bigger is not a config file. */
export const LSP_EDITOR_CONFIG_MAX_BYTES = 1024 * 1024;

/** One MCP server's status check (spawn or connect, initialize, list tools) is given up after this long, its process killed. */
export const MCP_CHECK_TIMEOUT_MS = 20_000;
/** MCP servers checked at once by GET /api/mcp/status: each may be an npx or docker start. */
export const MCP_STATUS_CONCURRENCY = 4;
/** Starting one of Atelier's own MCP servers for the chat (spawn, initialize, list tools). */
export const MCP_CONNECT_TIMEOUT_MS = 20_000;
/** One MCP tool call from the chat; the terminal tool's ceiling. */
export const MCP_TOOL_CALL_TIMEOUT_MS = 300_000;
/** After a failed start, an Atelier MCP server sits out of the chat's tools this long: a broken server must not slow every message. */
export const MCP_RESTART_BACKOFF_MS = 30_000;
/** Bytes of an MCP server's stderr kept to explain why it failed. */
export const MCP_STDERR_TAIL_BYTES = 4 * 1024;
/** Pages of tools/list followed per server; more is a server paging forever. */
export const MCP_LIST_TOOLS_MAX_PAGES = 20;
/** Longest tool name the providers accept (OpenAI and Anthropic: 64 of [A-Za-z0-9_-]); MCP tools are `mcp__<server>__<tool>` cut to this. */
export const MCP_TOOL_NAME_MAX_CHARS = 64;
/** Editor config files larger than this are refused, not parsed (~/.claude.json grows with Claude Code's history). */
export const MCP_EDITOR_CONFIG_MAX_BYTES = 32 * 1024 * 1024;

/** New chat messages wait at most this long to enter the full-text index, in one batch (a search indexes them first anyway). */
export const MESSAGE_INDEX_DELAY_MS = 250;
/** A provider answer the reader left early may finish arriving for this long (its connection is then reused) before it is closed. */
export const PROVIDER_DRAIN_MS = 250;
/**
 * Chat requests that may start per event-loop turn; a burst beyond waits for later turns (see
 * http/turn-gate.ts). A start costs ~5 ms of main-thread CPU; under 100 streams, one per turn
 * gave lag p99 of 13-18 ms while the burst started against 21-36 ms with two.
 */
export const CHAT_STARTS_PER_TURN = 1;
/** How often the worker thread checkpoints the SQLite WAL (see db/checkpointer.ts). */
export const DB_CHECKPOINT_INTERVAL_MS = 1_000;
/** Decrypting a passphrase-protected SSH key (bcrypt_pbkdf, in a worker) must finish within this; ssh-keygen's default 16 rounds take ~0.4 s. */
export const SSH_KEY_UNLOCK_TIMEOUT_MS = 30_000;

/** `atelier stop` waits this long for the instance to exit and remove its runtime file. */
export const CLI_STOP_WAIT_MS = 15_000;
/** `atelier doctor`: a native-module or health probe that takes longer than this fails. */
export const DOCTOR_PROBE_TIMEOUT_MS = 5_000;
/** A start that finds another start under way with the same home waits this long for it to be ready. */
export const CLI_START_WAIT_MS = 30_000;

// Permissions, workflows and chat: what a user meets in the audit, an approval card, a run.
/** Longest call summary an audit row keeps; past it the summary is cut with an ellipsis. */
export const AUDIT_SUMMARY_MAX_CHARS = 400;
/** Audit rows kept; older ones are pruned as new ones come. */
export const AUDIT_ROWS_MAX = 20_000;
/** How long an answered or expired approval request is remembered, so a late answer gets 409/410 rather than 404. */
export const APPROVAL_TOMBSTONE_TTL_MS = 24 * 3600_000;
/** An approval card's diff past this is cut: the card is for reading, the tool still writes everything. */
export const APPROVAL_PREVIEW_DIFF_MAX_CHARS = 200_000;
/** A workflow step's live output kept in memory for re-subscribers (its end is kept). */
export const WORKFLOW_LIVE_OUTPUT_MAX_CHARS = 1_000_000;
/** The planner calls the model this many times at most: the first answer, and one correction (then 422 PLAN_INVALID). */
export const WORKFLOW_PLAN_ATTEMPTS = 2;
/** Retry-After (seconds) suggested when every chat slot is busy. */
export const CHAT_BUSY_RETRY_AFTER_S = 2;
