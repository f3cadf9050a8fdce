import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSlide } from '../../../src-main/core/slide/index.js';
import { startTraining } from '../../../src-main/core/training/trainer/trainer.js';
import { STAIN_DOMAINS, slideDeps, tinyConfig, workspace } from '../core/training/trainer/fixtures.js';
import { spawnCli } from './spawn-cli.js';

const ws = workspace(STAIN_DOMAINS);
const cycleRun = join(ws.root, 'cyclegan-run');
const proganRun = join(ws.root, 'progan-run');

beforeAll(async () => {
  for (const [config, runDir] of [
    [
      tinyConfig(ws, {
        model: 'cyclegan',
        steps: 4,
        checkpointEvery: 4,
        // B is fluorescence: its masks (and translate's, from B) use the saturation detector.
        domains: [
          { name: 'A', folders: [ws.folder('A')] },
          { name: 'B', folders: [ws.folder('B')], detector: 'saturation' },
        ],
      }),
      cycleRun,
    ],
    [
      tinyConfig(ws, {
        model: 'progan',
        steps: 24,
        checkpointEvery: 24,
        domains: [
          { name: 'A', folders: [ws.folder('A')] },
          { name: 'B', folders: [ws.folder('B')], detector: 'saturation' },
        ],
      }),
      proganRun,
    ],
  ] as const) {
    expect((await startTraining({ config, runDir }, slideDeps(ws.cacheDir)).done).reason).toBe('completed');
  }
});
afterAll(() => ws.done());

const cache = (): string[] => ['--cache', ws.cacheDir, '--backend', 'wasm'];

describe('translate, generate and evaluate from a training run', () => {
  it("translate --run uses the run's latest generator of the direction, at the run's downsample", async () => {
    const out = join(ws.root, 'dapi-to-he.tif');
    const slide = join(ws.folder('B'), 'ndpi-dapi.ndpi');
    const args = ['translate', '--run', cycleRun, '--direction', 'BtoA', '--slide', slide, '--out', out];
    const result = await spawnCli([...args, '--tile', '64', '--overlap', '16', ...cache()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'translating ndpi-dapi.ndpi with cyclegan-run B -> A (step 4) at downsample 4',
    );
    expect(result.stderr).toContain('tissue mask: saturation (the source domain B)');
    expect(result.stdout).toContain(`${out}: 992x1216, 4 levels`);
    const translated = await openSlide(out);
    expect(translated.info.properties['tiff.ImageDescription']).toMatch(
      /\|run=cyclegan-run\|direction=B->A\|step=4\|/,
    );
    translated.close();
  });

  it('generate --run makes images at the resolution the run grew to', async () => {
    const out = join(ws.root, 'generated');
    const result = await spawnCli([
      'generate',
      '--run',
      proganRun,
      '--out',
      out,
      '--count',
      '2',
      '--backend',
      'cpu',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`2 images of 8 px in ${out} from progan-run (step 24)`);
    expect(await readdir(out)).toEqual(['000000.png', '000001.png']);
  });

  it('evaluate --run prints the metrics of either kind of run', async () => {
    const cycle = await spawnCli(['evaluate', '--run', cycleRun, '--count', '8', '--json', ...cache()]);
    expect(cycle.code, cycle.stderr).toBe(0);
    expect(cycle.stderr).toContain('evaluating on the training slides');
    const parsed = JSON.parse(cycle.stdout) as { generators: string; metrics: Record<string, number> };
    // Each domain's training slides are masked with the run's detector of that domain.
    expect(parsed.generators).toBe('cyclegan-run (step 4); masks A otsu-red, B saturation');
    expect(Object.keys(parsed.metrics)).toContain('eval/swdAB@24');
    const progan = await spawnCli(['evaluate', '--run', proganRun, '--count', '8', ...cache()]);
    expect(progan.code, progan.stderr).toBe(0);
    expect(progan.stdout).toMatch(
      /^eval\/swd +\d+\.\d+\neval\/swd@8 +\d+\.\d+\n\(progan-run \(step 24\) at 8 px; masks A otsu-red, B saturation; 8 patches per set, wasm\)\n$/,
    );
    // --detector NAME=D overrides one domain's run detector.
    const override = await spawnCli([
      'evaluate',
      '--run',
      proganRun,
      '--count',
      '8',
      '--detector',
      'A=saturation',
      ...cache(),
    ]);
    expect(override.code, override.stderr).toBe(0);
    expect(override.stdout).toContain('masks A saturation, B saturation;');
  });
});
