import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SampleManifestRecord } from '../../../src-main/cli/commands/sample.js';
import { sampleCommand } from '../../../src-main/cli/commands/sample.js';
import { readManifest } from '../../../src-main/core/sampling/manifest.js';
import { spawnCli } from './spawn-cli.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/slides/', import.meta.url));

/** Runs the command in this process, capturing what it prints. */
async function sample(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const code = await sampleCommand(args, { stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('histo-fetch sample', () => {
  let scratch: string;
  let he: string;
  let fluo: string;
  let cache: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'histo-fetch-sample-'));
    he = join(scratch, 'HE');
    fluo = join(scratch, 'DAPI');
    cache = join(scratch, 'cache');
    for (const name of ['cmu-1-small-region.svs', 'bracs-1640-crop.tiff', 'bad/unreadable.svs']) {
      await cp(join(FIXTURES, name), join(he, name.replace('bad/', '')));
    }
    await cp(join(FIXTURES, 'ndpi-dapi.ndpi'), join(fluo, 'ndpi-dapi.ndpi'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes the patches as PNGs with a manifest and a contact sheet, one domain per folder', async () => {
    const out = join(scratch, 'out');
    const result = await sample([
      he,
      fluo,
      '--count',
      '10',
      '--size',
      '64',
      '--downsample',
      '2.5',
      '--augment',
      '0.5',
      '--seed',
      '11',
      '--workers',
      '2',
      '--cache',
      cache,
      '--out',
      out,
      '--contact-sheet',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/excluded .*unreadable\.svs/);
    const records = readManifest<SampleManifestRecord>(join(out, 'manifest.jsonl'));
    expect(records).toHaveLength(20);
    expect(records.filter((r) => r.domain === 'HE')).toHaveLength(10);
    expect(records.filter((r) => r.domain === 'DAPI')).toHaveLength(10);
    expect(readdirSync(join(out, 'HE')).sort()).toEqual(
      records
        .filter((r) => r.domain === 'HE')
        .map((r) => r.file.slice(3))
        .sort(),
    );
    for (const record of records) {
      expect(record.slidePath).not.toContain('unreadable');
      expect(record).toMatchObject({ patchSize: 64, downsample: 2.5, seed: 11 });
      const { data, info } = await sharp(join(out, record.file)).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([64, 64, 3]);
      expect(data.length).toBe(64 * 64 * 3);
    }
    const sheet = await sharp(join(out, 'contact-sheet.png')).metadata();
    expect(sheet.width).toBeGreaterThan(2 * 192);
    expect(result.stdout).toContain('20 patches from 3 slides');
  });

  it('writes the same manifest and patches for the same seed with 1 and with 4 workers', async () => {
    const runs: { manifest: string; pngs: Buffer[] }[] = [];
    for (const workers of ['1', '4']) {
      const out = join(scratch, `workers-${workers}`);
      const result = await sample([
        he,
        '--count',
        '6',
        '--size',
        '32',
        '--augment',
        '0.5',
        '--seed',
        'x',
        '--workers',
        workers,
        '--cache',
        cache,
        '--out',
        out,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const manifest = await readFile(join(out, 'manifest.jsonl'), 'utf8');
      const records = readManifest<SampleManifestRecord>(join(out, 'manifest.jsonl'));
      const pngs = await Promise.all(records.map((r) => readFile(join(out, r.file))));
      runs.push({ manifest, pngs });
    }
    expect(runs[0]!.manifest.trim().split('\n')).toHaveLength(6);
    expect(runs[1]!.manifest).toBe(runs[0]!.manifest);
    expect(runs[1]!.pngs).toEqual(runs[0]!.pngs);
  });

  it('refuses bad arguments with the usage (exit 2)', async () => {
    const missing = await sample([he, '--out', join(scratch, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('option --count is required');
    const both = await sample([
      he,
      '--count',
      '1',
      '--downsample',
      '2',
      '--mpp',
      '1',
      '--out',
      join(scratch, 'y'),
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either --downsample or --mpp');
    const below = await sample([
      he,
      '--count',
      '1',
      '--downsample',
      '0.5',
      '--cache',
      cache,
      '--out',
      join(scratch, 'z'),
    ]);
    expect(below.code).toBe(2);
    expect(below.stderr).toContain('Expected a number >= 1 for downsample but received 0.5');
    expect(existsSync(join(scratch, 'z', 'manifest.jsonl'))).toBe(false);
    const shuffle = await sample([he, '--count', '1', '--shuffle-buffer', '0', '--out', join(scratch, 's')]);
    expect(shuffle.code).toBe(2);
    expect(shuffle.stderr).toContain('for shuffleBufferSize but received 0');
  });

  it('masks each domain with the detector --detector gives it', async () => {
    const ownCache = join(scratch, 'detector-cache');
    const common = ['--count', '4', '--size', '32', '--cache', ownCache];
    const result = await sample([
      he,
      fluo,
      ...common,
      '--detector',
      'DAPI=saturation',
      '--out',
      join(scratch, 'd'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const detectors: Record<string, string> = {};
    for (const name of readdirSync(join(ownCache, 'masks')).filter((n) => n.endsWith('.json'))) {
      const meta = JSON.parse(await readFile(join(ownCache, 'masks', name), 'utf8')) as {
        detector: string;
        slide: { path: string };
      };
      detectors[basename(meta.slide.path)] = meta.detector;
    }
    expect(detectors).toEqual({
      'cmu-1-small-region.svs': 'otsu-red',
      'bracs-1640-crop.tiff': 'otsu-red',
      'ndpi-dapi.ndpi': 'saturation',
    });
    const unknown = await sample([
      he,
      ...common,
      '--detector',
      'DAPI=saturation',
      '--out',
      join(scratch, 'e'),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--detector 'DAPI=saturation': no domain named 'DAPI' (domains: HE)");
  });

  it('names the domain and the slides when no slide has the mpp asked for', async () => {
    const noMpp = join(scratch, 'no-mpp');
    await cp(join(FIXTURES, 'bracs-1640-crop.tiff'), join(noMpp, 'bracs.tiff'));
    const result = await sample([
      noMpp,
      '--count',
      '2',
      '--mpp',
      '1',
      '--cache',
      cache,
      '--out',
      join(scratch, 'o'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Domain 'no-mpp' has no slide left");
    expect(result.stderr).toContain('bracs.tiff: the slide has no openslide.mpp-x');
  });

  it('is registered as a command of the histo-fetch launcher', async () => {
    const result = await spawnCli(['sample', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: histo-fetch sample <folder>...');
  });
});
