import { describe, expect, it } from 'vitest';
import { writePatchToTensorData } from '../../../../src-main/core/sampling/to-tensor-data.js';

describe('writePatchToTensorData', () => {
  it('maps 0..255 onto [-1, 1] in NHWC order at the given offset of a reused batch buffer', () => {
    const first = { width: 2, height: 1, data: new Uint8Array([0, 255, 128, 64, 1, 254]) };
    const second = { width: 2, height: 1, data: new Uint8Array([255, 0, 10, 20, 30, 40]) };
    const batch = new Float32Array(2 * 2 * 1 * 3).fill(Number.NaN);
    expect(writePatchToTensorData(first, batch, 0)).toBe(6);
    expect(writePatchToTensorData(second, batch, 6)).toBe(12);
    const expected = [...first.data, ...second.data].map((v) => v / 127.5 - 1);
    Array.from(batch).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    expect(batch[0]).toBe(-1);
    expect(batch[1]).toBe(1);
  });

  it('rejects an offset that would write outside the batch', () => {
    const patch = { width: 2, height: 2, data: new Uint8Array(12) };
    const batch = new Float32Array(20);
    expect(() => writePatchToTensorData(patch, batch, 10)).toThrow(/offset in \[0, 8\]/);
    expect(() => writePatchToTensorData(patch, batch, -1)).toThrow(/received -1/);
    expect(() => writePatchToTensorData(patch, batch, 1.5)).toThrow(/received 1.5/);
  });
});
