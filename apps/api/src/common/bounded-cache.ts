/**
 * A map that forgets: at most two generations of `size` entries. When the current generation is
 * full it becomes the previous one and the one before is dropped; a hit in the previous
 * generation moves to the current. No bookkeeping per hit (an LRU list would cost more than the
 * lookups it serves here), and bounded all the same.
 */
export class BoundedCache<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();

  constructor(private readonly size: number) {}

  get(key: K): V | undefined {
    const hit = this.current.get(key);
    if (hit !== undefined) return hit;
    const old = this.previous.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: K, value: V): void {
    if (this.current.size >= this.size) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
}
