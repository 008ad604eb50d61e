import type { ToolErrorCode } from '../wire/tools.js';

/**
 * A tool that cannot do what was asked (a missing file, a path outside the root) throws this;
 * the toolbox turns it into a result with `is_error: true` and the code, which the model reads.
 */
export class ToolFailure extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ToolFailure';
  }
}

/** A filesystem error about `path`, as a failure a model can act on. */
export function fsFailure(err: unknown, path: string): ToolFailure {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new ToolFailure('NOT_FOUND', `No such file or directory: ${path}`);
    case 'EACCES':
    case 'EPERM':
      return new ToolFailure('PERMISSION_DENIED', `Permission denied: ${path}`);
    case 'ENOTDIR':
      return new ToolFailure('NOT_A_DIRECTORY', `A component of ${path} is not a directory`);
    case 'EISDIR':
      return new ToolFailure('IS_A_DIRECTORY', `${path} is a directory`);
    default:
      return new ToolFailure('IO_ERROR', `Cannot access ${path}: ${(err as Error).message}`);
  }
}

/** Awaits a filesystem call, turning its error into a failure about `path`. */
export async function fsStep<T>(pending: Promise<T>, path: string): Promise<T> {
  try {
    return await pending;
  } catch (err) {
    throw fsFailure(err, path);
  }
}
