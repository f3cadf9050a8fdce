import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../../src-main/core/training/backend/select.js';
import { locateWasmBinaries } from '../../../../../src-main/core/training/backend/wasm.js';
import { TrainingError } from '../../../../../src-main/core/training/errors.js';

async function rejection(promise: Promise<unknown>): Promise<TrainingError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrainingError);
  return error as TrainingError;
}

// Machines like this one have no libtensorflow and no GPU (at most Mesa's software Vulkan adapter):
// automatic selection must land on wasm and say why. Where a real GPU exists, webgpu must win.
describe('selectBackend', () => {
  it('picks wasm automatically without a GPU, explaining why tensorflow and webgpu were not chosen', async () => {
    const selection = await selectBackend();
    expect(selection.reasons.tensorflow).toMatch(
      /tfjs-node-gpu: not installed; @tensorflow\/tfjs-node: not installed/,
    );
    expect(tf.getBackend()).toBe(selection.name);
    if (selection.name === 'webgpu') {
      expect(selection.device).toMatch(/WebGPU, GPU/);
      return;
    }
    expect(selection.name).toBe('wasm');
    expect(selection.device).toMatch(/WebAssembly/);
    expect(selection.reasons.webgpu).toMatch(/no WebGPU adapter|only a software adapter/);
    expect(selection.reasons.cpu).toMatch(/not tried: 'wasm' comes first/);
    expect(selection.reasons.wasm).toBeUndefined();
    // Our filter-gradient kernel is what makes wasm trainable at all.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('takes a named backend that works, and reports the others as not requested', async () => {
    const selection = await selectBackend({ preferred: 'cpu' });
    expect(selection).toMatchObject({ name: 'cpu', device: 'CPU (JavaScript)' });
    expect(selection.reasons.wasm).toMatch(/not requested/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('fails with the reason, not a fallback, when the named backend is unavailable', async () => {
    const tensorflow = await rejection(selectBackend({ preferred: 'tensorflow' }));
    expect(tensorflow.code).toBe('BACKEND_UNAVAILABLE');
    expect(tensorflow.message).toMatch(/Backend 'tensorflow' is not available: .*not installed/);
    const webgpu = await selectBackend({ preferred: 'webgpu' }).catch((e: unknown) => e);
    if (webgpu instanceof TrainingError) {
      expect(webgpu.code).toBe('BACKEND_UNAVAILABLE');
      expect(webgpu.message).toMatch(/Backend 'webgpu' is not available: .*adapter/);
      expect(tf.getBackend()).toBe('cpu');
    } else {
      expect(webgpu).toMatchObject({ name: 'webgpu' });
    }
  });

  it('rejects an unknown backend name', async () => {
    const error = await rejection(selectBackend({ preferred: 'cuda' as never }));
    expect(error.code).toBe('UNKNOWN_BACKEND');
    expect(error.message).toMatch(/Unknown backend 'cuda': expected auto, tensorflow, webgpu, wasm, cpu/);
  });

  it('finds the .wasm binaries in node_modules', () => {
    expect(locateWasmBinaries()).toMatch(/@tensorflow[/\\]tfjs-backend-wasm[/\\]dist$/);
  });
});
