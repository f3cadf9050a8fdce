/**
 * Collects items and hands them over in batches at most every `intervalMs`, so a trainer that steps
 * hundreds of times a second does not flood the UI with one event per step. `flush` sends what is left
 * (at the end of a run).
 */
export class EventBatcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastSent = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly send: (items: T[]) => void,
    private readonly now: () => number = Date.now,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.timer) return;
    const wait = Math.max(0, this.lastSent + this.intervalMs - this.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.lastSent = this.now();
    this.send(batch);
  }
}

/**
 * Thins a stream for display: keeps at most `perWindow` items per `windowMs` and key (e.g. per domain),
 * so every domain stays visible in the gallery whatever the sampling rate.
 */
export class StreamThinner<T> {
  private readonly counts = new Map<string, { windowStart: number; count: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly perWindow: number,
    private readonly keyOf: (item: T) => string,
    private readonly now: () => number = Date.now,
  ) {}

  accept(item: T): boolean {
    const key = this.keyOf(item);
    const time = this.now();
    const entry = this.counts.get(key);
    if (!entry || time - entry.windowStart >= this.windowMs) {
      this.counts.set(key, { windowStart: time, count: 1 });
      return true;
    }
    if (entry.count >= this.perWindow) return false;
    entry.count++;
    return true;
  }
}
