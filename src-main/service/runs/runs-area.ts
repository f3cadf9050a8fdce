import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RunsApi, RunSummary } from '../../contract/index.js';
import { readLatestStep } from '../../core/training/runs/checkpoints.js';
import { runPaths } from '../../core/training/runs/layout.js';
import { readMetrics } from '../../core/training/runs/metrics.js';
import {
  listRuns,
  readRunConfig,
  summariseRun,
  type RunConfigFile,
} from '../../core/training/runs/run-config.js';
import { listSamples } from '../../core/training/runs/samples.js';
import type { ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { metricValues } from '../training/metric-names.js';
import type { TrainingController } from '../training/training-controller.js';
import { ConfirmTokens } from './confirm-tokens.js';
import { runWorkerTask } from '../inference/worker-task.js';
import { downsampleMinMax } from './downsample.js';
import { readPatchPage } from './patch-pages.js';
import { resolveRunDir } from './run-folder.js';
import { runSummary } from './run-summary.js';

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** What a sample grid of a run shows, in words. */
function gridName(file: RunConfigFile): string {
  const [a, b] = file.config.domains.map((d) => d.name);
  return file.config.model === 'cyclegan'
    ? `real · fake · reconstructed — rows ${a} → ${b}, then ${b} → ${a}`
    : `generated ${file.config.domains.map((d) => d.name).join(' + ')} patches`;
}

/** Runs: the folders in the service's runs folder, with metrics, samples, patch manifests and exports. */
export function createRunsArea(context: ServiceContext, training: TrainingController): RunsApi {
  const runsDir = context.options.runsDir;
  const deletions = new ConfirmTokens();

  const runDir = (runId: string): Promise<string> => resolveRunDir(runsDir, runId);

  function phaseOf(runId: string) {
    return training.runningRunId() === runId ? training.status().phase : null;
  }

  async function summary(runId: string): Promise<RunSummary> {
    const dir = await runDir(runId);
    const [core, file, samples] = await Promise.all([
      summariseRun(dir),
      readRunConfig(dir),
      listSamples(dir),
    ]);
    return runSummary(
      { ...core, name: runId },
      file,
      samples.map((s) => s.step),
      phaseOf(runId),
    );
  }

  return {
    async list() {
      const { runs } = await listRuns(runsDir);
      const out: RunSummary[] = [];
      for (const core of runs) {
        const file = await readRunConfig(core.dir);
        const samples = await listSamples(core.dir);
        out.push(
          runSummary(
            core,
            file,
            samples.map((s) => s.step),
            phaseOf(core.name),
          ),
        );
      }
      return { runs: out };
    },
    async get(request) {
      return { run: await summary(request.runId) };
    },
    async metrics(request) {
      const dir = await runDir(request.runId);
      const records = await readMetrics(dir, {
        ...(request.fromStep !== undefined ? { fromStep: request.fromStep } : {}),
        ...(request.toStep !== undefined ? { toStep: request.toStep } : {}),
      });
      const columns = new Map<string, { steps: number[]; values: number[] }>();
      for (const record of records) {
        for (const [name, value] of Object.entries(metricValues(record))) {
          if (request.series && !request.series.includes(name)) continue;
          let column = columns.get(name);
          if (!column) columns.set(name, (column = { steps: [], values: [] }));
          column.steps.push(record.step);
          column.values.push(value);
        }
      }
      const maxPoints = request.maxPoints ?? 2000;
      const smoothing = request.smoothing ?? 0.9;
      const series = [...columns].map(([name, column]) =>
        downsampleMinMax(
          name,
          Float64Array.from(column.steps),
          Float64Array.from(column.values),
          maxPoints,
          smoothing,
        ),
      );
      return { series };
    },
    async samples(request) {
      const dir = await runDir(request.runId);
      const samples = await listSamples(dir);
      const steps = samples.map((s) => s.step);
      if (samples.length === 0) return { step: 0, steps, grids: [] };
      const chosen =
        request.step === undefined ? samples.at(-1)! : samples.find((s) => s.step === request.step);
      if (!chosen) {
        throw new ServiceError(
          'NOT_FOUND',
          `The run '${request.runId}' has no samples at step ${request.step}`,
        );
      }
      const bytes = await readFile(chosen.path);
      const meta = await sharp(bytes).metadata();
      const file = await readRunConfig(dir);
      return {
        step: chosen.step,
        steps,
        grids: [
          {
            name: gridName(file),
            image: { mime: 'image/png', widthPx: meta.width ?? 0, heightPx: meta.height ?? 0, bytes },
          },
        ],
      };
    },
    async patches(request) {
      return readPatchPage(await runDir(request.runId), request);
    },
    async delete(request) {
      const dir = await runDir(request.runId);
      if (training.runningRunId() === request.runId)
        throw new ServiceError('CONFLICT', `The run '${request.runId}' is training; stop it first`);
      if (request.confirmToken === undefined || !deletions.consume(request.runId, request.confirmToken)) {
        const bytes = await folderBytes(dir);
        const checkpoints = (await readdir(runPaths(dir).checkpoints).catch(() => [] as string[])).filter(
          (n) => /^\d+$/.test(n),
        ).length;
        return {
          deleted: false,
          confirmToken: deletions.issue(request.runId),
          summary: `${dir}: ${(bytes / 1e6).toFixed(1)} MB with ${checkpoints} checkpoint(s), its metrics, samples and patch manifest`,
        };
      }
      await rm(dir, { recursive: true, force: true });
      return { deleted: true };
    },
    async exportGenerator(request) {
      const dir = await runDir(request.runId);
      const file = await readRunConfig(dir);
      const name =
        file.config.model === 'progan'
          ? 'generatorEma'
          : request.direction === 'BtoA'
            ? 'generatorBA'
            : 'generatorAB';
      const folder = join(runPaths(dir).export, name);
      const exists = await stat(join(folder, 'model.json')).then(
        () => true,
        () => false,
      );
      const latest = await readLatestStep(dir).catch(() => null);
      if (!exists) {
        // The trainer exports when a run stops or completes; a run cut short has only its checkpoints.
        if (latest === null) {
          throw new ServiceError(
            'NOT_READY',
            `The run '${request.runId}' has no checkpoint and no exported ${name} yet`,
            { path: folder },
          );
        }
        if (training.runningRunId() === request.runId)
          throw new ServiceError('CONFLICT', `The run '${request.runId}' is training; stop it first`);
        await runWorkerTask({
          kind: 'export',
          runDir: dir,
          direction: request.direction ?? 'AtoB',
          folder,
          backend: 'cpu',
        });
      }
      return { name, path: folder, bytes: await folderBytes(folder), step: latest ?? 0 };
    },
  };
}
