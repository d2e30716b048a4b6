import { Limiter, QueueFull } from './limiter.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Limiter', () => {
  it('runs at most `size` tasks at once, the rest in arrival order', async () => {
    const limiter = new Limiter(2);
    const [g0, g1, g2, g3] = [deferred(), deferred(), deferred(), deferred()];
    const gates = [g0, g1, g2, g3];
    const started: number[] = [];
    const done = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    g1.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    g0.resolve();
    g2.resolve();
    g3.resolve();
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('frees the slot of a task that fails', async () => {
    const limiter = new Limiter(1);
    const failing = deferred();
    const first = limiter.run(() => failing.promise);
    const second = limiter.run(() => Promise.resolve('ran'));
    failing.reject(new Error('boom'));
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('ran');
  });

  it('refuses a task whose key already has `perKey` tasks running or waiting, until one ends', async () => {
    const limiter = new Limiter(1, 2);
    const gate = deferred();
    const flood = [
      ['ip:a', 'account:x'],
      ['ip:a', 'account:y'],
    ].map((keys) => limiter.run(() => gate.promise, keys));
    await expect(limiter.run(() => Promise.resolve('a'), ['ip:a'])).rejects.toBeInstanceOf(QueueFull);
    const otherClient = limiter.run(() => Promise.resolve('x'), ['ip:b', 'account:x']);
    gate.resolve();
    await Promise.all(flood);
    await expect(otherClient).resolves.toBe('x');
    await expect(limiter.run(() => Promise.resolve('a'), ['ip:a'])).resolves.toBe('a');
  });

  it('rejects a size that could never run anything', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
    expect(() => new Limiter(1.5)).toThrow(RangeError);
  });
});
