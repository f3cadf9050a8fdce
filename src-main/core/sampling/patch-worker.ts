import { parentPort, workerData } from 'node:worker_threads';
import { SlideCache } from '../slide/index.js';
import type { PatchJob } from './patch-job.js';
import { preparePatch } from './prepare-patch.js';
import type { FromPatchWorker, PatchWorkerData, ToPatchWorker } from './worker-pool.js';

/**
 * Patch worker thread: keeps its own slide handle cache and runs up to `concurrency` jobs at once, so
 * reads (on the libuv pool) overlap resizing and augmentation on this thread.
 */
const options = workerData as PatchWorkerData;
const slides = new SlideCache({ capacity: options.maxOpenSlides });
const queue: { id: number; job: PatchJob }[] = [];
let running = 0;

/**
 * Fault injection for crash tests: `HISTO_FETCH_FAULT=patch-worker-exit:<n>` makes the pool's first worker
 * exit when its n-th job arrives, as a crashed thread would, taking its queued jobs with it.
 */
const exitOnJob =
  options.spawnIndex === 0
    ? Number(/^patch-worker-exit:(\d+)$/.exec(process.env['HISTO_FETCH_FAULT'] ?? '')?.[1] ?? 0)
    : 0;
let jobsReceived = 0;

function pump(): void {
  while (running < options.concurrency && queue.length > 0) {
    const { id, job } = queue.shift()!;
    running++;
    void preparePatch(job, { slides }).then((result) => {
      running--;
      const message: FromPatchWorker = { type: 'result', id, result };
      parentPort!.postMessage(message, result.ok ? [result.pixels] : []);
      pump();
    });
  }
}

parentPort!.on('message', (message: ToPatchWorker) => {
  if (message.type === 'job') {
    if (++jobsReceived === exitOnJob) process.exit(70);
    const entry = { id: message.id, job: message.job };
    if (message.urgent) queue.unshift(entry);
    else queue.push(entry);
    pump();
  } else if (message.type === 'close') {
    slides.closeAll();
    parentPort!.close();
  }
});
