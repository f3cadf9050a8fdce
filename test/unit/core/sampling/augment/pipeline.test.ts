import { beforeAll, describe, expect, it } from 'vitest';
import {
  augmentPatch,
  DEFAULT_AUGMENT_OPS,
  replayAugmentation,
  type AugmentRecord,
} from '../../../../../src-main/core/sampling/augment/pipeline.js';
import type { PatchImage } from '../../../../../src-main/core/sampling/patch-image.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { CMU_SMALL, readSlideRegion, sameBytes, solidPatch } from '../fixture-patch.js';

describe('augmentPatch', () => {
  let patch: PatchImage;
  beforeAll(async () => {
    patch = await readSlideRegion(CMU_SMALL, 900, 1700, 256, 256);
  });

  it('gives identical output and record for identical seeds, and different ones for another seed', () => {
    const a = augmentPatch(patch, new Rng(77), { probability: 1 });
    const b = augmentPatch(patch, new Rng(77), { probability: 1 });
    const c = augmentPatch(patch, new Rng(78), { probability: 1 });
    expect(sameBytes(a.image.data, b.image.data)).toBe(true);
    expect(b.record).toEqual(a.record);
    expect(sameBytes(a.image.data, c.image.data)).toBe(false);
  });

  it('records every op with its parameters, enough to replay the output from the JSON record', () => {
    const { image, record } = augmentPatch(patch, new Rng(5), { probability: 1 });
    expect(record.applied).toBe(true);
    expect(record.ops.map((op) => op.name)).toEqual([...DEFAULT_AUGMENT_OPS]);
    const d4 = record.ops.find((op) => op.name === 'd4')!.params;
    expect(d4).toEqual({ quarterTurns: expect.any(Number), mirror: expect.any(Boolean) });
    const stored = JSON.parse(JSON.stringify(record)) as AugmentRecord;
    expect(stored).toEqual(record);
    expect(sameBytes(replayAugmentation(patch, stored).data, image.data)).toBe(true);
  });

  it('with probability 0 returns the patch itself, records nothing and leaves the generator alone', () => {
    const rng = new Rng(3);
    const before = rng.getState();
    const result = augmentPatch(patch, rng, { probability: 0 });
    expect(result.image).toBe(patch);
    expect(result.record).toEqual({ applied: false, ops: [] });
    expect(rng.getState()).toEqual(before);
    expect(augmentPatch(patch, rng).record.applied).toBe(false); // the default probability is 0
  });

  it('applies to about the given fraction of patches', () => {
    const rng = new Rng(12);
    const tiny = solidPatch(8, 8, [200, 120, 180]);
    let applied = 0;
    for (let i = 0; i < 2000; i++) {
      if (augmentPatch(tiny, rng, { probability: 0.3, ops: ['d4'] }).record.applied) applied++;
    }
    expect(applied / 2000).toBeGreaterThan(0.27);
    expect(applied / 2000).toBeLessThan(0.33);
  });

  it('runs only the configured ops, in the configured order', () => {
    const { record } = augmentPatch(patch, new Rng(1), { probability: 1, ops: ['hedJitter', 'd4'] });
    expect(record.ops.map((op) => op.name)).toEqual(['hedJitter', 'd4']);
    const none = augmentPatch(patch, new Rng(1), { probability: 1, ops: [] });
    expect(none.record).toEqual({ applied: true, ops: [] });
    expect(sameBytes(none.image.data, patch.data)).toBe(true);
  });

  it('passes HED sigmas through', () => {
    const { record } = augmentPatch(patch, new Rng(1), {
      probability: 1,
      ops: ['hedJitter'],
      hed: { scaleSd: 0, shiftSd: 0 },
    });
    expect(record.ops[0]).toEqual({ name: 'hedJitter', params: { scale: [1, 1, 1], shift: [0, 0, 0] } });
  });

  it('rejects a bad probability, an unknown op and a repeated op', () => {
    const rng = new Rng(1);
    expect(() => augmentPatch(patch, rng, { probability: 1.5 })).toThrow(
      /probability in \[0, 1\] but received 1.5/,
    );
    expect(() => augmentPatch(patch, rng, { probability: Number.NaN })).toThrow(/probability/);
    expect(() => augmentPatch(patch, rng, { probability: 1, ops: ['blur' as never] })).toThrow(
      /Unknown augmentation 'blur'/,
    );
    expect(() => augmentPatch(patch, rng, { probability: 1, ops: ['d4', 'd4'] })).toThrow(/listed twice/);
  });
});
