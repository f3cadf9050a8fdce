/** An RGB image of sample tiles (8-bit, row-major, 3 channels), with what its rows and columns show. */
export interface SampleGrid {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  readonly rows: number;
  readonly columns: number;
  readonly tileSizePx: number;
  /** What each column (CycleGAN) or the whole grid (ProGAN) shows, for captions. */
  readonly labels: readonly string[];
}

const GAP_PX = 2;
const BACKGROUND = 128;

/**
 * Lays out square tiles (each `tileSizePx`² x 3 floats in [-1, 1], HWC) row by row with a 2 px grey gap,
 * converting to 8 bits. `rows[i]` holds the tiles of row i; rows may be shorter than the longest.
 */
export function composeGrid(
  rows: readonly (readonly Float32Array[])[],
  tileSizePx: number,
  labels: readonly string[],
): SampleGrid {
  const columns = Math.max(...rows.map((r) => r.length));
  if (rows.length === 0 || columns === 0) throw new RangeError('A sample grid needs at least one tile');
  const width = columns * tileSizePx + (columns + 1) * GAP_PX;
  const height = rows.length * tileSizePx + (rows.length + 1) * GAP_PX;
  const rgb = new Uint8Array(width * height * 3).fill(BACKGROUND);
  const tileValues = tileSizePx * tileSizePx * 3;
  rows.forEach((row, r) => {
    row.forEach((tile, c) => {
      if (tile.length !== tileValues) {
        throw new RangeError(`Tile (${r}, ${c}) has ${tile.length} values, expected ${tileValues}`);
      }
      const x0 = GAP_PX + c * (tileSizePx + GAP_PX);
      const y0 = GAP_PX + r * (tileSizePx + GAP_PX);
      for (let y = 0; y < tileSizePx; y++) {
        const out = ((y0 + y) * width + x0) * 3;
        const src = y * tileSizePx * 3;
        for (let i = 0; i < tileSizePx * 3; i++) rgb[out + i] = toByte(tile[src + i]!);
      }
    });
  });
  return { width, height, rgb, rows: rows.length, columns, tileSizePx, labels };
}

/** [-1, 1] to 0..255, clamped and rounded. */
function toByte(v: number): number {
  const x = Math.round((v + 1) * 127.5);
  return x < 0 ? 0 : x > 255 ? 255 : x;
}
