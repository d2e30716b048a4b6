import type { AuditEvent, AuditEventType } from '@tessera/client';

/** A sentence part: the actor, the subject (null when none or the actor themselves), the details. */
type Say = (actor: string, subject: string | null, details: Record<string, unknown>) => string;

const of = (subject: string | null) => (subject ? ` of ${subject}` : '');
const to = (subject: string | null) => (subject ? ` to ${subject}` : '');
const from = (subject: string | null) => (subject ? ` from ${subject}` : '');
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
/** `role admin` / `permission x` of a grant's details. */
const granted = (d: Record<string, unknown>) =>
  d.roleId !== undefined ? `role ${text(d.roleId)}` : `permission ${text(d.permissionId)}`;
const record = (d: Record<string, unknown>) => `${text(d.kind)} ${text(d.id)}`;

/**
 * Every event type with its name in the filter and the sentence of its line. A Record: a new type
 * in the API does not compile here until it is worded.
 */
export const EVENT_TYPES: Record<AuditEventType, { label: string; say: Say }> = {
  'sign_in.succeeded': { label: 'Sign-in', say: (a) => `${a} signed in` },
  'sign_in.failed': { label: 'Failed sign-in', say: (a) => `${a} failed to sign in` },
  sign_out: { label: 'Sign-out', say: (a) => `${a} signed out` },
  'session.revoked': { label: 'Session ended', say: (a, s) => `${a} ended a session${of(s)}` },
  'password.changed': { label: 'Password changed', say: (a, s) => `${a} changed the password${of(s)}` },
  'impersonation.started': {
    label: 'Impersonation',
    say: (a, s) => `${a} started acting as ${s ?? 'someone'}`,
  },
  'client_session.created': {
    label: 'Client session made',
    say: (a, s, d) => `${a} made a ${text(d.type ?? 'client')} session${s ? ` for ${s}` : ''}`,
  },
  'api_key.created': { label: 'API key created', say: (a) => `${a} created an API key` },
  'api_key.revoked': { label: 'API key revoked', say: (a) => `${a} revoked an API key` },
  'user.disabled': { label: 'User disabled', say: (a, s) => `${a} disabled ${s ?? 'their account'}` },
  'user.enabled': { label: 'User enabled', say: (a, s) => `${a} enabled ${s ?? 'their account'}` },
  'grant.added': { label: 'Grant added', say: (a, s, d) => `${a} granted ${granted(d)}${to(s)}` },
  'grant.removed': { label: 'Grant removed', say: (a, s, d) => `${a} revoked ${granted(d)}${from(s)}` },
  'user.created': { label: 'User created', say: (a, s) => `${a} created the user ${s ?? ''}`.trim() },
  'user.deleted': { label: 'User deleted', say: (a, s) => `${a} deleted the user ${s ?? ''}`.trim() },
  'email.changed': { label: 'Email changed', say: (a, s) => `${a} changed the email address${of(s)}` },
  'tenant.created': { label: 'Tenant created', say: (a) => `${a} created a tenant` },
  'tenant.updated': { label: 'Tenant renamed', say: (a, _s, d) => `${a} renamed a tenant to ${text(d.name)}` },
  'tenant.deleted': { label: 'Tenant deleted', say: (a) => `${a} deleted a tenant` },
  'member.added': { label: 'Member added', say: (a, s) => `${a} added ${s ?? 'themselves'} to a tenant` },
  'member.removed': { label: 'Member removed', say: (a, s) => `${a} removed ${s ?? 'themselves'} from a tenant` },
  'catalog.created': { label: 'Catalog record created', say: (a, _s, d) => `${a} created the ${record(d)}` },
  'catalog.updated': { label: 'Catalog record changed', say: (a, _s, d) => `${a} changed the ${record(d)}` },
  'catalog.deleted': { label: 'Catalog record deleted', say: (a, _s, d) => `${a} deleted the ${record(d)}` },
  'role.permission_added': {
    label: 'Permission added to a role',
    say: (a, _s, d) => `${a} added the permission ${text(d.permissionId)} to the role ${text(d.roleId)}`,
  },
  'role.permission_removed': {
    label: 'Permission removed from a role',
    say: (a, _s, d) => `${a} removed the permission ${text(d.permissionId)} from the role ${text(d.roleId)}`,
  },
  'entitlement.added': {
    label: 'Entitlement given',
    say: (a, _s, d) => `${a} gave the ${text(d.kind)} ${text(d.id)} to the ${text(d.owner)} ${text(d.ownerId)}`,
  },
  'entitlement.removed': {
    label: 'Entitlement taken',
    say: (a, _s, d) => `${a} took the ${text(d.kind)} ${text(d.id)} from the ${text(d.owner)} ${text(d.ownerId)}`,
  },
  'mfa.enabled': {
    label: 'Second factor on',
    say: (a, s) => `${a} turned on two-step verification${s ? ` for ${s}` : ''}`,
  },
  'mfa.disabled': {
    label: 'Second factor off',
    say: (a, s) => `${a} turned off two-step verification${s ? ` for ${s}` : ''}`,
  },
  'mfa.reset': { label: 'Second factor reset', say: (a, s) => `${a} reset the two-step verification${of(s)}` },
  'mfa.failed': { label: 'Wrong second-factor code', say: (a) => `${a} entered a wrong two-step code` },
  'mfa.recovery_codes_regenerated': { label: 'Recovery codes renewed', say: (a) => `${a} made new recovery codes` },
  'recovery_code.used': { label: 'Recovery code used', say: (a) => `${a} used a recovery code` },
  'password_reset.requested': { label: 'Password reset asked', say: (a) => `${a} asked for a password reset` },
  'password_reset.completed': { label: 'Password reset done', say: (a) => `${a} reset their password` },
  'email.verified': { label: 'Email verified', say: (a) => `${a} verified their email address` },
  'email.change_requested': { label: 'Email change asked', say: (a) => `${a} asked to change their email address` },
  'email.verification_requested': {
    label: 'Verification mail asked',
    say: (a, s) => `${a} asked for a verification mail${s ? ` for ${s}` : ''}`,
  },
  'user.signed_up': { label: 'Sign-up', say: (a) => `${a} signed up` },
  'mail.failed': { label: 'Mail not sent', say: (_a, s) => `A mail${s ? ` to ${s}` : ''} could not be sent` },
};

/** Who did it, as a person reads it. */
export function actorOf(event: AuditEvent, name: (userId: string) => string): string {
  if (event.actorUserId) return name(event.actorUserId);
  if (event.actorApiKeyId) return `API key ${event.actorApiKeyId.slice(0, 8)}`;
  return event.userId ? name(event.userId) : 'Someone';
}

/** The event as one sentence: "ada@example.com granted role admin to bob@example.com". */
export function sentence(event: AuditEvent, name: (userId: string) => string): string {
  const actor = actorOf(event, name);
  const subject =
    event.userId && event.userId !== event.actorUserId && event.actorUserId !== null ? name(event.userId) : null;
  // Without an actor user (a sign-in, a key's action) the subject is named as the actor or after it.
  const about =
    event.actorUserId === null && event.actorApiKeyId !== null && event.userId ? name(event.userId) : subject;
  return EVENT_TYPES[event.type].say(actor, about, event.details ?? {});
}
