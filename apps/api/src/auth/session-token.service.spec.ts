import jwt from 'jsonwebtoken';
import { ApiError } from '../infra/http/api-error.js';
import { randomSecret, sha256Hex, uuidv7 } from '../common/crypto.js';
import { SessionTokenService } from './session-token.service.js';
import { keyId, signingKeysOf } from './signing-keys.js';

const service = (secret: string, ...previous: string[]) => new SessionTokenService(signingKeysOf(secret, previous));

const claims = (exp = Math.floor(Date.now() / 1000) + 60) => ({
  sub: 'user-1',
  sid: uuidv7(),
  typ: 'user' as const,
  sec: randomSecret(),
  exp,
});

/** What passport-jwt does with the key the service gives it. */
const verify = (tokens: SessionTokenService, token: string) =>
  jwt.verify(token, tokens.keyFor(token)!, { algorithms: ['HS256'] });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? error.code : 'not an ApiError';
  }
}

describe('SessionTokenService', () => {
  it('signs HS256 with the current key named by its kid, and gives that prepared key back for it', () => {
    const secret = randomSecret();
    const tokens = service(secret);
    const token = tokens.sign(claims());
    expect(jwt.decode(token, { complete: true })?.header).toEqual({ alg: 'HS256', typ: 'JWT', kid: keyId(secret) });
    const key = tokens.keyFor(token);
    expect(key?.type).toBe('secret');
    // The same KeyObject for every token of that kid: nothing is parsed per request.
    expect(tokens.keyFor(tokens.sign(claims()))).toBe(key);
    expect(verify(tokens, token)).toMatchObject({ sub: 'user-1', typ: 'user' });
  });

  it('verifies a token signed with a previous secret by that secret, and signs with the new one', () => {
    const [old, current] = [randomSecret(), randomSecret()];
    const before = service(old).sign(claims());
    const rotated = service(current, old);
    expect(verify(rotated, before)).toMatchObject({ sub: 'user-1' });
    expect(jwt.decode(rotated.sign(claims()), { complete: true })?.header.kid).toBe(keyId(current));
  });

  it('has no key for a token of a foreign or missing kid, or with an unreadable header', () => {
    const tokens = service(randomSecret());
    const foreign = service(randomSecret()).sign(claims());
    expect(tokens.keyFor(foreign)).toBeUndefined();
    const [, payload, signature] = tokens.sign(claims()).split('.');
    const noKid = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
    expect(tokens.keyFor(`${noKid}.${payload}.${signature}`)).toBeUndefined();
    expect(tokens.keyFor(`bm90IGpzb24.${payload}.${signature}`)).toBeUndefined();
    expect(tokens.keyFor('null.a.b')).toBeUndefined();
    expect(tokens.keyFor('no-dots')).toBeUndefined();
  });

  it('gives the claims of a well-formed payload with the hash of its secret', () => {
    const tokens = service(randomSecret());
    const signed = claims();
    const verified = tokens.claimsOf(verify(tokens, tokens.sign(signed)));
    expect(verified).toMatchObject({ sub: signed.sub, sid: signed.sid, exp: signed.exp });
    expect(verified.secretHash).toBe(sha256Hex(signed.sec));
  });

  it.each([
    ['no exp', { ...claims(), exp: undefined, iat: 1 }],
    ['no iat', claims()],
    ['an unknown session type', { ...claims(), typ: 'root', iat: 1 }],
    ['a short secret', { ...claims(), sec: 'x', iat: 1 }],
    ['a string', 'not claims'],
  ])('refuses a payload with %s as unauthorized', (_label, payload) => {
    expect(codeOf(() => service(randomSecret()).claimsOf(payload))).toBe('unauthorized');
  });
});
