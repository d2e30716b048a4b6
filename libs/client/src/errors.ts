import type { ErrorBody, ErrorCode } from '@tessera/dto';

/** Any non-2xx answer from Tessera: the HTTP status plus API.md's stable error code. */
export class TesseraError extends Error {
  override readonly name = 'TesseraError';

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Seconds, from Retry-After on 429 and 503. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  static is(error: unknown, code?: ErrorCode): error is TesseraError {
    return error instanceof TesseraError && (code === undefined || error.code === code);
  }
}

export function toTesseraError(status: number, body: unknown, retryAfter: string | null): TesseraError {
  const seconds = retryAfter === null ? undefined : Number(retryAfter);
  const b = body as Partial<ErrorBody> | null;
  if (b && typeof b.code === 'string' && typeof b.message === 'string') {
    return new TesseraError(status, b.code, b.message, b.details, seconds);
  }
  return new TesseraError(
    status,
    status >= 500 ? 'internal_error' : 'invalid_request',
    `HTTP ${status}`,
    undefined,
    seconds,
  );
}
