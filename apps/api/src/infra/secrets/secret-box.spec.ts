import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const key = randomBytes(32);

  it('opens what it sealed, in the same context only', () => {
    const box = new SecretBox(key);
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'totp:alice');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'totp:alice')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => box.open(sealed, 'totp:mallory')).toThrow();
  });

  it('seals the same value differently each time', () => {
    const box = new SecretBox(key);
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
  });

  it('refuses a tampered value', () => {
    const box = new SecretBox(key);
    const [v, kid, iv, body] = box.seal('secret', 'c').split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([v, kid, iv, flipped.toString('base64url')].join('.'), 'c')).toThrow();
  });

  it('rotates: a new key seals, the previous one still opens old values, a forgotten one does not', () => {
    const old = new SecretBox(key);
    const sealed = old.seal('secret', 'c');
    const next = randomBytes(32);
    expect(new SecretBox(next, [key]).open(sealed, 'c')).toBe('secret');
    expect(() => new SecretBox(next).open(sealed, 'c')).toThrow('unknown key');
    expect(new SecretBox(next, [key]).seal('secret', 'c').split('.')[1]).not.toBe(sealed.split('.')[1]);
  });
});
