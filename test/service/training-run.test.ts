import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage, TrainingConfig } from '../../src-main/contract/index.js';
import { loadCycleganGenerator } from '../../src-main/core/inference/generator-folder.js';
import { loadRunCycleganGenerator } from '../../src-main/core/inference/run-generator.js';
import { readWeights } from '../../src-main/core/training/weights.js';
import type { Service } from '../../src-main/service/service.js';
import { callError, callOk, jobEnded, recorder, slideWorkspace, startService } from './helpers.js';

/** The messages of a run's training job (data events: slides found, masks, exclusions). */
function jobMessages(events: readonly EventMessage[], runId: string): string[] {
  return events.flatMap((e) =>
    e.name === 'job.state' && e.payload.job.subject === runId && e.payload.message !== null
      ? [e.payload.message]
      : [],
  );
}

describe('training through the service: a tiny CycleGAN on the real slides', () => {
  let ws: Awaited<ReturnType<typeof slideWorkspace>>;
  let service: Service;
  let events: ReturnType<typeof recorder>;
  let config: TrainingConfig;
  let runId: string;

  beforeAll(async () => {
    ws = await slideWorkspace();
    service = await startService(ws.dir, [ws.root]);
    events = recorder(service);
    const he = (
      await callOk(service, 'datasets.create', { name: 'H&E', detector: 'otsu-red', folders: [ws.he] })
    ).domain.id;
    const dapi = (
      await callOk(service, 'datasets.create', {
        name: 'DAPI',
        detector: 'saturation',
        folders: [ws.fluorescence],
      })
    ).domain.id;
    const defaults = await callOk(service, 'training.defaults', { model: 'cyclegan', preset: 'tiny' });
    config = {
      ...defaults.config,
      domainIds: [he, dapi],
      steps: 6,
      sampleEverySteps: 2,
      checkpointEverySteps: 3,
      backend: 'cpu',
      seed: 7,
    };
  });
  afterAll(async () => {
    await service.shutdown();
    await ws.cleanup();
  });

  /** The training config stored in a run's config.json. */
  async function runConfig(id: string): Promise<{ domains: { name: string; detector: string }[] }> {
    const path = join(ws.dir, 'state', 'runs', id, 'config.json');
    return (
      JSON.parse(await readFile(path, 'utf8')) as {
        config: { domains: { name: string; detector: string }[] };
      }
    ).config;
  }

  it('trains to the end, streaming metrics, sample notices and audit patches', async () => {
    const started = await callOk(service, 'training.start', { config });
    runId = started.runId;
    expect(runId).toMatch(/^cyclegan-tiny-\d{8}-\d{6}$/);
    await events.until(jobEnded(runId));
    const end = events.events.filter(jobEnded(runId)).at(-1)!;
    expect(end.name === 'job.state' && end.payload.job.state, JSON.stringify(end.payload)).toBe('done');
    const points = events.events.flatMap((e) => (e.name === 'training.metrics' ? e.payload.points : []));
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Object.keys(points[0]!.values)).toEqual(
      expect.arrayContaining([
        'lr.adam',
        'time.stepSeconds',
        'time.dataWaitSeconds',
        'rate.supply',
        'rate.demand',
      ]),
    );
    expect(Object.keys(points[0]!.values).filter((k) => k.startsWith('loss.')).length).toBeGreaterThanOrEqual(
      4,
    );
    const samples = events.events.flatMap((e) => (e.name === 'training.samples' ? [e.payload.step] : []));
    expect(samples).toEqual(expect.arrayContaining([2, 4, 6]));
    const patches = events.events.flatMap((e) => (e.name === 'sampler.patches' ? e.payload.patches : []));
    expect(patches.length).toBeGreaterThan(0);
    const domains = new Set(patches.map((p) => p.provenance.domain));
    expect(domains).toEqual(new Set(['H&E', 'DAPI']));
    const first = patches[0]!;
    expect(
      first.provenance.slidePath.startsWith(ws.he) || first.provenance.slidePath.startsWith(ws.fluorescence),
    ).toBe(true);
    expect(first.provenance.level0Width).toBeGreaterThan(0);
    expect(first.provenance.sizePx).toBe(config.patchSizePx);
    const meta = await sharp(first.image.bytes).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: first.image.widthPx });
    const status = await callOk(service, 'training.status', {});
    expect(status).toMatchObject({ phase: 'finished', runId, step: 6, totalSteps: 6, backend: 'cpu' });
  });

  it("builds each domain's masks with its own detector and stores the detectors in the run", async () => {
    const maskLines = jobMessages(events.events, runId).filter((m) => m.includes('% tissue'));
    expect(maskLines.filter((m) => m.includes('(H&E: otsu-red;')).length).toBe(3);
    expect(maskLines.filter((m) => m.includes('(DAPI: saturation;')).length).toBe(2);
    expect((await runConfig(runId)).domains.map(({ name, detector }) => ({ name, detector }))).toEqual([
      { name: 'H&E', detector: 'otsu-red' },
      { name: 'DAPI', detector: 'saturation' },
    ]);
  });

  it('lists the run with its metrics, samples, patch manifest and exported generators', async () => {
    const { runs } = await callOk(service, 'runs.list', {});
    const run = runs.find((r) => r.runId === runId)!;
    expect(run).toMatchObject({
      model: 'cyclegan',
      lastStep: 6,
      checkpointStep: 6,
      totalSteps: 6,
      phase: 'finished',
      sampleSteps: [2, 4, 6],
      config: { preset: 'tiny', domains: ['H&E', 'DAPI'], patchSizePx: config.patchSizePx, steps: 6 },
    });
    expect(run.config.domainFolders).toEqual([
      { name: 'H&E', folders: [ws.he], detector: 'otsu-red' },
      { name: 'DAPI', folders: [ws.fluorescence], detector: 'saturation' },
    ]);
    const { series } = await callOk(service, 'runs.metrics', { runId, maxPoints: 16 });
    const loss = series.find((s) => s.name.startsWith('loss.'))!;
    expect(loss.rawCount).toBe(6);
    expect([...loss.steps]).toEqual([1, 2, 3, 4, 5, 6]);
    const picked = await callOk(service, 'runs.metrics', { runId, series: ['lr.adam'] });
    expect(picked.series.map((s) => s.name)).toEqual(['lr.adam']);
    const grids = await callOk(service, 'runs.samples', { runId, step: 4 });
    expect(grids.steps).toEqual([2, 4, 6]);
    expect(grids.grids[0]!.name).toContain('H&E → DAPI');
    expect((await sharp(grids.grids[0]!.image.bytes).metadata()).format).toBe('png');
    const page = await callOk(service, 'runs.patches', { runId, limit: 5 });
    expect(page.total).toBe(12);
    expect(page.patches.map((p) => p.step)).toEqual([6, 6, 5, 5, 4]);
    const dapiOnly = await callOk(service, 'runs.patches', { runId, domain: 'DAPI', limit: 100 });
    expect(dapiOnly.total).toBe(6);
    const exported = await callOk(service, 'runs.exportGenerator', { runId, direction: 'BtoA' });
    expect(exported).toMatchObject({ name: 'generatorBA', step: 6 });
    expect(existsSync(join(exported.path, 'model.json'))).toBe(true);
    expect(exported.bytes).toBeGreaterThan(1000);
  });

  it('resumes the run to more steps, and stops a long run gracefully with a checkpoint', async () => {
    // The run keeps the detectors it was started with, whatever the workspace uses now.
    const he = (await callOk(service, 'datasets.list', {})).domains.find((d) => d.name === 'H&E')!.id;
    await callOk(service, 'datasets.update', { domainId: he, detector: 'saturation' });
    const before = events.events.length;
    await callOk(service, 'training.resume', { runId, steps: 8 });
    await events.until((e) => jobEnded(runId)(e) && events.events.filter(jobEnded(runId)).length >= 2);
    await callOk(service, 'datasets.update', { domainId: he, detector: 'otsu-red' });
    expect((await callOk(service, 'runs.get', { runId })).run).toMatchObject({
      lastStep: 8,
      checkpointStep: 8,
    });
    const resumedMasks = jobMessages(events.events.slice(before), runId).filter((m) =>
      m.includes('% tissue'),
    );
    expect(resumedMasks.filter((m) => m.includes('(H&E: otsu-red; from cache')).length).toBe(3);
    expect((await runConfig(runId)).domains.map((d) => d.detector)).toEqual(['otsu-red', 'saturation']);

    const long = await callOk(service, 'training.start', {
      config: { ...config, steps: 10_000, runName: 'long-run' },
    });
    expect(long.runId).toBe('long-run');
    const conflict = await callError(service, 'training.start', { config });
    expect(conflict.code).toBe('CONFLICT');
    await events.until((e) => e.name === 'training.metrics' && e.payload.runId === 'long-run');
    const { status } = await callOk(service, 'training.stop', { runId: 'long-run' });
    expect(status.phase).toBe('stopped');
    const { run } = await callOk(service, 'runs.get', { runId: 'long-run' });
    expect(run.phase).toBe('stopped');
    expect(run.checkpointStep).toBe(run.lastStep);
    expect(run.lastStep).toBeLessThan(10_000);
  });

  it('exports a generator from the latest checkpoint when the run has no export yet', async () => {
    const exportDir = join(ws.dir, 'state', 'runs', runId, 'export');
    await rm(exportDir, { recursive: true, force: true });
    const backward = await callOk(service, 'runs.exportGenerator', { runId, direction: 'BtoA' });
    expect(backward).toMatchObject({ name: 'generatorBA', path: join(exportDir, 'generatorBA'), step: 8 });
    const forward = await callOk(service, 'runs.exportGenerator', { runId, direction: 'AtoB' });
    expect(forward).toMatchObject({ name: 'generatorAB', step: 8 });
    // The exported weights are the checkpoint's, direction by direction.
    for (const [exported, direction] of [
      [backward, 'BtoA'],
      [forward, 'AtoB'],
    ] as const) {
      // Two generators in one process need their own variable scopes.
      const fromExport = await loadCycleganGenerator(exported.path, 'exported');
      const fromCheckpoint = await loadRunCycleganGenerator(
        join(ws.dir, 'state', 'runs', runId),
        direction,
        'checkpoint',
      );
      try {
        const unscoped = async (variables: Parameters<typeof readWeights>[0], scope: string) =>
          Object.fromEntries(
            Object.entries(await readWeights(variables)).map(([name, array]) => [
              name.slice(scope.length + 1),
              [...array.data],
            ]),
          );
        expect(await unscoped(fromExport.variables, 'exported')).toEqual(
          await unscoped(fromCheckpoint.generator.variables, 'checkpoint'),
        );
      } finally {
        fromExport.dispose();
        fromCheckpoint.generator.dispose();
      }
    }
    const ab = await readFile(join(forward.path, 'weights.bin'));
    const ba = await readFile(join(backward.path, 'weights.bin'));
    expect(ab.equals(ba)).toBe(false);
  });

  it('deletes a run only with the confirmation token it handed out', async () => {
    const first = await callOk(service, 'runs.delete', { runId: 'long-run' });
    expect(first.deleted).toBe(false);
    if (first.deleted) return;
    expect(first.summary).toContain('checkpoint');
    const wrong = await callOk(service, 'runs.delete', { runId: 'long-run', confirmToken: 'nope' });
    expect(wrong.deleted).toBe(false);
    const { confirmToken } = wrong as { confirmToken: string };
    expect(await callOk(service, 'runs.delete', { runId: 'long-run', confirmToken })).toEqual({
      deleted: true,
    });
    const { runs } = await callOk(service, 'runs.list', {});
    expect(runs.map((r) => r.runId)).toEqual([runId]);
    expect((await callError(service, 'runs.get', { runId: 'long-run' })).code).toBe('NOT_FOUND');
  });

  it('refuses a configuration the trainer would refuse, naming the field', async () => {
    const error = await callError(service, 'training.start', { config: { ...config, patchSizePx: 30 } });
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.detail?.issues?.[0]?.field).toBe('patchSizePx');
  });
});
