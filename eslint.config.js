import { readdirSync, readFileSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const SERVER = ['@nestjs/*', 'typeorm', 'fastify', 'pg', 'better-sqlite3'];

/**
 * The project boundaries of ARCHITECTURE.md, by Nx tag, in the shape of Nx's module-boundary rule
 * (@nx/eslint-plugin does not install beside Nest 12): a project carrying `sourceTag` may import
 * only projects carrying one of `onlyDependOnLibsWithTags`, and none of `bannedExternalImports`.
 */
const depConstraints = [
  { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:shared'], bannedExternalImports: SERVER },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'], bannedExternalImports: SERVER },
  { sourceTag: 'type:dto', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:dto'], bannedExternalImports: ['zod'] },
];

/** The workspace's projects with their package name and Nx tags, read from their package.json. */
const projects = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8')).workspaces.map((root) => {
  const manifest = JSON.parse(readFileSync(new URL(`${root}/package.json`, import.meta.url), 'utf8'));
  return { root, name: manifest.name, tags: manifest.nx?.tags ?? [] };
});

/** The imports a project may not make under `depConstraints`, as `no-restricted-imports` patterns. */
function forbiddenImports(project) {
  const patterns = [];
  for (const constraint of depConstraints.filter((c) => project.tags.includes(c.sourceTag))) {
    const why = `${project.name} is tagged ${constraint.sourceTag}`;
    const others = projects.filter(
      (other) => other !== project && !other.tags.some((tag) => constraint.onlyDependOnLibsWithTags.includes(tag)),
    );
    if (others.length > 0) {
      const allowed = constraint.onlyDependOnLibsWithTags.join(', ');
      const rule = allowed ? `it may import only projects tagged ${allowed}` : 'it may import no other project';
      patterns.push({ group: others.map((o) => o.name), message: `${why}: ${rule}.` });
    }
    if (constraint.bannedExternalImports) {
      const message = `${why}: it must not depend on these packages.`;
      patterns.push({ group: constraint.bannedExternalImports, message });
    }
  }
  return patterns;
}

/** Imports a project may not make: another project by path, or one its tags forbid. */
const boundaries = (patterns) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: ['**/libs/*/src/**', '**/apps/*/src/**', '**/libs/*/dist/**'],
          message: 'Import another project by its package name (@tessera/...), never by path.',
        },
        ...patterns,
      ],
    },
  ],
});

/**
 * The api's layers (docs/architecture.md): only repositories, entities and `infra/database` reach
 * TypeORM; `infra/` and `common/` serve the capabilities and import none of them; a capability
 * reaches another only through its module's exported services, never its repositories.
 */
const API_CAPABILITIES = readdirSync(new URL('apps/api/src/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !['infra', 'common'].includes(entry.name))
  .map((entry) => entry.name);
const api = projects.find((project) => project.root === 'apps/api');
const apiLayers = ({ typeorm, capabilities, module = false }) => [
  ...forbiddenImports(api),
  {
    regex: '^\\.\\./.*\\.repository\\.js$',
    message: 'Another capability is reached through its exported services, not its repositories.',
  },
  ...(typeorm
    ? []
    : [
        {
          // A module may name @nestjs/typeorm (forFeature), nothing else of TypeORM.
          regex: module ? '^typeorm(/.*)?$' : '^(@nestjs/)?typeorm(/.*)?$',
          message: 'Only *.repository.ts, *.entity.ts and infra/database use TypeORM: ask a repository.',
        },
      ]),
  ...(capabilities
    ? []
    : [
        {
          group: API_CAPABILITIES.map((name) => `**/${name}/**`),
          message: 'infra/ and common/ import no capability: the capabilities import them.',
        },
      ]),
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'data/**',
      '.nx/**',
      'coverage/**',
      'test-results/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // Nest injects by the runtime class: a constructor parameter typed `type X` would lose its metadata.
      '@typescript-eslint/no-extraneous-class': 'off',
      ...boundaries([]),
    },
  },
  {
    files: ['apps/api/**/*.ts'],
    rules: {
      // Nest reads constructor parameter types at runtime, so they must stay value imports.
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    files: ['apps/api/test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      // Jest's asymmetric matchers (expect.any, expect.stringMatching) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  ...projects.map((project) => ({
    files: [`${project.root}/**/*.{ts,tsx}`],
    rules: boundaries(forbiddenImports(project)),
  })),
  {
    files: ['apps/api/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: boundaries(apiLayers({ typeorm: false, capabilities: true })),
  },
  {
    // A module registers its entities with TypeOrmModule.forFeature.
    files: ['apps/api/src/**/*.module.ts'],
    rules: boundaries(apiLayers({ typeorm: false, capabilities: true, module: true })),
  },
  {
    files: ['apps/api/src/**/*.repository.ts', 'apps/api/src/**/*.entity.ts'],
    rules: boundaries(apiLayers({ typeorm: true, capabilities: true })),
  },
  {
    files: ['apps/api/src/infra/**/*.ts', 'apps/api/src/common/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: boundaries(apiLayers({ typeorm: false, capabilities: false })),
  },
  {
    files: ['apps/api/src/infra/database/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: boundaries(apiLayers({ typeorm: true, capabilities: false })),
  },
  {
    // The specs of the tools (the boundary proof among them) run on Jest's globals.
    files: ['tools/**/*.spec.mjs'],
    languageOptions: { globals: { ...globals.jest } },
  },
);
