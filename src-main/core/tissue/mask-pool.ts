import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { startSiblingWorker } from '../util/worker-url.js';
import type { SlideMaskReport } from './build-mask.js';
import { MaskCache } from './mask-cache.js';
import type { MaskWorkerData, MaskWorkerMessage, MaskWorkerRequest } from './mask-pool-protocol.js';
import {
  resolveTissueMaskParameters,
  tissueMaskParametersKey,
  type TissueMaskParameters,
} from './tissue-mask.js';

/** One slide to build a mask for, with the parameters of its own domain (detector per stain, SPEC 1.9). */
export interface MaskRequest {
  readonly path: string;
  readonly params: TissueMaskParameters;
}

export interface MaskPoolOptions {
  readonly cacheDir: string;
  /** Parameters of the slides given as plain paths (default: the SPEC's, detector `otsu-red`). */
  readonly params?: TissueMaskParameters;
  /** Worker threads; default: the number of cores, at most one per slide. */
  readonly workers?: number;
  /** Write each thumbnail with its mask outline here (PNG), for people to check. */
  readonly overlayDir?: string | null;
  /** Write the UI thumbnail JPEG beside the masks (default true). */
  readonly writeUiThumbnail?: boolean;
}

/** Progress of a mask build, for the CLI's progress bar and the UI (`mask.progress`). */
export type MaskPoolEvent =
  | {
      readonly type: 'started';
      readonly path: string;
      readonly params: TissueMaskParameters;
      readonly finished: number;
      readonly total: number;
    }
  /** A mask was built (outcome ok, no-tissue or all-tissue). */
  | MaskPoolResultEvent<'done'>
  /** The mask came from the cache; nothing was built. */
  | MaskPoolResultEvent<'cached'>
  /** The slide could not be read (report.error says why). */
  | MaskPoolResultEvent<'failed'>;

interface MaskPoolResultEvent<T extends string> {
  readonly type: T;
  readonly path: string;
  /** The parameters the mask was built (or looked up) with. */
  readonly params: TissueMaskParameters;
  readonly report: SlideMaskReport;
  /** Set when `overlayDir` was given and the overlay could not be written. */
  readonly overlayError: string | null;
  readonly finished: number;
  readonly total: number;
}

export interface MaskBuildSummary {
  /** In the order of the slides given; slides not finished before a cancel are missing. */
  readonly reports: readonly SlideMaskReport[];
  readonly cancelled: boolean;
  readonly wallMs: number;
  readonly workers: number;
}

/** A running build of many masks. */
export interface MaskBuildJob {
  /** Resolves when every slide is done, or soon after `cancel()` (never rejects for a bad slide). */
  readonly done: Promise<MaskBuildSummary>;
  /** Reports as each slide finishes, so sampling can start before the whole dataset is done (SPEC 1.7). */
  results(): AsyncIterableIterator<SlideMaskReport>;
  /**
   * Resolves with the report of one slide once it is done; null if the build is cancelled first.
   * `params` is needed only when the slide was asked for with several parameter sets.
   */
  reportFor(path: string, params?: TissueMaskParameters): Promise<SlideMaskReport | null>;
  /** Stops dispatching, stops the workers; resolves when they are gone. Finished masks stay cached. */
  cancel(): Promise<void>;
}

/**
 * Builds the masks of many slides in parallel on worker threads (each opens its slides with the binding),
 * cache hits included. Each slide is a path (built with `options.params`) or a path with its own
 * parameters, so the domains of a dataset can use different detectors in one pool; a slide asked for
 * twice with the same parameters is built once, with different ones once per set. Events arrive on
 * `onEvent` as slides start and finish. A worker that dies answers for its slide with an `unreadable`
 * report and is replaced, so one bad slide never stops the build.
 */
