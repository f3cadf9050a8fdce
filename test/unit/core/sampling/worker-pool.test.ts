import { describe, expect, it } from 'vitest';
import { PatchWorkerPool } from '../../../../src-main/core/sampling/worker-pool.js';
import { slidePath } from './fixtures.js';

const JOB = {
  slidePath: slidePath('cmu-1-small-region.svs'),
  level: 0,
  level0X: 100,
  level0Y: 100,
  readSizePx: 64,
  patchSize: 32,
  patchSeed: 9,
  augmentProbability: 1,
};

describe('PatchWorkerPool', () => {
  it('refuses a worker count that is not a positive integer, naming the option', () => {
    expect(() => new PatchWorkerPool({ workers: 0 })).toThrow(
      'Expected a positive integer for workers but received 0',
    );
  });

  it('prepares the same patch on any worker, returns the pixels as a transferred buffer', async () => {
    const pool = new PatchWorkerPool({ workers: 2, concurrencyPerWorker: 1 });
    try {
      const results = await Promise.all([pool.run(JOB), pool.run(JOB), pool.run(JOB, true)]);
      expect(pool.inFlight).toBe(0);
      for (const result of results) {
        if (!result.ok) throw new Error(result.message);
        expect(result.pixels.byteLength).toBe(32 * 32 * 3);
        expect(result.augmentation?.applied).toBe(true);
      }
      const [a, b, c] = results.map((r) => (r.ok ? Buffer.from(r.pixels) : null));
      expect(a!.equals(b!)).toBe(true);
      expect(a!.equals(c!)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('answers jobs after close with an internal failure instead of hanging', async () => {
    const pool = new PatchWorkerPool({ workers: 1 });
    await pool.close();
    expect(await pool.run(JOB)).toMatchObject({ ok: false, kind: 'internal', code: 'CLOSED' });
  });

  it('fails the jobs of a worker that dies as internal WORKER_FAILED, and replaces the worker', async () => {
    // The fault hook: the first worker exits when its 2nd job arrives, with 4 jobs queued on it.
    process.env['HISTO_FETCH_FAULT'] = 'patch-worker-exit:2';
    const pool = new PatchWorkerPool({ workers: 1, concurrencyPerWorker: 1 });
    delete process.env['HISTO_FETCH_FAULT'];
    try {
      const lost = await Promise.all([pool.run(JOB), pool.run(JOB), pool.run(JOB), pool.run(JOB)]);
      const failed = lost.filter((r) => !r.ok);
      expect(failed.length).toBeGreaterThanOrEqual(3);
      for (const result of failed) {
        expect(result).toMatchObject({ ok: false, kind: 'internal', code: 'WORKER_FAILED' });
        expect(!result.ok && result.message).toMatch(/^A patch worker stopped: exit code 70$/);
      }
      expect(pool.size).toBe(1);
      const after = await pool.run(JOB);
      expect(after.ok, after.ok ? '' : after.message).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
