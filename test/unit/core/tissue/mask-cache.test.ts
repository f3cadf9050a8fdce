import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCacheDir } from '../../../../src-main/core/tissue/cache-dir.js';
import { MaskCache } from '../../../../src-main/core/tissue/mask-cache.js';
import { resolveTissueMaskParameters } from '../../../../src-main/core/tissue/tissue-mask.js';
import { SAMPLE_QUICKHASH, sampleEntry } from './cache-sample.js';

const writerScript = fileURLToPath(new URL('./cache-writer.fixture.ts', import.meta.url));

/** Runs the cache-writer child; resolves with its exit code and signal. */
async function runWriter(cacheDir: string, killBefore: 'png' | 'json' | 'none', repeats: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', writerScript, cacheDir, killBefore, String(repeats)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stderr };
}

describe('MaskCache', () => {
  let cacheDir: string;
  const params = resolveTissueMaskParameters();

  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'histo-fetch-cache-'));
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('stores a mask under <cache>/masks/<quickhash>-<paramsKey> and reads it back validated', async () => {
    const cache = new MaskCache({ cacheDir });
    const { metadata, png, mask } = sampleEntry();
    expect((await cache.read(SAMPLE_QUICKHASH, params)).status).toBe('miss');
    const before = Date.now();
    const stored = await cache.write(metadata, png);
    expect(stored.maskBytes).toBe(png.length);
    expect(stored.builtAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(stored.builtAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(stored.builtAt)).toBeLessThanOrEqual(Date.now());
    const names = (await readdir(join(cacheDir, 'masks'))).sort();
    expect(names).toEqual([
      `${SAMPLE_QUICKHASH}-${stored.paramsKey}.json`,
      `${SAMPLE_QUICKHASH}-${stored.paramsKey}.png`,
    ]);
    const lookup = await cache.read(SAMPLE_QUICKHASH, params);
    expect(lookup.status).toBe('hit');
    if (lookup.status !== 'hit') return;
    expect(lookup.entry.mask.data).toEqual(mask.data);
    expect(lookup.entry.metadata.tissueFraction).toBeCloseTo(metadata.tissueFraction, 12);
    const json = JSON.parse(await readFile(lookup.entry.pngPath.replace(/png$/, 'json'), 'utf8'));
    expect(json).toMatchObject({
      detector: 'otsu-red',
      threshold: 200,
      thumbnail: { width: 300, height: 200 },
      builtAt: stored.builtAt,
    });
  });

  it('never finds a mask built with other parameters or for another slide', async () => {
    const cache = new MaskCache({ cacheDir });
    const { metadata, png } = sampleEntry();
    await cache.write(metadata, png);
    for (const changed of [
      { detector: 'saturation' as const },
      { blurSigmaPx: 8 },
      { dilationSquarePx: 3 },
      { thumbnailLongSidePx: 1500 },
    ]) {
      expect((await cache.read(SAMPLE_QUICKHASH, resolveTissueMaskParameters(changed))).status).toBe('miss');
    }
    expect((await cache.read('a'.repeat(64), params)).status).toBe('miss');
  });

  it('reports truncated, corrupted or mismatched files as invalid instead of using them', async () => {
    const cache = new MaskCache({ cacheDir });
    const { metadata, png } = sampleEntry();
    const paths = cache.maskPaths(SAMPLE_QUICKHASH, params);

    await cache.write(metadata, png);
    await truncate(paths.png, png.length - 30);
    expect(await cache.read(SAMPLE_QUICKHASH, params)).toMatchObject({ status: 'invalid' });

    await cache.write(metadata, png);
    const corrupt = Buffer.from(png);
    corrupt[60]! ^= 0x55;
    await writeFile(paths.png, corrupt);
    expect(await cache.read(SAMPLE_QUICKHASH, params)).toMatchObject({ status: 'invalid' });

    await cache.write(metadata, png);
    await writeFile(paths.json, '{"formatVersion": 1, "trunc');
    expect(await cache.read(SAMPLE_QUICKHASH, params)).toMatchObject({
      status: 'invalid',
      reason: /not valid JSON/,
    });

    // A PNG from another build beside this JSON: the checksum in the JSON catches the pairing.
    await cache.write(metadata, png);
    const other = sampleEntry(resolveTissueMaskParameters({ dilationSquarePx: 3 }));
    await writeFile(paths.png, other.png.subarray(0, other.png.length - 12));
    expect(await cache.read(SAMPLE_QUICKHASH, params)).toMatchObject({
      status: 'invalid',
      reason: /does not match/,
    });

    await cache.write(metadata, png);
    expect((await cache.read(SAMPLE_QUICKHASH, params)).status).toBe('hit');
  });

  it('leaves nothing that is read later when the writer is killed mid-write', async () => {
    const cache = new MaskCache({ cacheDir });
    for (const killBefore of ['png', 'json'] as const) {
      const run = await runWriter(cacheDir, killBefore, 1);
      expect(run.signal, run.stderr).toBe('SIGKILL');
      expect((await cache.read(SAMPLE_QUICKHASH, params)).status).toBe('miss');
    }
    const leftovers = (await readdir(join(cacheDir, 'masks'))).filter((n) => n.endsWith('.partial'));
    expect(leftovers.length).toBe(2);
    expect(await cache.removeStaleTemporaryFiles(0)).toBe(2);
    const { metadata, png } = sampleEntry();
    await cache.write(metadata, png);
    expect((await cache.read(SAMPLE_QUICKHASH, params)).status).toBe('hit');
  });

  it('stays valid while two processes rewrite the same entry and a reader reads it', async () => {
    const cache = new MaskCache({ cacheDir });
    const { metadata, png } = sampleEntry();
    await cache.write(metadata, png);
    const writers = [runWriter(cacheDir, 'none', 150), runWriter(cacheDir, 'none', 150)];
    let done = false;
    const finished = Promise.all(writers).finally(() => (done = true));
    let reads = 0;
    while (!done) {
      const lookup = await cache.read(SAMPLE_QUICKHASH, params);
      expect(lookup.status).toBe('hit');
      reads++;
    }
    for (const run of await finished) expect(run.code, run.stderr).toBe(0);
    expect(reads).toBeGreaterThan(0);
    const names = await readdir(join(cacheDir, 'masks'));
    expect(names.filter((n) => !n.endsWith('.partial')).length).toBe(2);
    expect(names.filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('rejects a quickhash that could escape the cache folder (it becomes a file name)', () => {
    const cache = new MaskCache({ cacheDir });
    expect(() => cache.maskPaths('../../etc/passwd', params)).toThrow(/slide quickhash/);
  });
});

describe('resolveCacheDir', () => {
  it('prefers the explicit folder, then $XDG_CACHE_HOME, then ~/.cache', () => {
    expect(resolveCacheDir('/data/c', { XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/data/c');
    expect(resolveCacheDir(undefined, { XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/x/histo-fetch');
    expect(resolveCacheDir(undefined, { XDG_CACHE_HOME: 'relative' }, '/home/u')).toBe(
      '/home/u/.cache/histo-fetch',
    );
    expect(resolveCacheDir(undefined, {}, '/home/u')).toBe('/home/u/.cache/histo-fetch');
  });
});
