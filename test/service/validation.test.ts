import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src-main/service/service.js';
import { callError, callOk, startService, tempDir } from './helpers.js';

describe('request validation', () => {
  let service: Service;
  let cleanup: () => Promise<void>;
  let domainId: string;

  beforeAll(async () => {
    const dir = await tempDir('validation');
    cleanup = dir.cleanup;
    service = await startService(dir.path, [dir.path]);
    domainId = (await callOk(service, 'datasets.create', { name: 'H&E' })).domain.id;
  });
  afterAll(async () => {
    await service.shutdown();
    await cleanup();
  });

  it('rejects numbers out of range, naming the field, the range and the value', async () => {
    const error = await callError(service, 'slides.tile', { path: '/x/a.svs', level: -1, col: 0, row: 0 });
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toBe('slides.tile: Expected an integer from 0 to 40 for level but received -1');
    expect(error.detail?.issues).toEqual([
      { field: 'level', message: 'Expected an integer from 0 to 40 for level but received -1' },
    ]);
  });

  it('rejects NaN, Infinity, fractions where integers are due, and numbers given as strings', async () => {
    for (const maxSizePx of [Number.NaN, Number.POSITIVE_INFINITY, 100.5, '100', 5000, 8]) {
      const error = await callError(service, 'slides.thumbnail', { path: '/x/a.svs', maxSizePx });
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.detail?.issues?.[0]?.field).toBe('maxSizePx');
    }
  });

  it('reports every problem of a nested training configuration at once, with dotted field paths', async () => {
    const error = await callError(service, 'training.validate', {
      config: {
        model: 'stylegan',
        preset: 'tiny',
        domainIds: [domainId],
        patchSizePx: 64,
        scale: { kind: 'downsample', downsample: 0.5 },
        minTissueFraction: 0,
        augmentProbability: 2,
        steps: 0,
        batchSize: 1,
        learningRate: 0,
        seed: 1,
        backend: 'cpu',
        blur: true,
        sampleEverySteps: 10,
        checkpointEverySteps: 10,
        keepCheckpoints: 3,
      },
    });
    expect(error.code).toBe('INVALID_REQUEST');
    const fields = error.detail?.issues?.map((issue) => issue.field).sort();
    expect(fields).toEqual([
      'config.augmentProbability',
      'config.blur',
      'config.learningRate',
      'config.model',
      'config.scale.downsample',
      'config.steps',
    ]);
  });

  it('rejects unknown and missing fields, and unknown tags of a tagged union', async () => {
    const unknown = await callError(service, 'datasets.update', { domainId, name: 'PAS', colour: 'red' });
    expect(unknown.message).toContain(
      "Unknown field 'colour' in the request (known: domainId, name, detector)",
    );
    const missing = await callError(service, 'datasets.addFolders', { domainId });
    expect(missing.message).toContain('Missing required field folders');
    const tag = await callError(service, 'training.validate', { config: { scale: { kind: 'zoom' } } });
    expect(tag.detail?.issues?.some((i) => i.field === 'config.scale.kind')).toBe(true);
  });

  it('rejects relative paths, paths with .. or empty segments, and NUL bytes', async () => {
    for (const path of [
      'slides/a.svs',
      '/data/../etc/passwd',
      '/data//a.svs',
      '/data/./a.svs',
      '/data/a\0.svs',
      '',
    ]) {
      const error = await callError(service, 'slides.info', { path });
      expect(error.code, path).toBe('INVALID_REQUEST');
    }
  });

  it('rejects blank names, control characters and over-long lists', async () => {
    for (const name of ['', '   ', 'a\nb', 'x'.repeat(65)]) {
      const error = await callError(service, 'datasets.create', { name });
      expect(error.code, JSON.stringify(name)).toBe('INVALID_REQUEST');
    }
    const folders = Array.from({ length: 65 }, (_, i) => `/f${i}`);
    const error = await callError(service, 'datasets.addFolders', { domainId, folders });
    expect(error.message).toContain('Expected a list of 1 to 64 items for folders');
  });

  it('rejects ids that could name a path', async () => {
    for (const runId of ['../x', '.hidden', 'a/b', '']) {
      const error = await callError(service, 'runs.get', { runId });
      expect(error.code, runId).toBe('INVALID_REQUEST');
    }
  });
});
