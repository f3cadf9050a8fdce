import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../e2e/renderer-build.js';
import { findElectronBinary } from './electron-binary.js';

describe('findElectronBinary', () => {
  let packageDir = '';
  beforeAll(async () => {
    packageDir = await mkdtemp(join(tmpdir(), 'histo-fetch-electron-pkg-'));
  });
  afterAll(async () => {
    await rm(packageDir, { recursive: true, force: true });
  });

  it('lets the smoke test skip without running the electron package, which would download', () => {
    // electron 45's index.js downloads the missing binary (~100 MB) when the package is required.
    const run = spawnSync('npx', ['vitest', 'run', 'test/electron/smoke.test.ts'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, DISPLAY: ':0' },
    });
    const output = run.stdout + run.stderr;
    expect(run.status, output).toBe(0);
    expect(output).not.toMatch(/Downloading Electron|fetch failed/);
    if (!existsSync(join(repoRoot, 'node_modules', 'electron', 'path.txt'))) {
      expect(output).toContain('Electron smoke test skipped');
      expect(output).toContain('path.txt is missing');
    }
  });

  it('finds the binary that path.txt names under dist/', async () => {
    await mkdir(join(packageDir, 'dist'), { recursive: true });
    await writeFile(join(packageDir, 'path.txt'), 'electron');
    expect(findElectronBinary(packageDir, { DISPLAY: ':0' }, 'linux')).toEqual({
      reason: expect.stringContaining('does not exist'),
    });
    await writeFile(join(packageDir, 'dist', 'electron'), '');
    await chmod(join(packageDir, 'dist', 'electron'), 0o755);
    expect(findElectronBinary(packageDir, { DISPLAY: ':0' }, 'linux')).toEqual({
      path: join(packageDir, 'dist', 'electron'),
    });
  });

  it('skips on Linux without an X display, naming xvfb-run', async () => {
    await mkdir(join(packageDir, 'dist'), { recursive: true });
    await writeFile(join(packageDir, 'path.txt'), 'electron');
    await writeFile(join(packageDir, 'dist', 'electron'), '');
    expect(findElectronBinary(packageDir, {}, 'linux')).toEqual({
      reason: expect.stringContaining('xvfb-run'),
    });
    expect(findElectronBinary(packageDir, {}, 'darwin')).toEqual({
      path: join(packageDir, 'dist', 'electron'),
    });
  });
});
