import { describe, expect, it } from 'vitest';
import { proganPreset } from '../../../../../src-main/core/training/presets.js';
import {
  proganPhases,
  proganPositionAt,
} from '../../../../../src-main/core/training/trainer/progan-schedule.js';

describe('ProGAN schedule', () => {
  const tiny = proganPreset('tiny'); // 4 -> 16 px, 64 images per phase, batch 4

  it('grows 4 -> 8 -> 16 px, each new resolution fading in before its stable phase', () => {
    expect(proganPhases(tiny).map((p) => [p.resolution, p.fading, p.images])).toEqual([
      [4, false, 64],
      [8, true, 64],
      [8, false, 64],
      [16, true, 64],
      [16, false, Infinity],
    ]);
  });

  it('alpha rises linearly through a fade-in and the minibatch follows the resolution', () => {
    expect(proganPositionAt(tiny, 0)).toMatchObject({ phase: { index: 0, resolution: 4 }, alpha: 1 });
    expect(proganPositionAt(tiny, 64)).toMatchObject({
      phase: { index: 1, resolution: 8, fading: true },
      alpha: 0,
    });
    expect(proganPositionAt(tiny, 64 + 16).alpha).toBe(0.25);
    expect(proganPositionAt(tiny, 128)).toMatchObject({ phase: { index: 2, fading: false }, alpha: 1 });
    expect(proganPositionAt(tiny, 10_000)).toMatchObject({
      phase: { index: 4, resolution: 16 },
      batchSize: 4,
    });
    const paper = proganPreset('paper');
    expect(proganPositionAt(paper, 0).batchSize).toBe(128);
    // 4 px stable, then (fade + stable) for 8..256: 13 phases of 600k images before 512 px fades in.
    expect(proganPositionAt(paper, 13 * 600_000)).toMatchObject({
      phase: { resolution: 512, fading: true },
      batchSize: 4,
    });
  });
});
