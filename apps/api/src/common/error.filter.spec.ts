import { isUnavailable } from './error.filter.js';

describe('isUnavailable: what is answered 503 rather than 500', () => {
  it('counts the errors pg gives when PostgreSQL is away', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'timeout exceeded when trying to connect',
      'Query read timeout',
      'connect ECONNREFUSED 127.0.0.1:5432',
      'Client has encountered a connection error and is not queryable',
    ]) {
      expect(isUnavailable(new Error(message))).toBe(true);
    }
    expect(isUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
  });

  it('leaves other errors alone', () => {
    expect(isUnavailable(new Error('syntax error at or near "SELEC"'))).toBe(false);
    expect(isUnavailable(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
  });
});
