import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { buildSlideCatalog, type SlideCatalog } from '../../core/dataset/catalog.js';
import { validateDataset } from '../../core/dataset/dataset.js';
import type { SamplingScale } from '../../core/sampling/geometry.js';
import type { PatchImage } from '../../core/sampling/patch-image.js';
import { PatchWorkerPool } from '../../core/sampling/worker-pool.js';
import { openSlide } from '../../core/slide/index.js';
import { resolveCacheDir } from '../../core/tissue/cache-dir.js';
import { resolveTissueMaskParameters, type TissueDetector } from '../../core/tissue/tissue-mask.js';
import { selectBackend } from '../../core/training/backend/select.js';
import { BACKEND_CANDIDATES, type BackendPreference } from '../../core/training/backend/types.js';
import {
  evaluateCyclegan,
  ProganEvaluator,
  type EvaluationMetrics,
} from '../../core/training/eval/evaluate.js';
import { sampleRealPatches } from '../../core/training/eval/real-patches.js';
import { readRunConfig } from '../../core/training/runs/run-config.js';
import { parseArgs, UsageError } from '../args.js';
import { withDetectors } from '../detectors.js';
import { runGuarded } from '../guard.js';
import type { CliIo } from '../run.js';
import { loadCycleganSource, loadProganSource } from './generator-sources.js';

export const EVALUATE_USAGE = `Usage:
  histo-fetch evaluate --run DIR [--count N] [options]
  histo-fetch evaluate --generator DIR --real FOLDER... (--downsample D | --mpp M) [options]   (ProGAN)
  histo-fetch evaluate --generator-ab DIR --generator-ba DIR --held-out-a FOLDER
                       --held-out-b FOLDER (--downsample D | --mpp M) [options]             (CycleGAN)

Prints the multi-scale sliced Wasserstein distance (SWD x 1e3 per pyramid level and their mean; lower
is closer) between real patches, drawn by the patch sampler from slides, and generated ones. For a
CycleGAN also the cycle-reconstruction error on held-out slides (mean |G_BA(G_AB(a)) - a| on the [-1, 1]
scale; x 127.5 gives grey levels) and the SWD of each direction's translations against the other
domain's held-out patches. With --run, the latest checkpoint's generators are evaluated at the run's
patch size and field of view; a ProGAN is compared with its training slides, and a CycleGAN with the
held-out folders given, else (with a warning) with its training slides.

Options:
  --run DIR                  a training run (CycleGAN or ProGAN)
  --generator DIR            an exported ProGAN generator (the EMA one)
  --real FOLDER              slides to compare a ProGAN with (repeatable; default with --run: its domains)
  --generator-ab DIR         exported CycleGAN generators, A -> B and B -> A
  --generator-ba DIR
  --held-out-a FOLDER        held-out slides of domain A and of domain B
  --held-out-b FOLDER
  --downsample D             field of view of the patches (the one trained at; --run knows it), or
  --mpp M                    microns per patch pixel instead
  --size PX                  patch side (ProGAN: the generator's resolution; CycleGAN: the run's, or 256)
  --detector [NAME=]D        tissue detector of the real slides' masks: otsu-red (default; brightfield
                             stains such as H&E) or saturation (fluorescence). With --run each domain
                             keeps its run's detector unless named here. NAME is a run domain, A or B
                             for --held-out-a/-b, or real for --real; a bare D applies to every one
  --count N                  patches per set (default 64)
  --seed S                   seed of the real patches and the latents (default 1)
  --backend NAME             auto (default), ${BACKEND_CANDIDATES.join(', ')}
  --cache DIR                mask cache folder (default $XDG_CACHE_HOME/histo-fetch or ~/.cache/histo-fetch)
  --workers N                patch worker threads (default: number of cores)
  --json                     print the metrics as JSON
  -h, --help                 show this help
`;

