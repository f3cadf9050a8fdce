import * as tf from '@tensorflow/tfjs';

/**
 * Gradient of `MirrorPad`. tfjs-core 4.22's version only slices the centre out of `dy`, dropping what
 * the mirrored border copies received; the generator's reflection padding would then train on wrong
 * gradients near every border. Here each padded border is folded back onto the input rows it copies,
 * one axis at a time (which also folds the corners correctly). Built from slice, reverse, pad and add,
 * so it has gradients of its own.
 */
export const mirrorPadGradConfig: tf.GradConfig = {
  kernelName: 'MirrorPad',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0]!;
    const { paddings, mode } = attrs as unknown as tf.MirrorPadAttrs;
    return { x: () => foldMirrorPadding(dy as tf.Tensor, x.shape, paddings, mode) };
  },
};

/** Sums the gradient of a mirror-padded tensor back onto the unpadded shape `shape`. */
export function foldMirrorPadding(
  dy: tf.Tensor,
  shape: readonly number[],
  paddings: ReadonlyArray<readonly [number, number]>,
  mode: 'reflect' | 'symmetric',
): tf.Tensor {
  return tf.tidy(() => {
    let g = dy;
    // 'reflect' does not repeat the edge row, so copies start one row further in.
    const offset = mode === 'reflect' ? 1 : 0;
    paddings.forEach(([before, after], axis) => {
      if (before === 0 && after === 0) return;
      const n = shape[axis]!;
      const sizeAt = (length: number): number[] => g.shape.map((d, i) => (i === axis ? length : d));
      const beginAt = (start: number): number[] => g.shape.map((_, i) => (i === axis ? start : 0));
      const zeroPads = (lo: number, hi: number): Array<[number, number]> =>
        g.shape.map((_, i) => (i === axis ? [lo, hi] : [0, 0]));
      let folded = tf.slice(g, beginAt(before), sizeAt(n));
      if (before > 0) {
        // dy[before - 1 - j] is a copy of x[offset + j]: reversed, it lines up with x[offset ..].
        const head = tf.reverse(tf.slice(g, beginAt(0), sizeAt(before)), axis);
        folded = tf.add(folded, tf.pad(head, zeroPads(offset, n - offset - before)));
      }
      if (after > 0) {
        // dy[before + n + j] is a copy of x[n - 1 - offset - j].
        const tail = tf.reverse(tf.slice(g, beginAt(before + n), sizeAt(after)), axis);
        folded = tf.add(folded, tf.pad(tail, zeroPads(n - offset - after, offset)));
      }
      g = folded;
    });
    return g;
  });
}
