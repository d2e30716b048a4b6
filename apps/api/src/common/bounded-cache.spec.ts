import { BoundedCache } from './bounded-cache.js';

describe('BoundedCache', () => {
  it('keeps what was set until two generations of newer entries have passed', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3); // a and b are now the previous generation
    expect(cache.get('a')).toBe(1); // a hit there moves to the current generation
    cache.set('d', 4); // current (c, a) was full: b is forgotten
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.get('d')).toBe(4);
  });

  it('never holds more than two generations', () => {
    const cache = new BoundedCache<number, number>(100);
    for (let i = 0; i < 10_000; i++) cache.set(i, i);
    const held = Array.from({ length: 10_000 }, (_, i) => cache.get(i)).filter((v) => v !== undefined);
    expect(held.length).toBeLessThanOrEqual(200);
    expect(cache.get(9_999)).toBe(9_999);
  });
});
