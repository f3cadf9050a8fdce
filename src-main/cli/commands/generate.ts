import { resolve } from 'node:path';
import { generateImages } from '../../core/inference/generate-images.js';
import { InferenceError } from '../../core/inference/errors.js';
import { selectBackend } from '../../core/training/backend/select.js';
import { BACKEND_CANDIDATES, type BackendPreference } from '../../core/training/backend/types.js';
import { parseArgs, requireFlag, UsageError } from '../args.js';
import { runGuarded } from '../guard.js';
import { loadProganSource } from './generator-sources.js';
import type { CliIo } from '../run.js';

export const GENERATE_USAGE = `Usage: histo-fetch generate (--run DIR | --generator DIR) --out DIR [options]

Generates images with a ProGAN generator (the exported EMA generator) as PNGs, optionally a grid of
them and a latent interpolation strip (spherical interpolation between two seeded latents). The same
seed gives the same images.

Options:
  --run DIR            a ProGAN training run: the EMA generator of its latest checkpoint
  --generator DIR      or an exported ProGAN generator (model.json + weights.bin)
  --out DIR            folder for the PNGs (created)
  --count N            images to generate (default 16)
  --grid               also write grid.png with all of them
  --interpolate K      also write interpolation.png: K frames between two seeded latents (K >= 2)
  --seed S             latent seed (default 1)
  --resolution PX      image size (default: what the generator was trained to, else its largest)
  --backend NAME       auto (default), ${BACKEND_CANDIDATES.join(', ')}
  --json               print the result as JSON
  -h, --help           show this help
`;

const FLAGS = {
  run: { type: 'string' },
  generator: { type: 'string' },
  out: { type: 'string' },
  count: { type: 'integer' },
  grid: { type: 'boolean' },
  interpolate: { type: 'integer' },
  seed: { type: 'integer' },
  resolution: { type: 'integer' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `histo-fetch generate --generator DIR --out DIR ...` */
export function generateCommand(args: string[], io: CliIo): Promise<number> {
  return runGuarded('generate', GENERATE_USAGE, io, async () => {
    const { flags, positionals } = parseArgs(args, FLAGS);
    if (flags.help) {
      io.stdout.write(GENERATE_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if ((flags.run === undefined) === (flags.generator === undefined)) {
      throw new UsageError('give either --run (a training run) or --generator (an exported generator)');
    }
    const out = resolve(requireFlag(flags.out, 'out'));
    const count = flags.count ?? 16;
    if (count < 1) throw new UsageError(`--count must be a positive integer, not ${count}`);
    const frames = flags.interpolate ?? 0;
    if (flags.interpolate !== undefined && frames < 2) {
      throw new UsageError(`--interpolate needs at least 2 frames, not ${frames}`);
    }
    const backend = (flags.backend ?? 'auto') as BackendPreference;
    if (backend !== 'auto' && !(BACKEND_CANDIDATES as readonly string[]).includes(backend)) {
      throw new UsageError(
        `--backend must be auto or one of ${BACKEND_CANDIDATES.join(', ')}, not '${backend}'`,
      );
    }
    const selection = await selectBackend({ preferred: backend });
    const source = await loadProganSource(flags.run, flags.generator);
    const { generator } = source;
    try {
      const resolution = flags.resolution ?? source.resolution;
      const alpha = resolution === source.resolution ? source.alpha : 1;
      const result = await generateImages(generator, out, {
        count,
        seed: flags.seed ?? 1,
        resolution,
        alpha,
        grid: flags.grid === true,
        interpolationFrames: frames,
      }).catch((error: unknown) => {
        if (error instanceof InferenceError && error.code === 'INVALID_OPTIONS')
          throw new UsageError(error.message);
        throw error;
      });
      if (flags.json) {
        io.stdout.write(`${JSON.stringify({ ...result, alpha, backend: selection.name }, null, 2)}\n`);
      } else {
        io.stdout.write(
          `${result.images.length} images of ${resolution} px in ${out} from ${source.label} ` +
            `(seed ${flags.seed ?? 1}, ${selection.name})\n` +
            (result.grid ? `grid          ${result.grid}\n` : '') +
            (result.interpolation ? `interpolation ${result.interpolation}\n` : ''),
        );
      }
      return 0;
    } finally {
      generator.dispose();
    }
  });
}
