import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Imports a project may not make: enforces the boundaries of ARCHITECTURE.md. */
const boundaries = (patterns) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: ['**/libs/*/src/**', '**/apps/*/src/**', '**/libs/*/dist/**'], message: 'Import another project by its package name (@tessera/...), never by path.' },
        ...patterns,
      ],
    },
  ],
});
const serverOnly = { group: ['@nestjs/*', 'typeorm', 'fastify', 'pg', 'better-sqlite3', '@tessera/api'], message: 'Shared and browser code must not depend on the server.' };

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', '.nx/**', 'coverage/**', 'test-results/**', 'bench/results/**'] },
  js.configs.recommended,
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
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
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
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
  { files: ['libs/dto/**/*.ts'], rules: boundaries([serverOnly, { group: ['@tessera/client'], message: 'dto depends on nothing of ours.' }]) },
  { files: ['libs/client/**/*.ts'], rules: boundaries([serverOnly, { group: ['zod'], message: 'The client imports types from @tessera/dto, not schemas.' }]) },
  { files: ['apps/web/**/*.{ts,tsx}'], rules: boundaries([serverOnly]) },
);
