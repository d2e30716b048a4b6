import { randomSecret, uuidv7 } from '../common/crypto.js';
import { ApiError } from '../common/api-error.js';
import { keyId } from './signing-keys.js';
import { TokenService } from './token.service.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function service(...secrets: string[]): TokenService {
  return new TokenService({ current: keyId(secrets[0]!), byKid: new Map(secrets.map((s) => [keyId(s), Buffer.from(s)])) });
}

const claims = (exp: number) => ({ sub: 'user-1', sid: uuidv7(), typ: 'user' as const, sec: randomSecret(), exp });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? error.code : 'not an ApiError';
  }
}

describe('TokenService.verify', () => {
  it('refuses a token it verified before once its exp has passed', async () => {
    const tokens = service(randomSecret());
    // exp is in whole seconds: the token is valid up to the end of the next second.
    const exp = Math.floor(Date.now() / 1000) + 1;
    const token = tokens.sign(claims(exp));
    expect(tokens.verify(token).exp).toBe(exp);
    // Remembered now; a second look still answers from what was verified.
    expect(tokens.verify(token).exp).toBe(exp);
    await sleep(exp * 1000 - Date.now() + 50);
    expect(codeOf(() => tokens.verify(token))).toBe('token_expired');
  });

  it('refuses a token signed with a key it does not hold, also after verifying others', () => {
    const mine = service(randomSecret());
    const theirs = service(randomSecret());
    const exp = Math.floor(Date.now() / 1000) + 60;
    mine.verify(mine.sign(claims(exp)));
    expect(codeOf(() => mine.verify(theirs.sign(claims(exp))))).toBe('unauthorized');
  });

  it('refuses a token whose signature was altered after an intact one was verified', () => {
    const tokens = service(randomSecret());
    const token = tokens.sign(claims(Math.floor(Date.now() / 1000) + 60));
    tokens.verify(token);
    // A character inside the signature (the last one carries padding bits that decode the same).
    const i = token.length - 10;
    const altered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    expect(codeOf(() => tokens.verify(altered))).toBe('unauthorized');
  });

  it('gives claims nobody can change for the next request', () => {
    const tokens = service(randomSecret());
    const token = tokens.sign(claims(Math.floor(Date.now() / 1000) + 60));
    const first = tokens.verify(token);
    expect(() => {
      (first as { sub: string }).sub = 'someone-else';
    }).toThrow(TypeError);
    expect(tokens.verify(token).sub).toBe('user-1');
  });
});
