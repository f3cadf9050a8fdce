/**
 * One live metric series with bounded memory. Raw points are folded into buckets of `bucketSize`
 * consecutive points, each stored as its minimum and maximum point (in step order), so peaks stay visible.
 * When the buffer is full, neighbouring buckets are merged and `bucketSize` doubles; later points then
 * fold into buckets of the new width, so the whole step range keeps the same density (history does not
 * thin out while the newest points stay dense). The smoothed series (exponential moving average of the
 * raw values) is computed on arrival, before any folding.
 */
export class SeriesBuffer {
  private steps: Float64Array;
  private values: Float64Array;
  private smoothedValues: Float64Array;
  /** Stored points, the open bucket's included. */
  private count = 0;
  /** Raw points per bucket: 1 until the first merge, then 4, 8, 16, ... */
  private bucketSize = 1;
  /** Index of the open bucket's first stored point. */
  private openStart = 0;
  /** Raw points folded into the open bucket so far. */
  private openRaw = 0;
  private low: Point = { step: 0, value: 0, smoothed: 0 };
  private high: Point = { step: 0, value: 0, smoothed: 0 };
  /** The latest raw point, drawn even when its bucket kept other points. */
  private latest: Point | null = null;
  private ema: number | null = null;
  private debias = 0;
  /** Raw points received. */
  rawCount = 0;

  /**
   * @param capacity points kept (a multiple of 4, >= 8)
   * @param smoothing EMA weight of the previous value, 0..0.999
   */
  constructor(
    private readonly capacity = 8192,
    private readonly smoothing = 0.9,
  ) {
    if (capacity < 8 || capacity % 4 !== 0)
      throw new RangeError(`capacity must be a multiple of 4 and >= 8, got ${capacity}`);
    this.steps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.smoothedValues = new Float64Array(capacity);
  }

  /** Points a chart draws (at most capacity + 1). */
  get length(): number {
    return this.count + (this.latestIsExtra() ? 1 : 0);
  }

  /** Raw points per stored bucket (1 until the buffer first filled). */
  get pointsPerBucket(): number {
    return this.bucketSize;
  }

  /** The last step seen (NaN when empty). */
  get lastStep(): number {
    return this.latest === null ? Number.NaN : this.latest.step;
  }

  /** Appends one raw point; steps must not go backwards (older points are ignored). */
  push(step: number, value: number): void {
    if (!Number.isFinite(value) || (this.latest !== null && step <= this.latest.step)) return;
    // Bias-corrected EMA (as TensorBoard), so the first points are not dragged towards zero.
    this.ema =
      this.ema === null
        ? value * (1 - this.smoothing)
        : this.ema * this.smoothing + value * (1 - this.smoothing);
    this.debias = this.debias * this.smoothing + (1 - this.smoothing);
    const point = { step, value, smoothed: this.smoothing === 0 ? value : this.ema / this.debias };
    this.latest = point;
    this.rawCount++;
    if (this.openRaw === 0) {
      if (this.count + Math.min(this.bucketSize, 2) > this.capacity) this.merge();
      this.openStart = this.count;
      this.low = point;
      this.high = point;
    } else {
      // Ties: the low keeps the first, the high takes the last, so a bucket of 2+ points stores 2 points.
      if (value < this.low.value) this.low = point;
      if (value >= this.high.value) this.high = point;
    }
    this.openRaw++;
    this.writeOpen();
    if (this.openRaw >= this.bucketSize) this.openRaw = 0;
  }

  /** Seeds the buffer with history already downsampled by the service. */
  load(
    steps: ArrayLike<number>,
    values: ArrayLike<number>,
    smoothed: ArrayLike<number>,
    rawCount: number,
  ): void {
    this.count = 0;
    this.openRaw = 0;
    const n = Math.min(steps.length, this.capacity);
    for (let i = 0; i < n; i++) this.store(steps[i]!, values[i]!, smoothed[i]!);
    // Live points continue at the history's density: two stored points per `bucketSize` raw points.
    this.bucketSize = n === 0 || n >= rawCount ? 1 : Math.max(2, Math.round((2 * rawCount) / n));
    this.latest = n === 0 ? null : { step: steps[n - 1]!, value: values[n - 1]!, smoothed: smoothed[n - 1]! };
    const last = smoothed.length > 0 ? smoothed[smoothed.length - 1]! : null;
    // Continue the EMA from the history's last smoothed value, as if fully debiased.
    this.ema = last;
    this.debias = last === null ? 0 : 1;
    this.rawCount = rawCount;
  }

  /** Points for a chart: `{ x: step, y }`, raw or smoothed. */
  points(smoothed: boolean): { x: number; y: number }[] {
    const source = smoothed ? this.smoothedValues : this.values;
    const out = new Array<{ x: number; y: number }>(this.length);
    for (let i = 0; i < this.count; i++) out[i] = { x: this.steps[i]!, y: source[i]! };
    if (this.latestIsExtra()) {
      const latest = this.latest!;
      out[this.count] = { x: latest.step, y: smoothed ? latest.smoothed : latest.value };
    }
    return out;
  }

  private latestIsExtra(): boolean {
    return this.latest !== null && (this.count === 0 || this.steps[this.count - 1]! < this.latest.step);
  }

  private store(step: number, value: number, smoothed: number): void {
    this.steps[this.count] = step;
    this.values[this.count] = value;
    this.smoothedValues[this.count] = smoothed;
    this.count++;
  }

  /** Rewrites the open bucket's stored points: its low and high, in step order. */
  private writeOpen(): void {
    this.count = this.openStart;
    const [first, second] = this.low.step <= this.high.step ? [this.low, this.high] : [this.high, this.low];
    this.store(first.step, first.value, first.smoothed);
    if (second !== first) this.store(second.step, second.value, second.smoothed);
  }

  /**
   * Halves the buffer: every 4 stored points (4 raw points, or 2 buckets) become the 2 holding the
   * group's minimum and maximum, and the bucket width doubles (1 becomes 4).
   */
  private merge(): void {
    let out = 0;
    for (let i = 0; i < this.count; i += 4) {
      const end = Math.min(i + 4, this.count);
      let lo = i;
      let hi = i;
      for (let j = i + 1; j < end; j++) {
        if (this.values[j]! < this.values[lo]!) lo = j;
        if (this.values[j]! >= this.values[hi]!) hi = j;
      }
      for (const k of lo === hi ? [lo] : [Math.min(lo, hi), Math.max(lo, hi)]) {
        this.steps[out] = this.steps[k]!;
        this.values[out] = this.values[k]!;
        this.smoothedValues[out] = this.smoothedValues[k]!;
        out++;
      }
    }
    this.count = out;
    this.bucketSize = this.bucketSize === 1 ? 4 : this.bucketSize * 2;
  }
}

interface Point {
  readonly step: number;
  readonly value: number;
  readonly smoothed: number;
}
