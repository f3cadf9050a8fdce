import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The software Vulkan driver scripts/setup-lavapipe.sh installs: every test process gets it, so any test
// that asks for a WebGPU adapter (software adapters allowed) runs on it instead of skipping.
const lavapipe = fileURLToPath(new URL('.cache/lavapipe/lvp_icd.json', import.meta.url));
const vulkanEnv: Record<string, string> =
  existsSync(lavapipe) && !process.env.VK_ICD_FILENAMES ? { VK_ICD_FILENAMES: lavapipe } : {};

// Forks, not threads: the OpenSlide addon and TF.js keep native state per process.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    env: vulkanEnv,
  },
});
