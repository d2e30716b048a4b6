#!/usr/bin/env node
// `npm start`: first-run setup (a demo .env), build every project, then run the API.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_MAIN, NODE_FLAGS } from './api-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.chdir(root);

if (!existsSync('.env')) {
  copyFileSync('.env.example', '.env');
  console.log(
    'Created .env from .env.example (a demo admin; edit it, or set real environment variables, which always win).',
  );
}

const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], {
  stdio: 'inherit',
  env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
});
if (build.status !== 0) process.exit(build.status ?? 1);

// The server's Node flags (docs/architecture.md, decision record 4), as every tool that starts the API uses them.
const api = spawn(process.execPath, [...NODE_FLAGS, API_MAIN], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => api.kill(signal));
api.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
