import * as tf from '@tensorflow/tfjs';
import type { CandidateResult } from './types.js';

/** Optional native packages that register the 'tensorflow' backend, best first. */
const PACKAGES = [
  { name: '@tensorflow/tfjs-node-gpu', device: 'libtensorflow (tfjs-node-gpu, CUDA when available)' },
  { name: '@tensorflow/tfjs-node', device: 'CPU (libtensorflow, tfjs-node)' },
] as const;

/**
 * Loads tfjs-node-gpu, else tfjs-node (optional dependencies whose install downloads libtensorflow),
 * and reports why neither works when that is the case.
 */
export async function initTensorflowBackend(): Promise<CandidateResult> {
  const failures: string[] = [];
  for (const pkg of PACKAGES) {
    try {
      // A variable specifier keeps bundlers and tsc from requiring the optional package.
      const specifier: string = pkg.name;
      await import(specifier);
    } catch (error) {
      failures.push(`${pkg.name}: ${describeImportFailure(error)}`);
      continue;
    }
    if (tf.findBackendFactory('tensorflow')) return { ok: true, device: pkg.device };
    failures.push(`${pkg.name}: loaded but registered no 'tensorflow' backend`);
  }
  return { ok: false, reason: failures.join('; ') };
}

function describeImportFailure(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
  const message = (error as Error).message ?? String(error);
  return `failed to load (${message.split('\n')[0]})`;
}
