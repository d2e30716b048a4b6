import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '@nestjs/common';
import { createTransport, type SendMailOptions } from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { Config } from '../infra/config/config.js';

/** One mail, rendered, on its way out. */
export interface OutgoingMail {
  id: string;
  from: string;
  to: string;
  template: string;
  subject: string;
  text: string;
  html: string;
}

/** Where mails go: an SMTP server, or .eml files under the data dir. */
export interface MailTransport {
  /** Delivers one mail; rejects when it could not (the worker then retries), or when `signal` aborts. */
  send(mail: OutgoingMail, signal: AbortSignal): Promise<void>;
  /** Strings that must not appear in an error kept or logged (the SMTP password). */
  readonly secrets: readonly string[];
  close(): void;
}

/**
 * An SMTP server's silence is bounded: connecting (greeting included) 10 s, any one reply 30 s. A
 * whole send is bounded by the worker's signal too.
 */
const SMTP_TIMEOUTS = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
  dnsTimeout: 10_000,
  // After QUIT, wait this long for the server to close before closing the socket ourselves.
  socketCloseTimeout: 1000,
};

function message(mail: OutgoingMail, signal?: AbortSignal): SendMailOptions {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    // RFC 3834: a machine wrote this; auto-responders stay silent.
    headers: { 'Auto-Submitted': 'auto-generated' },
    signal,
  };
}

/**
 * SMTP from TESSERA_SMTP_URL. `smtps://` speaks TLS from the start; `smtp://` upgrades with STARTTLS
 * whenever the server offers it, and a failed upgrade fails the send (no falling back to plain):
 * plain SMTP only with a server that offers no TLS at all. The certificate is verified unless the
 * URL says otherwise (`?tls.rejectUnauthorized=false`, nodemailer's URL options).
 */
function smtpTransport(url: string, logger: Logger): MailTransport {
  // nodemailer's reading of the URL (credentials, port, secure, query options), then our TLS rules on top.
  const { url: _url, ...fromUrl } = new SMTPTransport({ url }).options;
  const transporter = createTransport({
    ...fromUrl,
    requireTLS: false,
    ignoreTLS: false,
    opportunisticTLS: false,
    ...SMTP_TIMEOUTS,
    logger: false,
  });
  const secure = fromUrl.secure === true;
  const port = fromUrl.port ?? (secure ? 465 : 587);
  logger.log(
    `SMTP is configured: ${fromUrl.host ?? 'localhost'}:${port}, ` +
      (secure ? 'TLS from the start (smtps)' : 'STARTTLS when the server offers it'),
  );
  const password = fromUrl.auth?.pass;
  return {
    secrets: password ? [password, encodeURIComponent(password)] : [],
    async send(mail, signal) {
      await transporter.sendMail(message(mail, signal));
      logger.log(`mail ${mail.template} to ${mail.to} sent over SMTP (${mail.id})`);
    },
    close: () => transporter.close(),
  };
}

/** Without SMTP (the `npm start` default): each mail is an .eml file in `<data dir>/outbox/`, readable by the owner only. */
function fileTransport(dataDir: string, logger: Logger): MailTransport {
  const dir = resolve(dataDir, 'outbox');
  const transporter = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  logger.log(`TESSERA_SMTP_URL is not set: mails are written to ${dir}`);
  return {
    secrets: [],
    async send(mail) {
      const info = await transporter.sendMail(message(mail));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.id}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600, flag: 'wx' });
      logger.log(`mail ${mail.template} to ${mail.to} written to ${file}`);
    },
    close: () => transporter.close(),
  };
}

export function createMailTransport(config: Config, logger: Logger): MailTransport {
  return config.mail.smtpUrl === undefined
    ? fileTransport(config.dataDir, logger)
    : smtpTransport(config.mail.smtpUrl, logger);
}
