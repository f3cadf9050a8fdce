import { defineConfig } from 'vitest/config';

// Forks, not threads: the OpenSlide addon and TF.js keep native state per process.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
