/**
 * Debian's openslide-tools as the reference our binding is checked against: the tests run the real
 * programs and parse what they print or write.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import sharp from 'sharp';

const run = promisify(execFile);

/**
 * Properties as `openslide-show-properties` prints them (`name: 'value'` per property, values may span
 * lines). Throws if the parse does not reproduce the tool's output exactly.
 */
export async function showProperties(path: string): Promise<Record<string, string>> {
  const { stdout } = await run('openslide-show-properties', [path], { maxBuffer: 64 << 20 });
  const properties: Record<string, string> = {};
  let rebuilt = '';
  // Names and values may hold \r (NDPI), so no `.`/`^`/`$`: only \n separates entries.
  const entry = /([^\n]+?): '([\s\S]*?)'\n/y;
  for (let match = entry.exec(stdout); match !== null; match = entry.exec(stdout)) {
    properties[match[1]!] = match[2]!;
    rebuilt += match[0];
  }
  if (rebuilt !== stdout) throw new Error(`could not parse openslide-show-properties output for ${path}`);
  return properties;
}

/** `openslide-quickhash1sum` of a file. */
export async function quickhash1sum(path: string): Promise<string> {
  const { stdout } = await run('openslide-quickhash1sum', [path]);
  return stdout.split(/\s+/)[0]!;
}

/** Decoded RGBA pixels of the PNG `openslide-write-png` writes for a region. */
export async function writePngReference(
  path: string,
  level0X: number,
  level0Y: number,
  level: number,
  width: number,
  height: number,
): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'histo-fetch-ref-'));
  try {
    const out = join(dir, 'region.png');
    await run('openslide-write-png', [
      '--',
      path,
      ...[level0X, level0Y, level, width, height].map(String),
      out,
    ]);
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 4 || info.width !== width || info.height !== height) {
      throw new Error(`unexpected reference PNG ${info.width}x${info.height}x${info.channels}`);
    }
    return data;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The level-0 y of each row openslide-write-png reads for a region: it reads row by row at
 * trunc((trunc(y / ds) + k) * ds), which is the region's own rows only when the downsample is an integer.
 */
export function writePngRowYs(level0Y: number, downsample: number, height: number): number[] {
  const first = Math.trunc(level0Y / downsample);
  return Array.from({ length: height }, (_, k) => Math.trunc((first + k) * downsample));
}
