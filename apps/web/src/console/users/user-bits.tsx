import type { User } from '@tessera/client';

export const when = (iso: string) => new Date(iso).toLocaleString();

/** A user's state at a glance: disabled, super admin, second factor, unverified email. */
export function UserBadges({ user }: { user: User }) {
  return (
    <span className="badges">
      {user.disabled ? <span className="badge warn">Disabled</span> : <span className="badge on">Active</span>}
      {user.superAdmin && <span className="badge">Super admin</span>}
      {user.mfa && <span className="badge">Second factor</span>}
      {user.email !== null && user.emailVerifiedAt === null && <span className="badge muted">Unverified</span>}
    </span>
  );
}
