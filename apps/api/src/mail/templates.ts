import type { MailTemplate, MailTemplates } from './mail.service.js';

/** A mail ready to send: its subject, and its body as plain text and as HTML. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const PRODUCT = 'Tessera';

/** Text for HTML: every value put into a mail's HTML goes through this. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * A mail's body, written once: paragraphs of text and links. Rendered to plain text (links shown as
 * their address) and to HTML (links as links; only http(s) addresses become a link).
 */
type Part = string | { link: string; label: string };
type Paragraph = Part[];

const link = (url: string, label: string): Part => ({ link: url, label });

function toText(paragraphs: Paragraph[]): string {
  const line = (p: Paragraph) => p.map((part) => (typeof part === 'string' ? part : `${part.label}:\n${part.link}`));
  return `${paragraphs.map((p) => line(p).join('')).join('\n\n')}\n\n-- \n${PRODUCT}\n`;
}

function toHtml(subject: string, paragraphs: Paragraph[]): string {
  const part = (p: Part) => {
    if (typeof p === 'string') return escapeHtml(p);
    if (!/^https?:\/\//i.test(p.link)) return `${escapeHtml(p.label)}: ${escapeHtml(p.link)}`;
    const href = escapeHtml(p.link);
    return `<a href="${href}">${escapeHtml(p.label)}</a><br><span style="font-size:12px;color:#555">${href}</span>`;
  };
  const body = paragraphs.map((p) => `<p>${p.map(part).join('')}</p>`).join('\n');
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5;color:#222">',
    body,
    `<p style="color:#777">${PRODUCT}</p>`,
    '</body></html>',
    '',
  ].join('\n');
}

const MFA_CHANGES: Record<string, string> = {
  enabled: 'Two-factor authentication was turned on for your Tessera account.',
  disabled: 'Two-factor authentication was turned off for your Tessera account.',
  reset: 'An administrator reset the two-factor authentication of your Tessera account.',
  recovery_codes: 'New recovery codes were made for your Tessera account; the old ones no longer work.',
};

const IF_NOT_YOU = 'If this was not you, reset your password at once and tell your administrator.';

/** Each template: its subject and paragraphs, from its data. */
const TEMPLATES: { [T in MailTemplate]: (data: MailTemplates[T]) => { subject: string; body: Paragraph[] } } = {
  password_reset: (d) => ({
    subject: `Reset your ${PRODUCT} password`,
    body: [
      [`Someone asked to reset the password of your ${PRODUCT} account. Open this link to choose a new one:`],
      [link(d.url, 'Set a new password')],
      [`The link works once, for ${d.expiresInMinutes} minutes.`],
      ['If you did not ask for this, you can ignore this mail: your password stays as it is.'],
    ],
  }),
  password_changed: () => ({
    subject: `Your ${PRODUCT} password was changed`,
    body: [
      [`The password of your ${PRODUCT} account was just changed, and every session signed in to it has ended.`],
      [IF_NOT_YOU],
    ],
  }),
  email_verification: (d) => ({
    subject: `Verify your email address for ${PRODUCT}`,
    body: [
      [`Open this link to verify the email address of your ${PRODUCT} account:`],
      [link(d.url, 'Verify my address')],
      [`The link works once, for ${d.expiresInHours} hours.`],
      ['If you did not ask for this, you can ignore this mail.'],
    ],
  }),
  email_change: (d) => ({
    subject: `Confirm your new email address for ${PRODUCT}`,
    body: [
      [`Someone asked to move a ${PRODUCT} account to this address. Open this link to confirm the change:`],
      [link(d.url, 'Confirm my new address')],
      [`The link works once, for ${d.expiresInHours} hours.`],
      ['If you did not ask for this, you can ignore this mail: nothing changes.'],
    ],
  }),
  email_change_notice: (d) => ({
    subject: `Your ${PRODUCT} email address is being changed`,
    body: [
      [`Someone signed in to your ${PRODUCT} account asked to move it to ${d.newEmail}.`],
      ['The change applies once the link sent to that address is opened.'],
      [IF_NOT_YOU],
    ],
  }),
  sign_up_existing: (d) => ({
    subject: `Sign-up attempt with your ${PRODUCT} address`,
    body: [
      [`Someone tried to sign up for ${PRODUCT} with this address, which already has an account.`],
      ['If it was you, sign in as usual, or reset your password if you forgot it:'],
      [link(d.resetUrl, 'Reset my password')],
      ['If it was not you, you can ignore this mail.'],
    ],
  }),
  mfa_changed: (d) => ({
    subject: `Two-factor authentication changed on your ${PRODUCT} account`,
    body: [
      [MFA_CHANGES[d.change] ?? `The two-factor authentication of your ${PRODUCT} account changed.`],
      [IF_NOT_YOU],
    ],
  }),
};

export const isMailTemplate = (name: string): name is MailTemplate => Object.hasOwn(TEMPLATES, name);

/** The mail for a template and its data; throws for a template this version does not know. */
export function render<T extends MailTemplate>(template: T, data: MailTemplates[T]): RenderedMail {
  if (!isMailTemplate(template)) throw new Error(`unknown mail template ${JSON.stringify(template)}`);
  const { subject, body } = (TEMPLATES[template] as (d: MailTemplates[T]) => { subject: string; body: Paragraph[] })(
    data,
  );
  return { subject, text: toText(body), html: toHtml(subject, body) };
}
