/**
 * One timed run of `npm run bench -- read`, in its own process so UV_THREADPOOL_SIZE applies:
 * opens the slide through the slide layer, warms up, then reads the positions with `inflight` reads in
 * flight. Prints one JSON line: { patches, seconds, cpuSeconds, otherCores }.
 *
 * usage: read-child.ts SLIDE POSITIONS_FILE WARMUP_COUNT SIZE_PX LEVEL INFLIGHT FORMAT
 */
import { readFileSync } from 'node:fs';

import { openSlide, type Slide } from '../src-main/core/slide/index.js';
import { machineBusySeconds, otherCores, ownCpuSeconds } from './load.js';

const [slidePath, positionsFile, warmupText, sizeText, levelText, inflightText, format] =
  process.argv.slice(2);
if (format !== 'rgb' && format !== 'rgba')
  throw new Error('usage: read-child.ts SLIDE POSITIONS WARMUP SIZE LEVEL INFLIGHT rgb|rgba');
const pixelFormat: 'rgb' | 'rgba' = format;
const warmup = Number(warmupText);
const size = Number(sizeText);
const level = Number(levelText);
const inflight = Number(inflightText);

const positions = readFileSync(positionsFile!, 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split(' ').map(Number) as [number, number]);

/** Reads `list` keeping `inflight` reads in flight. */
async function readAll(slide: Slide, list: ReadonlyArray<readonly [number, number]>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < list.length) {
      const [x, y] = list[next++]!;
      await slide.readRegion(x, y, level, size, size, { format: pixelFormat });
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
}

const slide = await openSlide(slidePath!);
await readAll(slide, positions.slice(0, warmup));
const measured = positions.slice(warmup);
const busyBefore = machineBusySeconds();
const cpuBefore = ownCpuSeconds();
const start = process.hrtime.bigint();
await readAll(slide, measured);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpuSeconds = ownCpuSeconds() - cpuBefore;
slide.close();
process.stdout.write(
  `${JSON.stringify({
    patches: measured.length,
    seconds,
    cpuSeconds,
    otherCores: otherCores(busyBefore, machineBusySeconds(), cpuSeconds, seconds),
  })}\n`,
);
