import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { describe, expect, it } from 'vitest';
import { instrumentWebgpu } from '../../../../../../src-main/core/training/backend/webgpu/census.js';
import { skipNote, webgpuForTests, WEBGPU_TEST_TIMEOUT } from './webgpu-test-backend.js';

const gpu = await webgpuForTests();

describe.skipIf(!gpu.ok)(`WebGPU census${skipNote(gpu)}`, WEBGPU_TEST_TIMEOUT, () => {
  it('counts programs, uploads with their bytes, and submits, then stops counting when restored', async () => {
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    const census = instrumentWebgpu(tf.backend() as WebGPUBackend);
    try {
      const a = tf.tensor1d(new Float32Array(2000).fill(1));
      const b = tf.tensor1d(new Float32Array(2000).fill(2));
      const c = tf.tidy(() => tf.relu(tf.add(a, b)));
      await c.data(); // a read submits
      const counts = census.read();
      expect(counts.programs).toBe(2);
      expect(counts.dispatches).toBe(2);
      expect(counts.byProgram).toEqual({ BinaryOpProgram: 1, UnaryOpProgram: 1 });
      expect(counts.uploads).toBe(2);
      expect(counts.uploadBytes).toBe(2 * 2000 * 4);
      expect(counts.submits).toBeGreaterThanOrEqual(1);
      census.restore();
      tf.dispose(tf.tidy(() => tf.add(a, b)));
      expect(census.read().programs).toBe(2);
      tf.dispose([a, b, c]);
    } finally {
      census.restore();
      tf.env().set('WEBGPU_CPU_FORWARD', true);
    }
  });
});
