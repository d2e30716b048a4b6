import { createHash } from 'node:crypto';
import { sha256Hex, uuidv7 } from './crypto.js';
import { Uuid } from '@tessera/dto';

describe('sha256Hex', () => {
  it('is the SHA-256 of the UTF-8 bytes, as every stored hash was made', () => {
    for (const value of ['', 'tsk_abc', 'Zoë@exämple.test', '🔑 secret', 'x'.repeat(5000)]) {
      expect(sha256Hex(value)).toBe(createHash('sha256').update(Buffer.from(value, 'utf8')).digest('hex'));
    }
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('uuidv7', () => {
  it('is a valid version-7 UUID', () => {
    const id = uuidv7();
    expect(Uuid.safeParse(id).success).toBe(true);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
  });

  it('sorts in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries the time in its first 48 bits', () => {
    const id = uuidv7(Date.UTC(2030, 0, 1));
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(Date.UTC(2030, 0, 1));
  });
});
