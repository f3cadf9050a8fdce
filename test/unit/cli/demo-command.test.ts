import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const LAUNCHER = fileURLToPath(new URL('../../../bin/histo-fetch.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'histo-fetch-demo-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('histo-fetch demo', () => {
  it('trains on the bundled slides for the minutes given, then prints the run folder and its latest sample grid', async () => {
    const run = join(root, 'run');
    const args = ['demo', '--minutes', '0.05', '--preset', 'tiny', '--run', run, '--backend', 'cpu'];
    const result = await cli([...args, '--workers', '1', '--cache', join(root, 'cache')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^slide {5}HE\/cmu-1-small-region\.svs: aperio, 2220 x 2967 px/m);
    expect(result.stdout).toMatch(/^mask {6}.*ndpi-dapi\.ndpi: ok .*\(fluorescence: saturation; /m);
    expect(result.stdout).toContain('training  for 0.05 min of wall time, then stopping with a checkpoint');
    expect(result.stdout).toMatch(/stopped at step \d+\n/);
    expect(result.stdout).toContain(`run folder        ${run}\n`);
    const sample = /^latest samples {4}(.+\.png)$/m.exec(result.stdout)?.[1];
    expect(sample, result.stdout).toMatch(new RegExp(`^${run}/samples/\\d+\\.png$`));
    expect(existsSync(sample!)).toBe(true);
    // A PNG, not an empty or half-written file.
    const png = await readFile(sample!);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.byteLength).toBeGreaterThan(1000);
  });
});
