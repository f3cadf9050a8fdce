/**
 * Training step time per backend, model and preset (one process; shared machines: single short runs).
 *   npx tsx bench/training/step-time.ts [--backends=cpu,wasm] [--presets=tiny,small] [--steps=3]
 * Prints one JSON line per configuration: ms per step (median of the timed steps), first step, images/s.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src-main/core/training/backend/select.js';
import type { BackendName } from '../../src-main/core/training/backend/types.js';
import { cycleganPreset, proganPreset } from '../../src-main/core/training/presets.js';
import { createCycleganSetup, createProganSetup } from '../../src-main/core/training/setup.js';
import { cycleganStep } from '../../src-main/core/training/steps/cyclegan-step.js';
import { proganStep } from '../../src-main/core/training/steps/progan-step.js';
import { Rng } from '../../src-main/core/util/rng.js';

function arg(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

function randomImages(rng: Rng, shape: [number, number, number, number]): tf.Tensor4D {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(
    Float32Array.from({ length: size }, () => rng.next() * 2 - 1),
    shape,
  );
}

async function time(
  steps: number,
  step: () => Promise<unknown>,
): Promise<{ firstMs: number; medianMs: number }> {
  let t = performance.now();
  await step();
  const firstMs = performance.now() - t;
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    t = performance.now();
    await step();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { firstMs, medianMs: times[Math.floor(times.length / 2)]! };
}

const backends = arg('backends', 'cpu,wasm').split(',') as BackendName[];
const presets = arg('presets', 'tiny,small').split(',');
const steps = Number(arg('steps', '3'));

for (const backend of backends) {
  const selection = await selectBackend({ preferred: backend });
  for (const name of presets) {
    const c = cycleganPreset(name);
    const cycle = createCycleganSetup(c, new Rng(1));
    const rng = new Rng(2);
    const shape: [number, number, number, number] = [c.batchSize, c.sizePx, c.sizePx, 3];
    const realA = randomImages(rng, shape);
    const realB = randomImages(rng, shape);
    const ct = await time(steps, () =>
      cycleganStep(cycle.models, cycle.optimizers, realA, realB, cycle.stepOptions),
    );
    tf.dispose([realA, realB]);
    cycle.dispose();
    console.log(
      JSON.stringify({
        backend: selection.name,
        model: 'cyclegan',
        preset: name,
        sizePx: c.sizePx,
        batch: c.batchSize,
        firstStepMs: Math.round(ct.firstMs),
        stepMs: Math.round(ct.medianMs),
        imagesPerS: +((1000 * c.batchSize) / ct.medianMs).toFixed(2),
      }),
    );
    // ProGAN at its top resolution while fading in (the most work per step).
    const p = proganPreset(name);
    const r = p.network.maxResolution;
    const batch = p.batchSizes[r]!;
    const pro = createProganSetup(p, new Rng(3));
    const reals = randomImages(rng, [batch, r, r, 3]);
    const options = { resolution: r, alpha: 0.5, rng, ...p };
    const pt = await time(steps, () => proganStep(pro.models, pro.optimizers, reals, options));
    reals.dispose();
    pro.dispose();
    console.log(
      JSON.stringify({
        backend: selection.name,
        model: 'progan',
        preset: name,
        sizePx: r,
        batch,
        firstStepMs: Math.round(pt.firstMs),
        stepMs: Math.round(pt.medianMs),
        imagesPerS: +((1000 * batch) / pt.medianMs).toFixed(2),
      }),
    );
  }
}
