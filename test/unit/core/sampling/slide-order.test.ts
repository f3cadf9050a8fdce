import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/util/rng.js';
import { SlideOrder } from '../../../../src-main/core/sampling/slide-order.js';

describe('SlideOrder', () => {
  it('gives every slide exactly one patch per pass, in a fresh order each pass', () => {
    const order = new SlideOrder('balanced');
    const slides = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const s of slides) order.admit(s, 1);
    const rng = new Rng(1);
    const passes: string[][] = [];
    for (let p = 0; p < 20; p++) passes.push(slides.map(() => order.next(rng)!));
    for (const pass of passes) expect([...pass].sort()).toEqual(slides);
    expect(new Set(passes.map((p) => p.join(''))).size).toBeGreaterThan(15);
  });

  it('lets a slide admitted mid-pass join at the next pass, and drops a removed one at once', () => {
    const order = new SlideOrder('balanced');
    for (const s of ['a', 'b', 'c']) order.admit(s, 1);
    const rng = new Rng(2);
    const first = order.next(rng)!;
    order.admit('d', 1);
    const rest = [order.next(rng)!, order.next(rng)!];
    expect([first, ...rest].sort()).toEqual(['a', 'b', 'c']);
    const victim = 'b';
    order.remove(victim);
    const next = [order.next(rng)!, order.next(rng)!, order.next(rng)!];
    expect(next.sort()).toEqual(['a', 'c', 'd']);
    expect(order.size).toBe(3);
  });

  it('draws slides in proportion to tissue area with tissue-area weighting', () => {
    const order = new SlideOrder('tissue-area');
    order.admit('small', 1000);
    order.admit('large', 3000);
    order.admit('empty', 0);
    const rng = new Rng(3);
    const counts: Record<string, number> = { small: 0, large: 0, empty: 0 };
    const n = 40_000;
    for (let i = 0; i < n; i++) counts[order.next(rng)!]!++;
    expect(counts.empty).toBe(0);
    // Binomial sd at p = 0.25 is ~87 draws: 5 sd either side.
    expect(Math.abs(counts.small! - n / 4)).toBeLessThan(450);
  });

  it('continues identically after a state round-trip through JSON', () => {
    const order = new SlideOrder('balanced');
    for (const s of ['a', 'b', 'c', 'd', 'e']) order.admit(s, 1);
    const rng = new Rng(4);
    order.next(rng);
    order.next(rng);
    const saved = JSON.parse(JSON.stringify({ order: order.getState(), rng: rng.getState() })) as {
      order: ReturnType<SlideOrder['getState']>;
      rng: ReturnType<Rng['getState']>;
    };
    const expected = Array.from({ length: 12 }, () => order.next(rng));
    const copy = SlideOrder.fromState(saved.order);
    const rng2 = new Rng(0);
    rng2.setState(saved.rng);
    expect(Array.from({ length: 12 }, () => copy.next(rng2))).toEqual(expected);
  });

  it('returns null when no slide is left', () => {
    const order = new SlideOrder('balanced');
    order.admit('a', 1);
    order.remove('a');
    expect(order.next(new Rng(5))).toBeNull();
  });
});
