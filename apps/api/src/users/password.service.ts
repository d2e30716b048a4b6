import { availableParallelism } from 'node:os';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { ApiError } from '../infra/http/api-error.js';
import { randomSecret } from '../common/crypto.js';
import { Limiter, QueueFull } from '../common/limiter.js';
import { CONFIG, type Config } from '../infra/config/config.js';
import { PasswordPolicy } from './password-policy.js';

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
const HASH_CONCURRENCY = Math.max(1, Math.min(availableParallelism(), POOL_SIZE - 1));

@Injectable()
export class PasswordService implements OnModuleInit {
  /** A real hash of a random password: checking it costs what a real check costs. */
  private dummyHash = '';
  private readonly hashing: Limiter;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly policy: PasswordPolicy,
  ) {
    this.hashing = new Limiter(HASH_CONCURRENCY, config.rateLimits.passwordQueuePerClient);
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await hash(randomSecret(), ARGON2_OPTIONS);
  }

  /**
   * `clients` (the caller's IP, the account) bound how many hashes each may have running or
   * waiting: past that, 429, so one caller flooding a hashing route cannot starve everyone's sign-in.
   */
  hash(password: string, clients: readonly string[] = []): Promise<string> {
    return this.inTurn(() => hash(password, ARGON2_OPTIONS), clients);
  }

  /** 400 `weak_password` when the policy refuses a password being set for an account. */
  check(password: string, email: string | null | undefined): void {
    this.policy.check(password, email);
  }

  /** Hashes a password being set for an account: 400 `weak_password` first when the policy refuses it. */
  hashNew(password: string, email: string | null | undefined, clients: readonly string[] = []): Promise<string> {
    this.policy.check(password, email);
    return this.hash(password, clients);
  }

  /**
   * Verifies a password; with no stored hash (unknown email, passwordless user) it still pays
   * for one verification so that response time tells nothing about the account.
   */
  async verify(storedHash: string | null, password: string, clients: readonly string[] = []): Promise<boolean> {
    const check = async () => {
      try {
        return (await verify(storedHash ?? this.dummyHash, password)) && storedHash !== null;
      } catch {
        return false;
      }
    };
    return this.inTurn(check, clients);
  }

  private async inTurn<T>(task: () => Promise<T>, clients: readonly string[]): Promise<T> {
    try {
      return await this.hashing.run(task, clients);
    } catch (error) {
      if (!(error instanceof QueueFull)) throw error;
      const message = 'Too many password checks at once from this client; try again in 1 s';
      throw new ApiError('too_many_requests', message, { retryAfter: 1 }, 429, { 'retry-after': '1' });
    }
  }
}
