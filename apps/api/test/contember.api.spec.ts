import { randomBytes, createHash } from 'node:crypto';
import { parse, validate } from 'graphql';
import { Secret, TOTP } from 'otpauth';
import { tenantSchema } from '../src/contember/tenant.schema.js';
import { SessionEntity } from '../src/sessions/session.entity.js';
import { UserEntity } from '../src/users/user.entity.js';
import { GraphQlClient, GraphQlClientError, Tenant, type Data, type Fetcher } from './contember-client.js';
import {
  PASSWORD,
  describeEachDatabase,
  failure,
  signedInUser,
  superAdmin,
  tenantWithAdmin,
  uniqueEmail,
  useServer,
} from './harness.js';

/** A Contember login token: 20 random bytes in hex, as CONTEMBER_LOGIN_TOKEN holds. */
const LOGIN_TOKEN = randomBytes(20).toString('hex');
const ORIGIN = 'https://admin.example.test';

/** The mutations as the React hooks of @contember/react-client-tenant send them: aliased `mutation`. */
const M = Tenant.mutation$;
const asMutation = (options: { alias(name: string): unknown }) => options.alias('mutation');

const signInFetcher = M.signIn(
  Tenant.signInResponse$$.error(Tenant.signInError$$).result(Tenant.signInResult$.token.person(Tenant.person$$)),
  asMutation,
);
const signOutFetcher = M.signOut(Tenant.signOutResponse$$.error(Tenant.signOutError$$), asMutation);
const createSessionTokenFetcher = M.createSessionToken(
  Tenant.createSessionTokenResponse$$
    .error(Tenant.createSessionTokenError$$)
    .result(Tenant.createSessionTokenResult$.token.person(Tenant.person$$)),
  asMutation,
);
const meFetcher = Tenant.query$.me(
  Tenant.identity$$
    .person(Tenant.person$$)
    .apiKey(Tenant.apiKey$$)
    .permissions(Tenant.identityGlobalPermissions$$)
    .projects(
      Tenant.identityProjectRelation$
        .project(Tenant.project$$)
        .memberships(Tenant.membership$$.variables(Tenant.variableEntry$$)),
    ),
);
const changeMyPasswordFetcher = M.changeMyPassword(
  Tenant.changeMyPasswordResponse$$.error(Tenant.changeMyPasswordError$$),
  asMutation,
);
const changePasswordFetcher = M.changePassword(Tenant.changePasswordResponse$$.error(Tenant.changePasswordError$$));
const changeMyProfileFetcher = M.changeMyProfile(Tenant.changeMyProfileResponse$$.error(Tenant.changeMyProfileError$$));
const changeProfileFetcher = M.changeProfile(Tenant.changeProfileResponse$$.error(Tenant.changeProfileError$$));
const signUpFetcher = M.signUp(
  Tenant.signUpResponse$$.error(Tenant.signUpError$$).result(Tenant.signUpResult$.person(Tenant.person$$)),
);
const disablePersonFetcher = M.disablePerson(Tenant.disablePersonResponse$$.error(Tenant.disablePersonError$$));
const createGlobalApiKeyFetcher = M.createGlobalApiKey(
  Tenant.createApiKeyResponse$$
    .error(Tenant.createApiKeyError$$)
    .result(Tenant.createApiKeyResult$.apiKey(Tenant.apiKeyWithToken$$.identity(Tenant.identity$$))),
  asMutation,
);
const disableApiKeyFetcher = M.disableApiKey(
  Tenant.disableApiKeyResponse$$.error(Tenant.disableApiKeyError$$),
  asMutation,
);
const personByIdFetcher = Tenant.query$.personById(Tenant.person$$);
const prepareOtpFetcher = M.prepareOtp(Tenant.prepareOtpResponse$$.result(Tenant.prepareOtpResult$$), asMutation);
const confirmOtpFetcher = M.confirmOtp(Tenant.confirmOtpResponse$$.error(Tenant.confirmOtpError$$), asMutation);
const disableOtpFetcher = M.disableOtp(Tenant.disableOtpResponse$$.error(Tenant.disableOtpError$$), asMutation);
const resetRequestFetcher = M.createResetPasswordRequest(
  Tenant.createPasswordResetRequestResponse$$.error(Tenant.createPasswordResetRequestError$$),
  asMutation,
);
const resetPasswordFetcher = M.resetPassword(
  Tenant.resetPasswordResponse$$.error(Tenant.resetPasswordError$$),
  asMutation,
);

