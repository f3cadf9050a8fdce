import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type { CandidateResult } from './types.js';

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;

/**
 * Finds the folder holding tfjs-backend-wasm's .wasm binaries in node_modules. The backend's own
 * default (the folder of its script) breaks once the main process is bundled, so we point it there.
 */
export function locateWasmBinaries(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@tensorflow/tfjs-backend-wasm');
    const folder = dirname(main);
    return WASM_FILES.every((f) => existsSync(join(folder, f))) ? folder : null;
  } catch {
    return null;
  }
}

/** Registers the wasm backend with its binaries located; the caller sets it and adds kernels. */
export async function initWasmBackend(): Promise<CandidateResult> {
  const folder = locateWasmBinaries();
  if (!folder) {
    return {
      ok: false,
      reason: '@tensorflow/tfjs-backend-wasm or its .wasm files not found in node_modules',
    };
  }
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Allowed only before the backend first initialises; later calls would throw and are not needed.
    if (!tf.engine().registry.wasm) wasm.setWasmPaths(folder + sep);
  } catch (error) {
    return { ok: false, reason: `tfjs-backend-wasm failed to load: ${(error as Error).message}` };
  }
  if (!tf.findBackendFactory('wasm')) return { ok: false, reason: 'tfjs-backend-wasm registered no backend' };
  return { ok: true, device: 'CPU (WebAssembly, 1 thread in Node)' };
}
