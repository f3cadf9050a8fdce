import { Rng, type RngState } from '../util/rng.js';
import { SamplerError, type SamplerErrorCode } from './errors.js';
import { drawLocation } from './location.js';
import type { PatchPlan, SamplerSlide } from './plan.js';
import { SlideOrder, type SlideOrderState, type SlideWeighting } from './slide-order.js';

/** Sampling parameters the sequencer needs (validated by the caller). */
export interface SequencerOptions {
  readonly patchSize: number;
  /** 0 accepts every tissue location. */
  readonly minTissueFraction: number;
  /** Redraws per location before the slide gets a strike (TOO_LITTLE_TISSUE). */
  readonly maxLocationRedraws: number;
  /** Strikes (read errors, failed location draws) after which a slide is excluded. */
  readonly maxSlideFailures: number;
  /** Plans held in the shuffle buffer; 1 disables shuffling beyond the slide order. */
  readonly shuffleBufferSize: number;
  readonly weighting: SlideWeighting;
}

/** A slide left out of a domain, and why. */
export interface ExcludedSlide {
  readonly domain: string;
  readonly path: string;
  readonly code: SamplerErrorCode | string;
  readonly message: string;
}

/** Reported for every counted failure of a slide (read error, location not found). */
export interface SlideFailure extends ExcludedSlide {
  /** Failures so far, this one included. */
  readonly failures: number;
}

/** What the sequencer reports as it goes. */
export interface SequencerEvents {
  onSlideFailure(failure: SlideFailure): void;
  onSlideExcluded(slide: ExcludedSlide): void;
}

/** A plan before the shuffle buffer gives it a position. */
type UnplacedPlan = Omit<PatchPlan, 'sampleIndex'>;

/** Serialisable sequencer state (part of the sampler state stored in checkpoints). */
export interface SequencerState {
  readonly domain: string;
  readonly rng: { readonly words: RngState; readonly spareNormal: number | null };
  readonly order: SlideOrderState;
  readonly shuffleBuffer: readonly UnplacedPlan[];
  readonly nextSampleIndex: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly excluded: readonly ExcludedSlide[];
}

/**
 * The single source of a domain's patch plans: which slide (balanced passes or tissue-area weights),
 * where (uniform over tissue), and the per-patch augmentation seed, all from one seeded generator.
 * Workers only do the pixel work, so the sequence depends on the seed, the dataset and the parameters,
 * never on worker count or timing. Every method runs synchronously on the owner's thread.
 */
export class DomainSequencer {
  readonly domain: string;
  private readonly options: SequencerOptions;
  private readonly events: SequencerEvents;
  private rng: Rng;
  private order: SlideOrder;
  private readonly slides = new Map<string, SamplerSlide>();
  private shuffleBuffer: UnplacedPlan[] = [];
  private nextSampleIndex = 0;
  private failures = new Map<string, number>();
  private excluded = new Map<string, ExcludedSlide>();

  constructor(domain: string, seed: number | string, options: SequencerOptions, events: SequencerEvents) {
    this.domain = domain;
    this.options = options;
    this.events = events;
    this.rng = new Rng(`${seed}/${domain}`);
    this.order = new SlideOrder(options.weighting);
  }

  /** Slides that can still be drawn. */
  get eligibleCount(): number {
    return this.order.size;
  }

  /** Slides excluded so far, with the reason. */
  get excludedSlides(): readonly ExcludedSlide[] {
    return [...this.excluded.values()];
  }

  isExcluded(path: string): boolean {
    return this.excluded.has(path);
  }

  /** Slides in the saved order whose data ({@link admit}) has not arrived yet (after a restore). */
  missingSlides(): string[] {
    return this.order
      .getState()
      .slides.map((s) => s.path)
      .filter((p) => !this.slides.has(p));
  }

  /**
   * Makes a slide drawable (or, after a restore, supplies the data of a slide the saved order already
   * holds). Tissue area is counted in level-0 px² for tissue-area weighting.
   */
  admit(slide: SamplerSlide): void {
    if (this.excluded.has(slide.path)) return;
    this.slides.set(slide.path, slide);
    const t = slide.tissue;
    const area = (t.tissuePixels * t.level0Width * t.level0Height) / (t.maskWidth * t.maskHeight);
    this.order.admit(slide.path, area);
  }

  /** Excludes a slide for good, with the reason; it is never drawn again. */
  exclude(path: string, code: SamplerErrorCode | string, message: string): void {
    if (this.excluded.has(path)) return;
    const entry: ExcludedSlide = { domain: this.domain, path, code, message };
    this.excluded.set(path, entry);
    this.order.remove(path);
    this.shuffleBuffer = this.shuffleBuffer.filter((p) => p.slidePath !== path);
    this.events.onSlideExcluded(entry);
  }

