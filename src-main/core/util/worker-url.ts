import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module that sits beside the caller. Running from source (tests, the CLI
 * through tsx) the sibling is a `.ts` file: the worker first registers tsx's loader, then imports it
 * (Node 20 does not apply `--import` loaders to a worker's entry module). From the build it is `.js`.
 * @param callerUrl the caller's `import.meta.url`
 * @param relativeStem the worker module's path relative to the caller, without extension
 */
export function startSiblingWorker(
  callerUrl: string,
  relativeStem: string,
  options: WorkerOptions = {},
): Worker {
  if (!callerUrl.endsWith('.ts')) {
    return new Worker(new URL(`${relativeStem}.js`, callerUrl), options);
  }
  const moduleUrl = new URL(`${relativeStem}.ts`, callerUrl).href;
  const tsxApi = tsxEsmApiUrl(callerUrl);
  const bootstrap =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((api) => { api.register(); return import(${JSON.stringify(moduleUrl)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** URL of tsx's ESM register API (the `import` condition of its `./esm/api` export). */
function tsxEsmApiUrl(callerUrl: string): string {
  const manifestPath = createRequire(callerUrl).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api']!.import.default)).href;
}
