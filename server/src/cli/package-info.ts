/** The package's name, version and engines, read from package.json as the server does. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: server/src/cli/ and server/dist/cli/ are both three levels down (server.ts's ROOT_DIR, without loading the server). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The fields of package.json the CLI uses. */
export interface PackageInfo {
  name: string;
  version: string;
  engines?: { node?: string };
}

/** Reads package.json once per call; cheap enough for `--version`. */
export function readPackageInfo(): PackageInfo {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageInfo;
}
