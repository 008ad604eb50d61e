/** Builds the server and the studio when their outputs are missing or older than their sources. */
export function buildIfStale(options?: { force?: boolean }): void;
