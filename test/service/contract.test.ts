import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src-main/service/service.js';
import { contractMethods, createAreas, createServiceContext } from '../../src-main/service/service.js';
import { callError, startService, tempDir } from './helpers.js';

describe('the service implements the contract', () => {
  let service: Service;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const dir = await tempDir('contract');
    cleanup = dir.cleanup;
    service = await startService(dir.path, [dir.path]);
  });
  afterAll(async () => {
    await service.shutdown();
    await cleanup();
  });

  it('lists every method of every area', () => {
    const methods = contractMethods();
    expect(methods).toContain('datasets.create');
    expect(methods).toContain('slides.tile');
    expect(methods).toContain('training.start');
    expect(methods).toContain('runs.exportGenerator');
    expect(methods).toContain('inference.generate');
    expect(methods).toContain('inference.cancel');
    expect(methods.length).toBe(32);
  });

  it('has a handler function for every method', async () => {
    const dir = await tempDir('areas');
    const context = await createServiceContext({
      stateDir: dir.path,
      cacheDir: dir.path,
      runsDir: dir.path,
      pickRoots: null,
    });
    const areas = createAreas(context) as unknown as Record<string, Record<string, unknown>>;
    for (const method of contractMethods()) {
      const [area, name] = method.split('.') as [string, string];
      expect(typeof areas[area]?.[name], method).toBe('function');
    }
    await dir.cleanup();
  });

  it('validates before any handler: a request with an unknown field reaches validation, not NOT_FOUND', async () => {
    for (const method of contractMethods()) {
      const error = await callError(service, method, { bogusField: 1 });
      expect(error.code, method).toBe('INVALID_REQUEST');
      expect(error.message, method).toContain("Unknown field 'bogusField'");
      expect(error.detail?.method).toBe(method);
    }
  });

  it('refuses names outside the contract, including prototype keys', async () => {
    for (const method of [
      'datasets',
      'datasets.',
      '.list',
      'datasets.nope',
      'datasets.__proto__',
      'datasets.constructor',
      'toString.call',
      '__proto__.list',
      'datasets.hasOwnProperty',
    ]) {
      const error = await callError(service, method, {});
      expect(error.code, method).toBe('NOT_FOUND');
    }
  });

  it('refuses requests that are not plain objects', async () => {
    for (const request of [null, undefined, 42, 'x', [], new Date()]) {
      const error = await callError(service, 'datasets.list', request);
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toMatch(/Expected an object for the request/);
    }
  });
});
