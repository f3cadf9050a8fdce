import type { InferenceApi } from '../../contract/index.js';
import { notImplemented } from '../not-implemented.js';

// Areas whose core has not landed in this build: each method says what it waits for.

export function createInferenceArea(): InferenceApi {
  const needs = 'inference (core/inference, issue 7)';
  return {
    translate: async () => Promise.reject(notImplemented('inference.translate', needs)),
    generate: async () => Promise.reject(notImplemented('inference.generate', needs)),
  };
}
