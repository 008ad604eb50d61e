/**
 * Upload sizes the server refuses past, in a module without zod so the studio checks the same
 * numbers before sending (server/src/limits.ts re-exports them for the server).
 */

/** seed: largest image attached to a chat message, in decoded bytes. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** seed: images one chat message may carry. */
export const MAX_IMAGES_PER_MESSAGE = 3;

/** Largest skill archive accepted by POST /api/skills/import, decoded. */
export const SKILL_IMPORT_MAX_ZIP_BYTES = 10 * 1024 * 1024;
