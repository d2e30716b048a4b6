import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../common/crypto.js';

/** Crockford's base32: no i, l, o or u, so a code read aloud or copied by hand survives. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 25 characters of 5 bits: 125 bits, shown as five groups of five. */
const LENGTH = 25;
const GROUP = 5;
export const RECOVERY_CODE_COUNT = 10;

/** A new recovery code, e.g. `7k2mq-…`: 125 random bits. */
export function newRecoveryCode(): string {
  // 256 is a multiple of 32: the low 5 bits of a random byte are uniform.
  const chars = [...randomBytes(LENGTH)].map((b) => ALPHABET[b & 31]!);
  const groups: string[] = [];
  for (let i = 0; i < LENGTH; i += GROUP) groups.push(chars.slice(i, i + GROUP).join(''));
  return groups.join('-');
}

/** A code as typed (any case, dashes or spaces, i/l for 1, o for 0) in its one canonical form. */
function canonical(code: string): string {
  return code
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
}

/** What is stored of a code and looked up when one is typed: the SHA-256 of its canonical form. */
export function recoveryCodeHash(code: string): string {
  return sha256Hex(canonical(code));
}
