import { describeError, retryDelay } from './outbox-worker.js';

const RESET_URL = 'https://tessera.example.test/reset-password#token=abc_DEF-123';

describe('the outbox worker', () => {
  it('waits 5 s, 10 s, 20 s … at most an hour between attempts', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, 5000))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(retryDelay(11, 5000)).toBe(3600_000);
    expect(retryDelay(40, 5000)).toBe(3600_000);
  });

  it('keeps no link, token or password in an error it records', () => {
    const error = Object.assign(new Error(`refused ${RESET_URL} for user:hunter22 (token=zzz)`), { code: 'EENVELOPE' });
    const described = describeError(error, [RESET_URL, 'hunter22']);
    expect(described).toBe('EENVELOPE: refused [redacted] for user:[redacted] (token=[redacted])');
    expect(describeError(new Error('x'.repeat(2000)), [])).toHaveLength(500);
  });
});
