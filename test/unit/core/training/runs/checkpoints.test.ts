import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  listCheckpointSteps,
  readLatestCheckpoint,
  writeCheckpoint,
} from '../../../../../src-main/core/training/runs/checkpoints.js';
import { RunError } from '../../../../../src-main/core/training/runs/errors.js';
import { packArrays, unpackArrays } from '../../../../../src-main/core/training/runs/packed-arrays.js';

let runDir: string;
beforeEach(() => {
  runDir = mkdtempSync(join(tmpdir(), 'histo-fetch-checkpoints-'));
});
afterEach(() => rmSync(runDir, { recursive: true, force: true }));

function arraysFor(step: number) {
  return packArrays({
    'generator/w': { shape: [2, 3], data: Float32Array.from({ length: 6 }, (_, i) => step + i / 8) },
    'adam/m': { shape: [4], data: new Float32Array([step, -step, 0.5, 1e-7]) },
  });
}

describe('checkpoints', () => {
  it('round-trips step, JSON parts and tensors exactly; latest names the newest; only the last K stay', async () => {
    for (const step of [5, 10, 15, 20]) {
      await writeCheckpoint(
        runDir,
        {
          step,
          parts: { session: { step, rng: [1, 2, 3, 4] }, data: { source: { n: step } } },
          arrays: arraysFor(step),
        },
        { keep: 2 },
      );
    }
    expect(await listCheckpointSteps(runDir)).toEqual([15, 20]);
    expect((await readdir(join(runDir, 'checkpoints'))).sort()).toEqual(['15', '20', 'latest']);
    const loaded = await readLatestCheckpoint(runDir);
    expect(loaded.step).toBe(20);
    expect(loaded.parts).toEqual({ session: { step: 20, rng: [1, 2, 3, 4] }, data: { source: { n: 20 } } });
    const arrays = unpackArrays(loaded.arrays);
    expect(arrays['generator/w']).toEqual({
      shape: [2, 3],
      data: unpackArrays(arraysFor(20))['generator/w']!.data,
    });
    expect(Array.from(arrays['adam/m']!.data)).toEqual(Array.from(new Float32Array([20, -20, 0.5, 1e-7])));
  });

  it('reports a damaged tensors file naming it, and a run without checkpoints', async () => {
    await expect(readLatestCheckpoint(runDir)).rejects.toMatchObject({ code: 'NO_CHECKPOINT' });
    const folder = await writeCheckpoint(runDir, { step: 3, parts: {}, arrays: arraysFor(3) }, { keep: 3 });
    await appendFile(join(folder, 'tensors.bin'), new Uint8Array([1, 2, 3, 4]));
    const error = await readLatestCheckpoint(runDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunError);
    expect(error).toMatchObject({ code: 'BAD_CHECKPOINT', file: join(folder, 'tensors.bin') });
  });

  it('removes leftovers of interrupted writes and replaces a stale folder of the same step', async () => {
    await writeCheckpoint(runDir, { step: 5, parts: {}, arrays: arraysFor(5) }, { keep: 3 });
    // A write killed before its rename, and a folder renamed but never pointed to (a crash before `latest`).
    await mkdir(join(runDir, 'checkpoints', '10.tmp-0badc0de'));
    await mkdir(join(runDir, 'checkpoints', '10'));
    await writeFile(join(runDir, 'checkpoints', '10', 'state.json'), '{');
    expect((await readLatestCheckpoint(runDir)).step).toBe(5);
    await writeCheckpoint(runDir, { step: 10, parts: { ok: true }, arrays: arraysFor(10) }, { keep: 3 });
    expect((await readdir(join(runDir, 'checkpoints'))).sort()).toEqual(['10', '5', 'latest']);
    expect((await readLatestCheckpoint(runDir)).parts).toEqual({ ok: true });
  });
});
