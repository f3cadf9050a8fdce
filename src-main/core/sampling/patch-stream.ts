import { SamplerError } from './errors.js';
import type { ManifestWriter } from './manifest.js';
import type { PatchJob, PatchJobResult } from './patch-job.js';
import type { PatchPlan } from './plan.js';
import { provenanceOf, type PatchProvenance } from './provenance.js';
import type { DomainSequencer, SequencerState } from './sequencer.js';
import type { SamplerStats } from './stats.js';
import { writeBatchPixels } from './batch.js';

/** One prepared patch: RGB pixels (`patchSize² * 3` bytes) and where they came from. */
export interface Patch {
  readonly provenance: PatchProvenance;
  readonly pixels: Uint8Array;
}

/** A batch of patches of one domain, NHWC. */
export interface PatchBatch {
  readonly domain: string;
  readonly patchSize: number;
  readonly count: number;
  /** `[count, patchSize, patchSize, 3]` in [-1, 1] for training; null when float output is off. */
  readonly images: Float32Array | null;
  /** The same patches as 8-bit RGB, for the gallery and PNG output. */
  readonly pixels: Uint8Array;
  readonly provenance: readonly PatchProvenance[];
}

export interface PatchStreamOptions {
  readonly patchSize: number;
  readonly augmentProbability: number;
  /** Patches per {@link PatchStream.nextBatch} unless the call says otherwise. */
  readonly batchSize: number;
  /**
   * Plans kept in flight ahead of the first undelivered position. Part of the sequence definition:
   * plans are drawn at fixed points of the in-order resolution, `lookahead` positions ahead.
   */
  readonly lookahead: number;
  /** Prepared patches kept ready for the consumer (the bounded queue; back-pressure beyond it). */
  readonly prefetchPatches: number;
  readonly float32: boolean;
  /** The run's seed (recorded in each patch's provenance). */
  readonly seed: number | string;
}

export interface PatchStreamDeps {
  /** Runs a job; `urgent` ones (replacements holding up delivery) should jump the queue. */
  readonly runJob: (job: PatchJob, urgent: boolean) => Promise<PatchJobResult>;
  readonly stats: SamplerStats;
  /** When given, every delivered patch's provenance is appended here. */
  readonly manifest?: ManifestWriter<PatchProvenance> | null;
  /** Told once when the stream stops with an error. */
  readonly onFail?: (error: Error) => void;
}

/** Serialisable state of a stream: the sequencer plus the plans drawn but not yet delivered. */
export interface PatchStreamState {
  readonly domain: string;
  readonly lookahead: number;
  readonly sequencer: SequencerState;
  /** The first position not yet handed to the consumer. */
  readonly nextDelivery: number;
  /** Plans of the undelivered positions, in order; the first `prepared` had been prepared already. */
  readonly undelivered: readonly PatchPlan[];
  readonly prepared: number;
  /** Draws postponed while no slide was drawable. */
  readonly owedDraws: number;
  /** The first undelivered position whose plan failed and still awaits a replacement, if any. */
  readonly awaitingReplacement: number | null;
}

interface Slot {
  plan: PatchPlan | null;
  result: PatchJobResult | null;
  /** Prepared before a restore: delivered without triggering a draw. */
  readonly restoredPrepared: boolean;
}

interface Waiter {
  readonly count: number;
  readonly since: number;
  readonly resolve: (batch: PatchBatch | null) => void;
  readonly reject: (error: Error) => void;
}

/**
 * One domain's patch stream. Positions are resolved strictly in order: a prepared patch moves to the
 * ready queue (bounded: back-pressure), a failed one is counted against its slide and replaced by a fresh
 * plan for the same position. Every sequencer call happens at a fixed point of that in-order
 * resolution, so the sequence is the same whatever the worker count or timing.
 */
export class PatchStream {
  readonly domain: string;
  private readonly sequencer: DomainSequencer;
  private readonly options: PatchStreamOptions;
  private readonly deps: PatchStreamDeps;
  private readonly slots = new Map<number, Slot>();
  private readonly ready: Patch[] = [];
  private readonly waiters: Waiter[] = [];
  /** First position not yet moved to the ready queue. */
  private head = 0;
  /** First position not yet handed to the consumer. */
  private nextDelivery = 0;
  private owedDraws: number;
  private drawable = false;
  private complete = false;
  private closed = false;
  private fatal: Error | null = null;

  constructor(
    sequencer: DomainSequencer,
    options: PatchStreamOptions,
    deps: PatchStreamDeps,
    restored: PatchStreamState | null = null,
  ) {
    this.domain = sequencer.domain;
    this.sequencer = sequencer;
    this.options = options;
    this.deps = deps;
    this.owedDraws = options.lookahead;
    if (restored !== null) {
      if (restored.lookahead !== options.lookahead) {
        throw new SamplerError(
          'BAD_STATE',
          `Saved stream state used lookahead ${restored.lookahead}, these options ${options.lookahead}`,
          { domain: this.domain },
        );
      }
      checkStreamState(restored, this.domain);
      sequencer.restore(restored.sequencer);
      this.owedDraws = restored.owedDraws;
      this.head = restored.nextDelivery;
      this.nextDelivery = restored.nextDelivery;
      restored.undelivered.forEach((plan, i) => this.addSlot(plan, i < restored.prepared));
      if (restored.awaitingReplacement !== null) {
        this.slots.set(restored.awaitingReplacement, { plan: null, result: null, restoredPrepared: false });
      }
    }
  }

