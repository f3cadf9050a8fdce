/**
 * `npm run bench -- read [--json] [--patches N] [--inflight N ...] [--rounds R] [--size PX] [--level L]
 *  [--format rgb|rgba] [--seed S] [--slide FILE]`
 *
 * Read throughput of our OpenSlide binding on a large pyramidal slide generated at run time with libvips
 * from real tissue (cmu-1-small-region.svs replicated 10 x 8 = 22200 x 23736 px, tiled JPEG pyramid),
 * cached under bench-output/read/. Each run is a child process (UV_THREADPOOL_SIZE = reads in flight)
 * reading the same seeded random positions; a C loop over openslide_read_region (bench/c/read-loop.c,
 * compiled here) reads them too. Rounds interleave the configurations; figures are medians.
 * Targets: N=2 in flight >= 1.7x one in flight; one in flight >= 0.9x the C loop.
 * On a shared machine, `--quiet 0.2` waits (up to `--quiet-wait` seconds per run, default 120) until other
 * processes use less than 0.2 cores before each run, and retries a run that saw more than that + 0.1.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { UsageError, parseArgs } from '../src-main/cli/args.js';
import { openSlide } from '../src-main/core/slide/index.js';
import { Rng } from '../src-main/core/util/rng.js';
import { waitForQuiet } from './load.js';
import { replicatedSlide } from './slides.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = join(ROOT, 'bench-output', 'read');
const SOURCE_SLIDE = join(ROOT, 'test', 'fixtures', 'slides', 'cmu-1-small-region.svs');
const C_SOURCE = join(ROOT, 'bench', 'c', 'read-loop.c');
const C_BINARY = join(ROOT, 'bench-output', 'read-loop');
const CHILD = join(ROOT, 'bench', 'read-child.ts');
const REPLICATE = [10, 8] as const;

const FLAGS = {
  json: { type: 'boolean' },
  patches: { type: 'integer' },
  warmup: { type: 'integer' },
  inflight: { type: 'integer', multiple: true },
  rounds: { type: 'integer' },
  size: { type: 'integer' },
  level: { type: 'integer' },
  format: { type: 'string' },
  seed: { type: 'integer' },
  slide: { type: 'string' },
  quiet: { type: 'number' },
  'quiet-wait': { type: 'number' },
} as const;

interface RunResult {
  readonly patches: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly otherCores: number | null;
}

interface ConfigSummary {
  readonly name: string;
  readonly inflight: number;
  /** Median over rounds. */
  readonly patchesPerSecond: number;
  /** Median own CPU milliseconds per patch (all threads): insensitive to other load on the machine. */
  readonly cpuMsPerPatch: number;
  /** Median cores other processes kept busy during the runs. */
  readonly otherCores: number | null;
  readonly runs: readonly RunResult[];
}

