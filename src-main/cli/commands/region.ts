import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import sharp from 'sharp';

import { openSlide } from '../../core/slide/index.js';
import { UsageError, parseArgs, requireFlag } from '../args.js';
import { runGuarded } from '../guard.js';
import type { CliIo } from '../run.js';

export const REGION_USAGE = `Usage: histo-fetch region <slide> --x X --y Y --width W --height H [--level L] --out FILE.png

Reads a region of a slide and writes it as an RGBA PNG (outside the slide: transparent).

Options:
  --x, --y             top-left corner in level-0 pixels (as OpenSlide takes them)
  --width, --height    size in pixels of the chosen level
  --level              pyramid level (default 0)
  --out                the PNG file to write
  -h, --help           show this help
`;

const FLAGS = {
  level: { type: 'integer' },
  x: { type: 'integer' },
  y: { type: 'integer' },
  width: { type: 'integer' },
  height: { type: 'integer' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `histo-fetch region <slide> --level L --x X --y Y --width W --height H --out FILE.png` */
export function regionCommand(args: string[], io: CliIo): Promise<number> {
  return runGuarded('region', REGION_USAGE, io, async () => {
    const { flags, positionals } = parseArgs(args, FLAGS);
    if (flags.help) {
      io.stdout.write(REGION_USAGE);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0 ? 'a slide path is required' : 'give exactly one slide path',
      );
    }
    const x = requireFlag(flags.x, 'x');
    const y = requireFlag(flags.y, 'y');
    const width = requireFlag(flags.width, 'width');
    const height = requireFlag(flags.height, 'height');
    const out = resolve(requireFlag(flags.out, 'out'));
    const level = flags.level ?? 0;
    await ensureFolder(out);

    const slide = await openSlide(positionals[0]!);
    try {
      const image = await slide.readRegion(x, y, level, width, height, { format: 'rgba' });
      try {
        await sharp(image.data, { raw: { width, height, channels: 4 } })
          .png()
          .toFile(out);
      } catch (error) {
        throw new Error(`${out}: cannot write the PNG: ${oneLine(error)}`);
      }
      io.stdout.write(
        `${out}: ${width}x${height} RGBA from level ${level} at (${x}, ${y}) of ${slide.path}\n`,
      );
    } finally {
      slide.close();
    }
    return 0;
  });
}

/** Fails before any reading when the output folder is missing. */
async function ensureFolder(out: string): Promise<void> {
  const folder = dirname(out);
  const stats = await stat(folder).catch(() => null);
  if (!stats?.isDirectory())
    throw new Error(`${out}: cannot write the PNG: ${folder} is not an existing folder`);
}

/** libvips messages span several lines and repeat themselves. */
function oneLine(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n').map((l) => l.trim());
  return [...new Set(lines.filter((l) => l !== ''))].join('; ');
}
