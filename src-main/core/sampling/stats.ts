import type { ExcludedSlide } from './sequencer.js';

/** Per-slide counters. */
export interface SlideCounts {
  readonly domain: string;
  /** Patches delivered to the consumer. */
  readonly patches: number;
  /**
   * Failures of the slide: every failed read (reads in flight when the slide was excluded included) and
   * every location draw that found too little tissue (`minTissueFraction`, after its redraws).
   */
  readonly errors: number;
}

/** A snapshot of the sampler's live statistics (plain data; also sent with the 'stats' event). */
export interface SamplerStatsSnapshot {
  readonly elapsedMs: number;
  /** Patches prepared (read, resized, augmented) per second over the last few seconds: the supply. */
  readonly preparedPerSecond: number;
  /** Patches handed to the consumer per second over the last few seconds: the demand met. */
  readonly deliveredPerSecond: number;
  readonly patchesPrepared: number;
  readonly patchesDelivered: number;
  /** Prepared patches waiting for the consumer, over all domains and per domain. */
  readonly queueDepth: number;
  readonly queueDepthByDomain: Readonly<Record<string, number>>;
  /** Patches being read or prepared. */
  readonly inFlight: number;
  /** Total time consumers waited for a batch, and how many requests had to wait. */
  readonly consumerWaitMs: number;
  readonly consumerWaits: number;
  /** Failures over all slides: failed reads and location draws with too little tissue (see SlideCounts). */
  readonly errors: number;
  readonly excludedSlides: readonly ExcludedSlide[];
  readonly slides: Readonly<Record<string, SlideCounts>>;
}

const RATE_WINDOW_MS = 5000;
const RATE_BUCKET_MS = 100;

/** Sliding-window rate: events per second over the last {@link RATE_WINDOW_MS}, in 100 ms buckets. */
class RateMeter {
  private readonly buckets: { t: number; n: number }[] = [];
  private total = 0;

  add(now: number, n: number): void {
    const t = Math.floor(now / RATE_BUCKET_MS) * RATE_BUCKET_MS;
    const last = this.buckets[this.buckets.length - 1];
    if (last !== undefined && last.t === t) last.n += n;
    else this.buckets.push({ t, n });
    this.total += n;
    this.trim(now);
  }

  perSecond(now: number, startedAt: number): number {
    this.trim(now);
    const span = Math.min(RATE_WINDOW_MS, now - startedAt);
    if (span <= 0) return 0;
    return (this.buckets.reduce((s, x) => s + x.n, 0) * 1000) / span;
  }

  get count(): number {
    return this.total;
  }

  private trim(now: number): void {
    while (this.buckets.length > 0 && this.buckets[0]!.t + RATE_BUCKET_MS <= now - RATE_WINDOW_MS) {
      this.buckets.shift();
    }
  }
}

/** Collects the sampler's counters; the owner adds queue state when taking a snapshot. */
export class SamplerStats {
  private readonly startedAt: number;
  private readonly now: () => number;
  private readonly prepared = new RateMeter();
  private readonly delivered = new RateMeter();
  private waitMs = 0;
  private waits = 0;
  private errors = 0;
  private readonly slides = new Map<string, { domain: string; patches: number; errors: number }>();

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
    this.startedAt = now();
  }

  recordPrepared(n = 1): void {
    this.prepared.add(this.now(), n);
  }

  recordDelivered(domain: string, slidePaths: readonly string[]): void {
    this.delivered.add(this.now(), slidePaths.length);
    for (const path of slidePaths) this.slide(domain, path).patches++;
  }

  recordWait(ms: number): void {
    this.waitMs += ms;
    this.waits++;
  }

  recordError(domain: string, path: string): void {
    this.errors++;
    this.slide(domain, path).errors++;
  }

  snapshot(
    queue: Readonly<{
      byDomain: Readonly<Record<string, number>>;
      inFlight: number;
      excluded: readonly ExcludedSlide[];
    }>,
  ): SamplerStatsSnapshot {
    const now = this.now();
    return {
      elapsedMs: now - this.startedAt,
      preparedPerSecond: this.prepared.perSecond(now, this.startedAt),
      deliveredPerSecond: this.delivered.perSecond(now, this.startedAt),
      patchesPrepared: this.prepared.count,
      patchesDelivered: this.delivered.count,
      queueDepth: Object.values(queue.byDomain).reduce((s, n) => s + n, 0),
      queueDepthByDomain: { ...queue.byDomain },
      inFlight: queue.inFlight,
      consumerWaitMs: this.waitMs,
      consumerWaits: this.waits,
      errors: this.errors,
      excludedSlides: [...queue.excluded],
      slides: Object.fromEntries([...this.slides].map(([path, c]) => [path, { ...c }])),
    };
  }

  private slide(domain: string, path: string): { domain: string; patches: number; errors: number } {
    let counts = this.slides.get(path);
    if (counts === undefined) {
      counts = { domain, patches: 0, errors: 0 };
      this.slides.set(path, counts);
    }
    return counts;
  }
}
