import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { Config } from '../config/config.js';

/** The Nest log levels of each TESSERA_LOG_LEVEL (`silent`: no logger at all). */
export const LOG_LEVELS: Record<Config['logLevel'], LogLevel[] | false> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
  silent: false,
};

/** Nest's own start-up lines: one per module and per route, and the two around them. */
const FRAMEWORK_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * The server process's logger (main.ts installs it; createApp sets its levels): Nest's console
 * logger with the framework's start-up chatter (over 200 lines) moved to `debug`, so the start log
 * at `info` fits a screen: warnings, the mail and admin set-up, and the URLs.
 */
export class ServiceLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) super.debug(message, ...rest);
    else super.log(message, ...rest);
  }

  override error(message: unknown, ...rest: unknown[]): void {
    // Nest logs a failed listen before rejecting; main.ts says it in words naming PORT or HOST.
    if (rest.at(-1) === 'NestApplication' && typeof message === 'string' && message.startsWith('Error: listen '))
      return;
    super.error(message, ...rest);
  }
}
