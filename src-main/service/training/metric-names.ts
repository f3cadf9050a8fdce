import type { StepMetrics } from '../../core/training/runs/metrics.js';

/**
 * The trainer's step record as the contract's named metrics (see `MetricPoint`): every loss term under
 * `loss.`, the learning rate, times in seconds, patch rates supplied and consumed, plus memory and queue
 * figures that are not charted but can be asked for, and on evaluation steps the `eval.` metrics.
 */
export function metricValues(m: StepMetrics): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [term, value] of Object.entries(m.losses)) values[`loss.${term}`] = value;
  values['lr.adam'] = m.learningRate;
  values['time.stepSeconds'] = m.stepMs / 1000;
  values['time.dataWaitSeconds'] = m.dataWaitMs / 1000;
  values['rate.supply'] = m.samplerPatchesPerSecond;
  values['rate.demand'] = m.imagesPerSecond;
  values['data.queueDepth'] = m.queueDepth;
  values['memory.tfTensors'] = m.memory.tfTensors;
  values['memory.rssBytes'] = m.memory.rssBytes;
  // The trainer names evaluations `eval/swdAB@16`; the contract's names are dotted like the others.
  for (const [name, value] of Object.entries(m.evaluation ?? {}))
    values[name.replace(/^eval\//, 'eval.')] = value;
  if (m.progan) {
    values['progan.resolution'] = m.progan.resolution;
    values['progan.alpha'] = m.progan.alpha;
  }
  return values;
}
