import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { WebgpuFusedAdam } from '../../../../../../src-main/core/training/backend/webgpu/adam.js';
import { INSTANCE_NORM_KERNEL } from '../../../../../../src-main/core/training/backend/webgpu/instance-norm.js';
import { installWebgpuKernels } from '../../../../../../src-main/core/training/backend/webgpu/install.js';
import { instanceNormAct } from '../../../../../../src-main/core/training/ops/instance-norm.js';
import { skipNote, webgpuForTests, WEBGPU_TEST_TIMEOUT } from './webgpu-test-backend.js';

const gpu = await webgpuForTests();
const CONV = ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'];
const convKernels = () => CONV.map((k) => tf.getKernel(k, 'webgpu')!.kernelFunc);

/** Names of the kernels one instance norm call runs. */
async function normKernels(): Promise<string[]> {
  const x = tf.ones([1, 4, 4, 8]) as tf.Tensor4D;
  const g = tf.ones([8]) as tf.Tensor1D;
  const b = tf.zeros([8]) as tf.Tensor1D;
  const profile = await tf.profile(() => instanceNormAct(x, g, b, 'relu'));
  tf.dispose([x, g, b]);
  return profile.kernelNames.filter((k) => k !== ''); // customGrad's wrapper has no name
}

describe.skipIf(!gpu.ok)(`installWebgpuKernels${skipNote(gpu)}`, WEBGPU_TEST_TIMEOUT, () => {
  it('installs fused norm, fused Adam, our backward convolutions and a larger submit batch, and uninstalls them', async () => {
    const stockConv = convKernels();
    const stockBatch = tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE');
    const kernels = installWebgpuKernels();
    expect(kernels.options.conv).toEqual({
      forward: false,
      filterGrad: true,
      inputGrad: true,
      tiling: 'auto',
    });
    expect(await normKernels()).toEqual([INSTANCE_NORM_KERNEL]);
    const adam = kernels.createAdam({ learningRate: 1e-3, beta1: 0.5, beta2: 0.999 });
    expect(adam).toBeInstanceOf(WebgpuFusedAdam);
    adam!.dispose();
    const conv = convKernels();
    expect(conv[0]).toBe(stockConv[0]);
    expect(conv[1]).not.toBe(stockConv[1]);
    expect(conv[2]).not.toBe(stockConv[2]);
    expect(tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE')).toBe(64);

    kernels.uninstall();
    expect(convKernels()).toEqual(stockConv);
    expect(await normKernels()).not.toContain(INSTANCE_NORM_KERNEL);
    expect(tf.getKernel(INSTANCE_NORM_KERNEL, 'webgpu')).toBeUndefined();
    expect(tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE')).toBe(stockBatch);
  });

  it('changes nothing with the switch off (the stock baseline)', async () => {
    const stockConv = convKernels();
    const kernels = installWebgpuKernels({ enabled: false });
    expect(kernels.createAdam({ learningRate: 1e-3, beta1: 0.5, beta2: 0.999 })).toBeNull();
    expect(convKernels()).toEqual(stockConv);
    expect(await normKernels()).not.toContain(INSTANCE_NORM_KERNEL);
    expect(tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE')).toBe(15);
    kernels.uninstall();
  });
});
