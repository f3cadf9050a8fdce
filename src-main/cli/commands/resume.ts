import { resolve } from 'node:path';
import { resumeTraining } from '../../core/training/trainer/trainer.js';
import { UsageError, parseArgs, requireFlag } from '../args.js';
import { runGuarded } from '../guard.js';
import type { CliIo } from '../run.js';
import { trainerDeps } from './train.js';
import { describeResult, followJob, stopOnInterrupt } from './training-output.js';

export const RESUME_USAGE = `Usage: histo-fetch resume --run DIR [--steps N] [options]

Continues a run from its latest checkpoint exactly where it stopped: weights, optimiser state, step and
learning-rate schedule, image pools, ProGAN phase, random states and the patch sequence. Steps after the
checkpoint (from a crash) are trained again. Ctrl-C stops with a checkpoint (exit 0).

Options:
  --run DIR      the run folder (required)
  --steps N      train to N steps in all (default: the run's own; more to train longer)
  --cache DIR    mask cache folder (default $XDG_CACHE_HOME/histo-fetch or ~/.cache/histo-fetch)
  --workers N    patch worker threads (default: cores - 1, at most 4)
  -h, --help     show this help
`;

const FLAGS = {
  run: { type: 'string' },
  steps: { type: 'integer' },
  cache: { type: 'string' },
  workers: { type: 'integer' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `histo-fetch resume --run DIR [--steps N]` */
export function resumeCommand(args: string[], io: CliIo): Promise<number> {
  return runGuarded('resume', RESUME_USAGE, io, async () => {
    const { flags, positionals } = parseArgs(args, FLAGS);
    if (flags.help) {
      io.stdout.write(RESUME_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (flags.steps !== undefined && flags.steps <= 0) {
      throw new UsageError(`Expected a positive integer for --steps but received ${flags.steps}`);
    }
    const runDir = resolve(requireFlag(flags.run, 'run'));
    const job = resumeTraining(
      { runDir, ...(flags.steps !== undefined && { steps: flags.steps }) },
      trainerDeps(flags.cache, flags.workers),
    );
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
