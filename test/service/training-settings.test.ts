import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src-main/service/service.js';
import { callError, callOk, slideWorkspace, startService } from './helpers.js';

describe("training form: the models' own settings", () => {
  let ws: Awaited<ReturnType<typeof slideWorkspace>>;
  let service: Service;

  beforeAll(async () => {
    ws = await slideWorkspace();
    service = await startService(ws.dir, [ws.root]);
    await callOk(service, 'datasets.create', { name: 'H&E', folders: [ws.he] });
    await callOk(service, 'datasets.create', { name: 'DAPI', folders: [ws.fluorescence] });
  });
  afterAll(async () => {
    await service.shutdown();
    await ws.cleanup();
  });

  it("ProGAN: fills the preset's minibatch per resolution and images per phase, and checks them", async () => {
    const { config } = await callOk(service, 'training.defaults', { model: 'progan', preset: 'paper' });
    expect(config.phaseImages).toEqual({ train: 600_000, fade: 600_000 });
    expect(config.batchSizes).toEqual(
      [4, 8, 16, 32, 64, 128, 256, 512].map((r, i) => ({
        resolutionPx: r,
        batchSize: [128, 128, 128, 64, 32, 16, 8, 4][i],
      })),
    );
    expect(await callOk(service, 'training.validate', { config })).toEqual({ valid: true, issues: [] });
    // A lower target size leaves the larger resolutions' minibatches unused, not refused.
    const smaller = { ...config, patchSizePx: 64, scale: { kind: 'downsample' as const, downsample: 4 } };
    expect(await callOk(service, 'training.validate', { config: smaller })).toEqual({
      valid: true,
      issues: [],
    });
    const notGroup = await callOk(service, 'training.validate', {
      config: { ...config, batchSizes: [{ resolutionPx: 8, batchSize: 6 }] },
    });
    expect(notGroup.issues).toEqual([
      { field: 'batchSizes', message: expect.stringMatching(/batchSizes\[8\] = 6 is not a multiple/) },
    ]);
    const noTraining = await callError(service, 'training.validate', {
      config: { ...config, phaseImages: { train: 0, fade: 10 } },
    });
    expect(JSON.stringify(noTraining)).toMatch(/phaseImages\.train/);
    const cyclegan = await callOk(service, 'training.defaults', { model: 'cyclegan', preset: 'tiny' });
    const misplaced = await callOk(service, 'training.validate', {
      config: { ...cyclegan.config, phaseImages: { train: 10, fade: 10 } },
    });
    expect(misplaced.issues).toEqual([
      { field: 'phaseImages', message: expect.stringContaining('progan setting') },
    ]);
  });

  it('CycleGAN: fills the identity loss weight and passes 0 (off) through; a negative weight is refused', async () => {
    const { config } = await callOk(service, 'training.defaults', { model: 'cyclegan', preset: 'small' });
    expect(config.identityWeight).toBe(0.5);
    const off = await callOk(service, 'training.validate', { config: { ...config, identityWeight: 0 } });
    expect(off).toEqual({ valid: true, issues: [] });
    const negative = await callError(service, 'training.validate', {
      config: { ...config, identityWeight: -1 },
    });
    expect(JSON.stringify(negative)).toMatch(/identityWeight/);
    const progan = await callOk(service, 'training.defaults', { model: 'progan', preset: 'tiny' });
    const misplaced = await callOk(service, 'training.validate', {
      config: { ...progan.config, identityWeight: 0.5 },
    });
    expect(misplaced.issues).toEqual([
      { field: 'identityWeight', message: expect.stringContaining('cyclegan setting') },
    ]);
  });

  it("takes the discriminators' own learning rate, optional", async () => {
    const { config } = await callOk(service, 'training.defaults', { model: 'progan', preset: 'tiny' });
    expect(config.discriminatorLearningRate).toBeUndefined();
    const own = await callOk(service, 'training.validate', {
      config: { ...config, discriminatorLearningRate: 3e-3 },
    });
    expect(own).toEqual({ valid: true, issues: [] });
    const zero = await callError(service, 'training.validate', {
      config: { ...config, discriminatorLearningRate: 0 },
    });
    expect(JSON.stringify(zero)).toMatch(/discriminatorLearningRate/);
  });
});
