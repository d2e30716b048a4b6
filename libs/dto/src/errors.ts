/** Every error body the API answers, as API.md defines it. */
export const ERROR_CODES = [
  'invalid_request',
  'unauthorized',
  'token_expired',
  'token_revoked',
  'invalid_credentials',
  'forbidden',
  'not_a_person',
  'user_disabled',
  'missing_permission',
  'not_found',
  'duplicate_record',
  'payload_too_large',
  'too_many_requests',
  'internal_error',
  'service_unavailable',
  'invalid_otp',
  'invalid_token',
  'weak_password',
  'email_not_verified',
  'mfa_enrollment_required',
  'sign_up_closed',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * What Warrant's SDK knows a bad request as: under /warrant, `invalid_request` is answered as
 * `missing_required_parameter` when only required fields are missing, else `invalid_parameter`.
 */
export const WARRANT_INVALID_REQUEST_CODES = ['missing_required_parameter', 'invalid_parameter'] as const;
