// ESLint flat config. The layer rules below are DESIGN.md's import rules, enforced per folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/** Builds a no-restricted-imports rule that forbids the given path groups. */
function forbid(groups, message) {
  return {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: groups, message }], paths: [{ name: 'electron', message }] },
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
      ['**/electron/**', '**/server/**', '**/cli/**', '**/src-renderer/**'],
      'service imports core and contract only (DESIGN.md).',
    ),
  },
  {
    files: ['src-main/server/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: forbid(
      ['**/electron/**', '**/src-renderer/**'],
      'shells are thin layers over service (DESIGN.md).',
    ),
  },
  prettier,
);
