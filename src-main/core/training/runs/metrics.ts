import { readJsonl } from './jsonl.js';
import { runPaths } from './layout.js';

/** One line of `metrics.jsonl`: everything measured about one training step. */
export interface StepMetrics {
  /** Steps done after this one (1 for the first). */
  readonly step: number;
  /** Wall-clock time the step ended, ISO 8601. */
  readonly time: string;
  /** Every loss term by name (CycleGAN: adversarialAB, cycleA...; ProGAN: criticTotal, gradientPenalty...). */
  readonly losses: Readonly<Record<string, number>>;
  /** The generators' learning rate this step. */
  readonly learningRate: number;
  /** The discriminators' (absent in runs written before it could differ). */
  readonly discriminatorLearningRate?: number;
  /** Time the step computed, ms (without the wait for data). */
  readonly stepMs: number;
  /** Time the trainer waited for this step's batch, ms. */
  readonly dataWaitMs: number;
  /** Real images the step consumed (every domain together). */
  readonly images: number;
  /** Images consumed per second over this step (images / (stepMs + dataWaitMs) * 1000). */
  readonly imagesPerSecond: number;
  /** Patches the sampler prepared per second (its last few seconds): the supply. */
  readonly samplerPatchesPerSecond: number;
  /** Prepared patches waiting in the sampler's queue when the batch was taken. */
  readonly queueDepth: number;
  readonly backend: string;
  readonly memory: {
    /** Resident set size of the whole process, bytes. */
    readonly rssBytes: number;
    /** Bytes TensorFlow.js holds in tensors, and the number of tensors (the leak check). */
    readonly tfBytes: number;
    readonly tfTensors: number;
  };
  /** Generated images held in the CycleGAN image pools (tensors that legitimately grow until full). */
  readonly pooledImages: number;
  /** Evaluation steps only (`config.evaluation.every`): eval/swd..., eval/cycleErrorA... */
  readonly evaluation?: Readonly<Record<string, number>>;
  /** ProGAN only: where progressive growing stands. */
  readonly progan?: {
    readonly resolution: number;
    readonly alpha: number;
    readonly phase: number;
    readonly fading: boolean;
    readonly imagesSeen: number;
  };
}

export interface ReadMetricsOptions {
  /** Only steps >= this. */
  readonly fromStep?: number;
  /** Only steps <= this. */
  readonly toStep?: number;
  /** Keep every n-th step (plus the last), for charts of long runs. Default 1. */
  readonly every?: number;
}

/** The metrics of a run in step order ([] before the first step). */
export async function readMetrics(
  runDir: string,
  options: Readonly<ReadMetricsOptions> = {},
): Promise<StepMetrics[]> {
  const every = Math.max(1, Math.floor(options.every ?? 1));
  const out: StepMetrics[] = [];
  let last: StepMetrics | null = null;
  for await (const m of readJsonl<StepMetrics>(runPaths(runDir).metrics)) {
    if (options.fromStep !== undefined && m.step < options.fromStep) continue;
    if (options.toStep !== undefined && m.step > options.toStep) continue;
    last = m;
    if (m.step % every === 0) out.push(m);
  }
  if (last !== null && out[out.length - 1] !== last) out.push(last);
  return out;
}

/**
 * One named series for a chart: `losses.cycleA`, `stepMs`, `memory.tfTensors`, `progan.alpha`...
 * (a dotted path into each record); steps without the value are left out.
 */
export function metricSeries(
  metrics: readonly StepMetrics[],
  path: string,
): { step: number; value: number }[] {
  const keys = path.split('.');
  const out: { step: number; value: number }[] = [];
  for (const m of metrics) {
    let v: unknown = m;
    for (const k of keys)
      v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (typeof v === 'number') out.push({ step: m.step, value: v });
  }
  return out;
}
