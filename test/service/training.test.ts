import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunConfigFile } from '../../src-main/core/training/runs/run-config.js';
import { configSummary } from '../../src-main/service/runs/run-summary.js';
import type { Service } from '../../src-main/service/service.js';
import { resolveCoreConfig } from '../../src-main/service/training/core-config.js';
import { Workspace } from '../../src-main/service/workspace/workspace.js';
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

  it('takes one held-out folder per domain for the evaluations, checked as training folders are', async () => {
    const { config } = await callOk(service, 'training.defaults', { model: 'cyclegan', preset: 'tiny' });
    const evaluating = { ...config, evaluateEverySteps: 5 };
    const heldHe = join(ws.root, 'held-out', 'HE');
    const heldFluo = join(ws.root, 'held-out', 'fluorescence');
    await mkdir(heldHe, { recursive: true });
    await mkdir(heldFluo, { recursive: true });
    const issues = async (heldOutFolders: string[], extra: object = {}) =>
      (
        await callOk(service, 'training.validate', {
          config: { ...evaluating, ...extra, heldOutFolders },
        })
      ).issues.map((i) => `${i.field}: ${i.message}`);
    expect(await issues([heldHe, heldFluo])).toEqual([]);
    expect(await issues(['', ' '])).toEqual([]);
    expect(await issues([heldHe, ''])).toEqual([
      'heldOutFolders: Give a held-out folder for every domain (H&E, DAPI), or none',
    ]);
    expect(await issues([heldHe])).toEqual([
      'heldOutFolders: Give a held-out folder for every domain (H&E, DAPI), or none',
    ]);
    expect(await issues([heldHe, join(ws.root, 'nowhere')])).toEqual([
      `heldOutFolders: The held-out folder '${join(ws.root, 'nowhere')}' of DAPI does not exist`,
    ]);
    expect(await issues([join(ws.he, 'cmu-1-small-region.svs'), heldFluo])).toEqual([
      `heldOutFolders: The held-out folder '${join(ws.he, 'cmu-1-small-region.svs')}' of H&E is a file, not a folder`,
    ]);
    expect(await issues([ws.outside, heldFluo])).toEqual([
      `heldOutFolders: The held-out folder '${ws.outside}' of H&E is outside the folders this workbench may open (${ws.root})`,
    ]);
    expect(await issues(['held-out/HE', heldFluo])).toEqual([
      "heldOutFolders: The held-out folder 'held-out/HE' of H&E is not an absolute path",
    ]);
    expect(await issues([heldHe, heldFluo], { evaluateEverySteps: 0 })).toEqual([
      'heldOutFolders: heldOut needs evaluateEvery > 0',
    ]);

    // The trainer's config holds them as each domain's held-out slides; the run lists what it evaluates on.
    const workspace = await Workspace.open({ stateDir: join(ws.dir, 'state'), pickRoots: [ws.root] });
    const resolved = resolveCoreConfig({ ...evaluating, heldOutFolders: [heldHe, heldFluo] }, workspace);
    if (!resolved.ok) throw new Error(resolved.issue.message);
    expect(resolved.config.evaluation?.heldOut).toEqual([
      { name: 'H&E', folders: [heldHe], detector: 'otsu-red' },
      { name: 'DAPI', folders: [heldFluo], detector: 'otsu-red' },
    ]);
    const backend = { requested: 'auto', chosen: 'cpu', device: 'CPU', reasons: {} } as const;
    const summary = (c: typeof resolved.config) => configSummary(newRunConfigFile(c, backend, {}));
    expect(summary(resolved.config).evaluationSlides).toBe('held-out');
    const onTraining = resolveCoreConfig(evaluating, workspace);
    if (!onTraining.ok) throw new Error(onTraining.issue.message);
    expect(onTraining.config.evaluation?.heldOut).toBeNull();
    expect(summary(onTraining.config).evaluationSlides).toBe('training');
    const none = resolveCoreConfig(config, workspace);
    if (!none.ok) throw new Error(none.issue.message);
    expect(summary(none.config).evaluationSlides).toBeNull();
  });

  it('is idle while nothing trains', async () => {
    expect(await callOk(service, 'training.status', {})).toMatchObject({ phase: 'idle', runId: null });
  });
});
