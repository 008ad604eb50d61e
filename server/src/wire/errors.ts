/** Error codes the API answers with, each paired with its HTTP status in the server. */
export type ErrorCode =
  | 'BAD_HOST'
  | 'BAD_ORIGIN'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_JSON'
  | 'VALIDATION_FAILED'
  | 'REQUEST_ABORTED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INTERNAL'
  | (string & {});

/** Body of every error response: `{error, code}` plus, for validation failures, each field at fault. */
export interface ApiError {
  error: string;
  code: ErrorCode;
  issues?: { path: string; message: string }[];
}
