import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingConfig } from '../../src-main/contract/index.js';
import type { Service } from '../../src-main/service/service.js';
import { callOk, slideWorkspace, startService } from './helpers.js';

describe('training: backends, defaults and configuration checks', () => {
  let ws: Awaited<ReturnType<typeof slideWorkspace>>;
  let service: Service;
  let he: string;
  let fluo: string;

  beforeAll(async () => {
    ws = await slideWorkspace();
    service = await startService(ws.dir, [ws.root]);
    he = (await callOk(service, 'datasets.create', { name: 'H&E', folders: [ws.he] })).domain.id;
    fluo = (await callOk(service, 'datasets.create', { name: 'DAPI', folders: [ws.fluorescence] })).domain.id;
  });
  afterAll(async () => {
    await service.shutdown();
    await ws.cleanup();
  });

  it('reports every backend with a verdict and a reason, and what auto picks', async () => {
    const { backends, auto } = await callOk(service, 'training.backends', {});
    expect(backends.map((b) => b.name)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(backends.find((b) => b.name === 'cpu')).toMatchObject({
      available: true,
      device: 'CPU (JavaScript)',
    });
    for (const b of backends) expect(b.reason.length, b.name).toBeGreaterThan(5);
    expect(auto).toBe(backends.find((b) => b.available)!.name);
    // Asked again, the answer comes from the first probe.
    const started = performance.now();
    await callOk(service, 'training.backends', {});
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('fills the form from the presets', async () => {
    const { config } = await callOk(service, 'training.defaults', { model: 'cyclegan', preset: 'small' });
    expect(config).toMatchObject({
      model: 'cyclegan',
      preset: 'small',
      domainIds: [he, fluo],
      patchSizePx: 64,
      scale: { kind: 'downsample', downsample: 4 },
      batchSize: 1,
      learningRate: 2e-4,
      augmentProbability: 0,
      backend: 'auto',
    });
    const progan = await callOk(service, 'training.defaults', { model: 'progan', preset: 'paper' });
    expect(progan.config).toMatchObject({
      domainIds: [he],
      patchSizePx: 512,
      batchSize: 4,
      scale: { downsample: 4 },
    });
    expect(progan.config.minTissueFraction).toBeCloseTo(1 / 3, 12);
    const valid = await callOk(service, 'training.validate', { config });
    expect(valid).toEqual({ valid: true, issues: [] });
  });

  it('names the field of each cross-field problem', async () => {
    const { config } = await callOk(service, 'training.defaults', { model: 'cyclegan', preset: 'tiny' });
    const bad: TrainingConfig = { ...config, domainIds: [he], patchSizePx: 30, sampleEverySteps: 1000 };
    const result = await callOk(service, 'training.validate', { config: bad });
    expect(result.valid).toBe(false);
    expect(result.issues).toEqual(
      expect.arrayContaining([
        { field: 'domainIds', message: 'CycleGAN needs exactly two domains, A and B' },
        { field: 'patchSizePx', message: expect.stringContaining('sizePx 30 is not allowed for cyclegan') },
        { field: 'sampleEverySteps', message: expect.stringContaining('No samples would be written') },
      ]),
    );
    const progan = await callOk(service, 'training.defaults', { model: 'progan', preset: 'tiny' });
    const tooBig = await callOk(service, 'training.validate', {
      config: { ...progan.config, patchSizePx: 24, domainIds: ['d-missing'] },
    });
    expect(tooBig.issues.map((i) => i.field).sort()).toEqual(['domainIds', 'patchSizePx']);
  });

  it('is idle while nothing trains', async () => {
    expect(await callOk(service, 'training.status', {})).toMatchObject({ phase: 'idle', runId: null });
  });
});
