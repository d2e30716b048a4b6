import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBuiltApi, type RunningProcess } from '../../../tools/scripts/api-process.mjs';
import { TestStore, describeEachDatabase } from './harness.js';
import { ROOT } from './process.js';

// The README's examples run as a newcomer runs them after the Quick start: the built server as its
// own process, in a folder holding `.env.example` as `.env` (what `npm start` does), with fresh data.

const run = promisify(execFile);
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** Where the README's examples reach the server; the tests' servers listen on a free port instead. */
const README_ORIGIN = 'http://127.0.0.1:3000';

interface CodeBlock {
  section: string;
  lang: string;
  code: string;
}

/** The fenced code blocks of a Markdown text, each with the heading it stands under. */
function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const heading = /^#{1,6} (.+)/.exec(lines[i]!);
    if (heading) section = heading[1]!;
    const fence = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const start = i + 1;
    do i++;
    while (i < lines.length && lines[i] !== '```');
    blocks.push({ section, lang: fence[1]!, code: lines.slice(start, i).join('\n') });
  }
  return blocks;
}

interface Expected {
  command: string;
  /** The status the README gives in a `# NNN` comment on the command or the line after it; else any 2xx. */
  status?: number;
  /** A JSON body given after that status, which the answer must contain. */
  body?: unknown;
}

/** What each curl command of a shell block should answer, from the README's own comments. */
function expectedAnswers(code: string): Expected[] {
  const lines = code.replace(/\\\n/g, ' ').split('\n');
  const expected: Expected[] = [];
  lines.forEach((line, i) => {
    const command = line.replace(/\s#.*$/, '');
    if (line.trimStart().startsWith('#') || !/\bcurl\b/.test(command)) return;
    const note = /\s#\s*(\d{3})\b(.*)$/.exec(line) ?? /^\s*#\s*(\d{3})\b(.*)$/.exec(lines[i + 1] ?? '');
    const json = note && /\{.*\}/.exec(note[2]!)?.[0];
    let body: unknown;
    try {
      body = json ? JSON.parse(json) : undefined;
    } catch {
      body = undefined; // prose such as `{session, user}`
    }
    expected.push({ command: command.trim(), status: note ? Number(note[1]) : undefined, body });
  });
  return expected;
}

/** Sourced before each shell block: stops at a failing command or unset variable, records each curl answer. */
const CURL_RECORDER = join(ROOT, 'apps/api/test/curl-recorder.sh');

/** The environment of the programs the test runs: no npm_* variables of the test command's own npm. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return { ...env, ...extra };
}

const demoSettings = readFileSync(join(ROOT, '.env.example'), 'utf8');
const demoRootKey = /^TESSERA_ROOT_API_KEY=(.+)$/m.exec(demoSettings)?.[1];
const shellBlocks = codeBlocks(README).filter((block) => block.lang === 'sh' && /\bcurl\b/.test(block.code));
const clientExample = codeBlocks(README).find((block) => block.section === 'The typed client' && block.lang === 'ts');

describe('the README', () => {
  it('has curl examples for the server the Quick start starts, and .env.example a demo root key they use', () => {
    expect(shellBlocks.length).toBeGreaterThan(0);
    for (const block of shellBlocks) expect(block.code).toContain(README_ORIGIN);
    expect(demoRootKey).toMatch(/^tsk_\S{28,}$/);
    expect(shellBlocks.map((block) => block.code).join('\n')).toContain(demoRootKey);
    expect(clientExample?.code).toContain(`'${README_ORIGIN}'`);
  });
});

/** A project outside the workspace with the packed @tessera/dto and @tessera/client installed. */
interface OutsideProject {
  dir: string;
  packed: { name: string; filename: string; files: string[] }[];
  manifest(name: string): Record<string, unknown>;
  /** tsc over the README's client example and a wrong call: its exit code and output. */
  typeCheck: { code: number; stdout: string };
}

async function projectWithPackedClient(): Promise<OutsideProject> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-outside-'));
  for (const lib of ['dto', 'client']) {
    if (!existsSync(join(ROOT, 'libs', lib, 'dist/index.d.ts')))
      throw new Error(`libs/${lib} is not built: run npm run build`);
  }
  const pack = await run('npm', ['pack', '-w', 'libs/dto', '-w', 'libs/client', '--pack-destination', dir, '--json'], {
    cwd: ROOT,
    env: cleanEnv(),
  });
  const packed = (JSON.parse(pack.stdout) as { name: string; filename: string; files: { path: string }[] }[]).map(
    ({ name, filename, files }) => ({ name, filename, files: files.map((file) => file.path) }),
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'outside', private: true, type: 'module' }));
  // Only zod comes from outside the tarballs, and npm's cache has it from the workspace's install.
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packed.map((p) => `./${p.filename}`)],
    { cwd: dir, env: cleanEnv() },
  );
  // TypeScript and Node's types by path from the workspace: the project itself installs nothing else.
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2023',
        lib: ['es2023', 'dom'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        outDir: 'dist',
        typeRoots: [join(ROOT, 'node_modules/@types')],
        types: ['node'],
      },
      include: ['*.ts'],
    }),
  );
  // The README's client example (reaching each test's server instead of port 3000) and a wrong call,
  // type-checked together with the packages' own declarations (once: it takes seconds).
  writeFileSync(join(dir, 'example.ts'), clientExample!.code.replace(`'${README_ORIGIN}'`, 'process.env.TESSERA_URL!'));
  writeFileSync(
    join(dir, 'wrong.ts'),
    [
      "import { TesseraClient } from '@tessera/client';",
      "const tessera = new TesseraClient({ baseUrl: 'http://127.0.0.1:1' });",
      "export const wrong = () => tessera.check({ userId: 42, checks: [{ permission: 'x' }] });",
    ].join('\n'),
  );
  // Plain output whatever the terminal or FORCE_COLOR says: the test reads it line by line.
  const typeCheck = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--pretty', 'false'], {
    cwd: dir,
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  const manifest = (name: string) =>
    JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as Record<string, unknown>;
  return { dir, packed, manifest, typeCheck };
}

