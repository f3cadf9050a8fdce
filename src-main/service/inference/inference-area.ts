import type { InferenceApi } from '../../contract/index.js';
import { notImplemented } from '../not-implemented.js';

/** Inference: its core (whole-slide translation, ProGAN generation) comes with issue 7; until then each method says so. */
export function createInferenceArea(): InferenceApi {
  const needs = 'inference (core/inference, issue 7)';
  return {
    translate: async () => Promise.reject(notImplemented('inference.translate', needs)),
    generate: async () => Promise.reject(notImplemented('inference.generate', needs)),
  };
}
