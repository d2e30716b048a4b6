import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 of the UTF-8 bytes, hex. The one-shot `hash` builds no Hash stream object (4× faster). */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/** 256 bits from the CSPRNG, base64url. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time equality of two hex digests (or any equal-length strings). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

let lastMs = 0;
let sequence = 0;

/**
 * A UUIDv7 (RFC 9562): 48 bits of milliseconds, then a 12-bit sequence that orders ids made in
 * the same millisecond by this process, then random bits. Ids sort by creation time, so
 * "newest first" is exact even within a millisecond, and inserts stay at the end of the index.
 */
export function uuidv7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    lastMs += 1;
    sequence = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A keyed hash (HMAC-SHA256, 128 bits as hex) of a text that must not be recoverable by a dictionary. */
export const keyedHex = (key: Buffer, text: string): string =>
  createHmac('sha256', key).update(text).digest('hex').slice(0, 32);
