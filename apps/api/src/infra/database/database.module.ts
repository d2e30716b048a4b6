import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Config } from '../config/config.js';
import { dataSourceOptions, openDatabase } from './data-source.js';
import { TransactionRunner } from './transaction-runner.js';

/**
 * Opens the database through `TypeOrmModule` (pending migrations run at start; TypeORM closes it on
 * shutdown). Each capability registers its own entities with `TypeOrmModule.forFeature`; the
 * TransactionRunner is how its repositories reach them.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(database: Config['database']): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(database),
            autoLoadEntities: true,
            retryAttempts: 0,
            toRetry: () => false,
          }),
          // A database that cannot be opened is a configuration error to report once, not to retry.
          dataSourceFactory: (options) => openDatabase(database, options!.entities, options),
        }),
      ],
      providers: [TransactionRunner],
      exports: [TransactionRunner],
    };
  }
}
