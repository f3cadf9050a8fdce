import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UNREADABLE, slidePath } from '../../native/helpers/fixtures.js';
import { writePngReference } from '../../native/helpers/openslide-tools.js';
import { spawnCli } from './spawn-cli.js';

describe('histo-fetch region', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'histo-fetch-region-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  const regions: Array<[string, number, number, number, number, number]> = [
    ['cmu-1-small-region.svs', 2000, 2800, 0, 300, 250], // crosses the edges: transparent pixels
    ['ndpi-dapi.ndpi', 1024, 2048, 2, 200, 150],
  ];
  for (const [name, x, y, level, width, height] of regions) {
    it(`writes an RGBA PNG equal to openslide-write-png for ${name} level ${level}`, async () => {
      const out = join(scratch, `${name}-${level}.png`);
      const args = ['region', slidePath(name), '--level', String(level), '--x', String(x), '--y', String(y)];
      const result = await spawnCli([
        ...args,
        '--width',
        String(width),
        '--height',
        String(height),
        '--out',
        out,
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(out);
      const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([width, height, 4]);
      expect(data.equals(await writePngReference(slidePath(name), x, y, level, width, height))).toBe(true);
    });
  }

  it('exits 1 naming the file and the problem for bad regions and unreadable slides', async () => {
    const tiny = slidePath('tiny.svs');
    const out = join(scratch, 'bad.png');
    const cases: Array<[string[], RegExp]> = [
      [[tiny, '--level', '3'], /tiny\.svs: level 3 is out of range: the slide has 1 level \(0\)/],
      [[tiny, '--x', '-5000'], /tiny\.svs: region x=-5000 .* lies entirely outside the slide/],
      [
        [tiny, '--width', '100000', '--height', '100000'],
        /tiny\.svs: region 100000x100000 is 10000000000 pixels/,
      ],
      [[tiny, '--width', '0'], /tiny\.svs: Expected a positive integer for width but received 0/],
      [[UNREADABLE], /unreadable\.svs: cannot read region .*Bogus marker length/],
      [[tiny, '--out', join(scratch, 'no', 'such', 'folder.png')], /folder\.png: cannot write the PNG/],
    ];
    for (const [overrides, problem] of cases) {
      const base = ['--x', '0', '--y', '0', '--width', '8', '--height', '8', '--out', out];
      const result = await spawnCli(['region', ...mergeFlags(base, overrides)]);
      expect(result.code, overrides.join(' ')).toBe(1);
      expect(result.signal).toBeNull();
      expect(result.stderr).toMatch(problem);
    }
  });

  it('exits 2 with the usage when an option is missing or malformed', async () => {
    const tiny = slidePath('tiny.svs');
    const cases: Array<[string[], string]> = [
      [['region', tiny, '--x', '0', '--y', '0', '--width', '8', '--height', '8'], 'option --out is required'],
      [['region', tiny, '--x', 'left'], "Expected an integer for --x but received 'left'"],
      [['region', '--x', '0'], 'a slide path is required'],
    ];
    for (const [args, message] of cases) {
      const result = await spawnCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('Usage: histo-fetch region');
    }
  });
});

/** `base` flags with those in `overrides` replaced; a leading positional in `overrides` goes first. */
function mergeFlags(base: string[], overrides: string[]): string[] {
  const [first, ...rest] = overrides;
  const positional = first !== undefined && !first.startsWith('--') ? [first] : [];
  const flags = positional.length ? rest : overrides;
  const merged = [...base];
  for (let i = 0; i < flags.length; i += 2) {
    const at = merged.indexOf(flags[i]!);
    if (at === -1) merged.push(flags[i]!, flags[i + 1]!);
    else merged[at + 1] = flags[i + 1]!;
  }
  return [...positional, ...merged];
}
