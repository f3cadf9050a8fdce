import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { PatchSampler, type SamplerState } from '../../../../src-main/core/sampling/patch-sampler.js';
import type { PatchSamplerOptions } from '../../../../src-main/core/sampling/options.js';
import type { PatchProvenance } from '../../../../src-main/core/sampling/provenance.js';
import { PatchWorkerPool } from '../../../../src-main/core/sampling/worker-pool.js';
import { datasetOf, slidePath, tempDir } from './fixtures.js';

const DOMAINS = {
  'H&E': ['cmu-1-small-region.svs', 'bracs-1640-crop.tiff', 'tcga-cr-7395-ts1.svs'].map(slidePath),
  DAPI: ['ndpi-dapi.ndpi', 'ndpi-tritc.ndpi'].map(slidePath),
};
const OPTIONS: PatchSamplerOptions = {
  patchSize: 64,
  downsample: 2.5,
  augment: 0.5,
  seed: 'determinism',
  batchSize: 8,
  lookahead: 16,
  shuffleBufferSize: 8,
  float32: false,
};

const cache = tempDir('sampling-determinism-');
const pools = new Map<number, PatchWorkerPool>();
beforeAll(() => {
  for (const workers of [1, 2, 4]) {
    pools.set(workers, new PatchWorkerPool({ workers, concurrencyPerWorker: 2, maxOpenSlidesPerWorker: 4 }));
  }
});
afterAll(async () => {
  await Promise.all([...pools.values()].map((p) => p.close()));
  cache.done();
});

interface Taken {
  readonly provenance: PatchProvenance[];
  readonly pixelHashes: string[];
}

/** Takes `batches` batches from each domain, alternating domains as a CycleGAN trainer does. */
async function take(sampler: PatchSampler, batches: number): Promise<Record<string, Taken>> {
  const out: Record<string, Taken> = {};
  for (const domain of sampler.domains) out[domain] = { provenance: [], pixelHashes: [] };
  for (let b = 0; b < batches; b++) {
    for (const domain of sampler.domains) {
      const batch = (await sampler.stream(domain).nextBatch())!;
      const stride = batch.patchSize * batch.patchSize * 3;
      for (let i = 0; i < batch.count; i++) {
        out[domain]!.provenance.push(batch.provenance[i]!);
        const pixels = batch.pixels.subarray(i * stride, (i + 1) * stride);
        out[domain]!.pixelHashes.push(createHash('sha256').update(pixels).digest('hex'));
      }
    }
  }
  return out;
}

async function sampler(workers: number, restore: SamplerState | null = null): Promise<PatchSampler> {
  const pool = pools.get(workers)!;
  return new PatchSampler(await datasetOf(DOMAINS, cache.path), OPTIONS, {
    runJob: (job, urgent) => pool.run(job, urgent),
    restore,
    statsIntervalMs: 0,
  });
}

