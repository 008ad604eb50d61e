import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { ApiError, ErrorCode } from '../wire/errors.js';

/** The one error type of the server: handlers throw it, `errorMiddleware` formats it. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Pick<ApiError, 'issues'>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** 404 for any /api path no route claimed. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`));
};

/** Errors thrown by body-parser carry a `type`; map them to our codes. */
function fromBodyParser(err: { type?: string; status?: number; limit?: number; message?: string }): AppError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${err.limit} bytes`);
    case 'entity.parse.failed':
      return new AppError(400, 'INVALID_JSON', 'Request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', err.message ?? 'Unsupported body encoding');
    case 'request.aborted':
      return new AppError(400, 'REQUEST_ABORTED', 'Request was aborted by the client');
    default:
      return undefined;
  }
}

/** Formats every error as `{error, code}`; unknown errors become a logged 500 without internals. */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof AppError ? err : fromBodyParser(err ?? {});
    const appError = known ?? new AppError(500, 'INTERNAL', 'Internal server error');
    if (!known) log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body: ApiError = { error: appError.message, code: appError.code, ...appError.details };
    res.status(appError.status).json(body);
  };
}
