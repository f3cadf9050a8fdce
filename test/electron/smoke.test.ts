import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../e2e/renderer-build.js';
import { findElectronBinary } from './electron-binary.js';

const binary = findElectronBinary(join(repoRoot, 'node_modules', 'electron'), process.env);
if ('reason' in binary) {
  process.stderr.write(`Electron smoke test skipped: ${binary.reason}\n`);
}

describe.skipIf('reason' in binary)('the Electron app (smoke)', () => {
  it('opens the window, and the renderer reaches the service only through the preload bridge', async () => {
    for (const args of [
      ['run', 'build:node'],
      ['exec', 'electron-vite', 'build'],
    ]) {
      const built = spawnSync('npm', args, { cwd: repoRoot, encoding: 'utf8' });
      expect(built.status, `${args.join(' ')}: ${built.stderr}`).toBe(0);
    }
    const state = await mkdtemp(join(tmpdir(), 'histo-fetch-electron-'));
    const app = await electron.launch({
      executablePath: (binary as { path: string }).path,
      args: [repoRoot],
      env: { ...process.env, HISTO_FETCH_STATE_DIR: state },
    });
    try {
      const page = await app.firstWindow();
      await page.getByRole('status').filter({ hasText: 'app · connected' }).waitFor();
      const seen = await page.evaluate(async () => {
        const g = globalThis as unknown as {
          require?: unknown;
          process?: unknown;
          histoFetch: { kind: string; call(method: string, request: unknown): Promise<unknown> };
        };
        return {
          require: typeof g.require,
          process: typeof g.process,
          bridge: g.histoFetch.kind,
          created: await g.histoFetch.call('datasets.create', { name: 'H&E' }),
          refused: await g.histoFetch.call('datasets.list', { sneaky: 1 }),
        };
      });
      expect(seen).toMatchObject({
        require: 'undefined',
        process: 'undefined',
        bridge: 'electron',
        created: { ok: true, value: { domain: { name: 'H&E' } } },
        refused: { ok: false, error: { code: 'INVALID_REQUEST' } },
      });
      await page.screenshot({ path: join(repoRoot, 'test-output', 'electron', 'window.png') });
    } finally {
      await app.close();
      await rm(state, { recursive: true, force: true });
    }
  });
});
