/** Where the translate, generate and evaluate commands get their generators: a run folder or an export. */
import { basename, resolve } from 'node:path';
import {
  generatorDigest,
  loadCycleganGenerator,
  loadProganGenerator,
  readProganExportState,
} from '../../core/inference/generator-folder.js';
import {
  loadRunCycleganGenerator,
  loadRunProganGenerator,
  type CycleDirection,
} from '../../core/inference/run-generator.js';
import type { DomainConfig } from '../../core/config/training-config.js';
import type { SamplingScale } from '../../core/sampling/geometry.js';
import type { CycleganGenerator } from '../../core/training/models/cyclegan.js';
import type { ProganGenerator } from '../../core/training/models/progan.js';

export interface CycleganSource {
  readonly generator: CycleganGenerator;
  readonly digest: string;
  /** The run's scale and patch size; null for an export (then the command's options say it). */
  readonly scale: SamplingScale | null;
  readonly sizePx: number | null;
  /** Says which generator, for progress lines; `origin` without the direction. */
  readonly label: string;
  readonly origin: string;
  readonly provenance: Record<string, string | number>;
}

/** The generator of a run (latest checkpoint, `direction`) or of an export folder. */
export async function loadCycleganSource(
  runDir: string | undefined,
  generatorDir: string | undefined,
  direction: CycleDirection,
  scope = 'generator',
): Promise<CycleganSource> {
  if (runDir !== undefined) {
    const run = await loadRunCycleganGenerator(resolve(runDir), direction, scope);
    const at = run.step === null ? 'its export' : `step ${run.step}`;
    return {
      generator: run.generator,
      digest: run.digest,
      scale: run.scale,
      sizePx: run.sizePx,
      label: `${basename(run.runDir)} ${run.from} -> ${run.to} (${at})`,
      origin: `${basename(run.runDir)} (${at})`,
      provenance: {
        generator: run.digest,
        run: basename(run.runDir),
        direction: `${run.from}->${run.to}`,
        ...(run.step === null ? {} : { step: run.step }),
      },
    };
  }
  const folder = resolve(generatorDir!);
  const generator = await loadCycleganGenerator(folder, scope);
  try {
    const digest = await generatorDigest(folder);
    return {
      generator,
      digest,
      scale: null,
      sizePx: null,
      label: basename(folder),
      origin: basename(folder),
      provenance: { generator: digest },
    };
  } catch (error) {
    generator.dispose();
    throw error;
  }
}

export interface ProganSource {
  readonly generator: ProganGenerator;
  /** Where growing stood (the export's training.json, the checkpoint's schedule, else the largest). */
  readonly resolution: number;
  readonly alpha: number;
  /** The run's field of view at `resolution`; null for an export. */
  readonly scale: SamplingScale | null;
  /** The run's domains (the real slides) with the detector of their masks; empty for an export. */
  readonly realDomains: readonly DomainConfig[];
  readonly label: string;
}

/** The EMA generator of a ProGAN run (latest checkpoint) or an export folder. */
export async function loadProganSource(
  runDir: string | undefined,
  generatorDir: string | undefined,
): Promise<ProganSource> {
  if (runDir !== undefined) {
    const run = await loadRunProganGenerator(resolve(runDir));
    return {
      generator: run.generator,
      resolution: run.resolution,
      alpha: run.alpha,
      scale: run.scale,
      realDomains: run.config.domains,
      label: `${basename(run.runDir)} (${run.step === null ? 'its export' : `step ${run.step}`})`,
    };
  }
  const folder = resolve(generatorDir!);
  const state = await readProganExportState(folder);
  const generator = await loadProganGenerator(folder);
  return {
    generator,
    resolution: state?.resolution ?? generator.config.maxResolution,
    alpha: state?.alpha ?? 1,
    scale: null,
    realDomains: [],
    label: basename(folder),
  };
}
