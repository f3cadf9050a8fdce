import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../../src-main/core/training/backend/select.js';
import { cycleganPreset, proganPreset } from '../../../../../src-main/core/training/presets.js';
import { cycleganStep } from '../../../../../src-main/core/training/steps/cyclegan-step.js';
import { proganStep } from '../../../../../src-main/core/training/steps/progan-step.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { createCycleganSetup, createProganSetup } from '../../../../../src-main/core/training/setup.js';
import { seededTensor, useBackend } from '../helpers.js';

// Runs where a WebGPU adapter exists, a software one included (Mesa lavapipe in CI; notes/stack-ml.md
// section 3); elsewhere it is skipped.
const webgpu = await selectBackend({ preferred: 'webgpu', allowFallbackAdapter: true }).catch(
  (e: Error) => e,
);
const available = !(webgpu instanceof Error);

async function losses(backend: 'cpu' | 'webgpu'): Promise<Record<string, number>> {
  if (backend === 'cpu') await useBackend('cpu');
  else await tf.setBackend('webgpu');
  const c = cycleganPreset('tiny');
  const cycle = createCycleganSetup(c, new Rng(3));
  const rng = new Rng(30);
  const realA = seededTensor(rng, [1, c.sizePx, c.sizePx, 3]) as tf.Tensor4D;
  const realB = seededTensor(rng, [1, c.sizePx, c.sizePx, 3]) as tf.Tensor4D;
  const a = await cycleganStep(cycle.models, cycle.optimizers, realA, realB, cycle.stepOptions);
  cycle.dispose();
  const p = proganPreset('tiny');
  const pro = createProganSetup(p, new Rng(4));
  const reals = seededTensor(rng, [4, 16, 16, 3]) as tf.Tensor4D;
  const b = await proganStep(pro.models, pro.optimizers, reals, {
    resolution: 16,
    alpha: 0.5,
    rng,
    ...p,
  });
  pro.dispose();
  tf.dispose([realA, realB, reals]);
  return { ...a, ...Object.fromEntries(Object.entries(b).map(([k, v]) => [`progan.${k}`, v])) };
}

describe.skipIf(!available)(
  `training steps on webgpu (${available ? 'adapter found' : String(webgpu)})`,
  () => {
    it('give the same losses as cpu from the same seed (within 1e-4)', async () => {
      const onWebgpu = await losses('webgpu');
      const onCpu = await losses('cpu');
      for (const key of Object.keys(onCpu)) {
        expect(
          Math.abs(onWebgpu[key]! - onCpu[key]!),
          `${key}: ${onWebgpu[key]} vs ${onCpu[key]}`,
        ).toBeLessThan(1e-4);
      }
    });
  },
);
