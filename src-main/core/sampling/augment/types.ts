import type { Rng } from '../../util/rng.js';
import type { PatchImage } from '../patch-image.js';

/** Names of the augmentations, as recorded in a patch's provenance. */
export type AugmentOpName = 'colourShift' | 'piecewiseAffine' | 'd4' | 'hedJitter';

/**
 * One augmentation as two pure steps, so a worker can draw parameters, record them in the provenance and
 * replay them later: `sample` draws plain JSON-serialisable parameters from the generator, `apply` is
 * deterministic given them and never modifies its input.
 */
export interface Augmentation<P> {
  readonly name: AugmentOpName;
  /** Draws parameters for a patch of `sizePx` (the patch side; sets the scale of geometric jitter). */
  sample(rng: Rng, sizePx: number): P;
  /** Returns a new patch; the input is left untouched. */
  apply(image: PatchImage, params: Readonly<P>): PatchImage;
}
