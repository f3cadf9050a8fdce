import { startSiblingWorker } from '../../core/util/worker-url.js';
import { ServiceError } from '../errors.js';
import type { FromInferenceWorker, InferenceTask, ToInferenceWorker } from './worker-protocol.js';

/** How a worker task ended: the worker's last message (never `failed`: that rejects). */
export type WorkerOutcome = Exclude<FromInferenceWorker, { kind: 'backend' | 'progress' | 'failed' }>;

/** How long a finished worker may take to exit by itself before it is terminated. */
const exitGraceMs = 30_000;

/** Core error codes a worker reports, and the contract code each becomes. */
const failureCodes: Readonly<Record<string, ServiceError['code']>> = {
  INVALID_OPTIONS: 'INVALID_REQUEST',
  BAD_GENERATOR: 'INVALID_REQUEST',
  SLIDE_UNREADABLE: 'UNSUPPORTED_FORMAT',
  UNSUPPORTED_FORMAT: 'UNSUPPORTED_FORMAT',
  NO_RUN: 'NOT_FOUND',
  BAD_RUN: 'INVALID_REQUEST',
  ENOENT: 'NOT_FOUND',
  BACKEND_UNAVAILABLE: 'INVALID_REQUEST',
};

/**
 * Runs one task in a fresh inference worker thread. `onMessage` hears the backend choice and progress;
 * aborting `signal` asks the worker to cancel (a translation stops at its next tile batch and resolves
 * `cancelled`). Resolves with the worker's final message, rejects with a ServiceError when it failed or
 * died; the worker is terminated either way.
 */
export async function runWorkerTask(
  task: InferenceTask,
  hooks: Readonly<{ onMessage?: (message: FromInferenceWorker) => void; signal?: AbortSignal }> = {},
): Promise<WorkerOutcome> {
  const worker = startSiblingWorker(import.meta.url, './inference-worker', {
    workerData: task,
    stdout: true,
    stderr: true,
  });
  // TF.js greets Node users on stdout and Dawn logs adapters on stderr; the messages say what matters.
  worker.stdout.resume();
  worker.stderr.resume();
  const cancel = (): void => worker.postMessage({ kind: 'cancel' } satisfies ToInferenceWorker);
  hooks.signal?.addEventListener('abort', cancel);
  if (hooks.signal?.aborted) cancel();
  let ended = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  try {
    return await new Promise<WorkerOutcome>((resolve, reject) => {
      worker.on('message', (message: FromInferenceWorker) => {
        if (message.kind === 'backend' || message.kind === 'progress') {
          hooks.onMessage?.(message);
          return;
        }
        ended = true;
        if (message.kind === 'failed') {
          const code = (message.code === null ? undefined : failureCodes[message.code]) ?? 'INTERNAL';
          reject(
            new ServiceError(code, message.message, {
              ...(message.code ? { cause: message.code } : {}),
              ...(message.path ? { path: message.path } : {}),
            }),
          );
        } else resolve(message);
      });
      worker.once('error', (error) =>
        reject(new ServiceError('INTERNAL', `The inference worker failed: ${error.message}`)),
      );
      worker.once('exit', (code) => {
        if (!ended)
          reject(new ServiceError('INTERNAL', `The inference worker exited (${code}) before it finished`));
      });
    });
  } finally {
    hooks.signal?.removeEventListener('abort', cancel);
    // The worker leaves by itself once its last native reads have settled: terminating it while a slide
    // read or an encode is in flight tears its addons' environment down under them (and the process).
    if (!ended) await worker.terminate();
    else {
      const grace = setTimeout(() => void worker.terminate(), exitGraceMs);
      await exited;
      clearTimeout(grace);
    }
  }
}
