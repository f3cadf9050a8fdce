import type { BackendName, BackendReport } from '../../contract/index.js';
import { startSiblingWorker } from '../../core/util/worker-url.js';
import { ServiceError } from '../errors.js';

export interface BackendDetection {
  readonly backends: readonly BackendReport[];
  /** What `auto` picks: the first available backend in detection order. */
  readonly auto: BackendName;
}

/** Probes every backend in a worker thread (a few seconds); the caller caches the answer. */
export async function detectBackends(): Promise<BackendDetection> {
  const worker = startSiblingWorker(import.meta.url, './backend-probe-worker', {
    stdout: true,
    stderr: true,
  });
  // TF.js greets Node users on stdout and Dawn logs its Vulkan probing on stderr; the verdicts and their
  // reasons come back as the message.
  worker.stdout.resume();
  worker.stderr.resume();
  try {
    const backends = await new Promise<BackendReport[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the backend probe exited with ${code}`)));
    });
    const auto = backends.find((b) => b.available)?.name;
    if (!auto) {
      const reasons = backends.map((b) => `${b.name}: ${b.reason}`).join('; ');
      throw new ServiceError('INTERNAL', `No TensorFlow.js backend works: ${reasons}`);
    }
    return { backends, auto };
  } finally {
    await worker.terminate();
  }
}
