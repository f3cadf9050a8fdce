import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveTrainingConfig, type DomainConfig } from '../../core/config/training-config.js';
import { openSlide } from '../../core/slide/index.js';
import { defaultRunsDir, newRunName } from '../../core/training/runs/layout.js';
import { startTraining } from '../../core/training/trainer/trainer.js';
import { UsageError, parseArgs } from '../args.js';
import { runGuarded } from '../guard.js';
import type { CliIo } from '../run.js';
import { asUsageError, trainerDeps } from './train.js';
import { describeResult, followJob, stopOnInterrupt } from './training-output.js';

/** The bundled sample slides (two stains), beside src-main/ and dist/ alike. */
const SAMPLE_SLIDES = fileURLToPath(new URL('../../../resources/sample-slides', import.meta.url));
const DEFAULT_MINUTES = 3;
/** Steps the demo would train to: far more than fit in its minutes (it stops by wall time). */
const DEMO_STEPS = 100_000;

/**
 * The demo's two domains. Each stain gets the detector that finds its tissue (SPEC 1.9): red-channel Otsu
 * for H&E on bright glass; saturation for fluorescence, where the glass is dark and red-channel Otsu
 * would take the background for tissue.
 */
export const DEMO_DOMAINS: readonly DomainConfig[] = [
  { name: 'H&E', folders: [join(SAMPLE_SLIDES, 'HE')], detector: 'otsu-red' },
  { name: 'fluorescence', folders: [join(SAMPLE_SLIDES, 'fluorescence')], detector: 'saturation' },
];

export const DEMO_USAGE = `Usage: histo-fetch demo [--minutes M] [options]

The main job on the bundled sample slides (${relative(process.cwd(), SAMPLE_SLIDES) || SAMPLE_SLIDES}):
prints each slide's information, builds its tissue mask (H&E: otsu-red; fluorescence: saturation, as the
glass is dark there), then trains a small CycleGAN from H&E (HE/) to fluorescence (fluorescence/) for a few
minutes of wall time, stops gracefully with a checkpoint, and prints the run folder and its latest sample
grid (real H&E | fake fluorescence | reconstructed H&E, and back).

Options:
  --minutes M    minutes of training (default ${DEFAULT_MINUTES})
  --preset P     small (default), tiny (a quick check: seconds, no useful images) or paper
  --run DIR      run folder (default: a new folder under ${defaultRunsDir()})
  --backend B    auto (default), tensorflow, webgpu, wasm or cpu
  --cache DIR    mask cache folder (default $XDG_CACHE_HOME/histo-fetch or ~/.cache/histo-fetch)
  --workers N    patch worker threads (default: cores - 1, at most 4)
  -h, --help     show this help
`;

const FLAGS = {
  minutes: { type: 'number' },
  preset: { type: 'string' },
  run: { type: 'string' },
  backend: { type: 'string' },
  cache: { type: 'string' },
  workers: { type: 'integer' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `histo-fetch demo [--minutes M]` */
export function demoCommand(args: string[], io: CliIo): Promise<number> {
  return runGuarded('demo', DEMO_USAGE, io, async () => {
    const { flags, positionals } = parseArgs(args, FLAGS);
    if (flags.help) {
      io.stdout.write(DEMO_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const minutes = flags.minutes ?? DEFAULT_MINUTES;
    if (!(minutes > 0))
      throw new UsageError(`Expected a positive number for --minutes but received ${minutes}`);
    const started = performance.now();
    for (const domain of DEMO_DOMAINS) await printSlides(domain.folders[0]!, io);
    const config = asUsageError(() =>
      resolveTrainingConfig({
        model: 'cyclegan',
        preset: flags.preset ?? 'small',
        domains: DEMO_DOMAINS,
        steps: DEMO_STEPS,
        sampleEvery: 25,
        checkpointEvery: 100,
        ...(flags.backend !== undefined && { backend: flags.backend }),
      }),
    );
    const runDir = resolve(flags.run ?? join(defaultRunsDir(), newRunName('demo-cyclegan', config.preset)));
    const job = startTraining({ config, runDir }, trainerDeps(flags.cache, flags.workers));
    let timer: NodeJS.Timeout | null = null;
    job.on('started', () => {
      io.stdout.write(`training  for ${minutes} min of wall time, then stopping with a checkpoint\n`);
      timer = setTimeout(() => void job.stop(), minutes * 60_000);
    });
    const endLive = followJob(job, io, { untimed: true });
    const detach = stopOnInterrupt(job, io, endLive);
    try {
      const result = await job.done;
      endLive();
      io.stdout.write(describeResult(result));
      io.stdout.write(`demo took ${((performance.now() - started) / 1000).toFixed(0)} s of wall time\n`);
      return 0;
    } finally {
      if (timer) clearTimeout(timer);
      endLive();
      detach();
    }
  });
}

/** One line per slide of a folder: format, size, levels and mpp (files OpenSlide cannot open are skipped). */
async function printSlides(folder: string, io: CliIo): Promise<void> {
  for (const name of (await readdir(folder)).sort()) {
    let slide;
    try {
      slide = await openSlide(join(folder, name));
    } catch {
      continue;
    }
    try {
      const { vendor, levels, mppX } = slide.info;
      const level0 = levels[0]!;
      io.stdout.write(
        `slide     ${join(relative(SAMPLE_SLIDES, folder), name)}: ${vendor ?? 'generic'}, ` +
          `${level0.width} x ${level0.height} px, ${levels.length} level${levels.length === 1 ? '' : 's'} ` +
          `(downsamples ${levels.map((l) => +l.downsample.toFixed(2)).join(', ')}), ` +
          `${mppX === null ? 'no mpp' : `${mppX.toFixed(3)} um/px`}\n`,
      );
    } finally {
      slide.close();
    }
  }
}
