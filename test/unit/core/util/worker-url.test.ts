import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { startSiblingWorker } from '../../../../src-main/core/util/worker-url.js';

describe('startSiblingWorker', () => {
  it('runs a TypeScript sibling module as a worker thread from source', async () => {
    const worker = startSiblingWorker(import.meta.url, './echo-worker.fixture', { workerData: { n: 21 } });
    const [message] = (await once(worker, 'message')) as [number];
    expect(message).toBe(42);
    await worker.terminate();
  });
});
