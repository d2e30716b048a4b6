import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { ServiceLogger } from './infra/logging/service-logger.js';
import { ConfigError, listeningUrl, loadConfig, type Config } from './infra/config/config.js';
import { createApp } from './app.js';

// Real environment variables win: Node's loader leaves variables that are already set alone.
if (existsSync('.env')) process.loadEnvFile('.env');

/** Why the server could not listen, in words naming the variable to change; undefined for other errors. */
function listenFailure(error: unknown, config: Config): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') {
    return `Port ${config.port} is already in use (${where}): stop the program using it, or set PORT to a free port.`;
  }
  if (code === 'EACCES') return `Port ${config.port} needs privileges (${where}): set PORT to 1024 or above.`;
  if (code === 'EADDRNOTAVAIL') return `${config.host} is not an address of this machine: set HOST to one that is.`;
  return undefined;
}

async function main(): Promise<void> {
  const config = loadConfig();
  // The process's one logger; createApp sets its levels from TESSERA_LOG_LEVEL.
  Logger.overrideLogger(new ServiceLogger());
  const app = await createApp(config);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    const failure = listenFailure(error, config);
    if (failure === undefined) throw error;
    await app.close();
    console.error(failure);
    process.exit(1);
  }
  const url = listeningUrl(config.host, app.getHttpServer().address(), config.port);
  const logger = new Logger('Tessera');
  const db = config.database.kind === 'sqlite' ? `SQLite file ${config.database.file}` : 'PostgreSQL';
  logger.log(`Web app  ${url}/`);
  logger.log(`API      ${url}/v1  (${db})`);
  logger.log(`Docs     ${url}/docs`);
  logger.log(`Health   ${url}/health/ready`);
  const inEnvFile = existsSync('.env') ? ' in .env' : '';
  if (config.bootstrap.adminEmail) {
    logger.log(`Admin    ${config.bootstrap.adminEmail} (password from TESSERA_ADMIN_PASSWORD${inEnvFile})`);
  }
  // Where the key is, never the key.
  if (config.bootstrap.rootApiKey) logger.log(`API key  an admin key, the secret in TESSERA_ROOT_API_KEY${inEnvFile}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
