/**
 * CycleGAN's learning-rate schedule in steps: `base` for the first half of `totalSteps`, then linear
 * decay reaching 0 at `totalSteps` (the reference: 100 epochs constant, 100 decaying).
 */
export function learningRateAt(step: number, totalSteps: number, base: number): number {
  if (!Number.isInteger(totalSteps) || totalSteps <= 0) {
    throw new RangeError(`Expected a positive integer number of steps but received ${totalSteps}`);
  }
  if (!Number.isInteger(step) || step < 0) {
    throw new RangeError(`Expected a non-negative integer step but received ${step}`);
  }
  const decayStart = Math.floor(totalSteps / 2);
  if (step < decayStart) return base;
  return base * Math.max(0, 1 - (step - decayStart) / (totalSteps - decayStart));
}
