import type { NamedArrays } from '../optim/optimizer.js';

/** Where one tensor lies in a packed buffer. */
export interface PackedArrayEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** Offset in float32 elements. */
  readonly offset: number;
  /** Number of float32 elements. */
  readonly length: number;
}

/** Named float32 arrays in one buffer (one transfer between threads, one file on disk). */
export interface PackedArrays {
  readonly buffer: ArrayBuffer;
  readonly entries: readonly PackedArrayEntry[];
}

/** Copies the arrays, in name order, into one new buffer. */
export function packArrays(arrays: NamedArrays): PackedArrays {
  const names = Object.keys(arrays).sort();
  const total = names.reduce((n, name) => n + arrays[name]!.data.length, 0);
  const values = new Float32Array(total);
  const entries: PackedArrayEntry[] = [];
  let offset = 0;
  for (const name of names) {
    const { shape, data } = arrays[name]!;
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new RangeError(`Array '${name}' has ${data.length} values but shape [${shape.join(', ')}]`);
    }
    values.set(data, offset);
    entries.push({ name, shape: [...shape], offset, length: data.length });
    offset += data.length;
  }
  return { buffer: values.buffer, entries };
}

/**
 * Views of the packed arrays (no copy). Throws RangeError when an entry lies outside the buffer or its
 * shape does not match its length.
 */
export function unpackArrays(packed: PackedArrays): NamedArrays {
  const elements = packed.buffer.byteLength / 4;
  const out: NamedArrays = {};
  for (const e of packed.entries) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (
      !Number.isSafeInteger(e.offset) ||
      !Number.isSafeInteger(e.length) ||
      e.offset < 0 ||
      e.offset + e.length > elements ||
      size !== e.length
    ) {
      throw new RangeError(`Packed array '${e.name}' does not fit the buffer or its shape`);
    }
    out[e.name] = { shape: [...e.shape], data: new Float32Array(packed.buffer, e.offset * 4, e.length) };
  }
  return out;
}
