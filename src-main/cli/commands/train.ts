import { basename, join, resolve } from 'node:path';
import { ConfigError } from '../../core/config/errors.js';
import { resolveTrainingConfig, type TrainingConfigInput } from '../../core/config/training-config.js';
import { openSlideEvaluationSet } from '../../core/training/eval/training-evaluation.js';
import { defaultRunsDir, newRunName } from '../../core/training/runs/layout.js';
import { openSlideBatchSource } from '../../core/training/trainer/sampler-source.js';
import { startTraining, type TrainerDeps } from '../../core/training/trainer/trainer.js';
import { resolveCacheDir } from '../../core/tissue/cache-dir.js';
import { UsageError, parseArgs, requireFlag } from '../args.js';
import { detectorOptionHelp, withDetectors } from '../detectors.js';
import { runGuarded } from '../guard.js';
import type { CliIo } from '../run.js';
import { appVersion } from './app-version.js';
import { describeResult, followJob, stopOnInterrupt } from './training-output.js';

export const TRAIN_USAGE = `Usage: histo-fetch train --model cyclegan|progan --domain NAME=DIR[,DIR] ... --steps N [options]

Trains a CycleGAN (stain transfer between two domains, A and B, in that order) or a ProGAN (synthesis, one
or more domains) on random tissue patches read from the slides while the network trains. The run folder
gets config.json, metrics.jsonl, patches.jsonl, samples/<step>.png, checkpoints/ and export/.
Ctrl-C stops after the current step with a checkpoint (exit 0); a second Ctrl-C aborts.

Options:
  --model M            cyclegan or progan (required)
  --domain NAME=DIRS   a domain and its slide folders, comma-separated; repeat per domain (required;
                       cyclegan: exactly two, A then B). NAME= may be left out: the folder's name is used
  --detector [NAME=]D  ${detectorOptionHelp(23)}
  --steps N            optimiser steps to train (required)
  --preset P           paper, small (default) or tiny
  --backend B          auto (default), tensorflow, webgpu, wasm or cpu
  --run DIR            run folder (default: a new folder under ${defaultRunsDir()})
  --size PX            cyclegan: patch side; progan: target resolution (a power of 2)
  --downsample D       field of view as a pyramid downsample (progan: at the target resolution)
  --mpp M              field of view as microns per patch pixel, from the slides' mpp (not with --downsample)
  --augment P          probability that a patch is augmented (default 0)
  --min-tissue F       redraw patches whose footprint holds less tissue than F, per the mask (default 0)
  --batch N|RES=N,...  minibatch; progan: N at every resolution, or per resolution in px, e.g.
                       4=128,8=128,16=64 (the others keep the preset's; a bare N among them sets them)
  --phase-images T[,F] progan: real images per phase, stable training T and fade-in F (default F = T;
                       0: no fade-in; the paper: 600000,600000)
  --identity W         cyclegan: identity loss weight relative to the cycle weight (default 0.5; 0: off)
  --lr X               Adam's learning rate of generators and discriminators (default the preset's)
  --lr-g X             the generators' learning rate (overrides --lr for them)
  --lr-d X             the discriminators' learning rate (overrides --lr for them)
  --seed S             seed of weights, patches and every random draw (default 0)
  --checkpoint-every N steps between checkpoints (default 500)
  --sample-every N     steps between sample grids (default 100; 0: none)
  --keep K             checkpoints kept (default 3)
  --evaluate-every N   steps between evaluations (SWD; cyclegan also cycle error) in metrics.jsonl (default 0: none)
  --evaluate-count N   real patches per domain the evaluations use (default 64)
  --held-out NAME=DIRS held-out slide folders of a domain to evaluate on (repeat per domain; default the
                       training slides)
  --cache DIR          mask cache folder (default $XDG_CACHE_HOME/histo-fetch or ~/.cache/histo-fetch)
  --workers N          patch worker threads (default: cores - 1, at most 4)
  -h, --help           show this help
`;

