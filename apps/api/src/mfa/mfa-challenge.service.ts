import { Injectable } from '@nestjs/common';
import type { Actor } from '../auth/principal.js';
import { randomSecret, sha256Hex } from '../common/crypto.js';
import type { Transaction } from '../infra/database/transaction-runner.js';
import { ApiError } from '../infra/http/api-error.js';
import type { MfaChallengeEntity } from './mfa-challenge.entity.js';
import { MfaChallengeRepository } from './mfa-challenge.repository.js';

/** A challenge lives this long (API.md: 5 minutes). */
export const CHALLENGE_LIFETIME_MS = 5 * 60_000;
/** Codes one challenge may be answered with; the account lock counts them as well. */
export const CHALLENGE_ATTEMPTS = 5;

/** Unknown, used, worn out by wrong codes, or presented by another client: sign in again. */
export const invalidChallenge = () =>
  new ApiError('unauthorized', 'This sign-in challenge is not valid (any more): sign in again');

/** The client a challenge was given to: its ip and user agent. */
type Client = Pick<Actor, 'ip' | 'userAgent'>;

/**
 * Sign-in's second step: a right password for a user with a second factor gives a challenge (256
 * random bits, stored as SHA-256) instead of a session. It keeps what the sign-in asked for (the
 * session's expiration) and who asked (ip, user agent), and is completed once.
 */
@Injectable()
export class MfaChallengeService {
  constructor(private readonly challenges: MfaChallengeRepository) {}

  async create(userId: string, expiration: number, client: Client): Promise<{ challenge: string; expiresAt: number }> {
    const challenge = randomSecret();
    const now = Date.now();
    const expiresAt = now + CHALLENGE_LIFETIME_MS;
    await this.challenges.insert(
      {
        challengeHash: sha256Hex(challenge),
        userId,
        expiration,
        ip: client.ip,
        userAgent: client.userAgent,
        attempts: 0,
        createdAt: now,
        expiresAt,
        usedAt: null,
      },
      now,
    );
    return { challenge, expiresAt };
  }

  /** The challenge as this client may still complete it: 401 `unauthorized`, or `token_expired` when too late. */
  async open(challenge: string, client: Client): Promise<MfaChallengeEntity> {
    const found = await this.challenges.findByHash(sha256Hex(challenge));
    if (!found || found.usedAt !== null || found.ip !== client.ip || found.userAgent !== client.userAgent) {
      throw invalidChallenge();
    }
    if (Date.now() >= found.expiresAt)
      throw new ApiError('token_expired', 'The sign-in challenge expired: sign in again');
    return found;
  }

  /** Counts one code against the challenge; 401 once it has had its attempts. */
  async countAttempt(challenge: MfaChallengeEntity): Promise<void> {
    if (!(await this.challenges.countAttempt(challenge.challengeHash, CHALLENGE_ATTEMPTS))) throw invalidChallenge();
  }

  /** Completes the challenge in the transaction that makes the session; 401 when another request did. */
  async complete(tx: Transaction, challenge: MfaChallengeEntity): Promise<void> {
    if (!(await this.challenges.use(tx, challenge.challengeHash, Date.now()))) throw invalidChallenge();
  }
}
