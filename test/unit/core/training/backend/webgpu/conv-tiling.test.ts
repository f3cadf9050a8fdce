import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  convFilterGradProgram,
  convForwardProgram,
  convInputGradProgram,
} from '../../../../../../src-main/core/training/backend/webgpu/conv-programs.js';

/** A paper CycleGAN residual-block convolution: 64 x 64 x 256 in, 3 x 3 x 256 -> 256. */
const residual = tf.backend_util.computeConv2DInfo([1, 64, 64, 256], [3, 3, 256, 256], 1, 1, 'same');
/** The generator's last convolution: 64 channels in, 3 out. */
const toRgb = tf.backend_util.computeConv2DInfo([1, 256, 256, 64], [7, 7, 64, 3], 1, 1, 'valid');

describe('convolution tiling under the default policy', () => {
  it('takes 128 x 128 tiles for filter gradients with N >= 128 (faster on every measured layer)', () => {
    expect(convFilterGradProgram(residual).spec.key).toContain('_large_');
  });

  it('keeps the wide tiles for the forward pass and the input gradient', () => {
    expect(convForwardProgram(residual).spec.key).toContain('_wide_');
    expect(convInputGradProgram(residual).spec.key).toContain('_wide_');
  });

  it('keeps narrow tiles where N is small, whatever the kernel', () => {
    expect(convFilterGradProgram(toRgb).spec.key).toContain('_narrow_');
  });
});
