// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const { builtinModules } = require('node:module');

/**
 * Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node built-ins, no
 * libraries with side effects. Activities may be imported only as types (`import type`),
 * which the SDK's proxyActivities needs.
 */
const workflowBoundary = {
  paths: [
    ...builtinModules
      .flatMap((m) => [m, `node:${m}`])
      .map((name) => ({
        name,
        message: 'Workflows are deterministic: Node built-ins are not allowed (do I/O in an activity).',
      })),
    ...['undici', 'pino', 'zod', 'yaml', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'].map(
      (name) => ({
        name,
        message: 'Not allowed in workflow code: move the side effect into an activity.',
      }),
    ),
  ],
  patterns: [
    {
      group: [
        '**/activities',
        '**/activities/**',
        '**/lib/scim/**',
        '**/lib/config/load*',
        '**/lib/logger',
        '**/engine/**',
      ],
      message: 'Workflows may import activities only with `import type`.',
      allowTypeImports: true,
    },
  ],
};

module.exports = tseslint.config(
  {
    ignores: ['node_modules/**', 'ui/**', 'dist/**', 'coverage/**', 'test-artifacts/**', 'bench/results/**', '**/*.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', workflowBoundary],
    },
  },
);
