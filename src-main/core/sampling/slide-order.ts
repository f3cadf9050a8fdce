import type { Rng } from '../util/rng.js';

/**
 * `balanced`: every pass over the domain's slides gives each slide one patch, in a freshly shuffled
 * order (the original repeated one shuffled list). `tissue-area`: each draw picks a slide with
 * probability proportional to its tissue area, so large biopsies give more patches than small ones.
 */
export type SlideWeighting = 'balanced' | 'tissue-area';

/** Serialisable state of a {@link SlideOrder}. */
export interface SlideOrderState {
  readonly weighting: SlideWeighting;
  /** Eligible slides in admission order, with their tissue area (level-0 px²). */
  readonly slides: readonly { readonly path: string; readonly tissueArea: number }[];
  /** What is left of the current pass (balanced only), next slide last. */
  readonly pass: readonly string[];
}

/**
 * Decides which slide the next patch comes from. Slides enter with {@link admit} (as their masks
 * arrive) and leave with {@link remove} (excluded); a slide admitted mid-pass joins at the next pass,
 * so a pass never gives one slide two patches. The random source is passed in by the owner, whose
 * state is saved beside this one.
 */
export class SlideOrder {
  private readonly weighting: SlideWeighting;
  private slides: { path: string; tissueArea: number }[] = [];
  private pass: string[] = [];
  private cumulativeArea: number[] | null = null;

  constructor(weighting: SlideWeighting) {
    this.weighting = weighting;
  }

  /** Number of slides that can still be drawn. */
  get size(): number {
    return this.slides.length;
  }

  has(path: string): boolean {
    return this.slides.some((s) => s.path === path);
  }

  /** Adds a slide; `tissueArea` (level-0 px²) matters only for `tissue-area` weighting. */
  admit(path: string, tissueArea: number): void {
    if (this.has(path)) return;
    this.slides.push({ path, tissueArea: Math.max(0, tissueArea) });
    this.cumulativeArea = null;
  }

  /** Removes a slide for good (it is also dropped from the rest of the current pass). */
  remove(path: string): void {
    this.slides = this.slides.filter((s) => s.path !== path);
    this.pass = this.pass.filter((p) => p !== path);
    this.cumulativeArea = null;
  }

  /** The next slide, or null when none is eligible. */
  next(rng: Rng): string | null {
    if (this.slides.length === 0) return null;
    if (this.weighting === 'tissue-area') return this.drawWeighted(rng);
    if (this.pass.length === 0) this.pass = rng.shuffle(this.slides.map((s) => s.path));
    return this.pass.pop() ?? null;
  }

  getState(): SlideOrderState {
    return {
      weighting: this.weighting,
      slides: this.slides.map((s) => ({ ...s })),
      pass: [...this.pass],
    };
  }

  /** Rebuilds an order from {@link getState}'s output. */
  static fromState(state: SlideOrderState): SlideOrder {
    const order = new SlideOrder(state.weighting);
    order.slides = state.slides.map((s) => ({ ...s }));
    order.pass = [...state.pass];
    return order;
  }

  private drawWeighted(rng: Rng): string {
    if (this.cumulativeArea === null) {
      let sum = 0;
      this.cumulativeArea = this.slides.map((s) => (sum += s.tissueArea));
    }
    const cumulative = this.cumulativeArea;
    const total = cumulative[cumulative.length - 1]!;
    // All-zero areas (e.g. uniformly sampled no-tissue slides) fall back to equal weights.
    if (!(total > 0)) return this.slides[rng.int(this.slides.length)]!.path;
    const target = rng.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return this.slides[lo]!.path;
  }
}