  /** Counts a failure against a slide; excludes it when the count reaches `maxSlideFailures`. */
  recordFailure(path: string, code: SamplerErrorCode | string, message: string): void {
    if (this.excluded.has(path)) return;
    const failures = (this.failures.get(path) ?? 0) + 1;
    this.failures.set(path, failures);
    this.events.onSlideFailure({ domain: this.domain, path, code, message, failures });
    if (failures >= this.options.maxSlideFailures) {
      this.exclude(path, code, `${message} (failed ${failures} times; slide excluded)`);
    }
  }

  /** The plan for the next position of the stream, or null while no slide can be drawn. */
  nextPlan(): PatchPlan | null {
    const capacity = Math.max(1, this.options.shuffleBufferSize);
    while (this.shuffleBuffer.length < capacity) {
      const plan = this.drawUnplaced();
      if (plan === null) break;
      this.shuffleBuffer.push(plan);
    }
    if (this.shuffleBuffer.length === 0) return null;
    const j = this.rng.int(this.shuffleBuffer.length);
    const chosen = this.shuffleBuffer[j]!;
    this.shuffleBuffer[j] = this.shuffleBuffer[this.shuffleBuffer.length - 1]!;
    this.shuffleBuffer.pop();
    return { ...chosen, sampleIndex: this.nextSampleIndex++ };
  }

  /** A fresh plan for a position whose first plan failed; null when no slide is left. */
  replacementPlan(sampleIndex: number): PatchPlan | null {
    const plan = this.drawUnplaced();
    return plan === null ? null : { ...plan, sampleIndex };
  }

  getState(): SequencerState {
    return {
      domain: this.domain,
      rng: this.rng.getState(),
      order: this.order.getState(),
      shuffleBuffer: this.shuffleBuffer.map((p) => ({ ...p })),
      nextSampleIndex: this.nextSampleIndex,
      failures: Object.fromEntries(this.failures),
      excluded: [...this.excluded.values()],
    };
  }

  /** Continues from a saved state; slide data must then be supplied again with {@link admit}. */
  restore(state: SequencerState): void {
    if (state.domain !== this.domain) {
      throw new SamplerError(
        'BAD_STATE',
        `Saved state is for domain '${state.domain}', not '${this.domain}'`,
        {
          domain: this.domain,
        },
      );
    }
    if (state.order.weighting !== this.options.weighting) {
      throw new SamplerError(
        'BAD_STATE',
        `Saved state uses '${state.order.weighting}' slide weighting, these options '${this.options.weighting}'`,
        { domain: this.domain },
      );
    }
    this.rng = new Rng(0);
    this.rng.setState(state.rng);
    this.order = SlideOrder.fromState(state.order);
    this.shuffleBuffer = state.shuffleBuffer.map((p) => ({ ...p }));
    this.nextSampleIndex = state.nextSampleIndex;
    this.failures = new Map(Object.entries(state.failures));
    this.excluded = new Map(state.excluded.map((e) => [e.path, { ...e }]));
  }

  /** Draws a slide, then a location on it; slides that cannot give one get strikes until excluded. */
  private drawUnplaced(): UnplacedPlan | null {
    for (;;) {
      const path = this.order.next(this.rng);
      if (path === null) return null;
      const slide = this.slides.get(path);
      if (slide === undefined) {
        // Only after a restore whose dataset lost this slide; the owner waits for missingSlides() first.
        this.exclude(path, 'UNREADABLE', `${path}: the slide is no longer in the dataset`);
        continue;
      }
      const { minTissueFraction, maxLocationRedraws, patchSize } = this.options;
      const location = drawLocation(slide, this.rng, patchSize, minTissueFraction, maxLocationRedraws);
      if (location === null) {
        this.recordFailure(
          path,
          'TOO_LITTLE_TISSUE',
          `${path}: no location with tissue fraction >= ${minTissueFraction} in ${maxLocationRedraws + 1} draws`,
        );
        continue;
      }
      return {
        domain: this.domain,
        slidePath: path,
        quickhash: slide.quickhash,
        centreLevel0X: location.centreLevel0X,
        centreLevel0Y: location.centreLevel0Y,
        downsample: slide.downsample,
        footprint: location.footprint,
        tissueFraction: location.tissueFraction,
        patchSeed: this.rng.nextUint32(),
      };
    }
  }
}