let outside: Promise<OutsideProject> | undefined;
/** Packed, installed and type-checked once for the whole file. */
const outsideProject = () => (outside ??= projectWithPackedClient());
afterAll(async () => {
  if (outside) rmSync((await outside).dir, { recursive: true, force: true });
});

describe('@tessera/client and @tessera/dto packed for other projects', () => {
  let project: OutsideProject;
  beforeAll(async () => {
    project = await outsideProject();
  }, 120_000);

  it('pack ESM, type declarations and a README each, and no tests', () => {
    expect(project.packed.map((p) => p.name)).toEqual(['@tessera/dto', '@tessera/client']);
    for (const { files } of project.packed) {
      expect(files).toEqual(expect.arrayContaining(['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
      expect(files.filter((file) => file.includes('.spec.') || file.includes('test-results'))).toEqual([]);
    }
  });

  it('install in a project outside the workspace, depending on each other and on zod only', () => {
    const client = project.manifest('@tessera/client');
    const dto = project.manifest('@tessera/dto');
    expect(client).toMatchObject({ type: 'module', exports: { '.': { types: './dist/index.d.ts' } } });
    expect(client.dependencies).toEqual({ '@tessera/dto': dto.version });
    expect(Object.keys(dto.dependencies as object)).toEqual(['zod']);
    expect(client.private).toBeUndefined();
  });

  it('type-check what they declare: the README example passes, a wrong call is a type error', () => {
    expect(project.typeCheck.code).toBe(2);
    expect(project.typeCheck.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^wrong\.ts\(3,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/),
    ]);
  });
});

describeEachDatabase('the README run as written after the Quick start', (db) => {
  const store = new TestStore(db);
  let api: RunningProcess;

  beforeAll(async () => {
    copyFileSync(join(ROOT, '.env.example'), join(store.dir, '.env'));
    const env: Record<string, string> = db === 'postgres' ? { DATABASE_URL: await store.databaseUrl() } : {};
    api = await startBuiltApi({ env, cwd: store.dir });
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await store.drop();
  });

  it('every curl block: each command answers what the README says, nothing on stderr', async () => {
    for (const block of shellBlocks) {
      const log = join(store.dir, 'curl.log');
      writeFileSync(log, '');
      const script = `source ${CURL_RECORDER}\n${block.code.replaceAll(README_ORIGIN, api.url)}`;
      const shell = await run('bash', ['-c', script], { cwd: store.dir, env: cleanEnv({ CURL_LOG: log }) }).catch(
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect({ section: block.section, exit: 'code' in shell ? shell.code : 0, stderr: shell.stderr }).toEqual({
        section: block.section,
        exit: 0,
        stderr: '',
      });
      const answers = readFileSync(log, 'utf8')
        .split('\x1e\n')
        .filter(Boolean)
        .map((record) => {
          const [status, ...body] = record.split('\n');
          return { status: Number(status), body: body.join('\n').trimEnd() };
        });
      const expected = expectedAnswers(block.code);
      expect(answers).toHaveLength(expected.length);
      expected.forEach((want, i) => {
        const got = answers[i]!;
        const what = `${want.command} answered ${got.status} ${got.body}`;
        if (want.status === undefined)
          expect({ what, ok: got.status >= 200 && got.status < 300 }).toEqual({ what, ok: true });
        else expect({ what, status: got.status }).toEqual({ what, status: want.status });
        if (want.body !== undefined) expect(JSON.parse(got.body)).toMatchObject(want.body as object);
      });
    }
  }, 60_000);

  // After the curl block, as the README orders them: the example uses its tenant and role.
  it('the typed client example, from the packed packages, runs', async () => {
    const project = await outsideProject();
    const example = await run(process.execPath, ['dist/example.js'], {
      cwd: project.dir,
      env: cleanEnv({ TESSERA_URL: api.url, TESSERA_API_KEY: demoRootKey! }),
    });
    expect(example.stdout).toContain('grace may edit invoices: true\n');
    expect(example.stdout).toMatch(/^expires at \d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    expect(example.stdout).toContain('refused after sign-out: true\n');
    expect(example.stderr).toBe('');
  }, 120_000);
});