  /** Prepared patches waiting for the consumer. */
  get queueDepth(): number {
    return this.ready.length;
  }

  /** Positions drawn and not yet prepared. */
  get inFlight(): number {
    let n = 0;
    for (const slot of this.slots.values()) if (slot.result === null) n++;
    return n;
  }

  /** Allows the sequencer to draw (its slides are admitted); called by the owner. */
  setDrawable(): void {
    this.drawable = true;
    this.pump();
  }

  /** New slides were admitted: postponed draws may now succeed. */
  slidesChanged(): void {
    this.pump();
  }

  /** No more slides will be admitted to this domain. */
  markComplete(): void {
    this.complete = true;
    this.pump();
  }

  /** Ends the stream with an error (e.g. a dead worker pool); pending and later requests reject. */
  fail(error: Error): void {
    if (this.fatal !== null || this.closed) return;
    this.fatal = error;
    for (const w of this.waiters.splice(0)) w.reject(error);
    this.deps.onFail?.(error);
  }

  /**
   * The next `count` patches, in sequence order. Resolves null once the stream is closed; rejects with
   * SamplerError 'DOMAIN_EXHAUSTED' when every slide of the domain has been excluded.
   */
  nextBatch(count = this.options.batchSize): Promise<PatchBatch | null> {
    if (!Number.isInteger(count) || count < 1) {
      return Promise.reject(new RangeError(`Expected a positive integer batch size but received ${count}`));
    }
    if (this.closed) return Promise.resolve(null);
    if (this.fatal !== null) return Promise.reject(this.fatal);
    return new Promise((resolve, reject) => {
      this.waiters.push({ count, since: performance.now(), resolve, reject });
      this.pump();
    });
  }

  getState(): PatchStreamState {
    const undelivered: PatchPlan[] = this.ready.map((p) => planOfPatch(p, this.domain));
    let awaitingReplacement: number | null = null;
    const positions = [...this.slots.keys()].sort((a, b) => a - b);
    for (const position of positions) {
      const slot = this.slots.get(position)!;
      if (slot.plan === null) awaitingReplacement = position;
      else undelivered.push(slot.plan);
    }
    return {
      domain: this.domain,
      lookahead: this.options.lookahead,
      sequencer: this.sequencer.getState(),
      nextDelivery: this.nextDelivery,
      undelivered,
      prepared: this.ready.length + this.countRestoredPrepared(),
      owedDraws: this.owedDraws,
      awaitingReplacement,
    };
  }

  /** Stops the stream: pending requests resolve null, prepared patches are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.slots.clear();
    this.ready.length = 0;
    for (const w of this.waiters.splice(0)) w.resolve(null);
  }

  /** Restored slots that were prepared before the checkpoint and still wait at the head. */
  private countRestoredPrepared(): number {
    let n = 0;
    for (let p = this.head; this.slots.get(p)?.restoredPrepared === true; p++) n++;
    return n;
  }

  private addSlot(plan: PatchPlan, restoredPrepared: boolean): void {
    const slot: Slot = { plan, result: null, restoredPrepared };
    this.slots.set(plan.sampleIndex, slot);
    this.submit(slot, plan, false);
  }

  private submit(slot: Slot, plan: PatchPlan, urgent: boolean): void {
    const f = plan.footprint;
    const job: PatchJob = {
      slidePath: plan.slidePath,
      level: f.level,
      level0X: f.level0X,
      level0Y: f.level0Y,
      readSizePx: f.readSizePx,
      patchSize: this.options.patchSize,
      patchSeed: plan.patchSeed,
      augmentProbability: this.options.augmentProbability,
    };
    const attempt = (retry: boolean): void => {
      void this.deps.runJob(job, urgent || retry).then((result) => {
        // A closed stream, or a slot already replaced, ignores late results.
        if (this.closed || this.slots.get(plan.sampleIndex) !== slot || slot.plan !== plan) return;
        // A worker that died took its queued jobs with it, whatever they were; the job is seeded, so the
        // replacement worker makes the same patch. A second death on the same job is not a coincidence.
        if (!result.ok && result.code === 'WORKER_FAILED' && !retry) {
          attempt(true);
          return;
        }
        slot.result = result;
        if (result.ok) this.deps.stats.recordPrepared();
        this.pump();
      });
    };
    attempt(false);
  }

