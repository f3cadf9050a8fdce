import { resolve } from 'node:path';

import { SlideError } from './errors.js';
import { openSlide } from './open-slide.js';
import type { Slide } from './types.js';

export interface SlideCacheOptions {
  /** Most slides kept open at once (>= 1). */
  readonly capacity: number;
  /** Opens a slide (default: openSlide with its defaults). */
  readonly open?: (path: string) => Promise<Slide>;
}

/** Counters of a SlideCache, for metrics. */
export interface SlideCacheStats {
  /** Slides open (or being opened) in the cache. */
  readonly size: number;
  readonly capacity: number;
  /** acquire() calls served by an entry already present (open or opening). */
  readonly hits: number;
  /** acquire() calls that started an open. */
  readonly misses: number;
  /** Slides closed to make room. */
  readonly evictions: number;
  /** Slides dropped by invalidate(), or reopened because they had failed. */
  readonly invalidations: number;
}

interface Entry {
  readonly promise: Promise<Slide>;
  slide: Slide | null;
  /** Set when the entry is dropped while its open is still pending. */
  dropped: boolean;
}

/**
 * A bounded LRU cache of open slides: one handle per path, shared by everyone (OpenSlide reads are
 * thread-safe on one handle). Concurrent acquire() calls for one path share one open. When more than
 * `capacity` slides are open, the least recently acquired is closed; reads already in flight on it
 * still finish (the native handle outlives close()), but later calls on that Slide reject with
 * 'CLOSED', so hold a Slide only for a batch of reads and acquire() again for the next.
 * A slide whose handle failed (OpenSlide errors latch) is reopened on the next acquire().
 */
export class SlideCache {
  readonly capacity: number;
  readonly #open: (path: string) => Promise<Slide>;
  /** Map order is recency order: the first entry is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #invalidations = 0;
  #closed = false;

  constructor(options: Readonly<SlideCacheOptions>) {
    if (!Number.isSafeInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError(`Expected a positive integer for capacity but received ${options.capacity}`);
    }
    this.capacity = options.capacity;
    this.#open = options.open ?? ((path) => openSlide(path));
  }

  /** Open slides (or opens in progress) held by the cache. */
  get size(): number {
    return this.#entries.size;
  }

  /** True when the cache holds `path` (open or opening). */
  has(path: string): boolean {
    return this.#entries.has(resolve(path));
  }

  /** An open Slide for `path`; rejects with the SlideError of the open when it fails (not cached). */
  acquire(path: string): Promise<Slide> {
    if (this.#closed)
      return Promise.reject(new SlideError('CLOSED', resolve(path), 'the slide cache is closed'));
    const key = resolve(path);
    const existing = this.#entries.get(key);
    if (existing) {
      if (existing.slide === null || !(existing.slide.failed || existing.slide.closed)) {
        this.#hits++;
        this.#entries.delete(key);
        this.#entries.set(key, existing);
        return existing.promise;
      }
      this.#invalidations++;
      this.#drop(key, existing);
    }
    this.#misses++;
    return this.#startOpen(key);
  }

  /**
   * Closes and forgets the slide at `path` (after a read error: OpenSlide errors latch per handle).
   * If its open is still pending, the slide is closed on arrival and those acquire() calls reject 'CLOSED'.
   */
  invalidate(path: string): void {
    const key = resolve(path);
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#invalidations++;
    this.#drop(key, entry);
  }

  /** Closes every slide; later acquire() calls reject with 'CLOSED'. */
  closeAll(): void {
    this.#closed = true;
    for (const [key, entry] of [...this.#entries]) this.#drop(key, entry);
  }

  stats(): SlideCacheStats {
    return {
      size: this.#entries.size,
      capacity: this.capacity,
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      invalidations: this.#invalidations,
    };
  }

  #startOpen(key: string): Promise<Slide> {
    const entry: Entry = {
      slide: null,
      dropped: false,
      promise: this.#open(key).then(
        (slide) => {
          if (entry.dropped) {
            slide.close();
            throw new SlideError('CLOSED', key, 'the slide was dropped from the cache while it was opening');
          }
          entry.slide = slide;
          this.#evictOverCapacity(entry);
          return slide;
        },
        (error: unknown) => {
          if (this.#entries.get(key) === entry) this.#entries.delete(key);
          throw error;
        },
      ),
    };
    this.#entries.set(key, entry);
    return entry.promise;
  }

  #drop(key: string, entry: Entry): void {
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
    entry.dropped = true;
    entry.slide?.close();
  }

  /**
   * Closes least recently used open slides until at most `capacity` are open; slides still opening and
   * `keep` (the one just opened, about to be handed out) stay.
   */
  #evictOverCapacity(keep: Entry): void {
    let open = 0;
    for (const entry of this.#entries.values()) if (entry.slide !== null) open++;
    for (const [key, entry] of this.#entries) {
      if (open <= this.capacity) break;
      if (entry.slide === null || entry === keep) continue;
      this.#evictions++;
      this.#drop(key, entry);
      open--;
    }
  }
}
