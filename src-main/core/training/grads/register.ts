import * as tf from '@tensorflow/tfjs';
import { meanGradConfig, sumGradConfig } from './mean-sum.js';
import { mirrorPadGradConfig } from './mirror-pad.js';
import { tanhGradConfig } from './tanh.js';

/** Our replacements for tfjs-core gradients; the registry is global, so they apply on every backend. */
const REPLACEMENTS: readonly tf.GradConfig[] = [
  meanGradConfig,
  sumGradConfig,
  mirrorPadGradConfig,
  tanhGradConfig,
];

/**
 * Registers the replacement gradients (Mean and Sum filled on the device; MirrorPad correct; Tanh
 * differentiable twice).
 * Idempotent. Returns a function that puts the previous (stock) configs back, for comparisons.
 */
export function registerTrainingGradients(configs: readonly tf.GradConfig[] = REPLACEMENTS): () => void {
  const previous = configs.map((c) => tf.getGradient(c.kernelName));
  for (const config of configs) tf.registerGradient(config);
  return () => {
    previous.forEach((config) => {
      if (config) tf.registerGradient(config);
    });
  };
}