describe('determinism and resume', () => {
  it('gives the same patches, provenance and augmentation for a seed with 1 and with 4 workers', async () => {
    const one = await sampler(1);
    const four = await sampler(4);
    const [a, b] = [await take(one, 6), await take(four, 6)];
    one.close();
    four.close();
    expect(b).toEqual(a);
    const all = Object.values(a).flatMap((t) => t.provenance);
    expect(all).toHaveLength(2 * 6 * 8);
    expect(new Set(all.map((p) => p.slidePath)).size).toBe(5);
    // augment 0.5: some patches augmented (with every op's parameters recorded), some not.
    const augmented = all.filter((p) => p.augmentation !== null);
    expect(augmented.length).toBeGreaterThan(all.length * 0.25);
    expect(augmented.length).toBeLessThan(all.length * 0.75);
    expect(augmented[0]!.augmentation!.ops.map((op) => op.name)).toEqual([
      'd4',
      'piecewiseAffine',
      'colourShift',
      'hedJitter',
    ]);
    // A different seed gives a different sequence.
    const other = new PatchSampler(
      await datasetOf(DOMAINS, cache.path),
      { ...OPTIONS, seed: 'other' },
      {
        runJob: (job, urgent) => pools.get(2)!.run(job, urgent),
        statsIntervalMs: 0,
      },
    );
    const c = await take(other, 1);
    other.close();
    expect(c['H&E']!.provenance.map((p) => p.level0X)).not.toEqual(
      a['H&E']!.provenance.slice(0, 8).map((p) => p.level0X),
    );
  });

  it('loses and changes nothing when a worker dies mid-run: its jobs are prepared again', async () => {
    // The fault hook: the crashing pool's first worker exits on its 20th job, with jobs queued on it.
    process.env['HISTO_FETCH_FAULT'] = 'patch-worker-exit:20';
    const crashing = new PatchWorkerPool({ workers: 2, concurrencyPerWorker: 2, maxOpenSlidesPerWorker: 4 });
    delete process.env['HISTO_FETCH_FAULT'];
    const deaths: string[] = [];
    try {
      const withCrash = new PatchSampler(await datasetOf(DOMAINS, cache.path), OPTIONS, {
        runJob: async (job, urgent) => {
          const result = await crashing.run(job, urgent);
          if (!result.ok) deaths.push(result.code);
          return result;
        },
        restore: null,
        statsIntervalMs: 0,
      });
      const steady = await sampler(2);
      const [a, b] = [await take(withCrash, 6), await take(steady, 6)];
      withCrash.close();
      steady.close();
      expect(deaths.length, 'jobs lost with the worker').toBeGreaterThan(0);
      expect(new Set(deaths)).toEqual(new Set(['WORKER_FAILED']));
      expect(a).toEqual(b);
    } finally {
      await crashing.close();
    }
  });

  it('continues the sequence exactly from a saved state (through JSON, with another worker count)', async () => {
    const original = await sampler(1);
    await take(original, 3);
    const state = JSON.parse(JSON.stringify(original.getState())) as SamplerState;
    const expected = await take(original, 4);
    original.close();

    const resumed = await sampler(4, state);
    const continued = await take(resumed, 4);
    resumed.close();
    expect(continued).toEqual(expected);
    expect(continued['H&E']!.provenance[0]!.sampleIndex).toBe(3 * 8);
  });

  it('PatchSampler.restore(getState()) delivers exactly the batches the saved sampler delivers next', async () => {
    const original = await sampler(2);
    await take(original, 2);
    const state = original.getState();
    const expected = await take(original, 3);
    original.close();

    const restored = PatchSampler.restore(
      await datasetOf(DOMAINS, cache.path),
      OPTIONS,
      { runJob: (job, urgent) => pools.get(1)!.run(job, urgent), statsIntervalMs: 0 },
      JSON.parse(JSON.stringify(state)) as SamplerState,
    );
    const continued = await take(restored, 3);
    restored.close();
    expect(continued).toEqual(expected);
    expect(continued.DAPI!.provenance.map((p) => p.sampleIndex)).toEqual(
      Array.from({ length: 24 }, (_, i) => 16 + i),
    );
  });

  it('refuses a saved state made with other sampling parameters, or an inconsistent one', async () => {
    const original = await sampler(2);
    await take(original, 1);
    const state = original.getState();
    original.close();
    const dataset = await datasetOf(DOMAINS, cache.path);
    expect(
      () =>
        new PatchSampler(
          dataset,
          { ...OPTIONS, downsample: 4 },
          {
            runJob: (job, urgent) => pools.get(2)!.run(job, urgent),
            restore: state,
            statsIntervalMs: 0,
          },
        ),
    ).toThrow(/different scale/);
    const stream = state.streams['H&E']!;
    const tampered: SamplerState = {
      ...state,
      streams: { ...state.streams, 'H&E': { ...stream, undelivered: stream.undelivered.slice(1) } },
    };
    expect(
      () =>
        new PatchSampler(dataset, OPTIONS, {
          runJob: (job, urgent) => pools.get(2)!.run(job, urgent),
          restore: tampered,
          statsIntervalMs: 0,
        }),
    ).toThrow(/saved state of domain 'H&E' is inconsistent/);
  });
});
