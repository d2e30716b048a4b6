import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

/** A mail as the test's SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Whether the mail came over TLS (implicit, or after STARTTLS). */
  secure: boolean;
  /** The user the client logged in as (the sink accepts any credentials), if it did. */
  user: string | undefined;
  parsed: ParsedMail;
}

/**
 * What the server offers: nothing but plain SMTP (the default), STARTTLS, or TLS from the start
 * (smtps). Both TLS modes use smtp-server's built-in self-signed certificate.
 */
export type SinkTls = 'none' | 'starttls' | 'implicit';

/**
 * A real SMTP server in the test process, on 127.0.0.1 and a free port: Tessera sends to it over a
 * real SMTP conversation (plain, no TLS offered, unless `tls` says otherwise). `refuse` makes it
 * answer every mail with 451 (a temporary failure) until set back to false.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  refuse = false;
  private readonly waiters: { match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }[] = [];
  private server!: SMTPServer;
  port = 0;

  constructor(readonly tls: SinkTls = 'none') {}

  /**
   * The URL to send here. With TLS it accepts the sink's self-signed certificate (`urlVerifying`
   * does not, as a client that verifies certificates would).
   */
  get url(): string {
    return this.tls === 'none' ? this.urlVerifying : `${this.urlVerifying}/?tls.rejectUnauthorized=false`;
  }

  get urlVerifying(): string {
    return `${this.tls === 'implicit' ? 'smtps' : 'smtp'}://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      // Any credentials will do; a client that has some logs in, even without TLS.
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
      secure: this.tls === 'implicit',
      disabledCommands: this.tls === 'starttls' ? [] : ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        if (this.refuse) {
          stream.resume();
          stream.on('end', () => callback(Object.assign(new Error('try again later'), { responseCode: 451 })));
          return;
        }
        simpleParser(stream)
          .then((parsed) => {
            this.receive(parsed, session.secure, session.user as string | undefined);
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  private receive(parsed: ParsedMail, secure: boolean, user: string | undefined): void {
    const addresses = (v: ParsedMail['to']) =>
      [v ?? []].flat().flatMap((a) => a.value.map((x) => (x.address ?? '').toLowerCase()));
    const mail: ReceivedMail = {
      from: parsed.from?.text ?? '',
      to: addresses(parsed.to),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : '',
      secure,
      user,
      parsed,
    };
    this.mails.push(mail);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(mail)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(mail);
      }
    }
  }

  /** The first mail (already received or still to come) to `to` that `match` accepts; fails after `ms`. */
  next(to: string, match: (m: ReceivedMail) => boolean = () => true, ms = 10_000): Promise<ReceivedMail> {
    const wanted = (m: ReceivedMail) => m.to.includes(to.toLowerCase()) && match(m);
    const seen = this.mails.find(wanted);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no mail to ${to} within ${ms} ms`)), ms);
      this.waiters.push({
        match: wanted,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Mails received for `to` so far. */
  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(address.toLowerCase()));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The token in a mail's link `…#token=<token>`. */
export function tokenIn(mail: ReceivedMail): string {
  const match = /#token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match) throw new Error(`no #token= link in: ${mail.text}`);
  return match[1]!;
}

/**
 * A real SMTP server for one test file, and the variables that point a server at it: pass `env` to
 * `useServer` (it is read when the server starts, after this has started the SMTP server).
 */
export function useSmtpSink(env: Record<string, string> = {}) {
  const sink = new SmtpSink();
  Object.assign(env, {
    TESSERA_MAIL_FROM: 'Tessera <tessera@example.test>',
    TESSERA_PUBLIC_URL: 'http://tessera.example.test',
  });
  beforeAll(async () => {
    await sink.start();
    env.TESSERA_SMTP_URL = sink.url;
  });
  afterAll(() => sink.close());
  return { sink, env };
}
