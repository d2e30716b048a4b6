import { SetMetadata } from '@nestjs/common';
import { SESSION_TYPES, type SessionType } from '@tessera/dto';

/**
 * Who may call a route: read by the auth module's global guard and by the OpenAPI document. Every handler carries exactly one @Auth (or @Public); the global
 * AuthGuard refuses any route without one, and a test lists every route to prove it.
 * - 'admin': an admin API key, or a `user` session of a super_admin
 * - 'sign-in': anyone, or only a login/admin key when TESSERA_SIGN_IN_REQUIRES_LOGIN_KEY=true
 * - 'optional': anyone without an Authorization header (no principal); with one, it must authenticate,
 *   and a login key is admitted too (the handler decides per operation: Contember's /tenant)
 * - a session type: a session of that type
 */
export type Caller = 'anyone' | 'sign-in' | 'optional' | 'admin' | SessionType;

export const AUTH_KEY = 'tessera:auth';

export const Auth = (...callers: [Caller, ...Caller[]]) => SetMetadata(AUTH_KEY, callers);
export const Public = () => Auth('anyone');

export const DURING_ENROLMENT_KEY = 'tessera:during-enrolment';

/**
 * A route an enrol-only session may call: a session of a user whom TESSERA_REQUIRE_MFA covers,
 * signed in before they enrolled a second factor, may only enrol, read itself and sign out. The
 * global guard answers 403 `mfa_enrollment_required` on every other route.
 */
export const DuringEnrolment = () => SetMetadata(DURING_ENROLMENT_KEY, true);

export const ANY_SESSION = SESSION_TYPES;
export const PERSON_SESSION = ['user', 'impersonation'] as const;
