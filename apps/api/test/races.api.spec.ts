import { SessionEntity } from '../src/sessions/session.entity.js';
import { UserEntity } from '../src/users/user.entity.js';
import { PASSWORD, describeEachDatabase, failure, signedInUser, uniqueEmail, useServer, sessionOf } from './harness.js';

describeEachDatabase('races', (db) => {
  const t = useServer(db, { TESSERA_SIGN_IN_ACCOUNT_FAILURES: '1000' });

  it('sign-out all racing sign-ins and requests: every session created before it answers is dead', async () => {
    const email = uniqueEmail();
    await t.server.admin.users.create({ email, password: PASSWORD });
    const before = await Promise.all(
      Array.from({ length: 6 }, () => sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD }))),
    );
    const signOutStarted = Date.now();
    // While it runs: more sign-ins and a storm of requests with the old tokens.
    const racing = Array.from({ length: 6 }, () =>
      sessionOf(t.server.anon.auth.signIn({ email, password: PASSWORD })).catch(() => null),
    );
    const requests = before.flatMap((s) =>
      [1, 2, 3].map(() =>
        t.server.anon
          .withToken(s.token)
          .sessions.current()
          .catch(() => null),
      ),
    );
    const result = await t.server.anon.withToken(before[0]!.token).auth.signOut({ all: true });
    const answeredAt = Date.now();
    expect(result.revoked).toBeGreaterThanOrEqual(6);
    const raced = (await Promise.all(racing)).filter((r) => r !== null);
    await Promise.all(requests);

    for (const s of before)
      expect((await failure(t.server.anon.withToken(s.token).sessions.current())).code).toBe('token_revoked');
    for (const s of raced) {
      const created = Date.parse(s.session.createdAt);
      const answer = await t.server.anon
        .withToken(s.token)
        .sessions.current()
        .catch((e: unknown) => e);
      // Created before the sign-out answered: dead. Created after: alive (a later sign-in is a new start).
      if (created < signOutStarted) expect((answer as { code: string }).code).toBe('token_revoked');
      if (created > answeredAt) expect(answer).toHaveProperty('session');
    }
  });

  it('concurrent sliding updates never shorten a session', async () => {
    const { client, session } = await signedInUser(t.server, { expiration: 600 });
    // Make every request want to slide, then fire them all at once.
    await t.server.db.getRepository(SessionEntity).update({ id: session.id }, { expiresAt: Date.now() + 60_000 });
    const seen = await Promise.all(Array.from({ length: 25 }, () => client.sessions.current()));
    const latest = Math.max(...seen.map((s) => Date.parse(s.session.expiresAt)));
    const row = await t.server.db.getRepository(SessionEntity).findOneByOrFail({ id: session.id });
    expect(row.expiresAt).toBeGreaterThanOrEqual(latest - 1);
    expect(row.expiresAt).toBeGreaterThan(Date.now() + 500_000);
  });

  it('two concurrent creates of one email: one 201, one 409, one row', async () => {
    const email = uniqueEmail();
    const results = await Promise.allSettled([
      t.server.admin.users.create({ email, password: PASSWORD }),
      t.server.admin.users.create({ email: email.toUpperCase(), password: PASSWORD }),
      t.server.admin.users.create({ email, password: PASSWORD }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as { code: string }).code).toBe('duplicate_record');
    expect(await t.server.db.getRepository(UserEntity).countBy({ email })).toBe(1);
  });

  it('sign-out racing its own requests never resurrects the session', async () => {
    const { client, token } = await signedInUser(t.server);
    const storm = Array.from({ length: 20 }, () => client.sessions.current().catch(() => null));
    await t.server.anon.withToken(token).auth.signOut();
    await Promise.all(storm);
    for (let i = 0; i < 5; i++) expect((await failure(client.sessions.current())).code).toBe('token_revoked');
  });
});
