/** Real-slide training fixtures: domain folders of the test slides, a mask cache, tiny configs. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  resolveTrainingConfig,
  type TrainingConfig,
  type TrainingConfigInput,
} from '../../../../../src-main/core/config/training-config.js';
import { readAllJsonl } from '../../../../../src-main/core/training/runs/jsonl.js';
import type { StepMetrics } from '../../../../../src-main/core/training/runs/metrics.js';
import { openSlideBatchSource } from '../../../../../src-main/core/training/trainer/sampler-source.js';
import type { TrainerDeps } from '../../../../../src-main/core/training/trainer/trainer.js';

export const SLIDES_DIR = join(import.meta.dirname, '../../../../fixtures/slides');

/** A temporary folder with the given test slides linked into sub-folders, one per domain, and a cache. */
export function workspace(domains: Readonly<Record<string, readonly string[]>>): {
  root: string;
  folder: (domain: string) => string;
  cacheDir: string;
  done: () => void;
} {
  const root = mkdtempSync(join(tmpdir(), 'histo-fetch-trainer-'));
  for (const [domain, slides] of Object.entries(domains)) {
    mkdirSync(join(root, domain));
    for (const slide of slides)
      symlinkSync(join(SLIDES_DIR, slide), join(root, domain, slide.replace(/\//g, '_')));
  }
  return {
    root,
    folder: (domain) => join(root, domain),
    cacheDir: join(root, 'cache'),
    done: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** H&E (CMU-1) as domain A and DAPI fluorescence as domain B. */
export const STAIN_DOMAINS = { A: ['cmu-1-small-region.svs'], B: ['ndpi-dapi.ndpi'] } as const;

/** A tiny-preset config on the workspace's domains (CPU backend unless given). */
export function tinyConfig(
  ws: { folder: (domain: string) => string },
  input: Partial<TrainingConfigInput> & { model: 'cyclegan' | 'progan' },
): TrainingConfig {
  const domains = input.model === 'cyclegan' ? ['A', 'B'] : ['A'];
  return resolveTrainingConfig({
    preset: 'tiny',
    backend: 'cpu',
    steps: 10,
    seed: 7,
    sampleEvery: 0,
    domains: domains.map((name) => ({ name, folders: [ws.folder(name)] })),
    ...input,
  });
}

/** The trainer on real slides through the real sampler (one patch worker: the machine is shared). */
export function slideDeps(cacheDir: string, env: Record<string, string | undefined> = {}): TrainerDeps {
  return { openSource: openSlideBatchSource({ cacheDir, workers: 1 }), env };
}

export function readMetricsFile(runDir: string): Promise<StepMetrics[]> {
  return readAllJsonl<StepMetrics>(join(runDir, 'metrics.jsonl'));
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}
