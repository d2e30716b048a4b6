// The project boundaries are lint errors: each case lints one import as if written in a project's
// source, with the workspace's own eslint.config.js (the table of Nx tags and forbidden imports).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Only the boundary rule runs, so no type information is needed and no program is built.
const eslint = new ESLint({
  cwd: ROOT,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

/** The lint messages for `import ... from '<specifier>'` in a new file at `file`. */
async function messages(file, specifier) {
  const code = `import * as imported from '${specifier}';\nexport const used = imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const SHARED_ONLY = 'it may import only projects tagged scope:shared.';
const NO_PROJECT = 'it may import no other project.';
const BANNED = 'it must not depend on these packages.';
const BY_PATH = 'Import another project by its package name (@tessera/...), never by path.';

describe('project boundaries (Nx tags -> forbidden imports)', () => {
  it.each([
    ['libs/dto/src/fixture.ts', '@tessera/api', '@tessera/dto is tagged scope:shared', SHARED_ONLY],
    ['libs/dto/src/fixture.ts', '@tessera/client', '@tessera/dto is tagged type:dto', NO_PROJECT],
    ['libs/dto/src/fixture.ts', '@nestjs/common', '@tessera/dto is tagged scope:shared', BANNED],
    ['libs/client/src/fixture.ts', '@tessera/api', '@tessera/client is tagged scope:shared', SHARED_ONLY],
    ['libs/client/src/fixture.ts', 'zod', '@tessera/client is tagged type:client', BANNED],
    ['apps/web/src/fixture.tsx', '@tessera/api', '@tessera/web is tagged scope:web', SHARED_ONLY],
    ['apps/web/test/fixture.ts', 'typeorm', '@tessera/web is tagged scope:web', BANNED],
    ['apps/api/src/fixture.ts', '@tessera/web', '@tessera/api is tagged scope:api', SHARED_ONLY],
  ])('%s may not import %s (%s)', async (file, specifier, tagged, rule) => {
    const restricted = `no-restricted-imports: '${specifier}' import is restricted from being used by a pattern.`;
    expect(await messages(file, specifier)).toContain(`${restricted} ${tagged}: ${rule}`);
  });

  it.each([
    ['apps/api/src/fixture.ts', '../../../libs/dto/src/index.js'],
    ['apps/web/src/fixture.tsx', '../../../libs/client/dist/index.js'],
  ])('%s may not import %s: another project by path', async (file, specifier) => {
    expect((await messages(file, specifier)).join('\n')).toContain(BY_PATH);
  });

  it.each([
    ['libs/dto/src/fixture.ts', 'zod'],
    ['libs/client/src/fixture.ts', '@tessera/dto'],
    ['apps/web/src/fixture.tsx', '@tessera/client'],
    ['apps/api/src/fixture.ts', '@tessera/dto'],
    ['apps/api/test/fixture.ts', '@tessera/client'],
    ['apps/api/src/fixture.ts', '@nestjs/common'],
  ])('%s may import %s', async (file, specifier) => {
    expect(await messages(file, specifier)).toEqual([]);
  });
});

describe("the api's layers (repositories, infra, capabilities)", () => {
  const TYPEORM = 'Only *.repository.ts, *.entity.ts and infra/database use TypeORM: ask a repository.';
  const UPWARD = 'infra/ and common/ import no capability: the capabilities import them.';
  const REPOSITORY = 'Another capability is reached through its exported services, not its repositories.';

  it.each([
    ['apps/api/src/sessions/fixture.service.ts', 'typeorm', TYPEORM],
    ['apps/api/src/sessions/fixture.controller.ts', '@nestjs/typeorm', TYPEORM],
    ['apps/api/src/infra/http/fixture.ts', 'typeorm', TYPEORM],
    ['apps/api/src/infra/http/fixture.ts', '../../auth/auth.service.js', UPWARD],
    ['apps/api/src/infra/database/fixture.ts', '../../users/user.entity.js', UPWARD],
    ['apps/api/src/common/fixture.ts', '../sessions/session.service.js', UPWARD],
    ['apps/api/src/admin/fixture.service.ts', '../users/user.repository.js', REPOSITORY],
  ])('%s may not import %s', async (file, specifier, rule) => {
    expect((await messages(file, specifier)).join('\n')).toContain(rule);
  });

  it.each([
    ['apps/api/src/sessions/fixture.repository.ts', 'typeorm'],
    ['apps/api/src/sessions/fixture.entity.ts', 'typeorm'],
    ['apps/api/src/sessions/fixture.module.ts', '@nestjs/typeorm'],
    ['apps/api/src/infra/database/fixture.ts', 'typeorm'],
    ['apps/api/src/sessions/fixture.service.ts', './session.repository.js'],
    ['apps/api/src/admin/fixture.service.ts', '../users/user.service.js'],
    ['apps/api/src/users/fixture.service.ts', '../infra/database/transaction-runner.js'],
  ])('%s may import %s', async (file, specifier) => {
    expect(await messages(file, specifier)).toEqual([]);
  });
});
