import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { instrumentWebgpu } from '../../../../../../src-main/core/training/backend/webgpu/census.js';
import { installWebgpuKernels } from '../../../../../../src-main/core/training/backend/webgpu/install.js';
import { registerTrainingGradients } from '../../../../../../src-main/core/training/grads/register.js';
import { registerConv2dBackpropFilter } from '../../../../../../src-main/core/training/kernels/conv2d-backprop-filter.js';
import { Adam } from '../../../../../../src-main/core/training/optim/adam.js';
import { cycleganPreset, proganPreset } from '../../../../../../src-main/core/training/presets.js';
import {
  createCycleganSetup,
  createProganSetup,
  type AdamFactory,
} from '../../../../../../src-main/core/training/setup.js';
import { cycleganStep } from '../../../../../../src-main/core/training/steps/cyclegan-step.js';
import { proganStep } from '../../../../../../src-main/core/training/steps/progan-step.js';
import { Rng } from '../../../../../../src-main/core/util/rng.js';
import { skipNote, WEBGPU_TEST_TIMEOUT, webgpuForTests } from './webgpu-test-backend.js';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

const gpu = await webgpuForTests();
const STEPS = 2;

function images(rng: Rng, shape: [number, number, number, number]): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.next() * 2 - 1),
    shape,
  );
}

/** Losses of STEPS tiny CycleGAN steps from a fixed seed, with the given Adam. */
async function cycleganLosses(createAdam: AdamFactory): Promise<Record<string, number>[]> {
  const p = cycleganPreset('tiny');
  const setup = createCycleganSetup(p, new Rng(3), createAdam);
  const rng = new Rng(30);
  const realA = images(rng, [1, p.sizePx, p.sizePx, 3]);
  const realB = images(rng, [1, p.sizePx, p.sizePx, 3]);
  const out: Record<string, number>[] = [];
  for (let i = 0; i < STEPS; i++) {
    out.push({ ...(await cycleganStep(setup.models, setup.optimizers, realA, realB, setup.stepOptions)) });
  }
  setup.dispose();
  tf.dispose([realA, realB]);
  return out;
}

/** Losses of STEPS tiny ProGAN (WGAN-GP, second-order) steps at 16 px during a fade-in. */
async function proganLosses(createAdam: AdamFactory): Promise<Record<string, number>[]> {
  const p = proganPreset('tiny');
  const setup = createProganSetup(p, new Rng(4), createAdam);
  const rng = new Rng(31);
  const reals = images(rng, [4, 16, 16, 3]);
  const out: Record<string, number>[] = [];
  for (let i = 0; i < STEPS; i++) {
    out.push({
      ...(await proganStep(setup.models, setup.optimizers, reals, { resolution: 16, alpha: 0.5, rng, ...p })),
    });
  }
  setup.dispose();
  reals.dispose();
  return out;
}

function expectSameLosses(ours: Record<string, number>[], reference: Record<string, number>[]): void {
  reference.forEach((step, i) => {
    for (const [key, value] of Object.entries(step)) {
      const got = ours[i]![key]!;
      expect(Math.abs(got - value), `step ${i + 1} ${key}: ${got} vs cpu ${value}`).toBeLessThan(1e-4);
    }
  });
}

describe.skipIf(!gpu.ok)(
  `training on webgpu with our kernels installed${skipNote(gpu)}`,
  WEBGPU_TEST_TIMEOUT,
  () => {
    it('gives the cpu backend losses over two tiny CycleGAN and ProGAN steps from the same seed (within 1e-4)', async () => {
      const restoreGradients = registerTrainingGradients();
      try {
        await tf.setBackend('cpu');
        // As the backend selection does (the stock cpu kernel is slow); restored below.
        const restoreCpuKernel = registerConv2dBackpropFilter('cpu');
        const stockAdam: AdamFactory = (o) => new Adam(o);
        const cpu = { cyclegan: await cycleganLosses(stockAdam), progan: await proganLosses(stockAdam) };
        restoreCpuKernel();

        await tf.setBackend('webgpu');
        const kernels = installWebgpuKernels();
        const census = instrumentWebgpu(tf.backend() as WebGPUBackend);
        try {
          const fusedAdam: AdamFactory = (o) => kernels.createAdam(o)!;
          const cyclegan = await cycleganLosses(fusedAdam);
          const ran = census.read().byProgram;
          expect(ran.HfNormApply).toBeGreaterThan(0);
          expect(ran.HfConvFilterGrad).toBeGreaterThan(0);
          expect(ran.HfConvInputGrad).toBeGreaterThan(0);
          const progan = await proganLosses(fusedAdam);
          expectSameLosses(cyclegan, cpu.cyclegan);
          expectSameLosses(progan, cpu.progan);
        } finally {
          census.restore();
          kernels.uninstall();
        }
      } finally {
        restoreGradients();
      }
    });
  },
);
