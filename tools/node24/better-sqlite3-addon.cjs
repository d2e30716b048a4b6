// Preloaded (NODE_OPTIONS=--require) in `npm test`'s Node 24 run: the workspace's better-sqlite3 addon
// is built for the workspace's Node, so a Node with another ABI loads the build that
// tools/scripts/node24.mjs made for it from the same sources. Any other addon loads as usual.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = join(__dirname, 'node_modules/.better-sqlite3');
const marker = join(dir, 'built-for.json');
const builtFor = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : undefined;

if (builtFor?.abi === process.versions.modules) {
  const addon = join(dir, 'build/Release/better_sqlite3.node');
  const dlopen = process.dlopen;
  process.dlopen = function dlopenForThisNode(module, filename, ...rest) {
    const sqlite = /[\\/]better-sqlite3[\\/]build[\\/]Release[\\/]better_sqlite3\.node$/.test(filename);
    return dlopen.call(this, module, sqlite ? addon : filename, ...rest);
  };
}
