import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSlide } from '../../../src-main/core/slide/index.js';
import { randomInitialValues } from '../../../src-main/core/training/models/parameters.js';
import { createProganGenerator } from '../../../src-main/core/training/models/progan.js';
import { proganPreset } from '../../../src-main/core/training/presets.js';
import { exportGenerator } from '../../../src-main/core/training/weights.js';
import { Rng } from '../../../src-main/core/util/rng.js';
import { SLIDES, trainTinyCyclegan } from '../core/inference/tiny-cyclegan.js';
import { useBackend } from '../core/training/helpers.js';
import { spawnCli } from './spawn-cli.js';

const LAUNCHER = fileURLToPath(new URL('../../../bin/histo-fetch.js', import.meta.url));
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-translate-cli-'));
  await useBackend('wasm');
  await trainTinyCyclegan(folder, 10);
  const network = proganPreset('tiny').network;
  const progan = createProganGenerator(network, randomInitialValues(new Rng(1)), 'generatorEma');
  await exportGenerator(progan, { model: 'progan-generator', config: network }, join(folder, 'progan'));
  progan.dispose();
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function translateArgs(out: string, slide = 'cmu-1-small-region.svs', generator = 'AtoB'): string[] {
  return [
    'translate',
    '--generator',
    join(folder, generator),
    '--slide',
    join(SLIDES, slide),
    '--out',
    out,
    '--downsample',
    '4',
    '--tile',
    '64',
    '--overlap',
    '16',
    '--backend',
    'wasm',
    '--cache',
    join(folder, 'cache'),
  ];
}

describe('histo-fetch translate', () => {
  it('translates the tissue of a real slide into a TIFF OpenSlide opens, with the mpp beside it', async () => {
    const out = join(folder, 'cmu.tif');
    const result = await spawnCli(translateArgs(out));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${out}: 555x742, 3 levels, TIFF`);
    expect(result.stdout).toMatch(/mpp 1.996 x 1.996 \(also in cmu.tif.json\)/);
    // The mask was built and used: some tiles are background.
    expect(result.stdout).toMatch(/tiles: \d+ translated, [1-9]\d* background/);
    expect(result.stderr).toMatch(/translating cmu-1-small-region.svs with AtoB at downsample 4 on wasm/);
    expect(result.stderr).toMatch(/100% write/);
    const slide = await openSlide(out);
    expect(slide.info.levels.map((l) => [l.width, l.height])).toEqual([
      [555, 742],
      [278, 371],
      [139, 186],
    ]);
    slide.close();
    expect(JSON.parse(await readFile(`${out}.json`, 'utf8')).tissueMask).toBe('used');
    // Running it again refuses to overwrite without --force.
    const again = await spawnCli(translateArgs(out));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${out}: already exists; pass --force to replace it`);
  });

  it('stops on Ctrl-C keeping its work, and the same command continues it', async () => {
    const out = join(folder, 'dapi.tif');
    const args = translateArgs(out, 'ndpi-dapi.ndpi', 'BtoA').concat(['--no-mask']);
    const child = spawn(process.execPath, [LAUNCHER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Interrupt once, when 40% of the tiles are done (a second Ctrl-C would kill it outright).
      if (!interrupted && /\b4\d% translate/.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain(`interrupted; finished rows are kept in ${out}.partial`);
    await expect(stat(out)).rejects.toThrow();
    const index = JSON.parse(await readFile(join(`${out}.partial`, 'index.json'), 'utf8'));
    expect(index.levels[0].rowsDone).toBeGreaterThan(0);
    const resumed = await spawnCli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`resumed at TIFF row ${index.levels[0].rowsDone}`);
    expect(resumed.stdout).toContain(`${out}: 992x1216, 4 levels`);
  });

  it('survives being killed (SIGKILL) mid-translation: the rerun ends with the same bytes as one run', async () => {
    const args = (out: string) => translateArgs(out, 'ndpi-dapi.ndpi', 'BtoA').concat(['--no-mask']);
    const whole = join(folder, 'dapi-whole.tif');
    const once = await spawnCli(args(whole));
    expect(once.code, once.stderr).toBe(0);

    const out = join(folder, 'dapi-killed.tif');
    const child = spawn(process.execPath, [LAUNCHER, ...args(out)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // No chance to clean up: killed outright once half the tiles are done.
      if (/\b[5-9]\d% translate/.test(stderr)) child.kill('SIGKILL');
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_code, killedBy) => resolve(killedBy)),
    );
    expect(signal, stderr).toBe('SIGKILL');
    await expect(stat(out)).rejects.toThrow();
    const index = JSON.parse(await readFile(join(`${out}.partial`, 'index.json'), 'utf8'));
    expect(index.levels[0].rowsDone).toBeGreaterThan(0);
    // A kill while the TIFF is being assembled leaves a torn output.tif in the work folder: the rerun
    // must write it afresh, not build on it.
    const torn = (await readFile(whole)).subarray(0, 5000);
    await writeFile(join(`${out}.partial`, 'output.tif'), torn);

    const resumed = await spawnCli(args(out));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`resumed at TIFF row ${index.levels[0].rowsDone}`);
    expect((await readFile(out)).equals(await readFile(whole))).toBe(true);
  });

  it('exits 2 on usage errors and 1 naming the file on bad input', async () => {
    const out = join(folder, 'bad.tif');
    const usage = await spawnCli(['translate', '--slide', join(SLIDES, 'tiny.svs'), '--out', out]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain(
      'give either --run (a training run) or --generator (an exported generator)',
    );
    const args = translateArgs(out);
    args[args.indexOf('--tile') + 1] = '30';
    const tile = await spawnCli(args);
    expect(tile.code).toBe(2);
    expect(tile.stderr).toContain('--tile must be a multiple of 4 of at least 8');
    const noMpp = translateArgs(out, 'tcga-cr-7395-ts1.svs');
    noMpp.splice(noMpp.indexOf('--downsample'), 2, '--mpp', '2');
    const mpp = await spawnCli(noMpp);
    expect(mpp.code).toBe(1);
    expect(mpp.stderr).toMatch(
      /tcga-cr-7395-ts1.svs: the slide has no openslide.mpp-x, so a target of 2 µm\/px/,
    );
    const both = await spawnCli([...translateArgs(out), '--mpp', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--downsample or --mpp');
    const progan = await spawnCli(translateArgs(out, 'cmu-1-small-region.svs', 'progan'));
    expect(progan.code).toBe(1);
    expect(progan.stderr).toMatch(/ProGAN generator; translation needs a CycleGAN generator \(.*progan\)/);
    await writeFile(join(folder, 'not-a-slide.svs'), 'hello');
    const slide = await spawnCli(translateArgs(out, '../../../../' + join(folder, 'not-a-slide.svs')));
    expect(slide.code).toBe(1);
    expect(slide.stderr).toMatch(/not-a-slide\.svs/);
  });
});
