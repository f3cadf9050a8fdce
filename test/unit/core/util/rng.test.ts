import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/util/rng.js';

describe('Rng', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('continues a sequence exactly after a state round-trip, normals included', () => {
    const a = new Rng('resume');
    a.normal();
    const state = JSON.parse(JSON.stringify(a.getState())) as ReturnType<Rng['getState']>;
    const expected = [a.normal(), a.next(), a.int(1000), a.normal()];
    const b = new Rng(0);
    b.setState(state);
    expect([b.normal(), b.next(), b.int(1000), b.normal()]).toEqual(expected);
  });

  it('draws uniform integers without bias (chi-square over 10 bins)', () => {
    const rng = new Rng(7);
    const counts = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[rng.int(10)]!++;
    const expected = n / 10;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9); // p = 0.001 for 9 degrees of freedom
  });

  it('draws normals with the requested mean and deviation', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 50_000 }, () => rng.normal(2, 0.5));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(2, 1);
    expect(sd).toBeCloseTo(0.5, 1);
  });

  it('rejects a non-positive bound with a clear message', () => {
    expect(() => new Rng(1).int(0)).toThrow(/positive integer bound/);
  });
});
