import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../infra/database/transaction-runner.js';

/** What readiness asks of the database: that it answers a statement. */
@Injectable()
export class HealthRepository {
  constructor(private readonly db: TransactionRunner) {}

  /** Resolves when the database answers (on SQLite, after any transaction in flight). */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1', []);
  }
}
