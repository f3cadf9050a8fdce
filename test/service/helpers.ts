import { cp, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  EventMessage,
  MethodName,
  Reply,
  RequestOf,
  ResponseOf,
} from '../../src-main/contract/index.js';
import { createService, type Service } from '../../src-main/service/service.js';

/** The real test slides shipped with the repository. */
export const fixtureSlides = fileURLToPath(new URL('../fixtures/slides/', import.meta.url));

/** A fresh temp folder (real path), removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await realpath(await mkdtemp(join(tmpdir(), `histo-fetch-${prefix}-`)));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A temp workspace: `root/` is the only folder the user may pick from; `root/HE` and `root/fluorescence`
 * hold copies of the real slides; `outside/` is a sibling folder the service must never reach.
 */
export async function slideWorkspace(): Promise<{
  dir: string;
  root: string;
  he: string;
  fluorescence: string;
  outside: string;
  cleanup: () => Promise<void>;
}> {
  const { path: dir, cleanup } = await tempDir('ws');
  const root = join(dir, 'root');
  const he = join(root, 'HE');
  const fluorescence = join(root, 'fluorescence');
  const outside = join(dir, 'outside');
  for (const name of ['cmu-1-small-region.svs', 'tcga-cr-7395-ts1.svs', 'bracs-1640-crop.tiff'])
    await cp(join(fixtureSlides, name), join(he, name));
  await cp(join(fixtureSlides, 'bad'), join(he, 'bad'), { recursive: true });
  for (const name of ['ndpi-dapi.ndpi', 'ndpi-tritc.ndpi'])
    await cp(join(fixtureSlides, name), join(fluorescence, name));
  await cp(join(fixtureSlides, 'tiny.svs'), join(outside, 'tiny.svs'));
  return { dir, root, he, fluorescence, outside, cleanup };
}

/** A service over a temp state folder, with `pickRoots` as given. */
export async function startService(dir: string, pickRoots: readonly string[] | null): Promise<Service> {
  return createService({
    stateDir: join(dir, 'state'),
    cacheDir: join(dir, 'state', 'cache'),
    runsDir: join(dir, 'state', 'runs'),
    pickRoots,
  });
}

/** Calls a method and returns the value, failing the test with the error's message otherwise. */
export async function callOk<M extends MethodName>(
  service: Service,
  method: M,
  request: RequestOf<M>,
): Promise<ResponseOf<M>> {
  const reply = (await service.call(method, request)) as Reply<ResponseOf<M>>;
  if (!reply.ok) throw new Error(`${method} failed: ${reply.error.code} ${reply.error.message}`);
  return reply.value;
}

/** Calls a method that must fail and returns its error. */
export async function callError(service: Service, method: string, request: unknown) {
  const reply = await service.call(method, request);
  if (reply.ok) throw new Error(`${method} unexpectedly succeeded: ${JSON.stringify(reply.value)}`);
  return reply.error;
}

/** Collects every event; `until` waits for one that matches. */
export function recorder(service: Service) {
  const events: EventMessage[] = [];
  const waiters: { test: (e: EventMessage) => boolean; resolve: () => void }[] = [];
  service.subscribe((event) => {
    events.push(event);
    for (const w of waiters.splice(0)) (w.test(event) ? w.resolve : () => waiters.push(w))();
  });
  return {
    events,
    until(test: (e: EventMessage) => boolean, timeoutMs = 120_000): Promise<void> {
      if (events.some(test)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), timeoutMs);
        waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

/** Matches the event that ends the job of a subject (a run, an output path): done, failed or stopped. */
export const jobEnded =
  (subject: string) =>
  (e: EventMessage): boolean =>
    e.name === 'job.state' &&
    e.payload.job.subject === subject &&
    ['done', 'failed', 'stopped'].includes(e.payload.job.state);
