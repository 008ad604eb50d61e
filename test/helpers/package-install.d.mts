/** The checkout's package.json. */
export const PACKAGE: { name: string; version: string; dependencies: Record<string, string>; devDependencies: Record<string, string>; [key: string]: unknown };
/** Runs `npm pack` into `dir` (empty) and answers the tarball's path and packed size. */
export function packTarball(dir: string): Promise<{ tarball: string; packedBytes: number }>;
/** `npm install -g --prefix <prefix> <tarball>` (production: no devDependencies); answers where it landed. */
export function installTarball(tarball: string, prefix: string): Promise<{ prefix: string; bin: string; packageDir: string }>;
/** Disk use of a directory in bytes (du, so hard links count once). */
export function diskBytes(dir: string): number;
/** Every top-level package under `<packageDir>/node_modules` (scoped ones as `@scope/name`) with its disk use, largest first. */
export function installedSizes(packageDir: string): { name: string; bytes: number }[];
