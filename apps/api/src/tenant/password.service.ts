import { availableParallelism } from 'node:os';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { randomSecret } from '../common/crypto.js';
import { Limiter } from '../common/limiter.js';

/** OWASP's argon2id recommendation: m=19 MiB, t=2, p=1. */
// Algorithm is a const enum (not importable as a value under isolatedModules): 2 is Argon2id.
const ARGON2ID = 2 as Algorithm.Argon2id;
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * Hashes run one per core this process may use, never more than libuv's pool less one thread.
 * More at once only share the same cores while their 19 MiB each evict one another from the CPU
 * caches (one at a time hashed 15-20 % faster than four at a time on one core), and they would
 * take every pool thread from file and DNS work.
 */
const POOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE) || 4;
export const HASH_CONCURRENCY = Math.max(1, Math.min(availableParallelism(), POOL_SIZE - 1));

@Injectable()
export class PasswordService implements OnModuleInit {
  /** A real hash of a random password: checking it costs what a real check costs. */
  private dummyHash = '';
  private readonly hashing = new Limiter(HASH_CONCURRENCY);

  async onModuleInit(): Promise<void> {
    this.dummyHash = await hash(randomSecret(), ARGON2_OPTIONS);
  }

  hash(password: string): Promise<string> {
    return this.hashing.run(() => hash(password, ARGON2_OPTIONS));
  }

  /**
   * Verifies a password; with no stored hash (unknown email, passwordless user) it still pays
   * for one verification so that response time tells nothing about the account.
   */
  async verify(storedHash: string | null, password: string): Promise<boolean> {
    if (storedHash === null) {
      await this.hashing.run(() => verify(this.dummyHash, password)).catch(() => false);
      return false;
    }
    try {
      return await this.hashing.run(() => verify(storedHash, password));
    } catch {
      return false;
    }
  }
}
