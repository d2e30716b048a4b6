import { TestStore, describeEachDatabase, failure, signedInUser, startServer } from './harness.js';

describeEachDatabase('authentication', (db) => {
  it('two servers in one process each check tokens and keys with their own keys and database', async () => {
    const [storeA, storeB] = [new TestStore(db), new TestStore(db)];
    const a = await startServer(storeA);
    try {
      const alice = await signedInUser(a);
      // Started after A: passport's process-wide registry would now hold B's strategies.
      const b = await startServer(storeB);
      try {
        await expect(alice.client.sessions.current()).resolves.toMatchObject({ session: { id: alice.session.id } });
        await expect(a.admin.users.list()).resolves.toHaveProperty('items');
        const bob = await signedInUser(b);
        await expect(bob.client.sessions.current()).resolves.toMatchObject({ session: { id: bob.session.id } });
        // Each server's token and root key mean nothing to the other.
        expect((await failure(b.anon.withToken(alice.token).sessions.current())).code).toBe('unauthorized');
        expect((await failure(a.anon.withApiKey(b.rootKey).users.list())).code).toBe('unauthorized');
      } finally {
        await b.close();
      }
      // B is gone: A still authenticates with its own database.
      await expect(alice.client.sessions.current()).resolves.toMatchObject({ session: { id: alice.session.id } });
      await expect(a.admin.users.list()).resolves.toHaveProperty('items');
    } finally {
      await a.close();
      await storeA.drop();
      await storeB.drop();
    }
  });
});
