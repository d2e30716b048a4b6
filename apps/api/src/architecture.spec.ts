import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('.', import.meta.url));
const TESTS = fileURLToPath(new URL('../test/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The frameworks and drivers whose insides the code must not reach into. */
const GUARDED = /^(@nestjs\/[^/]+|typeorm|fastify|pg|better-sqlite3)(\/.*)?$/;

/** Private members of TypeORM's drivers and query runners that hot paths used to read. */
const DRIVER_PRIVATES = /\bdatabaseConnection\b|\bstmtCache\b|\.master\b|\.driver\s+as\b/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** A package's public subpaths: the named entries of its exports map, not its wildcards nor `./internal`. */
function publicSubpaths(pkg: string): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown> | string;
  };
  if (manifest.exports === undefined || typeof manifest.exports === 'string') return [];
  return Object.keys(manifest.exports)
    .filter((key) => key !== '.' && !key.includes('*') && key !== './internal' && key !== './package.json')
    .map((key) => `${pkg}/${key.slice(2)}`);
}

/** Every module a file imports, exports from, or loads with import() or require(). */
function specifiers(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

// This file names what it looks for, so it is not scanned itself.
const files = sourceFiles(SRC)
  .map((path) => ({ name: relative(SRC, path), text: readFileSync(path, 'utf8') }))
  .filter(({ name }) => name !== 'architecture.spec.ts');
/** The API tests: they drive the app from outside, so they too use only public API. */
const testFiles = sourceFiles(TESTS).map((path) => ({
  name: `test/${relative(TESTS, path)}`,
  text: readFileSync(path, 'utf8'),
}));

describe('the api reaches Nest, TypeORM, Fastify and the drivers only through their public API', () => {
  it('scans the source', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('imports no internal path of @nestjs/*, typeorm, fastify, pg or better-sqlite3 (source and API tests)', () => {
    const allowed = new Map<string, string[]>();
    const internal: string[] = [];
    for (const { name, text } of [...files, ...testFiles]) {
      for (const specifier of specifiers(text)) {
        const match = GUARDED.exec(specifier);
        if (match?.[2] === undefined) continue;
        const pkg = match[1]!;
        if (!allowed.has(pkg)) allowed.set(pkg, publicSubpaths(pkg));
        if (!allowed.get(pkg)!.includes(specifier)) internal.push(`${name}: ${specifier}`);
      }
    }
    expect(internal).toEqual([]);
  });

  it('casts nothing into a private member of a framework or driver', () => {
    const casts: string[] = [];
    for (const { name, text } of files) {
      for (const [i, line] of text.split('\n').entries()) {
        // Specs may look into the project's own classes; the source may not cast its way anywhere.
        const cast = !name.endsWith('.spec.ts') && line.includes('as unknown as {');
        if (cast || DRIVER_PRIVATES.test(line)) casts.push(`${name}:${i + 1}: ${line.trim()}`);
      }
    }
    expect(casts).toEqual([]);
  });
});

/** The folder a source file belongs to: a capability (`sessions`), `infra`, `common`, or '' for the root. */
const folderOf = (name: string) => (name.includes('/') ? name.split('/')[0]! : '');

describe("the api's layers", () => {
  const source = files.filter(({ name }) => !name.endsWith('.spec.ts'));

  it('only repositories, entities, and infra/database (with migrations) import typeorm', () => {
    const allowed = (name: string) =>
      name.endsWith('.repository.ts') || name.endsWith('.entity.ts') || name.startsWith('infra/database/');
    const importers = source
      .filter(({ name, text }) => !allowed(name) && specifiers(text).some((s) => /^typeorm(\/|$)/.test(s)))
      .map(({ name }) => name);
    expect(importers).toEqual([]);
  });

  it('only modules (forFeature) and infra/database import @nestjs/typeorm', () => {
    const importers = source
      .filter(({ name }) => !name.endsWith('.module.ts') && !name.startsWith('infra/database/'))
      .filter(({ text }) => specifiers(text).includes('@nestjs/typeorm'))
      .map(({ name }) => name);
    expect(importers).toEqual([]);
  });

  it('infra/ and common/ import no capability (0 upward imports)', () => {
    const upward: string[] = [];
    for (const { name, text } of source.filter(({ name }) => ['infra', 'common'].includes(folderOf(name)))) {
      for (const specifier of specifiers(text).filter((s) => s.startsWith('.'))) {
        const target = normalize(join(dirname(name), specifier));
        if (!['infra', 'common'].includes(folderOf(target))) upward.push(`${name}: ${specifier}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("no capability imports another capability's repository", () => {
    const reaching: string[] = [];
    for (const { name, text } of source) {
      for (const specifier of specifiers(text).filter((s) => s.endsWith('.repository.js'))) {
        const target = normalize(join(dirname(name), specifier));
        if (folderOf(target) !== folderOf(name)) reaching.push(`${name}: ${specifier}`);
      }
    }
    expect(reaching).toEqual([]);
  });

  it('holds no SQL and makes no query call outside repositories and infra/database', () => {
    // TypeORM's query API, and the database handle's own statements and shared manager.
    const QUERY_CALL = /\.(getRepository|createQueryBuilder)\s*[<(]|\b(tx|m|manager)\.query\b|\bdb\.(query|manager)\b/;
    const SQL = /\b(SELECT\s.+\sFROM|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/;
    const holders = source
      .filter(({ name }) => !name.endsWith('.repository.ts') && !name.startsWith('infra/database/'))
      .filter(({ text }) => SQL.test(text) || QUERY_CALL.test(text))
      .map(({ name }) => name);
    expect(holders).toEqual([]);
  });
});
