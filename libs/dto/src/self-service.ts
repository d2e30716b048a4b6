import { z } from 'zod';
import { Session } from './session.js';
import { Member, Role, Tenant } from './directory.js';
import { Id, pageOf } from './common.js';
import { User } from './user.js';

/** The one-time code from the dashboard URL's fragment. */
export const ExchangeCodeRequest = z.strictObject({ code: z.string().min(1).max(128) });
export type ExchangeCodeRequest = z.infer<typeof ExchangeCodeRequest>;

export const ExchangeCodeResponse = z.object({
  token: z.string(),
  session: Session,
  redirectUrl: z.string().nullable(),
});
export type ExchangeCodeResponse = z.infer<typeof ExchangeCodeResponse>;

/** What the dashboard user may see and do in the session's tenant. */
export const SelfServiceContext = z.object({
  tenant: Tenant,
  user: User,
  /** Every permission the dashboard user holds in this tenant (the most they may grant). */
  permissions: z.array(Id),
  /** Roles whose permissions the dashboard user holds: the only roles they may grant or revoke. */
  assignableRoles: z.array(Role),
});
export type SelfServiceContext = z.infer<typeof SelfServiceContext>;

export const SelfServiceMemberPage = pageOf(Member);
