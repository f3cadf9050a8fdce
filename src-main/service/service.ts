import { mkdir } from 'node:fs/promises';
import type { ApiArea, EventMessage, MethodName, Reply, WorkbenchApi } from '../contract/index.js';
import { createDatasetsArea } from './datasets/datasets-area.js';
import { DatasetCatalog } from './datasets/dataset-catalog.js';
import { createInferenceArea } from './inference/inference-area.js';
import { TranslationRegistry } from './inference/translation-registry.js';
import { createRunsArea } from './runs/runs-area.js';
import { TrainingController } from './training/training-controller.js';
import { createTrainingArea } from './training/training-area.js';
import { openSlide, SlideCache } from '../core/slide/index.js';
import { MaskCache } from '../core/tissue/index.js';
import { createSlidesArea } from './slides/slides-area.js';
import type { ServiceContext, ServiceOptions } from './context.js';
import { ServiceError, toErrorPayload } from './errors.js';
import { EventBus } from './events.js';
import { JobRegistry } from './jobs.js';
import { requestSchemas } from './schemas.js';
import { check, type Schema } from './validate/schema.js';
import { realDirectory } from './workspace/path-guard.js';
import { Workspace } from './workspace/workspace.js';

/** The service as every shell (IPC bridge, WebSocket server, CLI, tests) sees it. */
export interface Service {
  /** Validates and runs one call; never rejects: failures come back as `{ ok: false, error }`. */
  call(method: string, request: unknown): Promise<Reply<unknown>>;
  /** Receives every event; returns the unsubscribe function. */
  subscribe(listener: (event: EventMessage) => void): () => void;
  /** Stops every job and waits for them (mask writes, checkpoints) before the process exits. */
  shutdown(): Promise<void>;
  /**
   * Adds folders to the pick roots (Electron: what the user chose in the native dialog or dropped);
   * nothing to do where any folder may be added. Folders that are gone are reported through `warn`.
   */
  allowRoots(roots: readonly string[]): Promise<void>;
}

/** Splits `area.method` and finds its schema; only the contract's own names pass (no prototype keys). */
export function lookupMethod(
  method: string,
): { area: ApiArea; name: string; schema: Schema<unknown> } | null {
  const dot = method.indexOf('.');
  if (dot <= 0) return null;
  const area = method.slice(0, dot);
  const name = method.slice(dot + 1);
  if (!Object.hasOwn(requestSchemas, area)) return null;
  const schemas = requestSchemas[area as ApiArea] as Readonly<Record<string, Schema<unknown>>>;
  if (!Object.hasOwn(schemas, name)) return null;
  return { area: area as ApiArea, name, schema: schemas[name]! };
}

/** Every method name of the contract, from the schema table (which the type checker ties to the contract). */
export function contractMethods(): MethodName[] {
  return Object.entries(requestSchemas).flatMap(([area, methods]) =>
    Object.keys(methods).map((name) => `${area}.${name}` as MethodName),
  );
}

/** One implementation per contract area, over the real core. */
export function createAreas(context: ServiceContext): WorkbenchApi {
  const training = new TrainingController(context);
  return {
    datasets: createDatasetsArea(context),
    slides: createSlidesArea(context),
    training: createTrainingArea(context, training),
    runs: createRunsArea(context, training),
    inference: createInferenceArea(context),
  };
}

/** Creates the service's state folders, workspace, caches and job registry. */
export async function createServiceContext(options: ServiceOptions): Promise<ServiceContext> {
  await Promise.all(
    [options.stateDir, options.cacheDir, options.runsDir].map((dir) => mkdir(dir, { recursive: true })),
  );
  const pickRoots = options.pickRoots
    ? await Promise.all(options.pickRoots.map((root) => realDirectory(root)))
    : null;
  const events = new EventBus();
  const workspace = await Workspace.open({
    stateDir: options.stateDir,
    pickRoots,
    ...(options.warn ? { warn: options.warn } : {}),
  });
  const maskCache = new MaskCache({ cacheDir: options.cacheDir });
  return {
    options: { ...options, pickRoots },
    pickRoots,
    workspace,
    events,
    jobs: new JobRegistry(events),
    // The UI's own handles (thumbnails, tiles); the sampler keeps its own in its workers.
    slides: new SlideCache({ capacity: 32 }),
    maskCache,
    // Discovery opens each file once and closes it, outside the UI's handle cache.
    catalog: new DatasetCatalog(maskCache, (path) => openSlide(path)),
    translations: await TranslationRegistry.open(options.stateDir, options.warn),
  };
}

/** Builds the service over the real core. */
export async function createService(options: ServiceOptions): Promise<Service> {
  const context = await createServiceContext(options);
  const { events, jobs, slides } = context;
  const api = createAreas(context);
  let closing = false;

  return {
    async call(method, request) {
      const found = typeof method === 'string' ? lookupMethod(method) : null;
      if (!found) {
        return { ok: false, error: { code: 'NOT_FOUND', message: `Unknown method '${String(method)}'` } };
      }
      if (closing) {
        return { ok: false, error: { code: 'TRANSPORT_CLOSED', message: 'The service is shutting down' } };
      }
      const parsed = check(found.schema, request);
      if (!parsed.ok) {
        const error = new ServiceError(
          'INVALID_REQUEST',
          `${method}: ${parsed.issues.map((issue) => issue.message).join('; ')}`,
          { issues: parsed.issues },
        );
        return { ok: false, error: toErrorPayload(error, method) };
      }
      const area = api[found.area] as unknown as Record<string, (request: unknown) => Promise<unknown>>;
      try {
        return { ok: true, value: await area[found.name]!(parsed.value) };
      } catch (error) {
        return { ok: false, error: toErrorPayload(error, method) };
      }
    },
    subscribe(listener) {
      return events.subscribe(listener);
    },
    async shutdown() {
      closing = true;
      await jobs.drain();
      slides.closeAll();
    },
    async allowRoots(roots) {
      const allowed = context.pickRoots;
      if (allowed === null) return;
      for (const root of roots) {
        try {
          const real = await realDirectory(root);
          if (!allowed.includes(real)) allowed.push(real);
        } catch (error) {
          context.options.warn?.(`Not allowing '${root}': ${(error as Error).message}`);
        }
      }
    },
  };
}