const FLAGS = {
  model: { type: 'string' },
  domain: { type: 'string', multiple: true },
  detector: { type: 'string', multiple: true },
  steps: { type: 'integer' },
  preset: { type: 'string' },
  backend: { type: 'string' },
  run: { type: 'string' },
  size: { type: 'integer' },
  downsample: { type: 'number' },
  mpp: { type: 'number' },
  augment: { type: 'number' },
  'min-tissue': { type: 'number' },
  batch: { type: 'string' },
  'phase-images': { type: 'string' },
  identity: { type: 'number' },
  lr: { type: 'number' },
  'lr-g': { type: 'number' },
  'lr-d': { type: 'number' },
  seed: { type: 'string' },
  'checkpoint-every': { type: 'integer' },
  'sample-every': { type: 'integer' },
  keep: { type: 'integer' },
  'evaluate-every': { type: 'integer' },
  'evaluate-count': { type: 'integer' },
  'held-out': { type: 'string', multiple: true },
  cache: { type: 'string' },
  workers: { type: 'integer' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `histo-fetch train ...` */
export function trainCommand(args: string[], io: CliIo): Promise<number> {
  return runGuarded('train', TRAIN_USAGE, io, async () => {
    const { flags, positionals } = parseArgs(args, FLAGS);
    if (flags.help) {
      io.stdout.write(TRAIN_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const input: TrainingConfigInput = {
      model: requireFlag(flags.model, 'model'),
      domains: withDetectors(requireFlag(flags.domain, 'domain').map(parseDomain), flags.detector ?? []),
      steps: requireFlag(flags.steps, 'steps'),
      ...(flags.preset !== undefined && { preset: flags.preset }),
      ...(flags.backend !== undefined && { backend: flags.backend }),
      ...(flags.size !== undefined && { sizePx: flags.size }),
      ...(flags.downsample !== undefined && { downsample: flags.downsample }),
      ...(flags.mpp !== undefined && { mpp: flags.mpp }),
      ...(flags.augment !== undefined && { augment: flags.augment }),
      ...(flags['min-tissue'] !== undefined && { minTissueFraction: flags['min-tissue'] }),
      ...(flags.batch !== undefined && parseBatch(flags.batch)),
      ...(flags['phase-images'] !== undefined && { phaseImages: parsePhaseImages(flags['phase-images']) }),
      ...(flags.identity !== undefined && { identityWeight: flags.identity }),
      ...(flags.lr !== undefined && { learningRate: flags.lr }),
      ...(flags['lr-g'] !== undefined && { generatorLearningRate: flags['lr-g'] }),
      ...(flags['lr-d'] !== undefined && { discriminatorLearningRate: flags['lr-d'] }),
      ...(flags.seed !== undefined && { seed: parseSeed(flags.seed) }),
      ...(flags['checkpoint-every'] !== undefined && { checkpointEvery: flags['checkpoint-every'] }),
      ...(flags['sample-every'] !== undefined && { sampleEvery: flags['sample-every'] }),
      ...(flags.keep !== undefined && { keepCheckpoints: flags.keep }),
      ...(flags['evaluate-every'] !== undefined && { evaluateEvery: flags['evaluate-every'] }),
      ...(flags['evaluate-count'] !== undefined && { evaluateCount: flags['evaluate-count'] }),
      ...(flags['held-out'] !== undefined && { heldOut: flags['held-out'].map(parseDomain) }),
    };
    const config = asUsageError(() => resolveTrainingConfig(input));
    const runDir = resolve(flags.run ?? join(defaultRunsDir(), newRunName(config.model, config.preset)));
    const deps = trainerDeps(flags.cache, flags.workers);
    const job = startTraining({ config, runDir }, deps);
    const endLive = followJob(job, io);
    const detach = stopOnInterrupt(job, io, endLive);
    try {
      const result = await job.done;
      endLive();
      io.stdout.write(describeResult(result));
      return 0;
    } finally {
      endLive();
      detach();
    }
  });
}

/** The trainer's dependencies for the CLI: slides through the sampler, masks in the cache folder. */
export function trainerDeps(cache: string | undefined, workers: number | undefined): TrainerDeps {
  if (workers !== undefined && workers < 1) {
    throw new UsageError(`Expected a positive integer for --workers but received ${workers}`);
  }
  return {
    openSource: openSlideBatchSource({
      cacheDir: resolveCacheDir(cache),
      ...(workers !== undefined && { workers }),
    }),
    evaluationSet: openSlideEvaluationSet({
      cacheDir: resolveCacheDir(cache),
      ...(workers !== undefined && { workers }),
    }),
    versions: { 'histo-fetch': appVersion() },
  };
}

/** `NAME=DIR[,DIR]`, or `DIR[,DIR]` named after the first folder. */
export function parseDomain(text: string): { name: string; folders: string[] } {
  const eq = text.indexOf('=');
  const name = eq === -1 ? '' : text.slice(0, eq).trim();
  const folders = (eq === -1 ? text : text.slice(eq + 1))
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (folders.length === 0) throw new UsageError(`--domain '${text}' names no folder (use NAME=DIR[,DIR])`);
  return { name: name || basename(resolve(folders[0]!)), folders: folders.map((f) => resolve(f)) };
}

/** `--batch N`, `--batch RES=N[,RES=N...]` or both (`16,4=128`): the config's batchSize and batchSizes. */
export function parseBatch(text: string): { batchSize?: number; batchSizes?: Record<string, number> } {
  let batchSize: number | undefined;
  const batchSizes: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim())) {
    const match = /^(?:(\d+)=)?(\d+)$/.exec(part);
    if (!match || (match[1] === undefined && batchSize !== undefined)) {
      throw new UsageError(
        `Expected N or RES=N[,RES=N...] (resolution in px = minibatch) for --batch but received '${text}'`,
      );
    }
    if (match[1] === undefined) batchSize = Number(match[2]);
    else batchSizes[match[1]] = Number(match[2]);
  }
  return {
    ...(batchSize !== undefined && { batchSize }),
    ...(Object.keys(batchSizes).length > 0 && { batchSizes }),
  };
}

/** `--phase-images T[,F]`: real images per stable phase and per fade-in (F defaults to T). */
export function parsePhaseImages(text: string): { train: number; fade: number } {
  const match = /^\s*(\d+)\s*(?:,\s*(\d+)\s*)?$/.exec(text);
  if (!match) {
    throw new UsageError(
      `Expected T or T,F (images per phase: train, fade) for --phase-images but received '${text}'`,
    );
  }
  const train = Number(match[1]);
  return { train, fade: match[2] === undefined ? train : Number(match[2]) };
}

function parseSeed(text: string): number | string {
  return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

/** The option behind each config field, to name it in messages. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  sizePx: '--size',
  batchSize: '--batch',
  batchSizes: '--batch',
  phaseImages: '--phase-images',
  learningRate: '--lr',
  generatorLearningRate: '--lr-g',
  discriminatorLearningRate: '--lr-d',
  identityWeight: '--identity',
  minTissueFraction: '--min-tissue',
  checkpointEvery: '--checkpoint-every',
  sampleEvery: '--sample-every',
  keepCheckpoints: '--keep',
  domains: '--domain',
};

/** Config problems come from the command line here: report them as usage errors (exit 2). */
export function asUsageError<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof ConfigError) {
      const field = error.field?.endsWith('.detector')
        ? 'detector'
        : (error.field?.replace(/[[.].*$/, '') ?? '');
      const flag = FLAG_OF_FIELD[field] ?? (field ? `--${field}` : '');
      throw new UsageError(
        flag && !error.message.includes(flag) ? `${error.message} (${flag})` : error.message,
      );
    }
    throw error;
  }
}