export function buildMasks(
  slidesToBuild: readonly (string | MaskRequest)[],
  options: Readonly<MaskPoolOptions>,
  onEvent: (event: MaskPoolEvent) => void = () => undefined,
): MaskBuildJob {
  const defaultParams = options.params ?? resolveTissueMaskParameters();
  const requests = new Map<string, MaskRequest>();
  for (const item of slidesToBuild) {
    const request = typeof item === 'string' ? { path: item, params: defaultParams } : item;
    const key = requestKey(request);
    if (!requests.has(key)) requests.set(key, request);
  }
  const slides = [...requests.keys()];
  const total = slides.length;
  const requested = options.workers ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 1) {
    throw new RangeError(`Expected a positive integer worker count but received ${options.workers}`);
  }
  const workerCount = Math.max(1, Math.min(requested, total));
  const workerData: MaskWorkerData = {
    cacheDir: options.cacheDir,
    overlayDir: options.overlayDir ?? null,
    writeUiThumbnail: options.writeUiThumbnail ?? true,
  };
  const started = performance.now();
  // The workers run libvips on one thread each (see mask-pool-worker.ts); the setting is per process.
  const libvipsThreads = sharp.concurrency();
  /** By request key (path and parameters). */
  const reports = new Map<string, SlideMaskReport>();
  const finishedOrder: SlideMaskReport[] = [];
  /** Called after every finished slide and once at the end; iterators and `reportFor` listen here. */
  const listeners = new Set<() => void>();
  const queue = [...slides];
  const live = new Set<Worker>();
  let cancelled = false;
  let completed = false;
  let lastWorkerError: Error | null = null;
  let resolveDone!: (summary: MaskBuildSummary) => void;
  const done = new Promise<MaskBuildSummary>((resolve) => (resolveDone = resolve));

  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };

  const complete = (): void => {
    if (completed) return;
    completed = true;
    sharp.concurrency(libvipsThreads);
    notify();
    resolveDone({
      reports: slides.map((k) => reports.get(k)).filter((r): r is SlideMaskReport => r !== undefined),
      cancelled,
      wallMs: performance.now() - started,
      workers: workerCount,
    });
  };

  const record = (request: MaskRequest, report: SlideMaskReport, overlayError: string | null): void => {
    reports.set(requestKey(request), report);
    finishedOrder.push(report);
    const type = report.outcome === 'unreadable' ? 'failed' : report.fromCache ? 'cached' : 'done';
    const { params } = request;
    onEvent({ type, path: report.path, params, report, overlayError, finished: reports.size, total });
    notify();
  };

  const startWorker = (): void => {
    const worker = startSiblingWorker(import.meta.url, './mask-pool-worker', { workerData });
    live.add(worker);
    // A worker builds one slide at a time, so its messages concern this request.
    let current: MaskRequest | null = null;
    const dispatch = (): void => {
      const key = cancelled ? undefined : queue.shift();
      current = key === undefined ? null : requests.get(key)!;
      worker.postMessage(
        current === null
          ? ({ type: 'exit' } satisfies MaskWorkerRequest)
          : ({ type: 'build', path: current.path, params: current.params } satisfies MaskWorkerRequest),
      );
    };
    worker.on('message', (message: MaskWorkerMessage) => {
      if (message.type === 'ready') dispatch();
      else if (message.type === 'started') {
        if (current === null) return;
        const { path, params } = current;
        onEvent({ type: 'started', path, params, finished: reports.size, total });
      } else if (current !== null) {
        const request = current;
        current = null;
        record(request, message.report, message.overlayError);
        dispatch();
      }
    });
    worker.on('error', (error) => {
      // The worker died (bad slides come back as reports, so this is a crash): answer for its slide.
      lastWorkerError = error;
      if (current !== null && !cancelled) record(current, workerFailureReport(current.path, error), null);
      current = null;
    });
    worker.on('exit', () => {
      live.delete(worker);
      if (cancelled) {
        if (live.size === 0) complete();
        return;
      }
      if (queue.length > 0 && lastWorkerError !== null && live.size === 0 && reports.size === 0) {
        // Not one worker got as far as a slide: starting more would fail the same way.
        const error = lastWorkerError;
        for (const key of queue.splice(0)) {
          const request = requests.get(key)!;
          record(request, workerFailureReport(request.path, error), null);
        }
      } else if (queue.length > 0) {
        startWorker();
        return;
      }
      if (live.size === 0) complete();
    });
  };

  // Temporary files that killed builders left (over an hour old) go before the first build; they are never
  // read, only taking room. removeStaleTemporaryFiles does not throw: an unreadable folder counts as none.
  void new MaskCache({ cacheDir: options.cacheDir }).removeStaleTemporaryFiles().then(() => {
    if (cancelled || total === 0) complete();
    else for (let i = 0; i < workerCount; i++) startWorker();
  });

  return {
    done,
    reportFor(path: string, params?: TissueMaskParameters): Promise<SlideMaskReport | null> {
      const keys = slides.filter(
        (k) => requests.get(k)!.path === path && (params === undefined || k === requestKey({ path, params })),
      );
      if (keys.length === 0) {
        return Promise.reject(new RangeError(`${path} is not one of the slides of this mask build`));
      }
      if (keys.length > 1) {
        return Promise.reject(
          new RangeError(`${path} is built with ${keys.length} parameter sets here: name the parameters`),
        );
      }
      const key = keys[0]!;
      return new Promise((resolve) => {
        const check = (): void => {
          const report = reports.get(key);
          if (report || completed) {
            listeners.delete(check);
            resolve(report ?? null);
          }
        };
        listeners.add(check);
        check();
      });
    },
    results(): AsyncIterableIterator<SlideMaskReport> {
      let index = 0;
      const iterator: AsyncIterableIterator<SlideMaskReport> = {
        next: () =>
          new Promise((resolve) => {
            const check = (): void => {
              if (index < finishedOrder.length) {
                listeners.delete(check);
                resolve({ done: false, value: finishedOrder[index++]! });
              } else if (completed) {
                listeners.delete(check);
                resolve({ done: true, value: undefined });
              }
            };
            listeners.add(check);
            check();
          }),
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    },
    async cancel(): Promise<void> {
      if (!cancelled && !completed) {
        cancelled = true;
        queue.length = 0;
        await Promise.all([...live].map((worker) => worker.terminate()));
      }
      await done;
    },
  };
}

/** A slide and its parameters: what the pool builds once. */
function requestKey(request: MaskRequest): string {
  return `${tissueMaskParametersKey(request.params)}\u0000${request.path}`;
}

function workerFailureReport(path: string, error: Error): SlideMaskReport {
  return {
    path,
    outcome: 'unreadable',
    fromCache: false,
    quickhash: null,
    error: { code: 'WORKER_FAILED', message: `${path}: the mask worker stopped (${error.message})` },
    metadata: null,
    maskPath: null,
    thumbnailPath: null,
    ms: 0,
    replacedInvalid: null,
  };
}
