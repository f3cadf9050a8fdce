import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInitialValues } from '../../../src-main/core/training/models/parameters.js';
import { createProganGenerator } from '../../../src-main/core/training/models/progan.js';
import { proganPreset } from '../../../src-main/core/training/presets.js';
import { exportGenerator } from '../../../src-main/core/training/weights.js';
import { Rng } from '../../../src-main/core/util/rng.js';
import { SLIDES, trainTinyCyclegan } from '../core/inference/tiny-cyclegan.js';
import { useBackend } from '../core/training/helpers.js';
import { spawnCli } from './spawn-cli.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-evaluate-cli-'));
  await useBackend('wasm');
  await trainTinyCyclegan(folder, 10);
  const network = proganPreset('tiny').network;
  const progan = createProganGenerator(network, randomInitialValues(new Rng(1)), 'generatorEma');
  await exportGenerator(progan, { model: 'progan-generator', config: network }, join(folder, 'progan'));
  progan.dispose();
  // One folder per domain: H&E (A) and DAPI (B), as slide folders of held-out slides.
  for (const [domain, slide] of [
    ['he', 'cmu-1-small-region.svs'],
    ['dapi', 'ndpi-dapi.ndpi'],
  ] as const) {
    await mkdir(join(folder, domain));
    await symlink(join(SLIDES, slide), join(folder, domain, slide));
  }
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const common = (): string[] => [
  '--downsample',
  '4',
  '--count',
  '16',
  '--backend',
  'wasm',
  '--cache',
  join(folder, 'cache'),
];

describe('histo-fetch evaluate', () => {
  it('prints cycle errors and per-level SWDs of a CycleGAN on held-out slides', async () => {
    const result = await spawnCli([
      'evaluate',
      '--generator-ab',
      join(folder, 'AtoB'),
      '--generator-ba',
      join(folder, 'BtoA'),
      '--held-out-a',
      join(folder, 'he'),
      '--held-out-b',
      join(folder, 'dapi'),
      '--size',
      '32',
      '--json',
      ...common(),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { metrics, count } = JSON.parse(result.stdout) as {
      metrics: Record<string, number>;
      count: number;
    };
    expect(count).toBe(16);
    expect(Object.keys(metrics)).toEqual([
      'eval/cycleErrorA',
      'eval/cycleErrorB',
      'eval/swdAB',
      'eval/swdAB@32',
      'eval/swdAB@16',
      'eval/swdBA',
      'eval/swdBA@32',
      'eval/swdBA@16',
    ]);
    // Errors on the [-1, 1] scale lie in [0, 2]; distances are positive.
    expect(metrics['eval/cycleErrorA']).toBeGreaterThan(0);
    expect(metrics['eval/cycleErrorA']).toBeLessThan(2);
    expect(metrics['eval/swdAB']).toBeGreaterThan(0);
  });

  it('prints the SWD of a ProGAN generator against real slides at its resolution', async () => {
    const result = await spawnCli([
      'evaluate',
      '--generator',
      join(folder, 'progan'),
      '--real',
      join(folder, 'he'),
      ...common(),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^eval\/swd +\d+\.\d{4}\neval\/swd@16 +\d+\.\d{4}\n\(progan at 16 px; masks real otsu-red; 16 patches per set, wasm\)\n$/,
    );
  });

  it('masks the real slides with the detector --detector gives (fluorescence: saturation)', async () => {
    const args = ['evaluate', '--generator', join(folder, 'progan'), '--real', join(folder, 'dapi')];
    const result = await spawnCli([...args, '--detector', 'saturation', ...common()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('(progan at 16 px; masks real saturation; 16 patches per set, wasm)');
    const unknown = await spawnCli([...args, '--detector', 'DAPI=saturation', ...common()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--detector 'DAPI=saturation': no domain named 'DAPI' (domains: real)");
  });

  it('asks for one kind of generator and the field of view', async () => {
    const neither = await spawnCli(['evaluate', '--downsample', '4']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain(
      'give one of --run, --generator (ProGAN), or --generator-ab and --generator-ba (CycleGAN)',
    );
    const noScale = await spawnCli([
      'evaluate',
      '--generator',
      join(folder, 'progan'),
      '--real',
      join(folder, 'he'),
    ]);
    expect(noScale.code).toBe(2);
    expect(noScale.stderr).toContain('--downsample or --mpp');
    const half = await spawnCli(['evaluate', '--generator-ab', join(folder, 'AtoB'), ...common()]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('option --generator-ba is required for a CycleGAN');
  });
});
