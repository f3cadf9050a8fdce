import { encodeMaskPng } from '../../../../src-main/core/tissue/png1bit.js';
import {
  resolveTissueMaskParameters,
  type TissueMask,
  type TissueMaskParameters,
} from '../../../../src-main/core/tissue/tissue-mask.js';
import type { MaskCache } from '../../../../src-main/core/tissue/mask-cache.js';

export const SAMPLE_QUICKHASH = '6335ea0e6cc54c2cba64bb265d3c713a50cd84484924e3a9c109558c13521d5c';

/** A disc mask and the metadata a build would store with it (for cache tests that need no slide). */
export function sampleEntry(params: TissueMaskParameters = resolveTissueMaskParameters()): {
  metadata: Parameters<MaskCache['write']>[0];
  png: Buffer;
  mask: TissueMask;
} {
  const width = 300;
  const height = 200;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if ((x - 150) ** 2 + (y - 100) ** 2 < 80 ** 2) data[y * width + x] = 1;
  const tissuePixels = data.reduce((a, b) => a + b, 0);
  const mask = { width, height, data };
  return {
    mask,
    png: encodeMaskPng(mask),
    metadata: {
      parameters: params,
      outcome: 'ok',
      threshold: 200,
      tissuePixels,
      tissueFraction: tissuePixels / data.length,
      thumbnail: { width, height },
      slide: {
        quickhash: SAMPLE_QUICKHASH,
        level0Width: 3000,
        level0Height: 2000,
        vendor: 'aperio',
        path: '/x.svs',
      },
      buildMs: 12.5,
    },
  };
}
