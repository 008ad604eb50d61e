import { homedir } from 'node:os';
import { isAbsolute } from 'node:path';
import { AppError } from '../http/errors.js';
import { ToolFailure } from '../tools/failure.js';
import { realRoot, resolveWorkingDir } from '../tools/root-path.js';

/**
 * A project directory a client names (`project_dir` of the LSP, MCP and skills routes): it must
 * be absolute and resolve, symlinks followed, to an existing directory inside the user's home
 * (SPEC §4). Answers the real path; refuses with 400 PATH_OUTSIDE_HOME, 400 NOT_A_DIRECTORY or
 * 404 NOT_FOUND, naming the path.
 */
export async function resolveProjectDir(input: string, home: string = homedir()): Promise<string> {
  if (!isAbsolute(input)) throw new AppError(400, 'VALIDATION_FAILED', `project_dir must be an absolute path, got "${input}"`, { issues: [{ path: 'project_dir', message: 'must be an absolute path' }] });
  try {
    const root = await realRoot(home);
    return await resolveWorkingDir(root, input, root);
  } catch (err) {
    if (!(err instanceof ToolFailure)) throw err;
    if (err.code === 'PATH_OUTSIDE_ROOT') throw new AppError(400, 'PATH_OUTSIDE_HOME', `project_dir must be inside your home directory (${home}): ${err.message}`);
    if (err.code === 'NOT_FOUND') throw new AppError(404, 'NOT_FOUND', `No such directory: ${input}`);
    throw new AppError(400, err.code, err.message);
  }
}
