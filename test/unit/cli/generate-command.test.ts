import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInitialValues } from '../../../src-main/core/training/models/parameters.js';
import { createProganGenerator } from '../../../src-main/core/training/models/progan.js';
import { proganPreset } from '../../../src-main/core/training/presets.js';
import { exportGenerator } from '../../../src-main/core/training/weights.js';
import { Rng } from '../../../src-main/core/util/rng.js';
import { useBackend } from '../core/training/helpers.js';
import { spawnCli } from './spawn-cli.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-generate-cli-'));
  await useBackend('cpu');
  const network = proganPreset('tiny').network;
  const generator = createProganGenerator(network, randomInitialValues(new Rng(2)), 'generatorEma');
  await exportGenerator(generator, { model: 'progan-generator', config: network }, join(folder, 'ema'));
  generator.dispose();
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('histo-fetch generate', () => {
  it('writes seeded PNGs, a grid and an interpolation strip at the resolution the generator grew to', async () => {
    // As the trainer exports a generator stopped while fading in 8 px.
    await writeFile(join(folder, 'ema', 'training.json'), JSON.stringify({ resolution: 8, alpha: 0.5 }));
    const out = join(folder, 'images');
    const args = [
      'generate',
      '--generator',
      join(folder, 'ema'),
      '--out',
      out,
      '--count',
      '3',
      '--backend',
      'cpu',
    ];
    const result = await spawnCli([...args, '--grid', '--interpolate', '4', '--seed', '5']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`3 images of 8 px in ${out} from ema (seed 5, cpu)`);
    expect((await readdir(out)).sort()).toEqual([
      '000000.png',
      '000001.png',
      '000002.png',
      'grid.png',
      'interpolation.png',
    ]);
    const size = async (name: string): Promise<number[]> => {
      const m = await sharp(join(out, name)).metadata();
      return [m.width!, m.height!];
    };
    expect(await size('000000.png')).toEqual([8, 8]);
    expect(await size('grid.png')).toEqual([2 * 8 + 2, 2 * 8 + 2]);
    expect(await size('interpolation.png')).toEqual([4 * 8 + 3 * 2, 8]);
    const full = await spawnCli([
      ...args.slice(0, 3),
      '--out',
      join(folder, 'full'),
      '--resolution',
      '16',
      '--json',
    ]);
    expect(full.code, full.stderr).toBe(0);
    expect(JSON.parse(full.stdout)).toMatchObject({ resolution: 16, alpha: 1, grid: null });
  });

  it('refuses bad requests with a clear message', async () => {
    const base = ['generate', '--generator', join(folder, 'ema'), '--out', join(folder, 'x')];
    const frames = await spawnCli([...base, '--interpolate', '1']);
    expect(frames.code).toBe(2);
    expect(frames.stderr).toContain('--interpolate needs at least 2 frames, not 1');
    const resolution = await spawnCli([...base, '--resolution', '64']);
    expect(resolution.code).toBe(2);
    expect(resolution.stderr).toContain('power of 2 from 4 to 16 but received 64');
    const missing = await spawnCli([
      'generate',
      '--generator',
      join(folder, 'nothing'),
      '--out',
      join(folder, 'y'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read model.json/);
  });
});
