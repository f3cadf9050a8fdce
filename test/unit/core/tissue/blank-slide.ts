import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** libvips' command line tool, or null with the reason when it is missing. */
export function vipsProblem(): string | null {
  const probe = spawnSync('vips', ['--version'], { encoding: 'utf8' });
  if (probe.error) return `vips is not available (${probe.error.message}; apt-get install libvips-tools)`;
  return probe.status === 0 ? null : `vips --version failed: ${probe.stderr.trim()}`;
}

function vips(args: string[]): void {
  const run = spawnSync('vips', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`vips ${args.join(' ')} failed: ${run.stderr || run.error?.message}`);
}

export type BlankGlass = 'noise' | 'gradient';

/**
 * Writes a blank glass slide (no tissue) as a tiled pyramidal TIFF, which OpenSlide opens as generic-tiff:
 * `noise` is grey 235 with smooth Gaussian noise (sigma 2, so about +-4), `gradient` runs from 230 at the left to
 * 240 at the right, as uneven illumination does.
 */
export async function writeBlankSlide(
  path: string,
  kind: BlankGlass,
  width = 3000,
  height = 2200,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'histo-fetch-blank-'));
  try {
    const v = (name: string): string => join(dir, `${name}.v`);
    if (kind === 'noise') {
      vips(['black', v('black'), String(width), String(height), '--bands', '3']);
      vips(['linear', v('black'), v('grey'), '1', '235']);
      // Blotches about 32 px wide, so the noise outlives the mask's blur (sigma 10 thumbnail pixels).
      const cells = (n: number): string => String(Math.ceil(n / 32) + 1);
      vips(['gaussnoise', v('cells'), cells(width), cells(height), '--sigma', '2', '--mean', '0']);
      vips(['resize', v('cells'), v('smooth'), '32']);
      vips(['crop', v('smooth'), v('noise'), '0', '0', String(width), String(height)]);
      vips(['add', v('grey'), v('noise'), v('sum')]);
    } else {
      vips(['xyz', v('xy'), String(width), String(height)]);
      vips(['extract_band', v('xy'), v('x'), '0']);
      vips(['linear', v('x'), v('ramp'), String(10 / width), '230']);
      vips(['bandjoin', `${v('ramp')} ${v('ramp')} ${v('ramp')}`, v('sum')]);
    }
    vips(['cast', v('sum'), v('glass'), 'uchar']);
    vips([
      'tiffsave',
      v('glass'),
      path,
      '--tile',
      '--pyramid',
      '--tile-width',
      '256',
      '--tile-height',
      '256',
      '--compression',
      'deflate',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
