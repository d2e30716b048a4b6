import type { ErrorCode } from '@tessera/dto';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  token_expired: 401,
  token_revoked: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_a_person: 403,
  user_disabled: 403,
  missing_permission: 403,
  not_found: 404,
  duplicate_record: 409,
  payload_too_large: 413,
  too_many_requests: 429,
  internal_error: 500,
  service_unavailable: 503,
  invalid_otp: 401,
  invalid_token: 400,
  weak_password: 400,
  email_not_verified: 403,
  mfa_enrollment_required: 403,
  sign_up_closed: 403,
};

/** The one error type modules throw; the exception filter turns it into API.md's body. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly status: number = STATUS[code],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (type: string, id: string) => new ApiError('not_found', `${type} not found`, { type, id });
export const forbidden = (message = 'You may not do this') => new ApiError('forbidden', message);
export const duplicate = (field: string, value: string) =>
  new ApiError('duplicate_record', `${field} already taken`, { field, value });
