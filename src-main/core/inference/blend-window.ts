/**
 * Weights of overlapping tiles along one axis, a partition of unity: inside an overlap of `overlapPx`
 * the earlier tile fades out as cos^2 and the later fades in as sin^2 (raised cosine), so the weights
 * of the two tiles add to exactly one at every pixel and no pixel is the plain edge of a tile. Where
 * a tile has no neighbour (the image border) its weight stays 1.
 */
export function blendWeights(
  tileSizePx: number,
  overlapPx: number,
  hasPrevious: boolean,
  hasNext: boolean,
): Float32Array {
  const w = new Float32Array(tileSizePx).fill(1);
  for (let u = 0; u < overlapPx; u++) {
    const rise = Math.sin((Math.PI * (u + 0.5)) / (2 * overlapPx)) ** 2;
    if (hasPrevious) w[u] = rise;
    // The next tile's rise at the same pixel is `rise`; ours is its complement.
    if (hasNext) w[tileSizePx - overlapPx + u] = 1 - rise;
  }
  return w;
}
