import type { Rng } from '../../util/rng.js';
import { assertPatchImage, PatchImageError, type PatchImage } from '../patch-image.js';
import { colourShift, type ColourShiftParams } from './colour-shift.js';
import { d4, type D4Params } from './d4.js';
import { createHedJitter, type HedJitterOptions, type HedJitterParams } from './hed-jitter.js';
import { piecewiseAffine, type PiecewiseAffineParams } from './piecewise-affine.js';
import type { Augmentation, AugmentOpName } from './types.js';

/** The parameter shape of each augmentation. */
export interface AugmentOpParams {
  d4: D4Params;
  piecewiseAffine: PiecewiseAffineParams;
  colourShift: ColourShiftParams;
  hedJitter: HedJitterParams;
}

/** One applied augmentation and its parameters, as stored in a patch's provenance. */
export type AugmentOpRecord = {
  [K in AugmentOpName]: { readonly name: K; readonly params: AugmentOpParams[K] };
}[AugmentOpName];

/** What happened to a patch: whether the pipeline ran, and every op with its parameters, in order. */
export interface AugmentRecord {
  readonly applied: boolean;
  readonly ops: readonly AugmentOpRecord[];
}

export interface AugmentOptions {
  /** Probability in [0, 1] that a patch is augmented (SPEC `augment`). Default 0. */
  readonly probability?: number;
  /** The ops to run, in this order. Default DEFAULT_AUGMENT_OPS. */
  readonly ops?: readonly AugmentOpName[];
  /** Sigmas of the HED jitter (defaults 0.05 / 0.05). */
  readonly hed?: Readonly<HedJitterOptions>;
}

/** Geometry first (pixel permutation, then the warp), then colour (HSV/Lab shift, then stain jitter). */
export const DEFAULT_AUGMENT_OPS: readonly AugmentOpName[] = [
  'd4',
  'piecewiseAffine',
  'colourShift',
  'hedJitter',
];

export interface AugmentResult {
  /** The augmented patch, or the input patch itself (not a copy) when the pipeline did not run. */
  readonly image: PatchImage;
  readonly record: AugmentRecord;
}

/**
 * Augments one patch with probability `probability`: one uniform draw decides (none when the probability
 * is 0 or 1, so `augment 0` leaves the generator untouched), then each op draws its parameters from `rng`
 * and is applied in order. The same generator state and patch give the same output and record. Give each
 * patch its own forked generator when the location sequence must not depend on augmentation.
 */
export function augmentPatch(
  image: PatchImage,
  rng: Rng,
  options: Readonly<AugmentOptions> = {},
): AugmentResult {
  assertPatchImage(image);
  const probability = options.probability ?? 0;
  if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
    throw new PatchImageError(
      'INVALID_ARGUMENT',
      `Expected an augment probability in [0, 1] but received ${String(probability)}`,
    );
  }
  const steps = resolveOps(options);
  const applied = probability >= 1 ? true : probability <= 0 ? false : rng.next() < probability;
  if (!applied) return { image, record: { applied: false, ops: [] } };
  const sizePx = Math.min(image.width, image.height);
  const ops: AugmentOpRecord[] = [];
  let current = image;
  for (const step of steps) {
    const params = step.sample(rng, sizePx);
    current = step.apply(current, params);
    ops.push({ name: step.name, params } as AugmentOpRecord);
  }
  return { image: current, record: { applied: true, ops } };
}

/** Applies the ops of a record again (for example from a manifest): same input, same output. */
export function replayAugmentation(image: PatchImage, record: Readonly<AugmentRecord>): PatchImage {
  let current = image;
  for (const op of record.ops) {
    const step = (OPS as Partial<Record<string, Augmentation<object>>>)[op.name];
    if (!step) {
      throw new PatchImageError(
        'INVALID_ARGUMENT',
        `Unknown augmentation '${String(op.name)}' in the record`,
      );
    }
    current = step.apply(current, op.params);
  }
  return current;
}

/** The ops by name; the generic loops see them as Augmentation<object>. */
const OPS: { readonly [K in AugmentOpName]: Augmentation<AugmentOpParams[K]> } = {
  d4,
  piecewiseAffine,
  colourShift,
  hedJitter: createHedJitter(),
};

function resolveOps(options: Readonly<AugmentOptions>): Augmentation<object>[] {
  const names = options.ops ?? DEFAULT_AUGMENT_OPS;
  const seen = new Set<string>();
  return names.map((name) => {
    if (!Object.hasOwn(OPS, name)) {
      throw new PatchImageError(
        'INVALID_ARGUMENT',
        `Unknown augmentation '${String(name)}'; expected one of ${Object.keys(OPS).join(', ')}`,
      );
    }
    if (seen.has(name)) {
      throw new PatchImageError('INVALID_ARGUMENT', `Augmentation '${name}' is listed twice`);
    }
    seen.add(name);
    const step = name === 'hedJitter' && options.hed ? createHedJitter(options.hed) : OPS[name];
    return step as Augmentation<object>;
  });
}
