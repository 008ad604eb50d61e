/**
 * Values the studio's settings forms share with the server, in a zod-free module the studio
 * may import as values (test/web/imports.test.ts).
 */

/** What a stored secret (a provider's API key) reads as; sending it back keeps the stored one. */
export const SECRET_MASK = '***';

/** Bounds of permissions.approval_timeout_s: how long an ask waits for the user. */
export const APPROVAL_TIMEOUT_MIN_S = 1;
export const APPROVAL_TIMEOUT_MAX_S = 86_400;