const FLAGS = {
  run: { type: 'string' },
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
  detector: { type: 'string', multiple: true },
  seed: { type: 'integer' },
  backend: { type: 'string' },
  cache: { type: 'string' },
  workers: { type: 'integer' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = ReturnType<typeof parseArgs<typeof FLAGS>>['flags'];

interface Context {
  readonly flags: Flags;
  readonly count: number;
  readonly seed: number;
  readonly pool: PatchWorkerPool;
  readonly io: CliIo;
  /** --downsample / --mpp, when given. */
  readonly scale: SamplingScale | null;
}

/** `histo-fetch evaluate ...` */
export function evaluateCommand(args: string[], io: CliIo): Promise<number> {
  return runGuarded('evaluate', EVALUATE_USAGE, io, async () => {
    const { flags, positionals } = parseArgs(args, FLAGS);
    if (flags.help) {
      io.stdout.write(EVALUATE_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const kinds = [
      flags.run !== undefined,
      flags.generator !== undefined,
      flags['generator-ab'] !== undefined || flags['generator-ba'] !== undefined,
    ].filter(Boolean).length;
    if (kinds !== 1) {
      throw new UsageError(
        'give one of --run, --generator (ProGAN), or --generator-ab and --generator-ba (CycleGAN)',
      );
    }
    if (flags.downsample !== undefined && flags.mpp !== undefined) {
      throw new UsageError('give --downsample or --mpp, not both');
    }
    const scale: SamplingScale | null =
      flags.mpp !== undefined
        ? { kind: 'mpp', mpp: flags.mpp }
        : flags.downsample !== undefined
          ? { kind: 'downsample', downsample: flags.downsample }
          : null;
    if (scale === null && flags.run === undefined) {
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
    const model =
      flags.run !== undefined
        ? (await readRunConfig(resolve(flags.run))).config.model
        : flags.generator !== undefined
          ? 'progan'
          : 'cyclegan';
    const selection = await selectBackend({ preferred: backend });
    const pool = new PatchWorkerPool({ workers: flags.workers ?? availableParallelism() });
    try {
      const context: Context = { flags, count, seed: flags.seed ?? 1, pool, io, scale };
      const { metrics, label } =
        model === 'progan' ? await evaluateProgan(context) : await evaluateCycle(context);
      if (flags.json) {
        io.stdout.write(
          `${JSON.stringify({ backend: selection.name, count, generators: label, metrics }, null, 2)}\n`,
        );
      } else {
        const width = Math.max(...Object.keys(metrics).map((k) => k.length));
        for (const [name, value] of Object.entries(metrics)) {
          io.stdout.write(`${name.padEnd(width)}  ${value.toFixed(4)}\n`);
        }
        io.stdout.write(`(${label}; ${count} patches per set, ${selection.name})\n`);
      }
      return 0;
    } finally {
      await pool.close();
    }
  });
}

async function catalogOf(domains: { name: string; folders: string[] }[], io: CliIo): Promise<SlideCatalog> {
  const dataset = validateDataset({ domains: domains.map(({ name, folders }) => ({ name, folders })) });
  const catalog = await buildSlideCatalog(dataset, { openSlide: (p) => openSlide(p) });
  for (const domain of catalog.domains) {
    for (const problem of domain.problems) io.stderr.write(`skipped   ${problem.reason}\n`);
    if (domain.slides.length === 0) throw new Error(`${domain.folders.join(', ')}: no slide found`);
  }
  return catalog;
}

function samplerScale(scale: SamplingScale): { downsample: number } | { mpp: number } {
  return scale.kind === 'mpp' ? { mpp: scale.mpp } : { downsample: scale.downsample };
}

async function evaluateProgan(c: Context): Promise<{ metrics: EvaluationMetrics; label: string }> {
  const source = await loadProganSource(c.flags.run, c.flags.generator);
  try {
    // The run's own domains, each masked as in training; --real slides form one set named real, masked
    // with the run's detector where all its domains share one (a fluorescence run), else otsu-red.
    const runDetectors = new Set(source.realDomains.map((d) => d.detector));
    const real: RealDomain[] =
      c.flags.real !== undefined
        ? [
            {
              name: 'real',
              folders: c.flags.real.map((f) => resolve(f)),
              detector: runDetectors.size === 1 ? [...runDetectors][0]! : 'otsu-red',
            },
          ]
        : source.realDomains.map((d) => ({ name: d.name, folders: [...d.folders], detector: d.detector }));
    if (real.length === 0)
      throw new UsageError('--real is required with --generator: the slides to compare with');
    const domains = withDetectors(real, c.flags.detector ?? []);
    const resolution = c.flags.size ?? source.resolution;
    const alpha = resolution === source.resolution ? source.alpha : 1;
    // The run's field of view is that of the resolution it reached; another --size scales it alike.
    const scale = c.scale ?? scaled(source.scale!, source.resolution, resolution);
    const catalog = await catalogOf(domains, c.io);
    // Several domains share the set: as many patches from each, interleaved, cut to the count.
    const perDomain = Math.ceil(c.count / domains.length);
    const evaluator = new ProganEvaluator({
      realPatches: async (size) => {
        const patches = await sampleRealPatches({
          catalog,
          cacheDir: resolveCacheDir(c.flags.cache),
          pool: c.pool,
          sampler: { patchSize: size, ...samplerScale(scale), seed: c.seed },
          count: perDomain,
          domainMaskParameters: maskParametersOf(domains),
          onExcluded: (message) => c.io.stderr.write(`excluded  ${message}\n`),
        });
        const sets = domains.map((d) => patches.get(d.name)!);
        return Array.from({ length: perDomain }, (_, i) => sets.map((set) => set[i]!))
          .flat()
          .slice(0, c.count);
      },
      count: c.count,
      seed: c.seed,
    });
    const metrics = await evaluator.evaluate(source.generator, resolution, alpha);
    return { metrics, label: `${source.label} at ${resolution} px; masks ${masksLabel(domains)}` };
  } finally {
    source.generator.dispose();
  }
}

/** A set of real slides: a domain's folders and the detector of their masks. */
interface RealDomain {
  readonly name: string;
  readonly folders: string[];
  readonly detector: TissueDetector;
}

function maskParametersOf(
  domains: readonly RealDomain[],
): Record<string, ReturnType<typeof resolveTissueMaskParameters>> {
  return Object.fromEntries(
    domains.map((d) => [d.name, resolveTissueMaskParameters({ detector: d.detector })]),
  );
}

function masksLabel(domains: readonly RealDomain[]): string {
  return domains.map((d) => `${d.name} ${d.detector}`).join(', ');
}

function scaled(scale: SamplingScale, fromPx: number, toPx: number): SamplingScale {
  return scale.kind === 'mpp'
    ? { kind: 'mpp', mpp: (scale.mpp * fromPx) / toPx }
    : { kind: 'downsample', downsample: (scale.downsample * fromPx) / toPx };
}

async function evaluateCycle(c: Context): Promise<{ metrics: EvaluationMetrics; label: string }> {
  const { flags } = c;
  if (flags.run === undefined) {
    for (const name of ['generator-ab', 'generator-ba', 'held-out-a', 'held-out-b'] as const) {
      if (flags[name] === undefined) throw new UsageError(`option --${name} is required for a CycleGAN`);
    }
  }
  if ((flags['held-out-a'] === undefined) !== (flags['held-out-b'] === undefined)) {
    throw new UsageError('give both --held-out-a and --held-out-b');
  }
  const forward = await loadCycleganSource(flags.run, flags['generator-ab'], 'AtoB', 'generatorAB');
  try {
    const backward = await loadCycleganSource(flags.run, flags['generator-ba'], 'BtoA', 'generatorBA');
    try {
      // Held-out slides are masked with their run domain's detector (fluorescence: saturation).
      const runDomains =
        flags.run !== undefined ? (await readRunConfig(resolve(flags.run))).config.domains : null;
      let heldOut: [string[], string[]];
      if (flags['held-out-a'] !== undefined) {
        heldOut = [[resolve(flags['held-out-a'])], [resolve(flags['held-out-b']!)]];
      } else {
        heldOut = [[...runDomains![0]!.folders], [...runDomains![1]!.folders]];
        c.io.stderr.write(
          'warning   no --held-out-a/--held-out-b: evaluating on the training slides, which flatters the cycle error\n',
        );
      }
      // --detector names them by the run's domain names, or A and B without a run.
      const domains = withDetectors(
        [0, 1].map((i) => ({
          name: runDomains?.[i]!.name ?? (i === 0 ? 'A' : 'B'),
          folders: heldOut[i]!,
          detector: runDomains?.[i]!.detector ?? 'otsu-red',
        })),
        flags.detector ?? [],
      );
      const catalog = await catalogOf(domains, c.io);
      const patches = await sampleRealPatches({
        catalog,
        domainMaskParameters: maskParametersOf(domains),
        cacheDir: resolveCacheDir(flags.cache),
        pool: c.pool,
        sampler: {
          patchSize: flags.size ?? forward.sizePx ?? 256,
          ...samplerScale(c.scale ?? forward.scale!),
          seed: c.seed,
        },
        count: c.count,
        onExcluded: (message) => c.io.stderr.write(`excluded  ${message}\n`),
      });
      const [a, b] = catalog.domains.map((d) => patches.get(d.name)) as [PatchImage[], PatchImage[]];
      const metrics = await evaluateCyclegan({
        generatorAB: forward.generator,
        generatorBA: backward.generator,
        heldOutA: a,
        heldOutB: b,
        swd: { seed: c.seed },
      });
      const origin = flags.run !== undefined ? forward.origin : `${forward.origin}, ${backward.origin}`;
      return { metrics, label: `${origin}; masks ${masksLabel(domains)}` };
    } finally {
      backward.generator.dispose();
    }
  } finally {
    forward.generator.dispose();
  }
}
