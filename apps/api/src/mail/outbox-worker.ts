import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CONFIG, type Config } from '../infra/config/config.js';
import { SecretBox } from '../infra/secrets/secret-box.js';
import type { MailTemplates } from './mail.service.js';
import { createMailTransport, type MailTransport } from './mail-transport.js';
import { OutboxRepository, type ClaimedMail } from './outbox.repository.js';
import { isMailTemplate, render } from './templates.js';

/** The context a mail's payload is sealed in: it opens only on its own row. */
export const payloadContext = (id: string): string => `mail:${id}`;

/** How often the outbox is looked at when nothing wakes the worker sooner. */
const POLL_MS = 1000;
/** The longest one send may take (the SMTP timeouts bound each step; this bounds them all). */
const SEND_TIMEOUT_MS = 60_000;
/**
 * A claim holds a mail this long; past it, another process takes it over (its holder died, say). A
 * live holder's send is cut off at half of it, so it is never still sending when the claim expires.
 */
const LOCK_MS = 2 * SEND_TIMEOUT_MS;
/** Attempts before a mail is given up; with the default 5 s base, the last is about 2.4 h after the first. */
const MAX_ATTEMPTS = 12;
const MAX_RETRY_DELAY_MS = 3600_000;
/** On shutdown, a send in progress gets this long to finish before it is cut off and given back. */
const SHUTDOWN_GRACE_MS = 2000;

/** The wait after the `attempts`-th failure: base, twice that, four times … at most an hour. */
export function retryDelay(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_RETRY_DELAY_MS);
}

/** An error as kept in `last_error` and logged: no link, no token, no password; one line, bounded. */
export function describeError(error: unknown, secrets: readonly string[]): string {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const text = typeof e?.message === 'string' ? e.message : String(error);
  let described = code && !text.includes(code) ? `${code}: ${text}` : text;
  for (const secret of secrets) if (secret.length >= 4) described = described.split(secret).join('[redacted]');
  return described
    .replace(/token=[A-Za-z0-9_.~%-]+/gi, 'token=[redacted]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}

/**
 * Sends the mails of the outbox, outside every request. It claims the mail due first with one
 * conditional UPDATE that only one process wins (`locked_until`), opens and renders it, sends it,
 * and marks it sent, clearing its payload. A failed send is retried after 5 s, 10 s, 20 s … (at
 * most an hour apart; `TESSERA_MAIL_RETRY_BASE_MS`), and given up after 12 attempts.
 *
 * Delivery is at least once: a mail whose claim expired (its process died mid-send, or could not
 * record the result) is sent again by whichever process claims it next. Several processes never
 * hold one mail at the same time. The worker looks every second, and at once after a transaction
 * of this process that wrote a mail ends.
 */
@Injectable()
export class OutboxWorker implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  /** Cuts off a send in progress at shutdown. */
  private readonly abort = new AbortController();
  private transport: MailTransport | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;
  /** Something may be due: look again before pausing. */
  private nudged = false;
  private endPause: (() => void) | null = null;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly box: SecretBox,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  onModuleInit(): void {
    this.transport = createMailTransport(this.config, this.logger);
    this.running = this.loop();
  }

  /** Stops looking, lets a send in progress finish (a few seconds at most), and closes the transport. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.endPause?.();
    if (this.running !== null) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), SHUTDOWN_GRACE_MS)));
      const outcome = await Promise.race([this.running.then(() => 'done' as const), grace]);
      clearTimeout(timer);
      if (outcome === 'late') {
        this.abort.abort(new Error('shutting down'));
        await this.running;
      }
    }
    this.transport?.close();
  }

  /** A mail was just written: look at the outbox now rather than at the next poll. */
  wake(): void {
    this.nudged = true;
    this.endPause?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.nudged = false;
      try {
        await this.drain();
      } catch (error) {
        // The database is away, say: the mails wait in the outbox; look again at the next poll.
        this.logger.error(`mail outbox: ${describeError(error, [])}`);
      }
      if (!this.nudged) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => end(), POLL_MS).unref();
      const end = () => {
        clearTimeout(timer);
        this.endPause = null;
        resolve();
      };
      this.endPause = end;
      if (this.stopping) end();
    });
  }

  /** Sends every mail that is due, one at a time. */
  private async drain(): Promise<void> {
    while (!this.stopping) {
      const now = Date.now();
      const mail = await this.outbox.claimNext(now, now + LOCK_MS);
      if (mail === null) return;
      await this.deliver(mail);
    }
  }

  private async deliver(mail: ClaimedMail): Promise<void> {
    const transport = this.transport!;
    let secrets: string[] = [...transport.secrets];
    try {
      if (!isMailTemplate(mail.template)) throw new Error(`unknown mail template ${mail.template}`);
      if (mail.payload === null) throw new Error('the mail has no payload');
      const data = JSON.parse(this.box.open(mail.payload, payloadContext(mail.id))) as Record<string, unknown>;
      secrets = [...secrets, ...Object.values(data).filter((v): v is string => typeof v === 'string')];
      const rendered = render(mail.template, data as unknown as MailTemplates[typeof mail.template]);
      const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(SEND_TIMEOUT_MS)]);
      await transport.send(
        { id: mail.id, from: this.config.mail.from, to: mail.recipient, template: mail.template, ...rendered },
        signal,
      );
    } catch (error) {
      if (this.abort.signal.aborted) {
        // Cut off by the shutdown: not the mail's fault; any process may take it at once.
        await this.outbox.release(mail);
        this.logger.warn(`mail ${mail.template} ${mail.id}: sending cut off by the shutdown, left in the outbox`);
        return;
      }
      await this.failed(mail, describeError(error, secrets));
      return;
    }
    await this.outbox.markSent(mail.id, Date.now());
  }

  private async failed(mail: ClaimedMail, lastError: string): Promise<void> {
    const attempts = mail.attempts + 1;
    const now = Date.now();
    const giveUp = attempts >= MAX_ATTEMPTS;
    const delay = retryDelay(attempts, this.config.mail.retryBaseMs);
    const recorded = await this.outbox.recordFailure(mail, {
      attempts,
      nextAttemptAt: now + delay,
      lastError,
      failedAt: giveUp ? now : null,
    });
    const which = `mail ${mail.template} ${mail.id} to ${mail.recipient}`;
    if (!recorded) {
      this.logger.warn(`${which}: attempt ${attempts} failed (${lastError}); another process had taken the mail over`);
    } else if (giveUp) {
      this.logger.error(`${which}: attempt ${attempts} failed (${lastError}); given up`);
    } else {
      this.logger.warn(`${which}: attempt ${attempts} failed (${lastError}); next in ${Math.round(delay / 1000)} s`);
    }
  }
}