/** Compiles the C reference when missing or older than its source. */
async function ensureCLoop(): Promise<void> {
  if (existsSync(C_BINARY) && statSync(C_BINARY).mtimeMs >= statSync(C_SOURCE).mtimeMs) return;
  await mkdir(join(ROOT, 'bench-output'), { recursive: true });
  const { stdout } = await exec('pkg-config', ['--cflags', '--libs', 'openslide']);
  await exec('cc', ['-O2', '-o', C_BINARY, C_SOURCE, ...stdout.trim().split(/\s+/)]);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function medianOrNull(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? median(known) : null;
}

function parseRun(stdout: string): RunResult {
  return JSON.parse(stdout.trim().split('\n').pop()!) as RunResult;
}

export async function run(args: string[]): Promise<number> {
  let options;
  try {
    options = parseArgs(args, FLAGS).flags;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench read: ${error.message}\n`);
    return 2;
  }
  const json = options.json === true;
  const patches = options.patches ?? 300;
  const warmup = options.warmup ?? 50;
  const rounds = options.rounds ?? 3;
  const size = options.size ?? 256;
  const level = options.level ?? 0;
  const format = options.format ?? 'rgba';
  const inflights = options.inflight ?? [2];
  if (format !== 'rgb' && format !== 'rgba') {
    process.stderr.write(`bench read: Expected rgb or rgba for --format but received '${format}'\n`);
    return 2;
  }
  const log = (line: string): void => {
    if (!json) process.stdout.write(`${line}\n`);
  };

  const { path: slidePath, generatedSeconds } = options.slide
    ? { path: options.slide, generatedSeconds: null }
    : await replicatedSlide(SOURCE_SLIDE, REPLICATE, OUT_DIR);
  if (generatedSeconds !== null) log(`generated ${slidePath} in ${generatedSeconds.toFixed(1)} s`);
  await ensureCLoop();

  const slide = await openSlide(slidePath);
  const { width, height, downsample } = slide.info.levels[level]!;
  const slideSummary = {
    path: slidePath,
    vendor: slide.info.vendor,
    levels: slide.info.levels.length,
    width,
    height,
  };
  slide.close();
  // Positions in level-0 pixels, aligned to the level's pixel grid, keeping the patch inside the level.
  const rng = new Rng(options.seed ?? 1);
  const lines = Array.from({ length: warmup + patches }, () => {
    const x = Math.floor(rng.int(width - size) * downsample);
    const y = Math.floor(rng.int(height - size) * downsample);
    return `${x} ${y}`;
  });
  const positionsFile = join(OUT_DIR, `positions-${process.pid}.txt`);
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(positionsFile, `${lines.join('\n')}\n`);

  const common = [String(warmup), String(size), String(level)];
  const configs = [
    { name: 'c-loop', inflight: 1, command: C_BINARY, args: [slidePath, positionsFile, ...common], env: {} },
    ...[1, ...inflights].map((inflight) => ({
      name: `binding-${inflight}`,
      inflight,
      command: process.execPath,
      args: ['--import', 'tsx', CHILD, slidePath, positionsFile, ...common, String(inflight), format],
      env: { UV_THREADPOOL_SIZE: String(inflight) },
    })),
  ];
  const results = new Map<string, RunResult[]>(configs.map((c) => [c.name, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const config of configs) {
        let result: RunResult;
        for (let attempt = 1; ; attempt++) {
          const quiet =
            options.quiet === undefined || (await waitForQuiet(options.quiet, options['quiet-wait'] ?? 120));
          const { stdout } = await exec(config.command, config.args, {
            cwd: ROOT,
            env: { ...process.env, ...config.env },
          });
          result = parseRun(stdout);
          const noisy =
            options.quiet !== undefined && (!quiet || (result.otherCores ?? 0) > options.quiet + 0.1);
          if (!noisy || attempt === 5) break;
          log(`round ${round} ${config.name}: other load ${result.otherCores?.toFixed(2)} cores, retrying`);
        }
        results.get(config.name)!.push(result);
        log(
          `round ${round} ${config.name.padEnd(10)} ${(result.patches / result.seconds).toFixed(1).padStart(8)} patches/s` +
            `  (other load ${result.otherCores === null ? '?' : result.otherCores.toFixed(2)} cores)`,
        );
      }
    }
  } finally {
    await rm(positionsFile, { force: true });
  }

  const summaries: ConfigSummary[] = configs.map((c) => ({
    name: c.name,
    inflight: c.inflight,
    patchesPerSecond: median(results.get(c.name)!.map((r) => r.patches / r.seconds)),
    cpuMsPerPatch: median(results.get(c.name)!.map((r) => (1000 * r.cpuSeconds) / r.patches)),
    otherCores: medianOrNull(results.get(c.name)!.map((r) => r.otherCores)),
    runs: results.get(c.name)!,
  }));
  const summary = (name: string): ConfigSummary => summaries.find((s) => s.name === name)!;
  const rate = (name: string): number => summary(name).patchesPerSecond;
  const single = rate('binding-1');
  const ratios = {
    bindingVsC: single / rate('c-loop'),
    /** C's CPU time per patch over the binding's: the binding's overhead without other load's noise. */
    bindingVsCByCpu: summary('c-loop').cpuMsPerPatch / summary('binding-1').cpuMsPerPatch,
    ...Object.fromEntries(inflights.map((n) => [`inflight${n}VsOne`, rate(`binding-${n}`) / single])),
  };
  const targets = {
    inflight2VsOneAtLeast1_7: inflights.includes(2) ? rate('binding-2') / single >= 1.7 : null,
    bindingWithin10PercentOfC: ratios.bindingVsC >= 0.9,
  };
  const report = {
    benchmark: 'read',
    slide: slideSummary,
    patchSizePx: size,
    level,
    format,
    patchesPerRun: patches,
    warmup,
    rounds,
    quietMaxOtherCores: options.quiet ?? null,
    cpus: cpus().length,
    results: summaries,
    ratios,
    targets,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    log(
      `\nslide ${slidePath}: ${slideSummary.vendor}, ${width}x${height} at level ${level}, ${cpus().length} CPUs`,
    );
    for (const s of summaries) {
      log(
        `  ${s.name.padEnd(10)} ${s.patchesPerSecond.toFixed(1).padStart(8)} patches/s, ` +
          `${s.cpuMsPerPatch.toFixed(3)} CPU ms/patch (medians of ${rounds}; other load ` +
          `${s.otherCores === null ? '?' : s.otherCores.toFixed(2)} cores)`,
      );
    }
    log(
      `  binding (1 in flight) / C loop: ${ratios.bindingVsC.toFixed(3)} by wall time, ` +
        `${ratios.bindingVsCByCpu.toFixed(3)} by CPU time  (target >= 0.9)`,
    );
    for (const n of inflights)
      log(
        `  ${n} in flight / 1 in flight: ${(rate(`binding-${n}`) / single).toFixed(3)}${n === 2 ? '  (target >= 1.7)' : ''}`,
      );
  }
  return 0;
}
