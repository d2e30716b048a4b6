import type { MailTemplate, MailTemplates } from './mail.service.js';
import { escapeHtml, isMailTemplate, render } from './templates.js';

const HOSTILE = `<script>alert("x")</script>&'`;
const RESET_URL = 'https://tessera.example.test/reset-password#token=abc_DEF-123';

const samples: { [T in MailTemplate]: MailTemplates[T] } = {
  password_reset: { url: RESET_URL, expiresInMinutes: '60' },
  password_changed: {},
  email_verification: { url: 'https://tessera.example.test/verify-email#token=v1', expiresInHours: '24' },
  email_change: { url: 'https://tessera.example.test/verify-email#token=c1', expiresInHours: '24' },
  email_change_notice: { newEmail: 'new@example.test' },
  sign_up_existing: { resetUrl: 'https://tessera.example.test/forgot-password' },
  mfa_changed: { change: 'enabled' },
};

describe('mail templates', () => {
  it.each(Object.keys(samples) as MailTemplate[])('%s names Tessera in its subject, text and HTML', (template) => {
    const mail = render(template, samples[template]);
    expect(mail.subject).toMatch(/Tessera/);
    expect(mail.text).toMatch(/Tessera/);
    expect(mail.html).toMatch(/Tessera/);
    expect(mail.html).toMatch(/^<!doctype html>/);
  });

  it('says what the reset link does: once, for 60 minutes, and that it can be ignored', () => {
    const mail = render('password_reset', samples.password_reset);
    expect(mail.subject).toBe('Reset your Tessera password');
    expect(mail.text).toContain(RESET_URL);
    expect(mail.text).toMatch(/works once, for 60 minutes/);
    expect(mail.text).toMatch(/did not ask for this, you can ignore this mail/);
    expect(mail.html).toContain(`<a href="${RESET_URL}">Set a new password</a>`);
    expect(mail.html).toMatch(/works once, for 60 minutes/);
  });

  it('shows each link as a link in HTML and as its address in text', () => {
    for (const [template, data] of Object.entries(samples) as [MailTemplate, Record<string, string>][]) {
      const url = data.url ?? data.resetUrl;
      if (url === undefined) continue;
      const mail = render(template, data as never);
      expect(mail.text).toContain(`\n${url}`);
      expect(mail.html).toContain(`<a href="${url}">`);
    }
  });

  it('escapes every value put into HTML', () => {
    const notice = render('email_change_notice', { newEmail: HOSTILE });
    expect(notice.html).not.toContain('<script>');
    expect(notice.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    // The text version is plain text: the value as it is.
    expect(notice.text).toContain(HOSTILE);

    const change = render('mfa_changed', { change: HOSTILE });
    expect(change.html).not.toContain('<script>');

    const url = `https://x.test/a?b=1&c="><img src=x onerror=alert(1)>#token=t`;
    const reset = render('password_reset', { url, expiresInMinutes: '<b>60</b>' });
    expect(reset.html).toContain(
      `<a href="https://x.test/a?b=1&amp;c=&quot;&gt;&lt;img src=x onerror=alert(1)&gt;#token=t">`,
    );
    expect(reset.html).not.toContain('<img');
    expect(reset.html).not.toContain('<b>60</b>');
  });

  it('makes a link only of an http(s) address', () => {
    const mail = render('password_reset', { url: 'javascript:alert(1)', expiresInMinutes: '60' });
    expect(mail.html).not.toContain('href="javascript');
    expect(mail.html).toContain('javascript:alert(1)');
  });

  it('knows its templates, and refuses others', () => {
    expect(isMailTemplate('password_reset')).toBe(true);
    expect(isMailTemplate('toString')).toBe(false);
    expect(() => render('nope' as MailTemplate, {})).toThrow(/unknown mail template/);
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
