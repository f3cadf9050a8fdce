/**
 * Sorts float32 values ascending in place with an LSD radix sort on their bit patterns (3 passes of
 * 11 bits): linear time, several times faster than Float32Array.prototype.sort on the ~10^4-element
 * arrays SWD sorts by the thousand. NaN is not expected (it sorts after +Infinity). -0 sorts before +0.
 */
export function radixSortFloat32(values: Float32Array): void {
  const n = values.length;
  const keys = new Uint32Array(values.buffer, values.byteOffset, n);
  // Order-preserving map of IEEE-754 bits to unsigned integers: flip all bits of negatives, the sign of the rest.
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    keys[i] = k & 0x80000000 ? ~k >>> 0 : (k | 0x80000000) >>> 0;
  }
  let from: Uint32Array = keys;
  let to: Uint32Array = new Uint32Array(n);
  const counts = new Uint32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(from[i]! >>> shift) & 0x7ff]!++;
    let sum = 0;
    for (let b = 0; b < 2048; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = from[i]!;
      to[counts[(k >>> shift) & 0x7ff]!++] = k;
    }
    [from, to] = [to, from];
  }
  // Three passes leave the result in the scratch array: copy it back, undoing the key map.
  for (let i = 0; i < n; i++) {
    const k = from[i]!;
    keys[i] = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0;
  }
}
