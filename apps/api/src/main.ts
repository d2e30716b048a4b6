import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { ConfigError, listeningUrl, loadConfig } from './infra/config/config.js';
import { createApp } from './app.js';

// Real environment variables win: Node's loader leaves variables that are already set alone.
if (existsSync('.env')) process.loadEnvFile('.env');

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  const url = listeningUrl(config.host, app.getHttpServer().address(), config.port);
  const logger = new Logger('Tessera');
  const db = config.database.kind === 'sqlite' ? `SQLite file ${config.database.file}` : 'PostgreSQL';
  logger.log(`Web app  ${url}/`);
  logger.log(`API      ${url}/v1  (${db})`);
  logger.log(`Docs     ${url}/docs`);
  logger.log(`Health   ${url}/health/ready`);
  if (config.bootstrap.adminEmail) {
    logger.log(
      `Admin    ${config.bootstrap.adminEmail} (password from TESSERA_ADMIN_PASSWORD${existsSync('.env') ? ' in .env' : ''})`,
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
