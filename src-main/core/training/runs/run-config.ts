import { randomBytes } from 'node:crypto';
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkTrainingConfig, type TrainingConfig } from '../../config/training-config.js';
import type { BackendName, BackendPreference } from '../backend/types.js';
import { readLatestStep } from './checkpoints.js';
import { RunError } from './errors.js';
import { runPaths } from './layout.js';
import { readMetrics, type StepMetrics } from './metrics.js';
import { listSamples } from './samples.js';

const FORMAT = 'histo-fetch-run';
const FORMAT_VERSION = 1;

/** The backend a run asked for, the one it got, and why each other was not used. */
export interface RunBackend {
  readonly requested: BackendPreference;
  readonly chosen: BackendName;
  readonly device: string;
  readonly reasons: Readonly<Partial<Record<BackendName, string>>>;
}

/** A resume of the run: when, from which checkpoint, and the step count it trained to. */
export interface RunResume {
  readonly at: string;
  readonly fromStep: number;
  readonly steps: number;
  readonly backend: RunBackend;
}

/** `config.json`: the full validated config, the backend, the software versions, and the resumes. */
export interface RunConfigFile {
  readonly format: typeof FORMAT;
  readonly formatVersion: number;
  readonly createdAt: string;
  readonly config: TrainingConfig;
  readonly backend: RunBackend;
  readonly versions: Readonly<Record<string, string>>;
  readonly resumes: readonly RunResume[];
}

/** Builds the `config.json` content of a new run. */
export function newRunConfigFile(
  config: TrainingConfig,
  backend: RunBackend,
  versions: Readonly<Record<string, string>>,
): RunConfigFile {
  return {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    config,
    backend,
    versions,
    resumes: [],
  };
}

/** Writes `config.json` (temp file + rename). */
export async function writeRunConfig(runDir: string, file: RunConfigFile): Promise<void> {
  const path = runPaths(runDir).config;
  const temp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`, { flag: 'wx' });
  await rename(temp, path);
}

/** Reads and validates `config.json`; RunError 'NO_RUN' when missing, 'BAD_RUN' naming the problem. */
export async function readRunConfig(runDir: string): Promise<RunConfigFile> {
  const path = runPaths(runDir).config;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RunError('NO_RUN', 'Not a run folder: it has no config.json', runDir);
    }
    throw new RunError('BAD_RUN', `Cannot read config.json: ${(error as Error).message}`, path);
  }
  let file: RunConfigFile;
  try {
    file = JSON.parse(text) as RunConfigFile;
  } catch (error) {
    throw new RunError('BAD_RUN', `config.json is not valid JSON (${(error as Error).message})`, path);
  }
  if (file?.format !== FORMAT || file.formatVersion !== FORMAT_VERSION) {
    throw new RunError('BAD_RUN', `Not a ${FORMAT} v${FORMAT_VERSION} config.json`, path);
  }
  try {
    // Older runs lack fields added since (a domain's detector): the check fills in what they used.
    return { ...file, config: checkTrainingConfig(file.config) };
  } catch (error) {
    throw new RunError(
      'BAD_RUN',
      `config.json holds an invalid training config: ${(error as Error).message}`,
      path,
    );
  }
}

/** What a list of runs shows about each. */
export interface RunSummary {
  readonly dir: string;
  readonly name: string;
  readonly model: TrainingConfig['model'];
  readonly preset: string;
  readonly domains: readonly string[];
  readonly createdAt: string;
  /** Steps the run is to train (the latest resume's target). */
  readonly steps: number;
  /** Step of the latest checkpoint, or null. */
  readonly checkpointStep: number | null;
  /** The last metrics line, or null before the first step. */
  readonly last: StepMetrics | null;
  readonly latestSample: string | null;
  readonly backend: string;
}

/** Summarises one run folder. */
export async function summariseRun(runDir: string): Promise<RunSummary> {
  const file = await readRunConfig(runDir);
  const metrics = await readMetrics(runDir, { every: Number.MAX_SAFE_INTEGER });
  const samples = await listSamples(runDir);
  return {
    dir: runDir,
    name: runDir.split(/[\\/]/).filter(Boolean).pop() ?? runDir,
    model: file.config.model,
    preset: file.config.preset,
    domains: file.config.domains.map((d) => d.name),
    createdAt: file.createdAt,
    steps: file.config.steps,
    checkpointStep: await readLatestStep(runDir).catch(() => null),
    last: metrics[metrics.length - 1] ?? null,
    latestSample: samples[samples.length - 1]?.path ?? null,
    backend: file.resumes[file.resumes.length - 1]?.backend.chosen ?? file.backend.chosen,
  };
}

/**
 * The runs in a folder (each sub-folder with a config.json), newest first; folders that are not runs are
 * skipped and damaged runs reported in `problems` rather than failing the list.
 */
export async function listRuns(runsDir: string): Promise<{ runs: RunSummary[]; problems: RunError[] }> {
  const entries = await readdir(runsDir, { withFileTypes: true }).catch(() => []);
  const runs: RunSummary[] = [];
  const problems: RunError[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    try {
      runs.push(await summariseRun(join(runsDir, e.name)));
    } catch (error) {
      if (error instanceof RunError && error.code === 'NO_RUN') continue;
      problems.push(
        error instanceof RunError ? error : new RunError('BAD_RUN', String(error), join(runsDir, e.name)),
      );
    }
  }
  runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { runs, problems };
}
