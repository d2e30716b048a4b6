import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { simpleParser } from 'mailparser';
import { IsNull } from 'typeorm';
import { OutboxMailEntity } from '../src/mail/outbox.entity.js';
import {
  PASSWORD,
  TestStore,
  describeEachDatabase,
  randomKey,
  sleep,
  startServer,
  uniqueEmail,
  type DatabaseKind,
  type TestServer,
} from './harness.js';
import { SmtpSink, tokenIn, type ReceivedMail } from './smtp.js';

const PUBLIC_URL = 'http://tessera.example.test';
const MAIL_ENV = {
  TESSERA_MAIL_FROM: 'Tessera <tessera@example.test>',
  TESSERA_PUBLIC_URL: PUBLIC_URL,
  // Retries after 300 ms, 600 ms, 1.2 s … so that a test sees several.
  TESSERA_MAIL_RETRY_BASE_MS: '300',
};
const RESET_LINK = /http:\/\/tessera\.example\.test\/reset-password#token=([A-Za-z0-9_-]{43})/;

/** Waits until `probe` gives something truthy; fails naming `what` after `ms`. */
async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** POST /v1/auth/password-reset as a stranger would (the client has no method for it yet). */
async function requestReset(server: TestServer, email: string) {
  const started = Date.now();
  const response = await fetch(`${server.url}/v1/auth/password-reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  return { status: response.status, body: (await response.json()) as unknown, ms: Date.now() - started };
}

/** A user (made by the admin) who asked for a reset link. */
async function userAskingForReset(server: TestServer) {
  const email = uniqueEmail('mail');
  await server.admin.users.create({ email, password: PASSWORD });
  const answer = await requestReset(server, email);
  expect([answer.status, answer.body]).toEqual([202, { accepted: true }]);
  return { email, answer };
}

const outboxOf = (server: TestServer, email: string) =>
  server.db.getRepository(OutboxMailEntity).findOneBy({ recipient: email });

/** The outbox row of `email`'s mail once it was sent. */
const sentRow = (server: TestServer, email: string) =>
  until(`the mail to ${email} to be marked sent`, async () => {
    const row = await outboxOf(server, email);
    return row?.sentAt !== null ? row : null;
  });

/** A port nothing listens on (a sink's, closed again). */
async function closedPort(): Promise<number> {
  const sink = await new SmtpSink().start();
  await sink.close();
  return sink.port;
}

/** A TCP server that accepts connections and never says a word: an SMTP server that hangs. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * What servers started from now on log, until `stop()`. (Nest's logger is one per process, and the
 * silent servers of the harness turn it off: a server that should log needs TESSERA_LOG_LEVEL too.)
 */
function captureLogs() {
  const lines: string[] = [];
  const keep = (message: unknown) => void lines.push(String(message));
  Logger.overrideLogger({ log: keep, error: keep, warn: keep, debug: keep, verbose: keep, fatal: keep });
  return { text: () => lines.join('\n'), stop: () => void Logger.overrideLogger(false) };
}

/** Runs `body` with a server of its own on a fresh store; closes both after. */
async function withServer(
  db: DatabaseKind,
  env: Record<string, string>,
  body: (server: TestServer, store: TestStore) => Promise<void>,
): Promise<void> {
  const store = new TestStore(db);
  const server = await startServer(store, { ...MAIL_ENV, ...env });
  try {
    await body(server, store);
  } finally {
    await server.close();
    await store.drop();
  }
}

describeEachDatabase('mail', (db) => {
  describe('over SMTP', () => {
    const sink = new SmtpSink();
    const t = {} as { server: TestServer; store: TestStore };
    beforeAll(async () => {
      await sink.start();
      t.store = new TestStore(db);
      t.server = await startServer(t.store, { ...MAIL_ENV, TESSERA_SMTP_URL: sink.url });
    });
    afterAll(async () => {
      await t.server?.close();
      await sink.close();
      await t.store?.drop();
    });
    afterEach(() => {
      sink.refuse = false;
    });

    it('sends the reset mail: From, To, subject, the link in text and HTML; the row is then sent, its payload cleared', async () => {
      const { email } = await userAskingForReset(t.server);
      const mail = await sink.next(email);

      expect(mail.parsed.from?.value).toEqual([{ name: 'Tessera', address: 'tessera@example.test' }]);
      expect(mail.to).toEqual([email]);
      expect(mail.subject).toBe('Reset your Tessera password');
      expect(mail.secure).toBe(false); // the sink offers no TLS at all
      expect(mail.user).toBeUndefined();
      const token = tokenIn(mail);
      expect(mail.text).toMatch(RESET_LINK);
      expect(RESET_LINK.exec(mail.text)![1]).toBe(token);
      expect(mail.text).toMatch(/works once, for 60 minutes/);
      expect(mail.text).toMatch(/you can ignore this mail/);
      expect(mail.html).toContain(`<a href="${PUBLIC_URL}/reset-password#token=${token}">`);
      expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');

      const row = await sentRow(t.server, email);
      expect(row).toMatchObject({ template: 'password_reset', payload: null, attempts: 0, lockedUntil: null });
      expect(row.failedAt).toBeNull();
      expect(row.sentAt).toBeGreaterThanOrEqual(row.createdAt);

      // The link works.
      const confirm = await fetch(`${t.server.url}/v1/auth/password-reset/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, newPassword: 'a brand new passphrase 42' }),
      });
      expect(confirm.status).toBe(200);
    });

    it('sends an unknown address nothing, with the same 202', async () => {
      const email = uniqueEmail('nobody');
      const answer = await requestReset(t.server, email);
      expect([answer.status, answer.body]).toEqual([202, { accepted: true }]);
      await sleep(1500);
      expect(await outboxOf(t.server, email)).toBeNull();
      expect(sink.to(email)).toEqual([]);
    });

    it('answers 202 at once while the server refuses, retries with growing waits, and sends once it accepts', async () => {
      sink.refuse = true;
      const { email, answer } = await userAskingForReset(t.server);
      expect(answer.ms).toBeLessThan(1000);

      // Each attempt is recorded; the waits between them double (300 ms, 600 ms, 1.2 s).
      const seen: OutboxMailEntity[] = [];
      for (const attempts of [1, 2, 3]) {
        seen.push(
          await until(`attempt ${attempts}`, async () => {
            const row = await outboxOf(t.server, email);
            return row !== null && row.attempts === attempts && row.lockedUntil === null ? row : null;
          }),
        );
      }
      for (const row of seen) {
        expect(row.lastError).toMatch(/451/);
        expect(row).toMatchObject({ sentAt: null, failedAt: null });
        expect(row.payload).not.toBeNull();
      }
      expect(seen[1]!.nextAttemptAt - seen[0]!.nextAttemptAt).toBeGreaterThanOrEqual(600);
      expect(seen[2]!.nextAttemptAt - seen[1]!.nextAttemptAt).toBeGreaterThanOrEqual(1200);
      expect(sink.to(email)).toEqual([]);

      sink.refuse = false;
      const mail = await sink.next(email, undefined, 20_000);
      const token = tokenIn(mail);
      // While it waited, the link was at rest in the database, sealed: never the token in clear.
      for (const row of seen) {
        expect(row.payload).not.toContain(token);
        expect(row.payload).not.toContain('reset-password');
        expect(row.lastError).not.toContain(token);
      }
      const row = await sentRow(t.server, email);
      expect(row.payload).toBeNull();
      expect(row.attempts).toBeGreaterThanOrEqual(3);
      expect(sink.to(email)).toHaveLength(1);
    });

    /** Changes the row of `email`'s mail while no worker holds it, as a process that died would leave it. */
    async function setUnclaimed(email: string, change: Partial<OutboxMailEntity>): Promise<void> {
      await until('the mail to be free to change', async () => {
        const result = await t.server.db
          .getRepository(OutboxMailEntity)
          .update({ recipient: email, lockedUntil: IsNull(), sentAt: IsNull() }, change);
        return result.affected === 1;
      });
    }

    it('leaves a mail alone while another claim on it lives, and takes it over once that expires', async () => {
      sink.refuse = true;
      const { email } = await userAskingForReset(t.server);
      await until('a refused attempt', async () => ((await outboxOf(t.server, email))?.attempts ?? 0) >= 1);
      // Claimed by a process that then died: locked for another minute.
      await setUnclaimed(email, { lockedUntil: Date.now() + 60_000, nextAttemptAt: Date.now() });
      const { attempts } = (await outboxOf(t.server, email))!;
      sink.refuse = false;
      await sleep(2500);
      expect(sink.to(email)).toEqual([]);

      await t.server.db.getRepository(OutboxMailEntity).update({ recipient: email }, { lockedUntil: Date.now() - 1 });
      const mail = await sink.next(email);
      expect(mail.text).toMatch(RESET_LINK);
      const row = await sentRow(t.server, email);
      expect(row.attempts).toBe(attempts);
      expect(row.payload).toBeNull();
    });

    it('gives a mail up after 12 attempts, clearing its payload', async () => {
      sink.refuse = true;
      const { email } = await userAskingForReset(t.server);
      await until('a refused attempt', async () => ((await outboxOf(t.server, email))?.attempts ?? 0) >= 1);
      await setUnclaimed(email, { attempts: 11, nextAttemptAt: Date.now() });
      const row = await until('the mail to be given up', async () => {
        const found = await outboxOf(t.server, email);
        return found?.failedAt != null ? found : null;
      });
      expect(row).toMatchObject({ attempts: 12, payload: null, sentAt: null, lockedUntil: null });
      expect(row.lastError).toMatch(/451/);
      sink.refuse = false;
      await sleep(1500);
      expect(sink.to(email)).toEqual([]);
      expect(await outboxOf(t.server, email)).toMatchObject({ attempts: 12, sentAt: null });
    });
  });

  it('answers 202 while the SMTP server is down, and sends the mail once it is up', async () => {
    const port = await closedPort();
    const logs = captureLogs();
    const env = { TESSERA_SMTP_URL: `smtp://tessera:s3cret-Passw0rd@127.0.0.1:${port}`, TESSERA_LOG_LEVEL: 'info' };
    await withServer(db, env, async (server) => {
      const { email, answer } = await userAskingForReset(server);
      expect(answer.ms).toBeLessThan(1000);
      const failed = await until('a failed attempt', async () => {
        const row = await outboxOf(server, email);
        return row !== null && row.attempts >= 1 ? row : null;
      });
      expect(failed.lastError).toMatch(/ECONNREFUSED/);
      expect(failed).toMatchObject({ sentAt: null, failedAt: null });
      // The log says where mail goes, and that this one failed (which, not its link); never the password.
      logs.stop();
      expect(logs.text()).toContain(`SMTP is configured: 127.0.0.1:${port}, STARTTLS when the server offers it`);
      expect(logs.text()).toMatch(
        new RegExp(`mail password_reset \\S+ to ${email.replace(/\./g, '\\.')}: attempt 1 failed`),
      );
      expect(logs.text()).not.toContain('s3cret');
      expect(logs.text()).not.toContain('#token=');

      const sink = await new SmtpSink().start(port);
      try {
        const mail = await sink.next(email, undefined, 20_000);
        expect(mail.text).toMatch(RESET_LINK);
        expect(mail.user).toBe('tessera');
        expect((await sentRow(server, email)).payload).toBeNull();
      } finally {
        await sink.close();
      }
    }).finally(() => logs.stop());
  });

  it('loses no pending mail to a restart', async () => {
    const sink = await new SmtpSink().start();
    const store = new TestStore(db);
    const env = { ...MAIL_ENV, TESSERA_SMTP_URL: sink.url };
    try {
      sink.refuse = true;
      const first = await startServer(store, env);
      let email: string;
      try {
        email = (await userAskingForReset(first)).email;
        await until('a refused attempt', async () => ((await outboxOf(first, email))?.attempts ?? 0) >= 1);
      } finally {
        await first.close();
      }
      sink.refuse = false;
      const second = await startServer(store, env);
      try {
        const mail = await sink.next(email, undefined, 20_000);
        expect(mail.text).toMatch(RESET_LINK);
        expect((await sentRow(second, email)).payload).toBeNull();
        expect(sink.to(email)).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      await sink.close();
      await store.drop();
    }
  });

  it('stops within seconds while an SMTP server hangs, and gives the mail back untried', async () => {
    const silent = await silentServer();
    const store = new TestStore(db);
    const env = { ...MAIL_ENV, TESSERA_SMTP_URL: `smtp://127.0.0.1:${silent.port}` };
    try {
      const server = await startServer(store, env);
      let claimed: OutboxMailEntity;
      try {
        const { email } = await userAskingForReset(server);
        // The worker holds the mail, waiting for a greeting that never comes.
        claimed = await until('the mail to be claimed', async () => {
          const row = await outboxOf(server, email);
          return row?.lockedUntil != null ? row : null;
        });
      } finally {
        const started = Date.now();
        await server.close();
        expect(Date.now() - started).toBeLessThan(5000);
      }

      // The next start takes it at once (its claim was given back, not left to expire), as untried.
      const again = await startServer(store, env);
      try {
        const taken = await until('the mail to be claimed again', async () => {
          const row = await again.db.getRepository(OutboxMailEntity).findOneBy({ id: claimed.id });
          return row !== null && row.lockedUntil !== null && row.lockedUntil > claimed.lockedUntil! ? row : null;
        });
        expect(taken).toMatchObject({ attempts: 0, sentAt: null, failedAt: null });
        expect(taken.payload).not.toBeNull();
      } finally {
        await again.close();
      }
    } finally {
      await silent.close();
      await store.drop();
    }
  });

  describe('TLS', () => {
    /** The reset mail as a sink offering `tls` received it, sent to `url(sink)`. */
    const roundTrip = (tls: 'starttls' | 'implicit') =>
      new Promise<ReceivedMail>((resolve, reject) => {
        const sink = new SmtpSink(tls);
        void sink
          .start()
          .then(() =>
            withServer(db, { TESSERA_SMTP_URL: sink.url }, async (server) => {
              const { email } = await userAskingForReset(server);
              resolve(await sink.next(email));
            }),
          )
          .catch(reject)
          .finally(() => void sink.close());
      });

    it('upgrades with STARTTLS when the server offers it', async () => {
      const mail = await roundTrip('starttls');
      expect(mail.secure).toBe(true);
      expect(mail.text).toMatch(RESET_LINK);
    });

    it('speaks TLS from the start with smtps://', async () => {
      const mail = await roundTrip('implicit');
      expect(mail.secure).toBe(true);
      expect(mail.text).toMatch(RESET_LINK);
    });

    it('never falls back to plain SMTP when the STARTTLS upgrade fails', async () => {
      const sink = await new SmtpSink('starttls').start();
      try {
        // A certificate the server cannot prove: the upgrade fails, and so does the send.
        await withServer(db, { TESSERA_SMTP_URL: sink.urlVerifying }, async (server) => {
          const { email } = await userAskingForReset(server);
          const row = await until('a failed attempt', async () => {
            const found = await outboxOf(server, email);
            return found !== null && found.attempts >= 1 ? found : null;
          });
          expect(row.lastError).toMatch(/certificate/i);
          expect(sink.to(email)).toEqual([]);
        });
      } finally {
        await sink.close();
      }
    });
  });

  it('without TESSERA_SMTP_URL writes an .eml file (0600) to <data dir>/outbox and logs where, not the link', async () => {
    const logs = captureLogs();
    try {
      await withServer(db, { TESSERA_LOG_LEVEL: 'info' }, async (server, store) => {
        const { email } = await userAskingForReset(server);
        const dir = join(store.dir, 'outbox');
        // Marked sent once the file is written whole: the file appears (empty) before that.
        await sentRow(server, email);
        const file = await until('an .eml file', async () => {
          const row = await outboxOf(server, email);
          const name = row && readdirSyncSafe(dir).find((f) => f.endsWith(`-${row.id}.eml`));
          return name ? join(dir, name) : null;
        });
        expect(statSync(dir).mode & 0o777).toBe(0o700);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(file).toMatch(/\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-[0-9a-f-]{36}\.eml$/);

        const parsed = await simpleParser(readFileSync(file));
        expect(parsed.from?.value).toEqual([{ name: 'Tessera', address: 'tessera@example.test' }]);
        expect(parsed.subject).toBe('Reset your Tessera password');
        const token = RESET_LINK.exec(parsed.text ?? '')?.[1];
        expect(token).toBeDefined();
        expect(parsed.html).toContain(`<a href="${PUBLIC_URL}/reset-password#token=${token}">`);
        expect((await sentRow(server, email)).payload).toBeNull();

        const logged = logs.text();
        expect(logged).toContain(`mail password_reset to ${email} written to ${file}`);
        expect(logged).not.toContain(token);
        expect(logged).not.toContain('reset-password#');
      });
    } finally {
      logs.stop();
    }
  });

  if (db === 'postgres') {
    it('sends each mail exactly once with two servers on one database', async () => {
      // A sink each, so that what either server sent is counted.
      const sinks = [await new SmtpSink().start(), await new SmtpSink().start()];
      const store = new TestStore(db);
      // One root key for both: each server's start makes its key the root key.
      const rootKey = randomKey();
      const servers: TestServer[] = [];
      try {
        for (const sink of sinks) {
          servers.push(
            await startServer(store, { ...MAIL_ENV, TESSERA_SMTP_URL: sink.url, TESSERA_ROOT_API_KEY: rootKey }),
          );
        }
        const emails = Array.from({ length: 20 }, () => uniqueEmail('twice'));
        for (const email of emails) await servers[0]!.admin.users.create({ email, password: PASSWORD });
        // Refused first, so that all 20 fall due again together and both servers reach for them.
        for (const sink of sinks) sink.refuse = true;
        await Promise.all(emails.map((email, i) => requestReset(servers[i % 2]!, email)));
        const rows = () =>
          servers[0]!.db.getRepository(OutboxMailEntity).findBy(emails.map((recipient) => ({ recipient })));
        await until('every mail to be refused once', async () => {
          const all = await rows();
          return all.length === 20 && all.every((row) => row.attempts >= 1);
        });
        for (const sink of sinks) sink.refuse = false;

        const received = (email: string) => sinks.flatMap((sink) => sink.to(email)).length;
        await until(
          'every mail to arrive',
          () => Promise.resolve(emails.every((email) => received(email) >= 1)),
          20_000,
        );
        // Time for a second send of any of them, were there one.
        await sleep(2500);
        expect(emails.map(received)).toEqual(emails.map(() => 1));
        const sent = await rows();
        expect(sent.every((row) => row.sentAt !== null && row.payload === null)).toBe(true);
      } finally {
        for (const server of servers) await server.close();
        for (const sink of sinks) await sink.close();
        await store.drop();
      }
    });
  }
});

function readdirSyncSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
