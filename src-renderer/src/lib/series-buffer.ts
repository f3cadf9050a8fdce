/**
 * One live metric series with bounded memory: points are appended as they stream in; when the buffer is
 * full, each pair of neighbouring buckets is merged keeping its minimum and maximum point, so a run of
 * any length stays drawable and its peaks stay visible. The smoothed series (exponential moving average of
 * the raw values) is computed on arrival, before any merging.
 */
export class SeriesBuffer {
  private steps: Float64Array;
  private values: Float64Array;
  private smoothedValues: Float64Array;
  private count = 0;
  private ema: number | null = null;
  private debias = 0;
  /** Raw points received. */
  rawCount = 0;

  /**
   * @param capacity points kept (even, >= 8)
   * @param smoothing EMA weight of the previous value, 0..0.999
   */
  constructor(
    private readonly capacity = 8192,
    private readonly smoothing = 0.9,
  ) {
    if (capacity < 8 || capacity % 2 !== 0)
      throw new RangeError(`capacity must be even and >= 8, got ${capacity}`);
    this.steps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.smoothedValues = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** The last step seen (NaN when empty). */
  get lastStep(): number {
    return this.count === 0 ? Number.NaN : this.steps[this.count - 1]!;
  }

  /** Appends one raw point; steps must not go backwards (older points are ignored). */
  push(step: number, value: number): void {
    if (!Number.isFinite(value) || (this.count > 0 && step <= this.lastStep)) return;
    // Bias-corrected EMA (as TensorBoard), so the first points are not dragged towards zero.
    this.ema =
      this.ema === null
        ? value * (1 - this.smoothing)
        : this.ema * this.smoothing + value * (1 - this.smoothing);
    this.debias = this.debias * this.smoothing + (1 - this.smoothing);
    if (this.count === this.capacity) this.compact();
    this.steps[this.count] = step;
    this.values[this.count] = value;
    this.smoothedValues[this.count] = this.smoothing === 0 ? value : this.ema / this.debias;
    this.count++;
    this.rawCount++;
  }

  /** Seeds the buffer with history already downsampled by the service. */
  load(
    steps: ArrayLike<number>,
    values: ArrayLike<number>,
    smoothed: ArrayLike<number>,
    rawCount: number,
  ): void {
    this.count = 0;
    for (let i = 0; i < steps.length && this.count < this.capacity; i++) {
      this.steps[this.count] = steps[i]!;
      this.values[this.count] = values[i]!;
      this.smoothedValues[this.count] = smoothed[i]!;
      this.count++;
    }
    const last = smoothed.length > 0 ? smoothed[smoothed.length - 1]! : null;
    // Continue the EMA from the history's last smoothed value, as if fully debiased.
    this.ema = last;
    this.debias = last === null ? 0 : 1;
    this.rawCount = rawCount;
  }

  /** Points for a chart: `{ x: step, y }`, raw or smoothed. */
  points(smoothed: boolean): { x: number; y: number }[] {
    const source = smoothed ? this.smoothedValues : this.values;
    const out = new Array<{ x: number; y: number }>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = { x: this.steps[i]!, y: source[i]! };
    return out;
  }

  /** Halves the buffer: every 4 points become 2 (the min and the max of the group, in step order). */
  private compact(): void {
    let out = 0;
    for (let i = 0; i < this.count; i += 4) {
      const end = Math.min(i + 4, this.count);
      let lo = i;
      let hi = i;
      for (let j = i + 1; j < end; j++) {
        if (this.values[j]! < this.values[lo]!) lo = j;
        if (this.values[j]! > this.values[hi]!) hi = j;
      }
      const first = Math.min(lo, hi);
      const second = Math.max(lo, hi);
      for (const k of first === second ? [first] : [first, second]) {
        this.steps[out] = this.steps[k]!;
        this.values[out] = this.values[k]!;
        this.smoothedValues[out] = this.smoothedValues[k]!;
        out++;
      }
    }
    this.count = out;
  }
}
