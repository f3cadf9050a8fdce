import { readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TranslationSummary } from '../../src-main/contract/index.js';
import { TranslationRegistry } from '../../src-main/service/inference/translation-registry.js';
import { tempDir } from './helpers.js';

function record(outPath: string, state: TranslationSummary['state']): TranslationSummary {
  return {
    outPath,
    runId: 'run-1',
    direction: 'AtoB',
    from: 'H&E',
    to: 'DAPI',
    slidePath: '/slides/a.svs',
    downsample: 4,
    detector: 'otsu-red',
    generatorStep: 10,
    state,
    jobId: state === 'running' ? 'translate-1234abcd' : null,
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: null,
    widthPx: null,
    heightPx: null,
    levelCount: null,
    fileBytes: null,
    resumedFromRow: null,
    error: null,
    request: {
      generator: { kind: 'run', runId: 'run-1', direction: 'AtoB' },
      slidePath: '/slides/a.svs',
    },
  };
}

describe('the registry of translations the service wrote', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeEach(async () => {
    dir = await tempDir('registry');
  });
  afterEach(async () => dir.cleanup());

  it('persists records, newest first, and marks the ones a restart interrupted as stopped', async () => {
    const first = await TranslationRegistry.open(dir.path);
    await first.put(record(join(dir.path, 'a.tif'), 'done'));
    await first.put(record(join(dir.path, 'b.tif'), 'running'));
    const second = await TranslationRegistry.open(dir.path);
    expect(second.list().map((r) => [r.outPath, r.state, r.jobId])).toEqual([
      [join(dir.path, 'b.tif'), 'stopped', null],
      [join(dir.path, 'a.tif'), 'done', null],
    ]);
    expect(second.list('another-run')).toEqual([]);
  });

  it('opens a finished output by its exact path only, not a running one, a sidecar or a symlink', async () => {
    const registry = await TranslationRegistry.open(dir.path);
    const done = join(dir.path, 'done.tif');
    const running = join(dir.path, 'running.tif');
    await writeFile(done, 'x');
    await writeFile(running, 'x');
    await writeFile(`${done}.json`, '{}');
    await symlink(done, join(dir.path, 'link.tif'));
    await registry.put(record(done, 'done'));
    await registry.put(record(running, 'running'));
    expect(await registry.openablePath(done)).toBe(done);
    for (const path of [running, `${done}.json`, join(dir.path, 'link.tif'), dir.path]) {
      expect(await registry.openablePath(path), path).toBeNull();
    }
  });

  it('sets a damaged file aside and starts empty, saying so', async () => {
    await writeFile(join(dir.path, 'translations.json'), '{ "version": "1", "translations": [');
    const warnings: string[] = [];
    const registry = await TranslationRegistry.open(dir.path, (message) => warnings.push(message));
    expect(registry.list()).toEqual([]);
    expect(warnings[0]).toMatch(/translations\.json was damaged .* moved to .*damaged-\d+, starting empty/);
    expect((await readdir(dir.path)).some((name) => name.startsWith('translations.json.damaged-'))).toBe(
      true,
    );
  });
});
