/** A task refused because one of its keys already has as many tasks running or waiting as allowed. */
export class QueueFull extends Error {
  constructor() {
    super('Too many tasks queued for this key');
  }
}

/**
 * Runs at most `size` tasks at a time; the rest wait in arrival order. A task may name keys (a
 * client, an account): each key may have at most `perKey` tasks running or waiting, so that one
 * caller cannot fill the queue in front of everyone else.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly queuedPerKey = new Map<string, number>();

  constructor(
    readonly size: number,
    readonly perKey = Infinity,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`Limiter size must be a positive integer, got ${size}`);
  }

  /** Rejects with QueueFull, before running anything, when a key is at its limit. */
  async run<T>(task: () => Promise<T>, keys: readonly string[] = []): Promise<T> {
    if (keys.some((key) => (this.queuedPerKey.get(key) ?? 0) >= this.perKey)) throw new QueueFull();
    for (const key of keys) this.queuedPerKey.set(key, (this.queuedPerKey.get(key) ?? 0) + 1);
    try {
      return await this.runInTurn(task);
    } finally {
      for (const key of keys) {
        const left = this.queuedPerKey.get(key)! - 1;
        if (left === 0) this.queuedPerKey.delete(key);
        else this.queuedPerKey.set(key, left);
      }
    }
  }

  private async runInTurn<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
