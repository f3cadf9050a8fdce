import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { buildSlideCatalog, type SlideCatalog } from '../../core/dataset/catalog.js';
import { validateDataset } from '../../core/dataset/dataset.js';
import {
  loadCycleganGenerator,
  loadProganGenerator,
  readProganExportState,
} from '../../core/inference/generator-folder.js';
import { PatchWorkerPool } from '../../core/sampling/worker-pool.js';
import type { PatchImage } from '../../core/sampling/patch-image.js';
import { openSlide } from '../../core/slide/index.js';
import { resolveCacheDir } from '../../core/tissue/cache-dir.js';
import { selectBackend } from '../../core/training/backend/select.js';
import { BACKEND_CANDIDATES, type BackendPreference } from '../../core/training/backend/types.js';
import {
  evaluateCyclegan,
  ProganEvaluator,
  type EvaluationMetrics,
} from '../../core/training/eval/evaluate.js';
import { sampleRealPatches } from '../../core/training/eval/real-patches.js';
import { parseArgs, UsageError } from '../args.js';
import { runGuarded } from '../guard.js';
import type { CliIo } from '../run.js';

export const EVALUATE_USAGE = `Usage:
  histo-fetch evaluate --generator DIR --real FOLDER... --downsample D [options]        (ProGAN)
  histo-fetch evaluate --generator-ab DIR --generator-ba DIR --held-out-a FOLDER
                       --held-out-b FOLDER --downsample D [options]                      (CycleGAN)

Prints the multi-scale sliced Wasserstein distance (SWD x 1e3 per pyramid level and their mean; lower
is closer) between real patches, drawn by the patch sampler from the slides in the folders, and
generated ones. For a CycleGAN also the cycle-reconstruction error on held-out slides (mean |G_BA(G_AB(a))
- a| on the [-1, 1] scale; x 127.5 gives grey levels) and the SWD of each direction's translations
against the other domain's held-out patches. Use slides the generators were not trained on.

Options:
  --generator DIR            an exported ProGAN generator (the EMA one)
  --real FOLDER              slides of the training domain (repeatable)
  --generator-ab DIR         exported CycleGAN generators, A -> B and B -> A
  --generator-ba DIR
  --held-out-a FOLDER        held-out slides of domain A and of domain B
  --held-out-b FOLDER
  --downsample D             field of view of the patches (the one trained at), or
  --mpp M                    microns per patch pixel instead
  --size PX                  patch side (ProGAN: the generator's resolution; CycleGAN: 256)
  --count N                  patches per set (default 64)
  --seed S                   seed of the real patches and the latents (default 1)
  --backend NAME             auto (default), ${BACKEND_CANDIDATES.join(', ')}
  --cache DIR                mask cache folder (default $XDG_CACHE_HOME/histo-fetch or ~/.cache/histo-fetch)
  --workers N                patch worker threads (default: number of cores)
  --json                     print the metrics as JSON
  -h, --help                 show this help
`;

