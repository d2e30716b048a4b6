import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONFIG, type Config } from '../config/config.js';
import { openDatabase } from './data-source.js';

/** Opens the database (running pending migrations) and closes it on shutdown. */
@Global()
@Module({
  providers: [{ provide: DataSource, inject: [CONFIG], useFactory: (config: Config) => openDatabase(config.database) }],
  exports: [DataSource],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