/** Every document the supported fields' fetchers produce, for the conformance test. */
const SUPPORTED: Record<string, Fetcher> = {
  signIn: signInFetcher,
  signOut: signOutFetcher,
  createSessionToken: createSessionTokenFetcher,
  me: meFetcher,
  changeMyPassword: changeMyPasswordFetcher,
  changePassword: changePasswordFetcher,
  changeMyProfile: changeMyProfileFetcher,
  changeProfile: changeProfileFetcher,
  signUp: signUpFetcher,
  disablePerson: disablePersonFetcher,
  createGlobalApiKey: createGlobalApiKeyFetcher,
  disableApiKey: disableApiKeyFetcher,
  personById: personByIdFetcher,
  prepareOtp: prepareOtpFetcher,
  confirmOtp: confirmOtpFetcher,
  disableOtp: disableOtpFetcher,
  createResetPasswordRequest: resetRequestFetcher,
  resetPassword: resetPasswordFetcher,
  checkResetPasswordToken: Tenant.query$.checkResetPasswordToken(),
};

/** The documents @contember/react-client-tenant 2.0.8's hooks send, as its fetchers render them. */
async function rendered(fetcher: Fetcher): Promise<string> {
  let query = '';
  await Tenant.execute(fetcher, {
    executor: (request) => {
      query = request;
      return Promise.resolve({ data: {} });
    },
  });
  return query;
}

/** The error the official client throws for a call that must fail. */
async function clientError(promise: Promise<unknown>): Promise<GraphQlClientError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphQlClientError) return error;
    throw error;
  }
  throw new Error('expected the client to throw');
}

const totpCode = (secret: string, offset = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: Date.now() + offset * 30_000,
  });

describe('the Tenant API schema and the official client 2.0.8', () => {
  it.each(Object.keys(SUPPORTED))("%s: the fetcher's document validates against Tessera's schema", async (field) => {
    const document = await rendered(SUPPORTED[field]!);
    expect(document).toContain(field);
    expect(validate(tenantSchema, parse(document)).map((e) => e.message)).toEqual([]);
  });

  it("the React hooks' documents (default fragments, deprecated fields included) validate too", async () => {
    const documents = [
      await rendered(
        M.signIn(Tenant.signInResponse$$.error(Tenant.signInError$$).result(Tenant.signInResult$$), asMutation),
      ),
      await rendered(Tenant.query$.me(Tenant.identity$$.person(Tenant.person$$.identity(Tenant.identity$$)))),
      `query{ me { id description roles person { id email name otpEnabled }
        projects { project { id name slug config } memberships { role variables { name values } } }
        permissions { canCreateProject canDeployEntrypoint } } }`,
    ];
    for (const document of documents) expect(validate(tenantSchema, parse(document))).toEqual([]);
  });

  it('leaves out tier 4: a project field fails validation', () => {
    const errors = validate(tenantSchema, parse('{ projects { slug } }'));
    expect(errors.map((e) => e.message)).toEqual(['Cannot query field "projects" on type "Query".']);
  });
});

