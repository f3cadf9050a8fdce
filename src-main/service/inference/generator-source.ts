import { realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { GeneratorSource, PatchScale, TranslationDirection } from '../../contract/index.js';
import type { TissueDetector } from '../../core/tissue/index.js';
import { readLatestStep } from '../../core/training/runs/checkpoints.js';
import { runPaths } from '../../core/training/runs/layout.js';
import { readRunConfig, type RunConfigFile } from '../../core/training/runs/run-config.js';
import { ServiceError } from '../errors.js';
import { resolveRunDir } from '../runs/run-folder.js';
import { resolveInside } from '../workspace/path-guard.js';
import type { TranslateTask } from './worker-protocol.js';

/** A CycleGAN generator a translation may use, found and checked. */
export interface ResolvedGenerator {
  /** The top folder inside the runs folder the generator belongs to. */
  readonly runId: string;
  readonly runDir: string;
  readonly task: TranslateTask['generator'];
  readonly direction: TranslationDirection | null;
  readonly from: string | null;
  readonly to: string | null;
  /** The run's training scale; null for an export (the request must give one). */
  readonly scale: PatchScale | null;
  /** The detector the source domain's masks were trained with; null for an export. */
  readonly sourceDetector: TissueDetector | null;
  /** Checkpoint step of the weights; null for an export (or a run known only by its export). */
  readonly step: number | null;
  /** Names the generator in the default output name, e.g. `AtoB.step120`. */
  readonly label: string;
  readonly provenance: Readonly<Record<string, string | number>>;
}

async function runConfig(runDir: string, runId: string): Promise<RunConfigFile> {
  return readRunConfig(runDir).catch((error: unknown) => {
    const code = (error as { code?: string }).code;
    throw new ServiceError(
      code === 'NO_RUN' ? 'NOT_FOUND' : 'INVALID_REQUEST',
      `The run '${runId}' cannot be used: ${(error as Error).message}`,
      { path: runDir, ...(code ? { cause: code } : {}) },
    );
  });
}

async function hasModel(folder: string): Promise<boolean> {
  return stat(join(folder, 'model.json')).then(
    (info) => info.isFile(),
    () => false,
  );
}

/**
 * Checks a translation's generator: a CycleGAN run of the runs folder with a checkpoint (or an export),
 * or an exported generator folder inside the runs folder. The weights themselves load in the worker.
 */
export async function resolveGenerator(source: GeneratorSource, runsDir: string): Promise<ResolvedGenerator> {
  if (source.kind === 'run') {
    const runDir = await resolveRunDir(runsDir, source.runId);
    const { config } = await runConfig(runDir, source.runId);
    if (config.model !== 'cyclegan') {
      throw new ServiceError(
        'INVALID_REQUEST',
        `The run '${source.runId}' is a ${config.model} run; translation needs a CycleGAN run`,
        { path: runDir },
      );
    }
    const step = await readLatestStep(runDir).catch(() => null);
    const exported = join(
      runPaths(runDir).export,
      source.direction === 'AtoB' ? 'generatorAB' : 'generatorBA',
    );
    if (step === null && !(await hasModel(exported))) {
      throw new ServiceError(
        'NOT_READY',
        `The run '${source.runId}' has no checkpoint and no exported generator yet`,
        { path: runDir },
      );
    }
    const [a, b] = [config.domains[0]!, config.domains[1]!];
    const [fromDomain, toDomain] = source.direction === 'AtoB' ? [a, b] : [b, a];
    const [from, to] = [fromDomain.name, toDomain.name];
    return {
      runId: source.runId,
      runDir,
      task: { kind: 'run', runDir, direction: source.direction },
      direction: source.direction,
      from,
      to,
      scale: config.sampling.scale,
      sourceDetector: fromDomain.detector,
      step,
      label: `${source.direction}.${step === null ? 'export' : `step${step}`}`,
      provenance: {
        run: source.runId,
        direction: `${from}->${to}`,
        ...(step === null ? {} : { step }),
      },
    };
  }
  const runsRoot = await realpath(runsDir);
  const folder = await resolveInside(source.path, [runsRoot], 'exported generator');
  if (folder === runsRoot || !(await hasModel(folder))) {
    throw new ServiceError(
      'INVALID_REQUEST',
      `'${source.path}' is not an exported generator folder (it has no model.json)`,
      { path: source.path },
    );
  }
  const runId = relative(runsRoot, folder).split(sep)[0]!;
  return {
    runId,
    runDir: join(runsRoot, runId),
    task: { kind: 'export', folder },
    direction: null,
    from: null,
    to: null,
    scale: null,
    sourceDetector: null,
    step: null,
    label: basename(folder),
    provenance: { run: runId, export: basename(folder) },
  };
}
