import * as tf from '@tensorflow/tfjs';
import { TrainingError } from '../errors.js';
import { registerTrainingGradients } from '../grads/register.js';
import { registerConv2dBackpropFilter } from '../kernels/conv2d-backprop-filter.js';
import { Adam, type AdamOptions } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { initWebgpuBackend } from './webgpu/init.js';
import { installWebgpuKernels, type WebgpuKernels } from './webgpu/install.js';
import { smokeTestBackend } from './smoke.js';
import { initTensorflowBackend } from './tensorflow.js';
import {
  BACKEND_CANDIDATES,
  type BackendName,
  type BackendSelection,
  type CandidateResult,
  type SelectBackendOptions,
} from './types.js';
import { initWasmBackend } from './wasm.js';

/**
 * Picks the TensorFlow.js backend for training and makes it current. Unless one is named, candidates
 * are tried in order (tensorflow, webgpu with a hardware adapter, wasm, cpu) and the first that loads
 * and passes a smoke test wins. A named backend that does not work is a TrainingError, never a silent
 * fallback. Also registers our gradients and, for wasm and cpu, our Conv2DBackpropFilter kernel.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const preferred = options.preferred ?? 'auto';
  if (preferred !== 'auto' && !(BACKEND_CANDIDATES as readonly string[]).includes(preferred)) {
    throw new TrainingError(
      'UNKNOWN_BACKEND',
      `Unknown backend '${String(preferred)}': expected auto, ${BACKEND_CANDIDATES.join(', ')}`,
    );
  }
  registerTrainingGradients();
  const reasons: Partial<Record<BackendName, string>> = {};
  const order = preferred === 'auto' ? BACKEND_CANDIDATES : [preferred];
  for (const name of order) {
    const result = await tryCandidate(name, options);
    if (result.ok) {
      const kernels = result.kernels;
      for (const other of BACKEND_CANDIDATES) {
        if (other === name || reasons[other]) continue;
        reasons[other] =
          preferred === 'auto'
            ? `not tried: '${name}' comes first and works`
            : `not requested (backend '${name}' was named)`;
      }
      const createAdam = (o: AdamOptions): Optimizer => kernels?.createAdam(o) ?? new Adam(o);
      return { name, device: result.device, reasons, createAdam };
    }
    reasons[name] = result.reason;
  }
  if (preferred !== 'auto') {
    throw new TrainingError(
      'BACKEND_UNAVAILABLE',
      `Backend '${preferred}' is not available: ${reasons[preferred]}`,
    );
  }
  const all = BACKEND_CANDIDATES.map((n) => `${n}: ${reasons[n]}`).join('; ');
  throw new TrainingError('BACKEND_UNAVAILABLE', `No TensorFlow.js backend works: ${all}`);
}

async function tryCandidate(
  name: BackendName,
  options: SelectBackendOptions,
): Promise<CandidateResult & { kernels?: WebgpuKernels }> {
  const init = await initCandidate(name, options);
  if (!init.ok) return init;
  if (name === 'wasm' || name === 'cpu') registerConv2dBackpropFilter(name);
  let switched: boolean;
  try {
    switched = await tf.setBackend(name);
  } catch (error) {
    return { ok: false, reason: `failed to initialise: ${(error as Error).message}` };
  }
  if (!switched) return { ok: false, reason: 'failed to initialise (see the TensorFlow.js warning above)' };
  // Our kernels go in before the smoke test, so it runs through them.
  const kernels = name === 'webgpu' ? installKernels(options.webgpuKernels) : undefined;
  const smoke = await smokeTestBackend();
  if (smoke) {
    kernels?.uninstall();
    return { ok: false, reason: smoke };
  }
  return { ...init, kernels };
}

function installKernels(choice: SelectBackendOptions['webgpuKernels']): WebgpuKernels {
  return installWebgpuKernels(typeof choice === 'object' ? choice : { enabled: choice ?? true });
}

async function initCandidate(name: BackendName, options: SelectBackendOptions): Promise<CandidateResult> {
  switch (name) {
    case 'tensorflow':
      return initTensorflowBackend();
    case 'webgpu': {
      const init = await initWebgpuBackend({ allowFallbackAdapter: options.allowFallbackAdapter ?? false });
      if (!init.ok) return init;
      const kind = init.isFallbackAdapter ? 'software adapter' : 'GPU';
      return { ok: true, device: `${init.device} (WebGPU, ${kind})` };
    }
    case 'wasm':
      return initWasmBackend();
    case 'cpu':
      return { ok: true, device: 'CPU (JavaScript)' };
  }
}
