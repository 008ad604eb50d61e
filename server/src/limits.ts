/**
 * Every limit and timeout Atelier enforces, in one place, units in the names.
 * Numbers marked "seed" come from the original API (SPEC §5) and must not drift.
 */

/** Default HTTP port when neither --port nor ATELIER_PORT is given. */
export const DEFAULT_PORT = 7878;

/** Largest JSON body accepted by routes that do not name their own limit. */
export const DEFAULT_BODY_LIMIT_BYTES = 1 * 1024 * 1024;
/** seed: POST /api/chat body limit. */
export const CHAT_BODY_LIMIT_BYTES = 50 * 1024 * 1024;

/** How many config generations are kept for rollback (older ones are pruned). */
export const CONFIG_GENERATIONS_KEPT = 20;

/** seed: terminal font size ceiling; the floor keeps a terminal legible. */
export const TERMINAL_FONT_SIZE_MIN = 6;
export const TERMINAL_FONT_SIZE_MAX = 72;
/** Scrollback lines a terminal may keep (xterm.js default is 1000). */
export const TERMINAL_SCROLLBACK_MAX_LINES = 100_000;

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

/** Lifetime of the sign-in cookie; the token itself changes on every launch anyway. */
export const SESSION_COOKIE_MAX_AGE_S = 7 * 24 * 3600;

/** Children get this long to exit after SIGTERM during shutdown before SIGKILL. */
export const SHUTDOWN_GRACE_MS = 3_000;
