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

/** "Firefox on Linux"-style summary of a user agent, without a parsing library. */
export function device(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Chrom(e|ium)\//.test(userAgent)
      ? 'Chrome'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : userAgent.split(/[ /]/)[0];
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  return os ? `${browser} on ${os}` : (browser ?? 'Unknown device');
}
