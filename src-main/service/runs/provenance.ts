import type { AugmentationStep, PatchProvenance } from '../../contract/index.js';

function num(record: Readonly<Record<string, unknown>>, key: string, fallback = 0): number {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function str(record: Readonly<Record<string, unknown>>, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : '';
}

/** One op's parameters for display: scalars as they are, number lists as their largest magnitude. */
function summariseParams(params: unknown): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  if (typeof params !== 'object' || params === null) return out;
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
      out[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'number'))
      out[`${key}MaxAbs`] = value.reduce((m: number, v: number) => Math.max(m, Math.abs(v)), 0);
  }
  return out;
}

/** The augmentation record of the sampler (`{ applied, ops: [{ name, params }] }` or null) as steps. */
function augmentationSteps(record: unknown): AugmentationStep[] {
  const ops = (record as { ops?: unknown } | null)?.ops;
  if (!Array.isArray(ops)) return [];
  return ops
    .filter(
      (op): op is { name: string; params: unknown } => typeof (op as { name?: unknown })?.name === 'string',
    )
    .map((op) => ({ name: op.name, params: summariseParams(op.params) }));
}

/**
 * A patch record of the sampler (a `patches.jsonl` line, or a provenance record of a live batch) as the
 * contract shows it. Missing fields become zeros or empty rather than failing: the file may come from
 * another version.
 */
export function toPatchProvenance(
  record: Readonly<Record<string, unknown>>,
  step: number | null,
): PatchProvenance {
  const seed = record['seed'];
  return {
    index: num(record, 'sampleIndex'),
    step: typeof record['step'] === 'number' ? (record['step'] as number) : step,
    domain: str(record, 'domain'),
    slidePath: str(record, 'slidePath'),
    quickhash: str(record, 'quickhash'),
    level: num(record, 'level'),
    level0X: num(record, 'level0X'),
    level0Y: num(record, 'level0Y'),
    level0Width: num(record, 'level0Width'),
    level0Height: num(record, 'level0Height'),
    sizePx: num(record, 'patchSize'),
    downsample: num(record, 'downsample', 1),
    tissueFraction: num(record, 'tissueFraction'),
    augmentation: augmentationSteps(record['augmentation']),
    seed: typeof seed === 'number' || typeof seed === 'string' ? seed : 0,
    patchSeed: num(record, 'patchSeed'),
  };
}
