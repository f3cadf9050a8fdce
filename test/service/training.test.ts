import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it("names the field of each cross-field problem, by the trainer's own rules", async () => {
    const { config } = await callOk(service, 'training.defaults', { model: 'cyclegan', preset: 'tiny' });
    const oneDomain = await callOk(service, 'training.validate', { config: { ...config, domainIds: [he] } });
    expect(oneDomain).toEqual({
      valid: false,
      issues: [{ field: 'domainIds', message: 'CycleGAN needs exactly two domains, A and B' }],
    });
    const badSize = await callOk(service, 'training.validate', { config: { ...config, patchSizePx: 30 } });
    expect(badSize.issues).toEqual([
      { field: 'patchSizePx', message: expect.stringContaining('sizePx 30 is not allowed for cyclegan') },
    ]);
    const progan = await callOk(service, 'training.defaults', { model: 'progan', preset: 'tiny' });
    const notPowerOfTwo = await callOk(service, 'training.validate', {
      config: { ...progan.config, patchSizePx: 24 },
    });
    expect(notPowerOfTwo.issues.map((i) => i.field)).toEqual(['patchSizePx']);
    const missing = await callOk(service, 'training.validate', {
      config: { ...config, domainIds: [he, 'd-missing'] },
    });
    expect(missing.issues).toEqual([{ field: 'domainIds', message: "No domain with id 'd-missing'" }]);
  });

  it('accepts domains whose masks use different detectors (each domain trains on its own masks)', async () => {
    const { config } = await callOk(service, 'training.defaults', { model: 'cyclegan', preset: 'tiny' });
    await callOk(service, 'datasets.update', { domainId: fluo, detector: 'saturation' });
    const mixed = await callOk(service, 'training.validate', { config });
    expect(mixed).toEqual({ valid: true, issues: [] });
    await callOk(service, 'datasets.update', { domainId: fluo, detector: 'otsu-red' });
  });

  it('is idle while nothing trains', async () => {
    expect(await callOk(service, 'training.status', {})).toMatchObject({ phase: 'idle', runId: null });
  });
});
