import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.js';
import type { NamedArrays } from './optim/optimizer.js';

/** Everything an image pool needs to continue exactly after a resume. */
export interface ImagePoolState {
  readonly rng: ReturnType<Rng['getState']>;
  /** Stored images in slot order, keyed `image/<slot>`, each [1, H, W, C]. */
  readonly images: NamedArrays;
}

/**
 * CycleGAN's history of generated images (Shrivastava et al.): the discriminator sees a fake from the
 * last `capacity` (50) half of the time once the pool is full, which damps oscillation. Same rule as
 * the reference ImagePool, with a seeded Rng so runs are reproducible and resumable.
 */
export class ImagePool {
  private images: tf.Tensor4D[] = [];

  constructor(
    readonly capacity: number,
    private readonly rng: Rng,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`Expected a non-negative integer pool capacity but received ${capacity}`);
    }
  }

  /** Number of images stored. */
  get size(): number {
    return this.images.length;
  }

  /**
   * For each image of the batch: while the pool fills, store it and return it; then with probability
   * 1/2 return a stored image and store the new one in its place, else return the new one.
   * Returns a new tensor (the caller disposes it); the pool keeps its own copies.
   */
  query(batch: tf.Tensor4D): tf.Tensor4D {
    if (this.capacity === 0) return tf.clone(batch);
    return tf.tidy(() => {
      const out: tf.Tensor4D[] = [];
      const retired: tf.Tensor4D[] = [];
      for (let i = 0; i < batch.shape[0]; i++) {
        const image = tf.slice(batch, [i, 0, 0, 0], [1, -1, -1, -1]);
        if (this.images.length < this.capacity) {
          this.images.push(tf.keep(tf.clone(image)));
          out.push(image);
        } else if (this.rng.next() > 0.5) {
          const slot = this.rng.int(this.capacity);
          const stored = this.images[slot]!;
          out.push(stored);
          retired.push(stored);
          this.images[slot] = tf.keep(tf.clone(image));
        } else {
          out.push(image);
        }
      }
      const result = tf.concat(out, 0);
      for (const t of retired) t.dispose();
      return result;
    });
  }

  async getState(): Promise<ImagePoolState> {
    const images: NamedArrays = {};
    for (const [slot, image] of this.images.entries()) {
      images[`image/${slot}`] = { shape: image.shape.slice(), data: (await image.data()) as Float32Array };
    }
    return { rng: this.rng.getState(), images };
  }

  /** Replaces the stored images and the random state with a saved state. */
  setState(state: ImagePoolState): void {
    const slots = Object.keys(state.images).sort((a, b) => slotOf(a) - slotOf(b));
    if (slots.length > this.capacity) {
      throw new RangeError(
        `Image pool state holds ${slots.length} images, more than the capacity ${this.capacity}`,
      );
    }
    const images = slots.map((key, i) => {
      if (slotOf(key) !== i) throw new RangeError(`Image pool state: expected image/${i} but found ${key}`);
      const { shape, data } = state.images[key]!;
      if (shape.length !== 4 || shape[0] !== 1) {
        throw new RangeError(
          `Image pool state: ${key} has shape [${shape.join(', ')}], expected [1, H, W, C]`,
        );
      }
      return tf.tensor4d(data, shape as [number, number, number, number]);
    });
    this.dispose();
    this.images = images;
    this.rng.setState(state.rng);
  }

  /** Frees the stored images. */
  dispose(): void {
    for (const t of this.images) t.dispose();
    this.images = [];
  }
}

function slotOf(key: string): number {
  const match = /^image\/(\d+)$/.exec(key);
  if (!match) throw new RangeError(`Image pool state: unexpected key '${key}'`);
  return Number(match[1]);
}