describeEachDatabase('Contember tenant API at /tenant', (db) => {
  const t = useServer(db, { TESSERA_LOGIN_API_KEY: LOGIN_TOKEN, TESSERA_CORS_ORIGINS: ORIGIN });
  const client = (token?: string) => new GraphQlClient({ url: `${t.server.url}/tenant`, apiToken: token });
  const login = () => client(LOGIN_TOKEN);
  /** Runs a fetcher through the official GraphQL client, as Contember's React hooks do. */
  const run = (graphql: GraphQlClient, fetcher: Fetcher, variables?: object): Promise<Data> =>
    Tenant.execute(fetcher, {
      variables,
      executor: async (query, vars) => ({ data: await graphql.execute(query, { variables: vars }) }),
    });
  const signIn = async (email: string, password = PASSWORD, extra: object = {}) =>
    (await run(login(), signInFetcher, { email, password, ...extra })).mutation;
  const newPerson = async () => {
    const email = uniqueEmail();
    const user = await t.server.admin.users.create({ email, password: PASSWORD });
    return { email, userId: user.userId };
  };

  describe('tier 1', () => {
    it('signs in with the login key and expiration 20160 minutes; the token works on /v1 and slides', async () => {
      const { email, userId } = await newPerson();
      const answer = await signIn(email, PASSWORD, { expiration: 20160 });
      expect(answer).toMatchObject({ ok: true, result: { person: { id: userId, email, otpEnabled: false } } });
      const token = answer.result.token;
      const v1 = t.server.anon.withToken(token);
      const { session } = await v1.sessions.current();
      // 14 days, in seconds: the minutes were converted at the edge.
      expect(session.expiration).toBe(14 * 24 * 3600);
      await t.server.db
        .getRepository(SessionEntity)
        .update({ id: session.id }, { expiresAt: Date.now() + 60_000, lastUsedAt: Date.now() - 120_000 });
      const slid = (await v1.sessions.current()).session;
      expect(Date.parse(slid.expiresAt)).toBeGreaterThan(Date.now() + 13 * 24 * 3600_000);
      expect((await run(client(token), meFetcher)).me.person?.id).toBe(userId);
    });

    it('clamps an expiration above the maximum instead of refusing it', async () => {
      const { email } = await newPerson();
      const answer = await signIn(email, PASSWORD, { expiration: 10_000_000 });
      const { session } = await t.server.anon.withToken(answer.result.token).sessions.current();
      expect(session.expiration).toBe(30 * 24 * 3600);
    });

    it('answers a wrong password and an unknown email alike: ok false INVALID_PASSWORD with HTTP 200', async () => {
      const { email } = await newPerson();
      const wrong = await signIn(email, 'not the password');
      const unknown = await signIn(uniqueEmail(), 'not the password');
      expect(wrong).toEqual({
        ok: false,
        error: { code: 'INVALID_PASSWORD', developerMessage: 'Invalid email or password' },
      });
      expect(unknown).toEqual(wrong);
      // The deprecated, non-null `errors` list repeats the error.
      const raw = await fetch(`${t.server.url}/tenant`, {
        method: 'POST',
        headers: { authorization: `Bearer ${LOGIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: `mutation { signIn(email: "${email}", password: "y") { ok errors { code } } }` }),
      });
      expect([raw.status, await raw.json()]).toEqual([
        200,
        { data: { signIn: { ok: false, errors: [{ code: 'INVALID_PASSWORD' }] } } },
      ]);
    });

    it('a disabled person learns it only with the right password', async () => {
      const { email, userId } = await newPerson();
      await t.server.admin.admin.users.disable(userId);
      expect((await signIn(email, 'wrong password')).error?.code).toBe('INVALID_PASSWORD');
      expect((await signIn(email)).error?.code).toBe('PERSON_DISABLED');
    });

    it('me: a session has its person, the login key and an admin key have none', async () => {
      const { tenantId, member } = await tenantWithAdmin(t.server);
      const me = (await run(client(member.token), meFetcher)).me;
      expect(me).toMatchObject({
        id: member.user.userId,
        person: { id: member.user.userId, email: member.email, otpEnabled: false },
        permissions: { canCreateProject: false, canDeployEntrypoint: false },
        projects: [{ project: { id: tenantId, slug: tenantId }, memberships: [{ role: 'member', variables: [] }] }],
      });
      const rolesOf = async (token: string) =>
        (await run(client(token), Tenant.query$.me(Tenant.identity$$.person(Tenant.person$$)))).me;
      expect(await rolesOf(LOGIN_TOKEN)).toMatchObject({ roles: ['login'] });
      expect((await rolesOf(LOGIN_TOKEN)).person).toBeUndefined(); // the client drops nulls
      expect(await rolesOf(t.server.rootKey)).toMatchObject({ roles: ['super_admin'] });
      const admin = await superAdmin(t.server);
      expect((await rolesOf(admin.token)).roles).toEqual(['person', 'super_admin']);
    });

    it('signOut ends this session; signOut(all) ends every session of the person', async () => {
      const { email } = await newPerson();
      const first = (await signIn(email)).result.token;
      const second = (await signIn(email)).result.token;
      const third = (await signIn(email)).result.token;
      expect((await run(client(first), signOutFetcher, {})).mutation).toEqual({ ok: true });
      expect((await failure(t.server.anon.withToken(first).sessions.current())).code).toBe('token_revoked');
      await t.server.anon.withToken(second).sessions.current();
      expect((await run(client(second), signOutFetcher, { all: true })).mutation.ok).toBe(true);
      expect((await failure(t.server.anon.withToken(third).sessions.current())).code).toBe('token_revoked');
    });

    it("a super admin's /tenant token works on /warrant and /v1", async () => {
      const email = uniqueEmail();
      const { userId } = await t.server.admin.users.create({ email, password: PASSWORD });
      await t.server.admin.grants.addRole({ userId, roleId: 'super_admin' });
      const token = (await signIn(email)).result.token;
      const warrant = await fetch(`${t.server.url}/warrant/v1/users/${userId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect([warrant.status, ((await warrant.json()) as { userId: string }).userId]).toEqual([200, userId]);
      expect((await t.server.anon.withToken(token).users.get(userId)).email).toBe(email);
    });

    it('signOut with an API key is NOT_A_PERSON', async () => {
      const answer = (await run(client(t.server.rootKey), signOutFetcher, {})).mutation;
      expect(answer).toMatchObject({ ok: false, error: { code: 'NOT_A_PERSON' } });
    });

    it('a token from /v1 works on /tenant, and an expired one makes the client throw unauthorized (401)', async () => {
      const { token, session } = await signedInUser(t.server);
      expect((await run(client(token), meFetcher)).me.id).toBeDefined();
      await t.server.db.getRepository(SessionEntity).update({ id: session.id }, { expiresAt: Date.now() - 1000 });
      const error = await clientError(run(client(token), meFetcher));
      expect([error.type, error.response?.status]).toEqual(['unauthorized', 401]);
      expect(JSON.parse(error.details!.split('HTTP body: \n')[1]!.split('\n\nGraphQL')[0]!)).toEqual({
        errors: [{ code: 401, message: 'Authorization failure: token_expired' }],
      });
    });

    it('createSessionToken: a super admin acts as anyone but a super admin', async () => {
      const admin = await superAdmin(t.server);
      const { email, userId } = await newPerson();
      const answer = (await run(client(admin.token), createSessionTokenFetcher, { email, expiration: 30 })).mutation;
      expect(answer).toMatchObject({ ok: true, result: { person: { id: userId } } });
      const { session, user } = await t.server.anon.withToken(answer.result.token).sessions.current();
      expect([session.type, user.userId, session.expiration]).toEqual(['impersonation', userId, 1800]);
      const other = await superAdmin(t.server);
      const refused = (await run(client(admin.token), createSessionTokenFetcher, { personId: other.user.userId }))
        .mutation;
      expect(refused).toMatchObject({ ok: false, error: { code: 'UNKNOWN_PERSON_ID' } });
      const missing = (await run(client(admin.token), createSessionTokenFetcher, { email: uniqueEmail() })).mutation;
      expect(missing.error?.code).toBe('UNKNOWN_EMAIL');
    });

    it('createSessionToken: a tenant admin acts as their members only; a member and the login key are refused', async () => {
      const { admin, member } = await tenantWithAdmin(t.server);
      const outsider = await newPerson();
      const mine = (await run(client(admin.token), createSessionTokenFetcher, { personId: member.user.userId }))
        .mutation;
      expect(mine).toMatchObject({ ok: true, result: { person: { id: member.user.userId } } });
      const notMine = (await run(client(admin.token), createSessionTokenFetcher, { personId: outsider.userId }))
        .mutation;
      expect(notMine.error?.code).toBe('UNKNOWN_PERSON_ID');
      const byMember = await clientError(
        run(client(member.token), createSessionTokenFetcher, { personId: outsider.userId }),
      );
      expect(byMember.type).toBe('response errors');
      expect(byMember.errors).toMatchObject([{ extensions: { code: 'ForbiddenError' } }]);
      const byLogin = await clientError(run(login(), createSessionTokenFetcher, { personId: outsider.userId }));
      expect(byLogin.errors).toMatchObject([{ extensions: { code: 'ForbiddenError' } }]);
    });

    it('lets a browser preflight send x-contember-token-path', async () => {
      const preflight = await fetch(`${t.server.url}/tenant`, {
        method: 'OPTIONS',
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-contember-token-path',
        },
      });
      expect(preflight.status).toBeLessThan(300);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('x-contember-token-path');
      expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    });
  });

  describe('tier 2', () => {
    it('changeMyPassword: wrong current password, weak new one, then a change that ends other sessions', async () => {
      const { email } = await newPerson();
      const token = (await signIn(email)).result.token;
      const other = (await signIn(email)).result.token;
      const change = (currentPassword: string, newPassword: string) =>
        run(client(token), changeMyPasswordFetcher, { currentPassword, newPassword }).then((d) => d.mutation);
      expect((await change('wrong password', 'a fine new passphrase')).error?.code).toBe('INVALID_PASSWORD');
      expect((await change(PASSWORD, 'short')).error?.code).toBe('TOO_WEAK');
      expect(await change(PASSWORD, 'a fine new passphrase')).toEqual({ ok: true });
      expect((await failure(t.server.anon.withToken(other).sessions.current())).code).toBe('token_revoked');
      expect((await signIn(email, 'a fine new passphrase')).ok).toBe(true);
      const byKey = (
        await run(client(t.server.rootKey), changeMyPasswordFetcher, { currentPassword: 'a', newPassword: 'b' })
      ).mutation;
      expect(byKey.error?.code).toBe('NOT_A_PERSON');
    });

    it('signUp, personById, changeProfile, changePassword and disablePerson by an admin', async () => {
      const admin = client(t.server.rootKey);
      const email = uniqueEmail();
      const created = (await run(admin, signUpFetcher, { email, password: PASSWORD })).signUp;
      expect(created).toMatchObject({ ok: true, result: { person: { email, otpEnabled: false } } });
      const personId = created.result.person.id;
      expect((await run(admin, signUpFetcher, { email, password: PASSWORD })).signUp.error?.code).toBe(
        'EMAIL_ALREADY_EXISTS',
      );
      expect((await run(admin, signUpFetcher, { email: 'nope', password: PASSWORD })).signUp.error?.code).toBe(
        'INVALID_EMAIL_FORMAT',
      );
      expect((await run(admin, signUpFetcher, { email: uniqueEmail(), password: 'short' })).signUp.error?.code).toBe(
        'TOO_WEAK',
      );
      expect((await run(admin, personByIdFetcher, { id: personId })).personById).toMatchObject({ id: personId, email });
      expect((await run(admin, personByIdFetcher, { id: 'nobody' })).personById).toBeUndefined();

      const newEmail = uniqueEmail();
      expect((await run(admin, changeProfileFetcher, { personId, email: newEmail })).changeProfile).toEqual({
        ok: true,
      });
      expect(
        (await run(admin, changeProfileFetcher, { personId: 'nobody', email: uniqueEmail() })).changeProfile.error
          ?.code,
      ).toBe('PERSON_NOT_FOUND');
      expect((await run(admin, changeProfileFetcher, { personId, email: 'bad' })).changeProfile.error?.code).toBe(
        'INVALID_EMAIL_FORMAT',
      );
      const taken = (await newPerson()).email;
      expect((await run(admin, changeProfileFetcher, { personId, email: taken })).changeProfile.error?.code).toBe(
        'EMAIL_ALREADY_EXISTS',
      );

      const session = (await signIn(newEmail)).result.token;
      expect(
        (await run(admin, changePasswordFetcher, { personId, password: 'short' })).changePassword.error?.code,
      ).toBe('TOO_WEAK');
      expect(
        (await run(admin, changePasswordFetcher, { personId: 'nobody', password: PASSWORD })).changePassword.error
          ?.code,
      ).toBe('PERSON_NOT_FOUND');
      expect(
        (await run(admin, changePasswordFetcher, { personId, password: 'another passphrase here' })).changePassword,
      ).toEqual({
        ok: true,
      });
      expect((await failure(t.server.anon.withToken(session).sessions.current())).code).toBe('token_revoked');

      expect((await run(admin, disablePersonFetcher, { personId })).disablePerson).toEqual({ ok: true });
      expect((await run(admin, disablePersonFetcher, { personId })).disablePerson.error?.code).toBe(
        'PERSON_ALREADY_DISABLED',
      );
      expect((await run(admin, disablePersonFetcher, { personId: 'nobody' })).disablePerson.error?.code).toBe(
        'PERSON_NOT_FOUND',
      );
    });

    it('signUp with roles [super_admin] makes a super admin; a person may not sign people up', async () => {
      const email = uniqueEmail();
      const created = (
        await run(client(t.server.rootKey), signUpFetcher, { email, password: PASSWORD, roles: ['super_admin'] })
      ).signUp;
      expect((await t.server.admin.users.get(created.result.person.id)).superAdmin).toBe(true);
      const { token } = await signedInUser(t.server);
      const error = await clientError(run(client(token), signUpFetcher, { email: uniqueEmail(), password: PASSWORD }));
      expect(error.errors).toMatchObject([{ extensions: { code: 'ForbiddenError' } }]);
    });

    it('createGlobalApiKey (with and without tokenHash) and disableApiKey', async () => {
      const admin = client(t.server.rootKey);
      const made = (await run(admin, createGlobalApiKeyFetcher, { description: 'ci', roles: ['super_admin'] }))
        .mutation;
      expect(made).toMatchObject({ ok: true, result: { apiKey: { identity: { roles: ['super_admin'] } } } });
      const secret = made.result.apiKey.token as string;
      expect((await t.server.anon.withApiKey(secret).users.list()).items.length).toBeGreaterThan(0);

      const chosen = randomBytes(20).toString('hex');
      const tokenHash = createHash('sha256').update(chosen).digest('hex');
      const hashed = (
        await run(admin, createGlobalApiKeyFetcher, { description: 'login', roles: ['login'], tokenHash })
      ).mutation;
      expect(hashed.result.apiKey.token).toBeUndefined();
      expect((await run(client(chosen), Tenant.query$.me(Tenant.identity$$))).me.roles).toEqual(['login']);

      expect((await run(admin, disableApiKeyFetcher, { id: made.result.apiKey.id })).mutation).toEqual({ ok: true });
      expect((await failure(t.server.anon.withApiKey(secret).users.list())).status).toBe(401);
      expect((await run(admin, disableApiKeyFetcher, { id: 'nope' })).mutation.error?.code).toBe('KEY_NOT_FOUND');
      const bad = await clientError(run(admin, createGlobalApiKeyFetcher, { description: 'x', roles: ['editor'] }));
      expect(bad.errors).toMatchObject([{ extensions: { code: 'UserInputError' } }]);
    });
  });

  describe('tier 3', () => {
    it('prepareOtp, confirmOtp, signIn with otpToken, disableOtp', async () => {
      const { email } = await newPerson();
      const token = (await signIn(email)).result.token;
      const me = client(token);
      expect((await run(me, confirmOtpFetcher, { otpToken: '123456' })).mutation.error?.code).toBe('NOT_PREPARED');
      const prepared = (await run(me, prepareOtpFetcher, { label: 'Acme' })).mutation;
      expect(prepared.result.otpUri).toMatch(/^otpauth:\/\/totp\//);
      const secret = prepared.result.otpSecret;
      expect((await run(me, confirmOtpFetcher, { otpToken: '000000' })).mutation.error?.code).toBe('INVALID_OTP_TOKEN');
      expect((await run(me, confirmOtpFetcher, { otpToken: totpCode(secret) })).mutation).toEqual({ ok: true });

      expect((await signIn(email)).error?.code).toBe('OTP_REQUIRED');
      expect((await signIn(email, PASSWORD, { otpToken: '000000' })).error?.code).toBe('INVALID_OTP_TOKEN');
      const withOtp = await signIn(email, PASSWORD, { otpToken: totpCode(secret, 1) });
      expect(withOtp).toMatchObject({ ok: true, result: { person: { otpEnabled: true } } });

      const fresh = client(withOtp.result.token);
      expect((await run(fresh, disableOtpFetcher)).mutation).toEqual({ ok: true });
      expect((await run(fresh, disableOtpFetcher)).mutation.error?.code).toBe('OTP_NOT_ACTIVE');
      expect((await signIn(email)).ok).toBe(true);
    });

    it('changing the second factor needs a recent sign-in', async () => {
      const { token, session, user } = await signedInUser(t.server);
      // As if the person had signed in an hour ago (and existed before that).
      await t.server.db.getRepository(UserEntity).update({ id: user.userId }, { createdAt: Date.now() - 7200_000 });
      await t.server.db.getRepository(SessionEntity).update({ id: session.id }, { createdAt: Date.now() - 3600_000 });
      const error = await clientError(run(client(token), prepareOtpFetcher, {}));
      expect(error.errors).toMatchObject([{ extensions: { code: 'ForbiddenError' } }]);
    });

    it('createResetPasswordRequest is ok for any address; resetPassword names bad tokens', async () => {
      expect((await run(login(), resetRequestFetcher, { email: uniqueEmail() })).mutation).toEqual({ ok: true });
      const answer = (await run(login(), resetPasswordFetcher, { token: 'nope', password: 'a new passphrase' }))
        .mutation;
      expect(answer.error?.code).toBe('TOKEN_NOT_FOUND');
    });
  });

  describe('transport', () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${t.server.url}/tenant`, {
        method: 'POST',
        headers: { authorization: `Bearer ${LOGIN_TOKEN}`, 'content-type': 'application/json', ...headers },
        body,
      });
    const answer = async (response: Response) =>
      [response.status, (await response.json()) as { errors: { message: string }[] }] as const;

    it('refuses batches, missing queries, deep queries, too many root fields, invalid documents with 400', async () => {
      expect(await answer(await post('[{"query":"{ me { id } }"}]'))).toEqual([
        400,
        { errors: [{ message: 'Batched queries are not supported' }] },
      ]);
      expect(await answer(await post('{}'))).toEqual([400, { errors: [{ message: 'Missing request query' }] }]);
      const deep = `{ me { ${'person { identity { '.repeat(6)}id${' } }'.repeat(6)} } }`;
      const [deepStatus, deepBody] = await answer(await post(JSON.stringify({ query: deep })));
      expect([deepStatus, deepBody.errors[0]?.message]).toEqual([400, 'The query is deeper than 12 levels']);
      const aliases = `mutation { ${Array.from({ length: 6 }, (_, i) => `a${i}: signIn(email: "x", password: "y") { ok }`).join(' ')} }`;
      const [aliasStatus, aliasBody] = await answer(await post(JSON.stringify({ query: aliases })));
      expect([aliasStatus, aliasBody.errors[0]?.message]).toEqual([
        400,
        'An operation may select at most 5 root fields',
      ]);
      const [badStatus, badBody] = await answer(await post(JSON.stringify({ query: '{ me { nope } }' })));
      expect([badStatus, badBody.errors[0]?.message]).toEqual([400, 'Cannot query field "nope" on type "Identity".']);
      const [typeStatus] = await answer(
        await post(
          JSON.stringify({ query: 'mutation($all: Boolean) { signOut(all: $all) { ok } }', variables: { all: 'x' } }),
        ),
      );
      expect(typeStatus).toBe(400);
    });

    it('answers 413 and 415 as JSON in Contember shape', async () => {
      const big = await post(JSON.stringify({ query: `{ me { id } } #${'x'.repeat(70_000)}` }));
      expect(await answer(big)).toEqual([413, { errors: [{ code: 413, message: 'Request body is too large' }] }]);
      const xml = await post('<a/>', { 'content-type': 'application/xml' });
      expect(await answer(xml)).toEqual([
        415,
        { errors: [{ code: 415, message: 'Content-Type must be application/json' }] },
      ]);
    });

    it('answers introspection', async () => {
      const [status, body] = await answer(await post(JSON.stringify({ query: '{ __schema { queryType { name } } }' })));
      expect([status, body]).toEqual([200, { data: { __schema: { queryType: { name: 'Query' } } } }]);
    });
  });
});

describeEachDatabase('Contember tenant API when sign-in requires the login key', (db) => {
  const t = useServer(db, {
    TESSERA_LOGIN_API_KEY: LOGIN_TOKEN,
    TESSERA_SIGN_IN_REQUIRES_LOGIN_KEY: 'true',
    TESSERA_SIGN_IN_IP_LIMIT: '3',
    TESSERA_REQUIRE_MFA: 'all',
  });
  const run = (graphql: GraphQlClient, fetcher: Fetcher, variables?: object): Promise<Data> =>
    Tenant.execute(fetcher, {
      variables,
      executor: async (query, vars) => ({ data: await graphql.execute(query, { variables: vars }) }),
    });

  it('signs in with the 40-hex Contember login token (TESSERA_LOGIN_API_KEY)', async () => {
    const email = uniqueEmail();
    await t.server.admin.users.create({ email, password: PASSWORD });
    const login = new GraphQlClient({ url: `${t.server.url}/tenant`, apiToken: LOGIN_TOKEN });
    const answer = (await run(login, signInFetcher, { email, password: PASSWORD })).mutation;
    expect(answer.ok).toBe(true);
    // TESSERA_REQUIRE_MFA=all: this session may only read itself, sign out and enrol a second factor.
    const session = new GraphQlClient({ url: `${t.server.url}/tenant`, apiToken: answer.result.token });
    expect((await run(session, meFetcher)).me.person?.email).toBe(email);
    const refused = await clientError(
      run(session, changeMyPasswordFetcher, { currentPassword: PASSWORD, newPassword: 'another passphrase' }),
    );
    expect([refused.type, refused.response?.status]).toEqual(['forbidden', 403]);
  });

  it('without it, sign-in is 401 in Contember shape', async () => {
    const error = await clientError(
      run(new GraphQlClient({ url: `${t.server.url}/tenant` }), signInFetcher, {
        email: 'a@example.test',
        password: 'x',
      }),
    );
    expect([error.type, error.response?.status]).toEqual(['unauthorized', 401]);
    const raw = await fetch(`${t.server.url}/tenant`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect([raw.status, await raw.json()]).toEqual([
      401,
      { errors: [{ code: 401, message: 'Authentication required' }] },
    ]);
  });

  it("answers the sign-in rate limit with 429, Retry-After and Contember's body", async () => {
    const login = new GraphQlClient({ url: `${t.server.url}/tenant`, apiToken: LOGIN_TOKEN });
    let error: GraphQlClientError | undefined;
    for (let i = 0; i < 5 && !error; i++) {
      error = await run(login, signInFetcher, { email: uniqueEmail(), password: 'wrong' }).then(
        () => undefined,
        (e: unknown) => e as GraphQlClientError,
      );
    }
    expect([error?.type, error?.response?.status]).toEqual(['bad request', 429]);
    expect(error?.response?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(error?.errors).toEqual([{ code: 429, message: expect.any(String) }]);
  });
});
