import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const LAUNCHER = fileURLToPath(new URL('../../../bin/histo-fetch.js', import.meta.url));
const SLIDES = fileURLToPath(new URL('../../fixtures/slides', import.meta.url));

const root = mkdtempSync(join(tmpdir(), 'histo-fetch-train-cli-'));
for (const [domain, slide] of [
  ['he', 'cmu-1-small-region.svs'],
  ['dapi', 'ndpi-dapi.ndpi'],
  ['bad', 'bad/unreadable.svs'],
] as const) {
  mkdirSync(join(root, domain));
  symlinkSync(join(SLIDES, slide), join(root, domain, slide.replace('/', '_')));
}
const cache = join(root, 'cache');
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `histo-fetch` as a user would; `onStdout` may act on the output as it comes (e.g. send SIGINT). */
function cli(
  args: readonly string[],
  env: Record<string, string> = {},
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const COMMON = ['--preset', 'tiny', '--cache', cache, '--workers', '1', '--seed', '3'];
const TINY = [...COMMON, '--backend', 'cpu'];
const DOMAINS = ['--domain', `HE=${join(root, 'he')}`, '--domain', `DAPI=${join(root, 'dapi')}`];

async function metricSteps(runDir: string): Promise<number[]> {
  const text = await readFile(join(runDir, 'metrics.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { step: number }).step);
}

describe('histo-fetch train / resume', () => {
  it('trains a tiny CycleGAN and resumes it to more steps, filling the run folder', async () => {
    const run = join(root, 'run');
    const args = [
      ...['train', '--model', 'cyclegan', ...DOMAINS, '--detector', 'DAPI=saturation'],
      ...['--steps', '6', '--run', run, ...TINY, '--identity', '0'],
    ];
    const trained = await cli([...args, '--checkpoint-every', '3', '--sample-every', '3', '--keep', '2']);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(
      /backend {3}cpu on CPU \(JavaScript\) \(requested: cpu\)\n {10}tensorflow: not requested/,
    );
    expect(trained.stdout).toMatch(/mask {6}.*cmu-1-small-region\.svs: ok .*\(HE: otsu-red; /);
    expect(trained.stdout).toMatch(/mask {6}.*ndpi-dapi\.ndpi: ok .*\(DAPI: saturation; /);
    expect(trained.stdout).toMatch(
      /step 1\/6 {2}G [\d.]+ D [\d.]+ cycle [\d.]+ .*img\/s .*data-wait [\d.]+% {2}ETA \d+s\n/,
    );
    expect(trained.stdout).toContain(`completed at step 6\nrun folder        ${run}\n`);
    expect((await readdir(run)).sort()).toEqual([
      'checkpoints',
      'config.json',
      'export',
      'metrics.jsonl',
      'patches.jsonl',
      'samples',
    ]);
    expect((await readdir(join(run, 'checkpoints'))).sort()).toEqual(['3', '6', 'latest']);
    expect((await readdir(join(run, 'samples'))).sort()).toEqual(['3.png', '6.png']);
    expect((await readdir(join(run, 'export'))).sort()).toEqual(['generatorAB', 'generatorBA']);
    const config = JSON.parse(await readFile(join(run, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      config: {
        model: 'cyclegan',
        preset: 'tiny',
        steps: 6,
        seed: 3,
        cyclegan: { identityWeight: 0 },
        domains: [
          { name: 'HE', detector: 'otsu-red' },
          { name: 'DAPI', detector: 'saturation' },
        ],
      },
      backend: { requested: 'cpu', chosen: 'cpu' },
      versions: { tfjs: expect.any(String), node: process.versions.node, 'histo-fetch': expect.any(String) },
    });
    expect(await metricSteps(run)).toEqual([1, 2, 3, 4, 5, 6]);

    const negative = await cli(['resume', '--run', run, '--steps', '-2']);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toMatch(/positive integer for --steps but received -2/);
    const again = await cli(['resume', '--run', run, '--cache', cache]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already trained 6 of 6 steps; give more steps/);

    const resumed = await cli(['resume', '--run', run, '--steps', '8', '--cache', cache, '--workers', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('(cyclegan, tiny, step 6 of 8)');
    expect(await metricSteps(run)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await readdir(join(run, 'checkpoints'))).sort()).toEqual(['6', '8', 'latest']);
  });

  it('rejects bad input before training: usage errors exit 2, a domain without usable slides exits 1', async () => {
    const base = ['train', '--model', 'cyclegan', ...DOMAINS, ...COMMON];
    const cases: [string[], RegExp][] = [
      [['--steps', '0', '--backend', 'cpu'], /positive integer for steps but received 0 \(--steps\)/],
      [['--steps', '-3', '--backend', 'cpu'], /positive integer for steps but received -3 \(--steps\)/],
      [['--steps', '5', '--backend', 'cuda'], /Unknown backend 'cuda'/],
      [
        ['--steps', '5', '--backend', 'cpu', '--size', '30'],
        /sizePx 30 is not allowed for cyclegan.*\(--size\)/,
      ],
      [['--steps', '5', '--detector', 'DAPI=hsv'], /--detector 'DAPI=hsv': unknown detector 'hsv'/],
      [['--steps', '5', '--detector', 'PAS=saturation'], /no domain named 'PAS' \(domains: HE, DAPI\)/],
    ];
    for (const [extra, message] of cases) {
      const run = join(root, 'never');
      const result = await cli([...base, ...extra, '--run', run]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(existsSync(run)).toBe(false);
    }
    const missing = await cli(['train', '--domain', `HE=${join(root, 'he')}`, '--steps', '3']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/option --model is required/);
    const help = await cli(['train', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--detector \[NAME=\]D +tissue detector of a domain's masks: otsu-red/);
    const run = join(root, 'bad-run');
    const bad = await cli([
      'train',
      '--model',
      'cyclegan',
      '--domain',
      `HE=${join(root, 'he')}`,
      '--domain',
      `B=${join(root, 'bad')}`,
      '--steps',
      '3',
      '--run',
      run,
      ...TINY,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Domain 'B' has no usable slide:\n {2}.*unreadable\.svs/);
    expect(bad.stdout).not.toMatch(/backend/);
    expect(existsSync(run)).toBe(false);
  });

  it('ProGAN takes a minibatch per resolution and images per phase from --batch and --phase-images', async () => {
    const run = join(root, 'progan-schedule');
    const result = await cli([
      ...['train', '--model', 'progan', '--domain', `HE=${join(root, 'he')}`, ...TINY],
      ...['--steps', '3', '--run', run, '--sample-every', '0'],
      ...['--batch', '4,4=8', '--phase-images', '16,8'],
    ]);
    expect(result.code, result.stderr).toBe(0);
    const stored = JSON.parse(await readFile(join(run, 'config.json'), 'utf8'));
    expect(stored.config.progan).toMatchObject({
      batchSizes: { 4: 8, 8: 4, 16: 4 },
      imagesPerPhase: { train: 16, fade: 8 },
    });
    // 16 images at 4 px in minibatches of 8, then the fade-in to 8 px in minibatches of 4.
    const metrics = (await readFile(join(run, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { images: number; progan: { resolution: number; fading: boolean } });
    expect(metrics.map((m) => [m.images, m.progan.resolution, m.progan.fading])).toEqual([
      [8, 4, false],
      [8, 4, false],
      [4, 8, true],
    ]);
  });

  it('kill -9 in the middle of a checkpoint write leaves the previous one, and resume continues from it', async () => {
    const run = join(root, 'killed');
    const killed = await cli(
      [
        'train',
        '--model',
        'cyclegan',
        ...DOMAINS,
        '--steps',
        '9',
        '--run',
        run,
        '--checkpoint-every',
        '3',
        ...TINY,
      ],
      { HISTO_FETCH_FAULT: 'kill-during-checkpoint:6' },
    );
    expect(killed.signal).toBe('SIGKILL');
    expect((await readFile(join(run, 'checkpoints/latest'), 'utf8')).trim()).toBe('3');
    const entries = await readdir(join(run, 'checkpoints'));
    const partial = entries.find((e) => e.startsWith('6.tmp-'));
    expect(partial, entries.join(' ')).toBeDefined();
    // Half the tensors were written and flushed, no state file yet.
    expect(await readdir(join(run, 'checkpoints', partial!))).toEqual(['tensors.bin']);

    const resumed = await cli(['resume', '--run', run, '--cache', cache, '--workers', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('(cyclegan, tiny, step 3 of 9)');
    expect(resumed.stdout).toContain('completed at step 9');
    expect(await metricSteps(run)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await readdir(join(run, 'checkpoints'))).sort()).toEqual(['3', '6', '9', 'latest']);
  });

  it('Ctrl-C stops after the current step with a checkpoint and exits 0', async () => {
    const run = join(root, 'interrupted');
    let sent = false;
    const result = await cli(
      ['train', '--model', 'cyclegan', ...DOMAINS, '--steps', '1000', '--run', run, ...TINY],
      {},
      (stdout, child) => {
        if (!sent && /step 1\/1000/.test(stdout)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('stopping after this step and writing a checkpoint');
    const step = Number(/stopped at step (\d+)/.exec(result.stdout)?.[1]);
    expect(step).toBeGreaterThanOrEqual(1);
    expect((await readFile(join(run, 'checkpoints/latest'), 'utf8')).trim()).toBe(String(step));
    expect((await metricSteps(run)).at(-1)).toBe(step);
  });
});