const FLAGS = {
  generator: { type: 'string' },
  real: { type: 'string', multiple: true },
  'generator-ab': { type: 'string' },
  'generator-ba': { type: 'string' },
  'held-out-a': { type: 'string' },
  'held-out-b': { type: 'string' },
  downsample: { type: 'number' },
  mpp: { type: 'number' },
  size: { type: 'integer' },
  count: { type: 'integer' },
  seed: { type: 'integer' },
  backend: { type: 'string' },
  cache: { type: 'string' },
  workers: { type: 'integer' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = ReturnType<typeof parseArgs<typeof FLAGS>>['flags'];

/** `histo-fetch evaluate ...` */
export function evaluateCommand(args: string[], io: CliIo): Promise<number> {
  return runGuarded('evaluate', EVALUATE_USAGE, io, async () => {
    const { flags, positionals } = parseArgs(args, FLAGS);
    if (flags.help) {
      io.stdout.write(EVALUATE_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const progan = flags.generator !== undefined;
    const cyclegan = flags['generator-ab'] !== undefined || flags['generator-ba'] !== undefined;
    if (progan === cyclegan) {
      throw new UsageError(
        'give either --generator (ProGAN) or --generator-ab and --generator-ba (CycleGAN)',
      );
    }
    if ((flags.downsample === undefined) === (flags.mpp === undefined)) {
      throw new UsageError('give the field of view the generator was trained at: --downsample or --mpp');
    }
    const count = flags.count ?? 64;
    if (count < 1) throw new UsageError(`--count must be a positive integer, not ${count}`);
    const backend = (flags.backend ?? 'auto') as BackendPreference;
    if (backend !== 'auto' && !(BACKEND_CANDIDATES as readonly string[]).includes(backend)) {
      throw new UsageError(
        `--backend must be auto or one of ${BACKEND_CANDIDATES.join(', ')}, not '${backend}'`,
      );
    }
    const selection = await selectBackend({ preferred: backend });
    const pool = new PatchWorkerPool({ workers: flags.workers ?? availableParallelism() });
    try {
      const metrics = progan
        ? await evaluateProgan(flags, count, pool, io)
        : await evaluateCycle(flags, count, pool, io);
      if (flags.json) {
        io.stdout.write(`${JSON.stringify({ backend: selection.name, count, metrics }, null, 2)}\n`);
      } else {
        const width = Math.max(...Object.keys(metrics).map((k) => k.length));
        for (const [name, value] of Object.entries(metrics)) {
          io.stdout.write(`${name.padEnd(width)}  ${value.toFixed(4)}\n`);
        }
        io.stdout.write(`(${count} patches per set, ${selection.name})\n`);
      }
      return 0;
    } finally {
      await pool.close();
    }
  });
}

function fieldOfView(flags: Flags): { downsample: number } | { mpp: number } {
  return flags.mpp !== undefined ? { mpp: flags.mpp } : { downsample: flags.downsample! };
}

async function catalogOf(domains: { name: string; folders: string[] }[], io: CliIo): Promise<SlideCatalog> {
  const catalog = await buildSlideCatalog(validateDataset({ domains }), { openSlide: (p) => openSlide(p) });
  for (const domain of catalog.domains) {
    for (const problem of domain.problems) io.stderr.write(`skipped   ${problem.reason}\n`);
    if (domain.slides.length === 0) throw new Error(`${domain.folders.join(', ')}: no slide found`);
  }
  return catalog;
}

async function evaluateProgan(
  flags: Flags,
  count: number,
  pool: PatchWorkerPool,
  io: CliIo,
): Promise<EvaluationMetrics> {
  const folders = flags.real ?? [];
  if (folders.length === 0)
    throw new UsageError('--real is required with --generator: the slides to compare with');
  const folder = resolve(flags.generator!);
  const state = await readProganExportState(folder);
  const generator = await loadProganGenerator(folder);
  try {
    const resolution = flags.size ?? state?.resolution ?? generator.config.maxResolution;
    const alpha = resolution === state?.resolution ? state.alpha : 1;
    const catalog = await catalogOf([{ name: 'real', folders: folders.map((f) => resolve(f)) }], io);
    const evaluator = new ProganEvaluator({
      realPatches: async (size) =>
        (
          await sampleRealPatches({
            catalog,
            cacheDir: resolveCacheDir(flags.cache),
            pool,
            sampler: { patchSize: size, ...fieldOfView(flags), seed: flags.seed ?? 1 },
            count,
            onExcluded: (message) => io.stderr.write(`excluded  ${message}\n`),
          })
        ).get('real')!,
      count,
      seed: flags.seed ?? 1,
    });
    return await evaluator.evaluate(generator, resolution, alpha);
  } finally {
    generator.dispose();
  }
}

async function evaluateCycle(
  flags: Flags,
  count: number,
  pool: PatchWorkerPool,
  io: CliIo,
): Promise<EvaluationMetrics> {
  const required = (name: 'generator-ab' | 'generator-ba' | 'held-out-a' | 'held-out-b'): string => {
    const value = flags[name];
    if (value === undefined) throw new UsageError(`option --${name} is required for a CycleGAN`);
    return resolve(value);
  };
  const [ab, ba, heldOutA, heldOutB] = [
    required('generator-ab'),
    required('generator-ba'),
    required('held-out-a'),
    required('held-out-b'),
  ];
  const catalog = await catalogOf(
    [
      { name: `A (${basename(heldOutA)})`, folders: [heldOutA] },
      { name: `B (${basename(heldOutB)})`, folders: [heldOutB] },
    ],
    io,
  );
  const patches = await sampleRealPatches({
    catalog,
    cacheDir: resolveCacheDir(flags.cache),
    pool,
    sampler: { patchSize: flags.size ?? 256, ...fieldOfView(flags), seed: flags.seed ?? 1 },
    count,
    onExcluded: (message) => io.stderr.write(`excluded  ${message}\n`),
  });
  const [a, b] = catalog.domains.map((d) => patches.get(d.name)) as [PatchImage[], PatchImage[]];
  const generatorAB = await loadCycleganGenerator(ab, 'generatorAB');
  try {
    const generatorBA = await loadCycleganGenerator(ba, 'generatorBA');
    try {
      return await evaluateCyclegan({
        generatorAB,
        generatorBA,
        heldOutA: a,
        heldOutB: b,
        swd: { seed: flags.seed ?? 1 },
      });
    } finally {
      generatorBA.dispose();
    }
  } finally {
    generatorAB.dispose();
  }
}
