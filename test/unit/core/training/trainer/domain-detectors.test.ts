import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunConfig } from '../../../../../src-main/core/training/runs/run-config.js';
import type { DataEvent } from '../../../../../src-main/core/training/trainer/batch-source.js';
import { prepareSlides } from '../../../../../src-main/core/training/trainer/slide-dataset.js';
import {
  resumeTraining,
  startTraining,
  type TrainingJob,
} from '../../../../../src-main/core/training/trainer/trainer.js';
import { STAIN_DOMAINS, slideDeps, tinyConfig, workspace } from './fixtures.js';

const ws = workspace(STAIN_DOMAINS);
afterAll(() => ws.done());

const cmu = join(ws.folder('A'), 'cmu-1-small-region.svs');
const dapi = join(ws.folder('B'), 'ndpi-dapi.ndpi');

/** The detector of every mask in the cache, per slide, from the masks' metadata JSON. */
async function cachedDetectors(cacheDir: string): Promise<Record<string, string[]>> {
  const dir = join(cacheDir, 'masks');
  const bySlide: Record<string, string[]> = {};
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
    const meta = JSON.parse(await readFile(join(dir, name), 'utf8')) as {
      detector: string;
      slide: { path: string };
    };
    (bySlide[meta.slide.path] ??= []).push(meta.detector);
  }
  return bySlide;
}

/** The mask events of a job, as `domain: detector (built|from cache)` per slide path. */
function maskEvents(job: TrainingJob): Map<string, string> {
  const seen = new Map<string, string>();
  job.on('data', (e: DataEvent) => {
    if (e.kind !== 'mask' || e.path === undefined) return;
    const [, detector, how] = /\([^:]+: ([\w-]+); (built|from cache)/.exec(e.message) ?? [];
    seen.set(e.path, `${e.domain}: ${detector} (${how})`);
  });
  return seen;
}

describe('mask detector per domain (H&E otsu-red, DAPI saturation)', () => {
  const runDir = join(ws.root, 'two-detectors');
  const config = tinyConfig(ws, {
    model: 'cyclegan',
    steps: 4,
    checkpointEvery: 2,
    domains: [
      { name: 'A', folders: [ws.folder('A')] },
      { name: 'B', folders: [ws.folder('B')], detector: 'saturation' },
    ],
  });

  it("builds each domain's masks with its own detector, in one run, and stores them in config.json", async () => {
    expect(config.domains.map((d) => d.detector)).toEqual(['otsu-red', 'saturation']);
    const job = startTraining({ config, runDir, stopAtStep: 2 }, slideDeps(ws.cacheDir));
    const masks = maskEvents(job);
    expect(await job.done).toMatchObject({ reason: 'stopped', step: 2 });
    expect(Object.fromEntries(masks)).toEqual({
      [cmu]: 'A: otsu-red (built)',
      [dapi]: 'B: saturation (built)',
    });
    expect(await cachedDetectors(ws.cacheDir)).toEqual({ [cmu]: ['otsu-red'], [dapi]: ['saturation'] });
    const stored = (await readRunConfig(runDir)).config.domains;
    expect(stored.map((d) => [d.name, d.detector])).toEqual([
      ['A', 'otsu-red'],
      ['B', 'saturation'],
    ]);
  });

  it('resumes with the masks of the detectors in config.json, built before', async () => {
    const job = resumeTraining({ runDir }, slideDeps(ws.cacheDir));
    const masks = maskEvents(job);
    expect(await job.done).toMatchObject({ reason: 'completed', step: 4 });
    expect(Object.fromEntries(masks)).toEqual({
      [cmu]: 'A: otsu-red (from cache)',
      [dapi]: 'B: saturation (from cache)',
    });
    expect(await cachedDetectors(ws.cacheDir)).toEqual({ [cmu]: ['otsu-red'], [dapi]: ['saturation'] });
  });

  it('resumes a run stored before domains had detectors with otsu-red, as it was trained', async () => {
    const path = join(runDir, 'config.json');
    const file = JSON.parse(await readFile(path, 'utf8')) as {
      config: { domains: { detector?: string }[] };
    };
    for (const domain of file.config.domains) delete domain.detector;
    await writeFile(path, JSON.stringify(file));
    const job = resumeTraining({ runDir, steps: 5 }, slideDeps(ws.cacheDir));
    const masks = maskEvents(job);
    expect(await job.done).toMatchObject({ reason: 'completed', step: 5 });
    expect(Object.fromEntries(masks)).toEqual({
      [cmu]: 'A: otsu-red (from cache)',
      [dapi]: 'B: otsu-red (built)',
    });
    // Written back complete: the resume stored the detectors it used.
    expect((await readRunConfig(runDir)).config.domains.map((d) => d.detector)).toEqual([
      'otsu-red',
      'otsu-red',
    ]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      config: { domains: [{ detector: 'otsu-red' }, { detector: 'otsu-red' }] },
    });
  });

  it('a slide in both domains is masked once, with the detector of the domain that lists it first', async () => {
    const both = workspace({
      A: ['cmu-1-small-region.svs'],
      B: ['ndpi-dapi.ndpi', 'cmu-1-small-region.svs'],
    });
    try {
      const events: DataEvent[] = [];
      const prepared = await prepareSlides(
        [
          { name: 'A', folders: [both.folder('A')], detector: 'otsu-red' },
          { name: 'B', folders: [both.folder('B')], detector: 'saturation' },
        ],
        { kind: 'downsample', downsample: 4 },
        { cacheDir: both.cacheDir, maskWorkers: 1 },
        { signal: new AbortController().signal, onEvent: (e) => events.push(e) },
      );
      const copy = join(both.folder('B'), 'cmu-1-small-region.svs');
      expect(events.find((e) => e.kind === 'problem')).toMatchObject({
        domain: 'B',
        path: copy,
        message: expect.stringMatching(/same slide as .*A\/cmu-1-small-region\.svs in domain "A"; left out/),
      });
      expect(prepared.domains.map((d) => d.slidePaths.length)).toEqual([1, 1]);
      expect(prepared.reports.map((r) => r.usable)).toEqual([true, true]);
      expect(await cachedDetectors(both.cacheDir)).toEqual({
        [join(both.folder('A'), 'cmu-1-small-region.svs')]: ['otsu-red'],
        [join(both.folder('B'), 'ndpi-dapi.ndpi')]: ['saturation'],
      });
    } finally {
      both.done();
    }
  });
});