  /** Draws postponed plans, resolves the head in order, and serves waiting consumers. */
  private pump(): void {
    if (this.closed || this.fatal !== null) return;
    this.drawOwed();
    while (this.ready.length < Math.max(this.options.prefetchPatches, this.waiters[0]?.count ?? 0)) {
      const slot = this.slots.get(this.head);
      if (slot === undefined) break;
      if (slot.plan === null) {
        if (!this.drawable || !this.replace(slot)) break;
        continue;
      }
      const result = slot.result;
      if (result === null) break;
      // Resolving draws (a follow-up plan, or a replacement): wait until the sequencer may draw.
      if (!this.drawable && !(result.ok && slot.restoredPrepared)) break;
      if (result.ok) {
        const provenance = provenanceOf(
          slot.plan,
          this.options.patchSize,
          this.options.seed,
          result.augmentation,
        );
        this.ready.push({ provenance, pixels: new Uint8Array(result.pixels) });
        this.slots.delete(this.head);
        this.head++;
        if (!slot.restoredPrepared) {
          this.owedDraws++;
          this.drawOwed();
        }
        continue;
      }
      if (result.kind === 'internal') {
        this.fail(
          new SamplerError('WORKER_FAILED', `${this.domain}: ${result.message}`, { domain: this.domain }),
        );
        return;
      }
      const path = slot.plan.slidePath;
      this.deps.stats.recordError(this.domain, path);
      this.sequencer.recordFailure(path, result.code, namingSlide(path, result.message));
      slot.plan = null;
      slot.result = null;
      if (!this.replace(slot)) break;
    }
    this.serveWaiters();
  }

  /** Gives the head slot a fresh plan; false when no slide can be drawn now. */
  private replace(slot: Slot): boolean {
    const plan = this.sequencer.replacementPlan(this.head);
    if (plan === null) return false;
    slot.plan = plan;
    this.submit(slot, plan, true);
    return true;
  }

  private drawOwed(): void {
    if (!this.drawable) return;
    while (this.owedDraws > 0) {
      const plan = this.sequencer.nextPlan();
      if (plan === null) break;
      this.owedDraws--;
      this.addSlot(plan, false);
    }
  }

  /** True when the head can never be filled: every slide excluded and no more to come. */
  private exhausted(): boolean {
    if (!this.complete || this.sequencer.eligibleCount > 0) return false;
    const slot = this.slots.get(this.head);
    return slot === undefined || slot.plan === null;
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0]!;
      if (this.ready.length < waiter.count) {
        if (this.exhausted()) {
          const reasons = this.sequencer.excludedSlides
            .map((e) => `  ${namingSlide(e.path, e.message)}`)
            .join('\n');
          this.fail(
            new SamplerError(
              'DOMAIN_EXHAUSTED',
              `Domain '${this.domain}' has no slide left to sample` +
                (reasons ? `; excluded:\n${reasons}` : ''),
              { domain: this.domain },
            ),
          );
        }
        return;
      }
      this.waiters.shift();
      const waitedMs = performance.now() - waiter.since;
      if (waitedMs > 0.5) this.deps.stats.recordWait(waitedMs);
      waiter.resolve(this.take(waiter.count));
    }
  }

  private take(count: number): PatchBatch {
    const patches = this.ready.splice(0, count);
    this.nextDelivery += patches.length;
    const batch = writeBatchPixels(patches, this.domain, this.options.patchSize, this.options.float32);
    this.deps.stats.recordDelivered(
      this.domain,
      patches.map((p) => p.provenance.slidePath),
    );
    this.deps.manifest?.append(batch.provenance);
    // Room in the ready queue: let the head move on.
    queueMicrotask(() => this.pump());
    return batch;
  }
}

/** The message, prefixed with the slide's path unless it names the slide already (slide errors do). */
function namingSlide(path: string, message: string): string {
  return message.includes(path) ? message : `${path}: ${message}`;
}

/** Refuses a saved stream whose undelivered positions are not exactly the next consecutive ones. */
function checkStreamState(state: PatchStreamState, domain: string): void {
  const positions = state.undelivered.map((p) => p.sampleIndex);
  if (state.awaitingReplacement !== null) positions.push(state.awaitingReplacement);
  positions.sort((a, b) => a - b);
  const first = state.nextDelivery;
  const consecutive = positions.every((p, i) => p === first + i);
  const ends = first + positions.length === state.sequencer.nextSampleIndex;
  const prepared =
    Number.isInteger(state.prepared) && state.prepared >= 0 && state.prepared <= state.undelivered.length;
  if (!consecutive || !ends || !prepared || state.domain !== domain) {
    throw new SamplerError(
      'BAD_STATE',
      `The saved state of domain '${domain}' is inconsistent; it cannot be continued`,
      {
        domain,
      },
    );
  }
}

/** The plan a prepared patch came from (for the state of undelivered patches). */
function planOfPatch(patch: Patch, domain: string): PatchPlan {
  const p = patch.provenance;
  return {
    domain,
    sampleIndex: p.sampleIndex,
    slidePath: p.slidePath,
    quickhash: p.quickhash,
    centreLevel0X: p.centreLevel0X,
    centreLevel0Y: p.centreLevel0Y,
    downsample: p.downsample,
    footprint: {
      level: p.level,
      levelDownsample: p.levelDownsample,
      readSizePx: p.readSizePx,
      level0X: p.level0X,
      level0Y: p.level0Y,
      level0Width: p.level0Width,
      level0Height: p.level0Height,
    },
    tissueFraction: p.tissueFraction,
    patchSeed: p.patchSeed,
  };
}
