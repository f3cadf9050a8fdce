import type { InferenceApi, RunsApi } from '../../contract/index.js';
import { notImplemented } from '../not-implemented.js';

// Areas whose core has not landed in this build: each method says what it waits for.

export function createRunsArea(): RunsApi {
  const needs = 'run folders written by the trainer (core/training)';
  return {
    list: async () => Promise.reject(notImplemented('runs.list', needs)),
    get: async () => Promise.reject(notImplemented('runs.get', needs)),
    metrics: async () => Promise.reject(notImplemented('runs.metrics', needs)),
    samples: async () => Promise.reject(notImplemented('runs.samples', needs)),
    patches: async () => Promise.reject(notImplemented('runs.patches', needs)),
    delete: async () => Promise.reject(notImplemented('runs.delete', needs)),
    exportGenerator: async () => Promise.reject(notImplemented('runs.exportGenerator', needs)),
  };
}

export function createInferenceArea(): InferenceApi {
  const needs = 'inference (core/inference, issue 7)';
  return {
    translate: async () => Promise.reject(notImplemented('inference.translate', needs)),
    generate: async () => Promise.reject(notImplemented('inference.generate', needs)),
  };
}
