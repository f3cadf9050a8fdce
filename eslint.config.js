// ESLint flat config. The layer rules below are DESIGN.md's import rules, enforced per folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/**
 * Builds a no-restricted-imports rule that forbids the given path groups, and the `electron` package
 * unless the layer is the Electron shell.
 */
function forbid(groups, message, { electron = false } = {}) {
  return {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: groups, message }], paths: electron ? [] : [{ name: 'electron', message }] },
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'out/**',
      'test-output/**',
      'bench-output/**',
      '.cache/**',
      'src-main/native/openslide/build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,vue}'],
    languageOptions: {
      parser: vueParser,
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
      globals: { ...globals.browser },
    },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'electron', 'sharp', '@tensorflow/*'],
              message: 'The renderer imports only contract types (DESIGN.md).',
            },
            {
              // A regex: a gitignore-style negation cannot re-allow src-main/contract.
              regex: 'src-main/(?!contract/)',
              message: 'The renderer imports only contract types (DESIGN.md).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: forbid(
      [
        '**/native/**',
        '**/contract/**',
        '**/service/**',
        '**/electron/**',
        '**/server/**',
        '**/cli/**',
        '**/src-renderer/**',
      ],
      'core imports only core; the native binding only through core/slide (DESIGN.md).',
    ),
  },
  {
    // The binding's one door: everything else reaches OpenSlide through core/slide's typed facade.
    files: ['src-main/core/slide/**/*.ts'],
    rules: forbid(
      [
        '**/contract/**',
        '**/service/**',
        '**/electron/**',
        '**/server/**',
        '**/cli/**',
        '**/src-renderer/**',
      ],
      'core imports only core and native (DESIGN.md).',
    ),
  },
  {
    files: ['src-main/native/**/*.ts'],
    rules: forbid(
      ['**/core/**', '**/contract/**', '**/service/**', '**/electron/**', '**/server/**', '**/cli/**'],
      'native imports nothing of ours (DESIGN.md).',
    ),
  },
  {
    files: ['src-main/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            // A regex: gitignore-style negations ('!./*') never match relative specifiers.
            { regex: '^(?!\\./[^/]+$)', message: 'contract imports nothing (DESIGN.md).' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/service/**/*.ts'],
    rules: forbid(
      ['**/native/**', '**/electron/**', '**/server/**', '**/cli/**', '**/src-renderer/**'],
      'service imports core and contract only (DESIGN.md).',
    ),
  },
  {
    files: ['src-main/electron/**/*.ts'],
    rules: forbid(
      ['**/core/**', '**/native/**', '**/server/**', '**/cli/**', '**/src-renderer/**'],
      'the Electron shell imports contract and service only, plus electron and node builtins (DESIGN.md).',
      { electron: true },
    ),
  },
  {
    files: ['src-main/server/**/*.ts'],
    rules: forbid(
      ['**/core/**', '**/native/**', '**/electron/**', '**/cli/**', '**/src-renderer/**'],
      'the server is a thin shell over service and contract (DESIGN.md).',
    ),
  },
  {
    // A deliberate exception to "shells are thin layers over service": the CLI is the headless shell
    // over core's jobs (masks, sample, train, translate) and runs on GPU servers without the service, so
    // it imports core directly. It still never touches the binding (only through core/slide), Electron or
    // the renderer; `serve` starts the server, hence server.
    files: ['src-main/cli/**/*.ts'],
    rules: forbid(
      ['**/native/**', '**/electron/**', '**/src-renderer/**'],
      'the CLI imports service, server, contract and core, never native, electron or the renderer (DESIGN.md).',
    ),
  },
  prettier,
);
