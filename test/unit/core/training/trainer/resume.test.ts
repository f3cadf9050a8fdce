import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLatestCheckpoint } from '../../../../../src-main/core/training/runs/checkpoints.js';
import { readAllJsonl } from '../../../../../src-main/core/training/runs/jsonl.js';
import { unpackArrays } from '../../../../../src-main/core/training/runs/packed-arrays.js';
import type { FedPatch } from '../../../../../src-main/core/training/runs/patches.js';
import { readRunConfig } from '../../../../../src-main/core/training/runs/run-config.js';
import { resumeTraining, startTraining } from '../../../../../src-main/core/training/trainer/trainer.js';
import { STAIN_DOMAINS, readMetricsFile, slideDeps, tinyConfig, workspace } from './fixtures.js';

const ws = workspace(STAIN_DOMAINS);
afterAll(() => ws.done());

/** Largest difference between two checkpoints' tensors (which must have the same names and shapes). */
async function checkpointDifference(runA: string, runB: string): Promise<number> {
  const a = unpackArrays((await readLatestCheckpoint(runA)).arrays);
  const b = unpackArrays((await readLatestCheckpoint(runB)).arrays);
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let max = 0;
  for (const [name, x] of Object.entries(a)) {
    const y = b[name]!;
    expect(y.shape, name).toEqual(x.shape);
    for (let i = 0; i < x.data.length; i++) max = Math.max(max, Math.abs(x.data[i]! - y.data[i]!));
  }
  return max;
}

describe('exact resume (tiny preset, cpu, real slides)', () => {
  it.each(['cyclegan', 'progan'] as const)(
    '%s: 10 steps, stop, resume to 20 == 20 steps straight (weights, optimiser, pools, patches)',
    async (model) => {
      // ProGAN: 20 steps cross the 4 -> 8 px phase change (a new sampler and new Adam) after step 16.
      const config = tinyConfig(ws, { model, steps: 20, checkpointEvery: 5 });
      const straight = join(ws.root, `${model}-straight`);
      const split = join(ws.root, `${model}-split`);
      await startTraining({ config, runDir: straight }, slideDeps(ws.cacheDir)).done;
      const first = await startTraining({ config, runDir: split, stopAtStep: 10 }, slideDeps(ws.cacheDir))
        .done;
      expect(first).toMatchObject({ reason: 'stopped', step: 10 });
      const second = await resumeTraining({ runDir: split }, slideDeps(ws.cacheDir)).done;
      expect(second).toMatchObject({ reason: 'completed', step: 20 });

      expect(await checkpointDifference(straight, split)).toBeLessThan(1e-5);
      const [a, b] = [await readMetricsFile(straight), await readMetricsFile(split)];
      expect(b.map((m) => m.step)).toEqual(a.map((m) => m.step));
      for (let i = 0; i < a.length; i++) {
        for (const [name, value] of Object.entries(a[i]!.losses)) {
          expect(Math.abs(b[i]!.losses[name]! - value), `step ${i + 1} ${name}`).toBeLessThan(1e-5);
        }
      }
      const strip = (p: FedPatch): string => JSON.stringify(p);
      expect((await readAllJsonl<FedPatch>(join(split, 'patches.jsonl'))).map(strip)).toEqual(
        (await readAllJsonl<FedPatch>(join(straight, 'patches.jsonl'))).map(strip),
      );
      expect((await readRunConfig(split)).resumes).toMatchObject([{ fromStep: 10, steps: 20 }]);
    },
  );

  // Float32 sums in another order: 1e-4 of the loss's magnitude (a CycleGAN total is about 20).
  it.each(['cyclegan', 'progan'] as const)(
    '%s: one step on cpu and on wasm from the same seed gives the same losses (within 1e-4 relative)',
    async (model) => {
      const losses: Record<string, number>[] = [];
      for (const backend of ['cpu', 'wasm'] as const) {
        const runDir = join(ws.root, `${model}-${backend}`);
        const config = tinyConfig(ws, { model, backend, steps: 1 });
        await startTraining({ config, runDir }, slideDeps(ws.cacheDir)).done;
        const [m] = await readMetricsFile(runDir);
        expect(m!.backend).toBe(backend);
        losses.push({ ...m!.losses });
      }
      const [cpu, wasm] = losses as [Record<string, number>, Record<string, number>];
      expect(Object.keys(wasm).sort()).toEqual(Object.keys(cpu).sort());
      for (const [name, value] of Object.entries(cpu)) {
        expect(Number.isFinite(value), name).toBe(true);
        const tolerance = 1e-4 * Math.max(1, Math.abs(value));
        expect(Math.abs(wasm[name]! - value), `${name}: cpu ${value}, wasm ${wasm[name]}`).toBeLessThan(
          tolerance,
        );
      }
    },
  );

  it('cyclegan: a stop in the middle of the run (the sampler and the worker fed ahead) resumes exactly', async () => {
    const config = tinyConfig(ws, { model: 'cyclegan', steps: 8, checkpointEvery: 2 });
    const straight = join(ws.root, 'ahead-straight');
    const stopped = join(ws.root, 'ahead-stopped');
    await startTraining({ config, runDir: straight }, slideDeps(ws.cacheDir)).done;

    // No stopAtStep: the feeder's limit is step 8, so batches past the stop were drawn and sent.
    const job = startTraining({ config, runDir: stopped }, slideDeps(ws.cacheDir));
    let queued = 0;
    job.on('step', (m) => {
      queued = Math.max(queued, m.queueDepth);
      if (m.step === 3) void job.stop();
    });
    const first = await job.done;
    expect(first.reason).toBe('stopped');
    expect(first.step).toBeGreaterThanOrEqual(3);
    expect(first.step).toBeLessThan(8);
    expect(queued, 'patches waiting in the sampler').toBeGreaterThan(0);
    const second = await resumeTraining({ runDir: stopped }, slideDeps(ws.cacheDir)).done;
    expect(second).toMatchObject({ reason: 'completed', step: 8 });
    expect(await checkpointDifference(straight, stopped)).toBeLessThan(1e-5);

    // The straight run's checkpoint 4 was written while later batches were already drawn: resuming
    // from it (later checkpoints removed) gives the same 8 steps again.
    const fromFour = join(ws.root, 'ahead-from-4');
    await cp(straight, fromFour, { recursive: true });
    for (const step of ['6', '8']) await rm(join(fromFour, 'checkpoints', step), { recursive: true });
    await writeFile(join(fromFour, 'checkpoints', 'latest'), '4\n');
    const third = await resumeTraining({ runDir: fromFour }, slideDeps(ws.cacheDir)).done;
    expect(third).toMatchObject({ reason: 'completed', step: 8 });
    expect(await checkpointDifference(straight, fromFour)).toBeLessThan(1e-5);
    expect((await readMetricsFile(fromFour)).map((m) => m.step)).toEqual(
      Array.from({ length: 8 }, (_, i) => i + 1),
    );
  });
});
