// Worker thread of the mask pool: opens slides with the binding and builds (or reuses) their masks, one
// request at a time. Never throws for a bad slide: every request is answered with a report.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { openSlide } from '../slide/index.js';
import { buildSlideMask } from './build-mask.js';
import { MaskCache } from './mask-cache.js';
import type { MaskWorkerData, MaskWorkerMessage, MaskWorkerRequest } from './mask-pool-protocol.js';
import { renderMaskOverlayPng } from './overlay.js';

// The pool already runs one worker per core; libvips' own threads (one per core by default, in each worker)
// would oversubscribe the cores. Its thread count is per process: the pool puts it back when it finishes.
sharp.concurrency(1);

const data = workerData as MaskWorkerData;
const port = parentPort!;
const cache = new MaskCache({ cacheDir: data.cacheDir });
const overlayDir = data.overlayDir;

function send(message: MaskWorkerMessage): void {
  port.postMessage(message);
}

port.on('message', (request: MaskWorkerRequest) => {
  if (request.type === 'exit') {
    port.close();
    return;
  }
  const { path, params } = request;
  send({ type: 'started', path });
  let overlayError: string | null = null;
  void buildSlideMask(path, {
    cache,
    params,
    openSlide: (p) => openSlide(p),
    writeUiThumbnail: data.writeUiThumbnail,
    onThumbnail: overlayDir
      ? async (thumbnail, mask, report) => {
          // An overlay that cannot be written is reported beside the mask; it does not fail the slide.
          try {
            await mkdir(overlayDir, { recursive: true });
            const name = `${basename(path)}.${(report.quickhash ?? 'unknown').slice(0, 12)}.png`;
            await writeFile(join(overlayDir, name), await renderMaskOverlayPng(thumbnail, mask));
          } catch (error) {
            overlayError = (error as Error).message;
          }
        }
      : undefined,
  }).then((report) => send({ type: 'result', report, overlayError }));
});

send({ type: 'ready' });
