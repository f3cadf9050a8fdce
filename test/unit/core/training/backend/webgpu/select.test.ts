import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../../../src-main/core/training/backend/select.js';
import { WebgpuFusedAdam } from '../../../../../../src-main/core/training/backend/webgpu/adam.js';
import { INSTANCE_NORM_KERNEL } from '../../../../../../src-main/core/training/backend/webgpu/instance-norm.js';
import { Adam } from '../../../../../../src-main/core/training/optim/adam.js';
import { instanceNormAct } from '../../../../../../src-main/core/training/ops/instance-norm.js';
import { skipNote, WEBGPU_TEST_TIMEOUT, webgpuForTests } from './webgpu-test-backend.js';

const gpu = await webgpuForTests();
const CONV = ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'];

async function normKernels(): Promise<string[]> {
  const x = tf.ones([1, 4, 4, 8]) as tf.Tensor4D;
  const g = tf.ones([8]) as tf.Tensor1D;
  const b = tf.zeros([8]) as tf.Tensor1D;
  const profile = await tf.profile(() => instanceNormAct(x, g, b, 'relu'));
  tf.dispose([x, g, b]);
  return profile.kernelNames;
}

describe.skipIf(!gpu.ok)(`backend selection of webgpu${skipNote(gpu)}`, WEBGPU_TEST_TIMEOUT, () => {
  it('installs our kernels, and with webgpuKernels: false puts the stock ones back', async () => {
    await tf.setBackend('webgpu');
    const stockConv = CONV.map((k) => tf.getKernel(k, 'webgpu')!.kernelFunc);
    const adam = { learningRate: 2e-4, beta1: 0.5, beta2: 0.999 };

    const ours = await selectBackend({ preferred: 'webgpu', allowFallbackAdapter: true });
    expect(ours.name).toBe('webgpu');
    const fused = ours.createAdam(adam);
    expect(fused).toBeInstanceOf(WebgpuFusedAdam);
    fused.dispose();
    expect(await normKernels()).toContain(INSTANCE_NORM_KERNEL);
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')!.kernelFunc).not.toBe(stockConv[1]);

    const stock = await selectBackend({
      preferred: 'webgpu',
      allowFallbackAdapter: true,
      webgpuKernels: false,
    });
    const plain = stock.createAdam(adam);
    expect(plain).toBeInstanceOf(Adam);
    plain.dispose();
    expect(await normKernels()).not.toContain(INSTANCE_NORM_KERNEL);
    expect(CONV.map((k) => tf.getKernel(k, 'webgpu')!.kernelFunc)).toEqual(stockConv);
  });
});
