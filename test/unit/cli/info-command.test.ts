import { describe, expect, it } from 'vitest';

import { UNOPENABLE, USABLE_SLIDES, slidePath } from '../../native/helpers/fixtures.js';
import { quickhash1sum, showProperties } from '../../native/helpers/openslide-tools.js';
import { spawnCli } from './spawn-cli.js';

describe('histo-fetch info', () => {
  it('prints JSON that agrees with openslide-show-properties, for every slide', async () => {
    for (const name of USABLE_SLIDES) {
      const path = slidePath(name);
      const [result, reference, quickhash] = await Promise.all([
        spawnCli(['info', path, '--json']),
        showProperties(path),
        quickhash1sum(path),
      ]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as Record<string, unknown>;
      const optional = (key: string): number | null => (key in reference ? Number(reference[key]) : null);
      expect(report).toMatchObject({
        path,
        vendor: reference['openslide.vendor'],
        quickhash,
        mppX: optional('openslide.mpp-x'),
        mppY: optional('openslide.mpp-y'),
        objectivePower: optional('openslide.objective-power'),
        propertyCount: Object.keys(reference).length,
      });
      const levels = report['levels'] as Array<{
        level: number;
        width: number;
        height: number;
        downsample: number;
      }>;
      expect(levels.length).toBe(Number(reference['openslide.level-count']));
      for (const l of levels) {
        expect([l.width, l.height]).toEqual([
          Number(reference[`openslide.level[${l.level}].width`]),
          Number(reference[`openslide.level[${l.level}].height`]),
        ]);
        // The property round-trips the double (g_ascii_dtostr): exact.
        expect(l.downsample).toBe(Number(reference[`openslide.level[${l.level}].downsample`]));
      }
    }
  });

  it('prints readable text with the levels and associated images', async () => {
    const result = await spawnCli(['info', slidePath('cmu-1-small-region.svs')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('vendor            aperio');
    expect(result.stdout).toContain('associated images label, macro, thumbnail');
    expect(result.stdout).toMatch(/level 0\s+2220 x 2967\s+downsample 1/);
    expect(result.stdout).toContain('mpp               0.499 x 0.499 um/px');
  });

  it('adds every property with --properties', async () => {
    const path = slidePath('tiny.svs');
    const result = await spawnCli(['info', path, '--json', '--properties']);
    expect(JSON.parse(result.stdout).properties).toEqual(await showProperties(path));
  });

  it('exits 1 naming the file for a missing, unsupported or unopenable slide', async () => {
    const missing = slidePath('missing.svs');
    const cases: Array<[string, RegExp]> = [
      [missing, /no such file/],
      [slidePath('SOURCES.md'), /not a file that OpenSlide can recognize/],
      [UNOPENABLE, /Unsupported TIFF compression/],
      [slidePath(''), /is a directory/],
    ];
    for (const [path, problem] of cases) {
      const result = await spawnCli(['info', path]);
      expect(result.code, path).toBe(1);
      expect(result.signal).toBeNull();
      expect(result.stderr).toContain(path.replace(/\/$/, ''));
      expect(result.stderr).toMatch(problem);
    }
  });

  it('exits 2 with the usage for a bad command line', async () => {
    for (const args of [['info'], ['info', 'a.svs', 'b.svs'], ['info', 'a.svs', '--jsn']]) {
      const result = await spawnCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('Usage: histo-fetch info <slide>');
    }
  });

  it('prints its help with --help and exit 0', async () => {
    const result = await spawnCli(['info', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: histo-fetch info');
  });

  it('is listed by histo-fetch --help', async () => {
    const result = await spawnCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/info\s+print a slide's vendor/);
    expect(result.stdout).toMatch(/region\s+write a region/);
  });
});
