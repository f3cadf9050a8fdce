import * as tf from '@tensorflow/tfjs';
import { useVulkanIcd } from './vulkan-loader.js';

/** What the WebGPU probe found; `reason` says why the backend is not usable when `ok` is false. */
export type WebgpuInit =
  { ok: true; device: string; isFallbackAdapter: boolean } | { ok: false; reason: string };

export interface WebgpuInitOptions {
  /**
   * Accept a software adapter (Mesa lavapipe). Tests use it to run the WebGPU code path without a GPU;
   * automatic selection never does, because a CPU rasteriser is slower than the wasm backend.
   */
  readonly allowFallbackAdapter?: boolean;
  /** Dawn options passed to `create()`, for example `backend=vulkan`. */
  readonly dawnOptions?: readonly string[];
  /**
   * A Vulkan ICD manifest to use instead of the system's (tests: the lavapipe unpacked by
   * scripts/setup-lavapipe.sh). The Vulkan loader reads it from the environment when Dawn starts.
   */
  readonly vulkanIcdFile?: string;
}

let registered: Promise<WebgpuInit> | null = null;

/**
 * Makes TF.js's `webgpu` backend available in Node through Dawn (npm `webgpu`) and registers it.
 * Node has no `navigator`, and tfjs-backend-webgpu registers itself only if `navigator.gpu` exists when
 * it is imported, so the GPU object is installed first and the backend imported after. Idempotent.
 */
export function initWebgpuBackend(options: WebgpuInitOptions = {}): Promise<WebgpuInit> {
  registered ??= probe(options);
  return registered;
}

async function probe(options: WebgpuInitOptions): Promise<WebgpuInit> {
  if (options.vulkanIcdFile) useVulkanIcd(options.vulkanIcdFile);
  let gpu: GPU;
  try {
    const dawn = await import('webgpu');
    Object.assign(globalThis, dawn.globals);
    gpu = dawn.create([...(options.dawnOptions ?? [])]);
  } catch (error) {
    return { ok: false, reason: `Dawn (npm 'webgpu') failed to load: ${(error as Error).message}` };
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    return {
      ok: false,
      reason: 'no WebGPU adapter (no Vulkan driver found: libvulkan1 and a GPU ICD are needed)',
    };
  }
  const info = adapter.info;
  const device =
    `${info.vendor || 'unknown vendor'} ${info.device || info.description || info.architecture}`.trim();
  // The flag moved from GPUAdapter to GPUAdapterInfo in the spec; Dawn builds differ in which they have.
  const isFallbackAdapter =
    (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ??
    (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter ??
    false;
  if (isFallbackAdapter && !options.allowFallbackAdapter) {
    return { ok: false, reason: `only a software adapter (${device}); slower than the wasm backend` };
  }
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!tf.findBackendFactory('webgpu')) {
    return { ok: false, reason: 'tfjs-backend-webgpu did not register (navigator.gpu missing at import)' };
  }
  return { ok: true, device, isFallbackAdapter };
}
