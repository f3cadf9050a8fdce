import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { Rng } from '../../src-main/core/util/rng.js';
import {
  ADDON_FILE_NAME,
  loadOpenSlideAddon,
  type NativeSlide,
} from '../../src-main/native/openslide/index.js';
import { slidePath } from './helpers/fixtures.js';

const addon = loadOpenSlideAddon();
const ADDON_PATH = join(
  fileURLToPath(new URL('../../src-main/native/openslide/build/Release/', import.meta.url)),
  ADDON_FILE_NAME,
);

interface Read {
  readonly x: number;
  readonly y: number;
  readonly level: number;
  readonly format: 'rgb' | 'rgba';
}

/** Seeded 256 px reads over every level of a slide, in both formats. */
function randomReads(slide: NativeSlide, count: number, seed: number): Read[] {
  const rng = new Rng(seed);
  const [width, height] = slide.levelDimensions(0);
  return Array.from({ length: count }, () => ({
    x: rng.int(width - 256),
    y: rng.int(height - 256),
    level: rng.int(slide.levelCount()),
    format: rng.next() < 0.5 ? 'rgb' : 'rgba',
  }));
}

function read(slide: NativeSlide, r: Read): Promise<Buffer> {
  return slide.readRegion(r.x, r.y, r.level, 256, 256, r.format);
}

/** Lets finished async workers be destroyed (they drop their handle reference after resolving). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await nextTurn();
}

describe('concurrent reads on one handle', () => {
  for (const name of ['ndpi-dapi.ndpi', 'tcga-cr-7395-ts1.svs']) {
    it(`${name}: 64 reads in flight give the same bytes as sequential reads`, async () => {
      const slide = await addon.open(slidePath(name));
      const reads = randomReads(slide, 64, 7);
      const sequential: Buffer[] = [];
      for (const r of reads) sequential.push(await read(slide, r));
      const parallel = await Promise.all(reads.map((r) => read(slide, r)));
      slide.close();
      parallel.forEach((bytes, i) => expect(bytes.equals(sequential[i]!), `read ${i}`).toBe(true));
    });
  }
});

describe('close() while reads are in flight', () => {
  it('keeps the handle until the last read ends, resolves every read, then releases it', async () => {
    await settle();
    const baseline = addon.liveHandleCount();
    const slide = await addon.open(slidePath('cmu-1-small-region.svs'));
    const reads = randomReads(slide, 32, 11);
    const expected: Buffer[] = [];
    for (const r of reads) expected.push(await read(slide, r));

    const inFlight = reads.map((r) => read(slide, r));
    slide.close();
    expect(slide.closed).toBe(true);
    expect(addon.liveHandleCount()).toBe(baseline + 1);
    const results = await Promise.all(inFlight);
    results.forEach((bytes, i) => expect(bytes.equals(expected[i]!), `read ${i}`).toBe(true));
    await settle();
    expect(addon.liveHandleCount()).toBe(baseline);
  });

  it('releases the handle at once when no read is in flight', async () => {
    await settle();
    const baseline = addon.liveHandleCount();
    const slide = await addon.open(slidePath('tiny.svs'));
    expect(addon.liveHandleCount()).toBe(baseline + 1);
    slide.close();
    expect(addon.liveHandleCount()).toBe(baseline);
  });

  it('closes a slide that was never closed when it is garbage-collected', async () => {
    const script = `
      const addon = require(process.argv[1]);
      (async () => {
        for (let i = 0; i < 5; i++) await addon.open(process.argv[2]);
        const opened = addon.liveHandleCount();
        for (let i = 0; i < 5 && addon.liveHandleCount() > 0; i++) {
          global.gc();
          await new Promise((resolve) => setImmediate(resolve));
        }
        console.log(JSON.stringify([opened, addon.liveHandleCount()]));
      })();`;
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--expose-gc',
      '-e',
      script,
      ADDON_PATH,
      slidePath('tiny.svs'),
    ]);
    expect(JSON.parse(stdout)).toEqual([5, 0]);
  });

  it('lets a worker thread exit with reads in flight without aborting the process', async () => {
    // A patch worker that dies (or exits) mid-read tears its Node-API environment down while the thread
    // pool still holds its reads: settling them then must be skipped, not abort the whole process.
    const script = `
      const { Worker } = require('node:worker_threads');
      const [addonPath, slide] = process.argv.slice(1);
      const inWorker = \`
        const addon = require(\${JSON.stringify(addonPath)});
        addon.open(\${JSON.stringify(slide)}).then((s) => {
          for (let i = 0; i < 64; i++) s.readRegion((i % 8) * 256, (i >> 3) * 256, 0, 512, 512);
          process.exit(3);
        });\`;
      (async () => {
        for (let i = 0; i < 8; i++) {
          const code = await new Promise((resolve) => new Worker(inWorker, { eval: true }).on('exit', resolve));
          if (code !== 3) throw new Error('worker exit code ' + code);
        }
        const addon = require(addonPath);
        const s = await addon.open(slide);
        console.log((await s.readRegion(0, 0, 0, 16, 16)).length);
      })();`;
    const { stdout } = await promisify(execFile)(process.execPath, [
      '-e',
      script,
      ADDON_PATH,
      slidePath('cmu-1-small-region.svs'),
    ]);
    expect(stdout.trim()).toBe(String(16 * 16 * 3));
  });

  it('rejects later calls with CLOSED, naming the file', async () => {
    const path = slidePath('tiny.svs');
    const slide = await addon.open(path);
    slide.close();
    slide.close(); // idempotent
    for (const call of [
      () => slide.readRegion(0, 0, 0, 16, 16),
      () => slide.levelCount(),
      () => slide.properties(),
      () => slide.readAssociatedImage('thumbnail'),
    ]) {
      expect(call).toThrow(
        expect.objectContaining({ code: 'CLOSED', path, message: `${path}: the slide is closed` }),
      );
    }
  });

  it('survives repeated open / read / close cycles without leaking handles', async () => {
    await settle();
    const baseline = addon.liveHandleCount();
    for (let cycle = 0; cycle < 20; cycle++) {
      const slide = await addon.open(slidePath('bracs-1640-crop.tiff'));
      const inFlight = randomReads(slide, 8, cycle).map((r) => read(slide, r));
      slide.close();
      await Promise.all(inFlight);
    }
    await settle();
    expect(addon.liveHandleCount()).toBe(baseline);
  });
});
