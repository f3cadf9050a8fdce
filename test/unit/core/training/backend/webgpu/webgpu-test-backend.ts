import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initWebgpuBackend } from '../../../../../../src-main/core/training/backend/webgpu/init.js';
import { findLavapipeIcd } from '../../../../../../src-main/core/training/backend/webgpu/vulkan-loader.js';
import { Rng } from '../../../../../../src-main/core/util/rng.js';

const repoRoot = fileURLToPath(new URL('../../../../../../', import.meta.url));

/** Result of bringing up the webgpu backend for a test file; `skip` names why the tests cannot run. */
export type WebgpuForTests = { ok: true; device: string } | { ok: false; skip: string };

/**
 * Initialises the webgpu backend on the software adapter the project installs (Mesa lavapipe, see
 * scripts/setup-lavapipe.sh), or on whatever VK_ICD_FILENAMES names. Tests skip with the returned
 * message where no adapter exists, and fail where lavapipe is installed but does not start.
 */
export async function webgpuForTests(): Promise<WebgpuForTests> {
  const installed = findLavapipeIcd(repoRoot);
  // vitest.config.ts points VK_ICD_FILENAMES at it already; a direct run of a test file may not.
  const icd = process.env.VK_ICD_FILENAMES ? undefined : (installed ?? undefined);
  const init = await initWebgpuBackend({
    allowFallbackAdapter: true,
    ...(icd ? { vulkanIcdFile: icd } : {}),
  });
  if (!init.ok && installed && (icd || process.env.VK_ICD_FILENAMES === installed)) {
    // scripts/setup-lavapipe.sh ran, so an adapter must exist: a broken set-up fails, it does not skip.
    throw new Error(`lavapipe is installed (${installed}) but WebGPU did not start: ${init.reason}`);
  }
  if (!init.ok) {
    const skip = `WebGPU tests skipped: ${init.reason}. Run scripts/setup-lavapipe.sh (Debian 12) for a software adapter.`;
    console.warn(skip);
    return { ok: false, skip };
  }
  await tf.setBackend('webgpu');
  await tf.ready();
  return { ok: true, device: init.device };
}

/** Title suffix that shows the skip reason in the test report. */
export function skipNote(gpu: WebgpuForTests): string {
  return gpu.ok ? '' : ` [${gpu.skip}]`;
}

/** Runs `fn` on the cpu backend and returns its result read back, restoring webgpu afterwards. */
export async function onCpu<T extends tf.Tensor | tf.Tensor[]>(fn: () => T): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  try {
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    const data = await Promise.all(list.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(list);
    return data;
  } finally {
    await tf.setBackend('webgpu');
  }
}

/** Runs `fn` on the webgpu backend and returns its results read back. */
export async function onWebgpu<T extends tf.Tensor | tf.Tensor[]>(fn: () => T): Promise<Float32Array[]> {
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const data = await Promise.all(list.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(list);
  return data;
}

/** Largest |a - b| over two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Largest |x| in an array (for relative tolerances). */
export function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
  return max;
}

/** Seeded normal values (the same on every backend and run). */
export function normals(count: number, seed: number | string, sd = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: count }, () => rng.normal(0, sd));
}

/**
 * Per-test time limit of the WebGPU tests: lavapipe compiles every new shader with LLVM, which on a
 * loaded 2-core machine can take tens of seconds for the first use of a GEMM variant.
 */
export const WEBGPU_TEST_TIMEOUT = { timeout: 240_000 };
