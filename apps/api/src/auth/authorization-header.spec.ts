import { parseAuthorization } from './authorization-header.js';
import { ApiError } from '../infra/http/api-error.js';

describe('parseAuthorization', () => {
  it('reads a JWT-shaped Bearer value as a session token', () => {
    expect(parseAuthorization('Bearer aaa.bbb.ccc')).toEqual({ kind: 'session', token: 'aaa.bbb.ccc' });
  });

  it('reads an unsigned (alg none) JWT shape as a session token, so it is verified and refused', () => {
    expect(parseAuthorization('Bearer aaa.bbb.')).toEqual({ kind: 'session', token: 'aaa.bbb.' });
  });

  it('reads ApiKey and non-JWT Bearer values as API keys', () => {
    expect(parseAuthorization('ApiKey tsk_abc')).toEqual({ kind: 'api_key', secret: 'tsk_abc' });
    expect(parseAuthorization('bearer tsk_abc')).toEqual({ kind: 'api_key', secret: 'tsk_abc' });
  });

  it('treats a missing header as no credentials', () => {
    expect(parseAuthorization(undefined)).toBeNull();
    expect(parseAuthorization('')).toBeNull();
  });

  it.each([
    ['Basic credentials', 'Basic dXNlcjpwdw=='],
    ['a scheme with no value', 'Bearer'],
    ['two values', 'Bearer a b'],
    ['an unknown scheme', 'Token x'],
    ['a 5000-character value', `Bearer ${'x'.repeat(5000)}`],
  ])('refuses %s as unauthorized', (_label, header) => {
    expect(() => parseAuthorization(header)).toThrow(ApiError);
    try {
      parseAuthorization(header);
    } catch (error) {
      expect((error as ApiError).code).toBe('unauthorized');
    }
  });
});
