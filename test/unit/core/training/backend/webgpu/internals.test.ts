import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { describe, expect, it } from 'vitest';
import {
  assertPinnedTfjsWebgpu,
  installedTfjsWebgpuVersion,
  PINNED_TFJS_WEBGPU_VERSION,
  WebgpuBackendVersionError,
  webgpuInternals,
} from '../../../../../../src-main/core/training/backend/webgpu/internals.js';
import { skipNote, webgpuForTests, WEBGPU_TEST_TIMEOUT } from './webgpu-test-backend.js';

describe('tfjs-backend-webgpu version pin', () => {
  it('accepts the installed release, which is the pinned one', () => {
    expect(installedTfjsWebgpuVersion()).toBe(PINNED_TFJS_WEBGPU_VERSION);
    expect(() => assertPinnedTfjsWebgpu()).not.toThrow();
  });

  it('rejects another release with a typed error naming both versions', () => {
    let error: unknown;
    try {
      assertPinnedTfjsWebgpu('4.23.0');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WebgpuBackendVersionError);
    expect((error as WebgpuBackendVersionError).code).toBe('WEBGPU_BACKEND_VERSION');
    expect((error as Error).message).toMatch(/4\.22\.0.*found 4\.23\.0/);
  });
});

const gpu = await webgpuForTests();

describe.skipIf(!gpu.ok)(`webgpu backend internals${skipNote(gpu)}`, WEBGPU_TEST_TIMEOUT, () => {
  it('exposes the pending command encoder that tfjs submits, and tensor buffers', async () => {
    const gpuInternals = webgpuInternals(tf.backend() as WebGPUBackend);
    const t = tf.tensor1d([1, 2, 3]);
    const buffer = gpuInternals.bufferOf(t.dataId);
    expect(buffer.size).toBeGreaterThanOrEqual(12);
    // A copy recorded into tfjs's encoder is executed by tfjs's own submit.
    const out = tf.zeros([3]);
    const outBuffer = gpuInternals.bufferOf(out.dataId);
    gpuInternals.openEncoder().copyBufferToBuffer(buffer, 0, outBuffer, 0, 12);
    gpuInternals.submit();
    gpuInternals.tensorData(out.dataId).values = null;
    expect(Array.from(await out.data())).toEqual([1, 2, 3]);
    tf.dispose([t, out]);
  });
});
