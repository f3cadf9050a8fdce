import { describe, expect, it } from 'vitest';
import { toSource, toTranslation } from '../../src-renderer/src/lib/view-sync.js';

describe('synchronised views of a slide and its translation', () => {
  it('shows the same level-0 point at the same screen size in the translation', () => {
    // cmu-1-small-region.svs (2220 x 2967) translated at downsample 8: 278 x 371 output pixels.
    const source = { centerX: 1110, centerY: 1480, scale: 0.25 };
    const translation = toTranslation(source, 8);
    expect(translation).toEqual({ centerX: 138.75, centerY: 185, scale: 2 });
    // One screen pixel covers 4 level-0 pixels in both: 1 / 0.25 = 8 / 2.
    expect(1 / source.scale).toBeCloseTo(8 / translation.scale);
  });

  it('maps a translation view back to the slide, inverting toTranslation', () => {
    const view = { centerX: 100.5, centerY: 42, scale: 1.7 };
    for (const downsample of [1, 2.5, 8, 16]) {
      const back = toTranslation(toSource(view, downsample), downsample);
      expect(back.centerX).toBeCloseTo(view.centerX, 9);
      expect(back.centerY).toBeCloseTo(view.centerY, 9);
      expect(back.scale).toBeCloseTo(view.scale, 9);
    }
  });
});
