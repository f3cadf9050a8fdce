import { InferenceError } from '../errors.js';

/** Classic TIFF (32-bit offsets, files up to 4 GiB) or BigTIFF (64-bit offsets). */
export type TiffFormat = 'classic' | 'bigtiff';

/** The field types this writer emits, with their TIFF type codes and sizes in bytes. */
export type TiffFieldType = 'ASCII' | 'SHORT' | 'LONG' | 'RATIONAL' | 'LONG8';

const TYPE_CODE: Record<TiffFieldType, number> = { ASCII: 2, SHORT: 3, LONG: 4, RATIONAL: 5, LONG8: 16 };
const TYPE_SIZE: Record<TiffFieldType, number> = { ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, LONG8: 8 };

/**
 * One directory entry. `values` are numbers (RATIONAL: numerator, denominator pairs flattened) or, for
 * ASCII, a string (written with its terminating NUL).
 */
export interface TiffTag {
  readonly tag: number;
  readonly type: TiffFieldType;
  readonly values: readonly number[] | ArrayLike<number> | string;
}

const LAYOUT = {
  classic: { header: 8, countSize: 2, entrySize: 12, inline: 4, nextSize: 4 },
  bigtiff: { header: 16, countSize: 8, entrySize: 20, inline: 8, nextSize: 8 },
} as const;

/** Size of the file header: 8 bytes (classic) or 16 (BigTIFF). */
export function tiffHeaderSize(format: TiffFormat): number {
  return LAYOUT[format].header;
}

/** The header: little-endian byte order, the magic number, and the offset of the first directory. */
export function encodeTiffHeader(format: TiffFormat, firstDirectoryOffset: number): Buffer {
  const out = Buffer.alloc(LAYOUT[format].header);
  out.write('II', 0, 'latin1');
  if (format === 'classic') {
    out.writeUInt16LE(42, 2);
    out.writeUInt32LE(checkedLong(firstDirectoryOffset, 'first directory offset'), 4);
  } else {
    out.writeUInt16LE(43, 2);
    out.writeUInt16LE(8, 4);
    out.writeUInt16LE(0, 6);
    out.writeBigUInt64LE(BigInt(firstDirectoryOffset), 8);
  }
  return out;
}

function valueCount(tag: TiffTag): number {
  if (typeof tag.values === 'string') return Buffer.byteLength(tag.values, 'latin1') + 1;
  return tag.type === 'RATIONAL' ? tag.values.length / 2 : tag.values.length;
}

function valueBytes(tag: TiffTag): number {
  return valueCount(tag) * TYPE_SIZE[tag.type];
}

/** Out-of-line data is word-aligned (TIFF 6.0 asks for even offsets). */
function even(n: number): number {
  return n + (n & 1);
}

/** Bytes a directory takes: the entries, the next-directory offset, and its out-of-line values. */
export function tiffDirectorySize(tags: readonly TiffTag[], format: TiffFormat): number {
  const l = LAYOUT[format];
  let size = l.countSize + tags.length * l.entrySize + l.nextSize;
  for (const tag of tags) {
    const bytes = valueBytes(tag);
    if (bytes > l.inline) size = even(size) + bytes;
  }
  return even(size);
}

/**
 * Encodes one image file directory placed at `offset` (even), entries sorted by tag, values that do not
 * fit in an entry written after it. `nextOffset` is the next directory's offset, 0 for the last one.
 */
export function encodeTiffDirectory(
  tags: readonly TiffTag[],
  offset: number,
  nextOffset: number,
  format: TiffFormat,
): Buffer {
  if (offset % 2 !== 0) throw new RangeError(`Expected an even directory offset but received ${offset}`);
  const l = LAYOUT[format];
  const sorted = [...tags].sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.tag === sorted[i - 1]!.tag) throw new RangeError(`Tag ${sorted[i]!.tag} appears twice`);
  }
  const out = Buffer.alloc(tiffDirectorySize(sorted, format));
  let extra = l.countSize + sorted.length * l.entrySize + l.nextSize;
  writeUnsigned(out, 0, sorted.length, l.countSize);
  sorted.forEach((tag, i) => {
    const at = l.countSize + i * l.entrySize;
    out.writeUInt16LE(tag.tag, at);
    out.writeUInt16LE(TYPE_CODE[tag.type], at + 2);
    const countSize = format === 'classic' ? 4 : 8;
    writeUnsigned(out, at + 4, valueCount(tag), countSize);
    const valueAt = at + 4 + countSize;
    if (valueBytes(tag) <= l.inline) {
      writeValues(out, valueAt, tag);
    } else {
      extra = even(extra);
      writeUnsigned(out, valueAt, offset + extra, l.inline);
      writeValues(out, extra, tag);
      extra += valueBytes(tag);
    }
  });
  writeUnsigned(out, l.countSize + sorted.length * l.entrySize, nextOffset, l.nextSize);
  return out;
}

function writeValues(out: Buffer, at: number, tag: TiffTag): void {
  if (typeof tag.values === 'string') {
    out.write(tag.values, at, 'latin1');
    return;
  }
  const size = tag.type === 'RATIONAL' ? 4 : TYPE_SIZE[tag.type];
  for (let i = 0; i < tag.values.length; i++) {
    const v = tag.values[i]!;
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`Tag ${tag.tag}: expected non-negative integers but received ${v}`);
    }
    writeUnsigned(out, at + i * size, v, size);
  }
}

function writeUnsigned(out: Buffer, at: number, value: number, size: number): void {
  if (size === 2) {
    if (value > 0xffff) throw new RangeError(`${value} does not fit in a SHORT`);
    out.writeUInt16LE(value, at);
  } else if (size === 4) {
    out.writeUInt32LE(checkedLong(value, 'value'), at);
  } else {
    out.writeBigUInt64LE(BigInt(value), at);
  }
}

function checkedLong(value: number, what: string): number {
  if (value > 0xffffffff) {
    throw new InferenceError(
      'TIFF_TOO_LARGE',
      `The ${what} ${value} does not fit in a classic TIFF's 32 bits: BigTIFF is needed`,
    );
  }
  return value;
}

/** The largest offset a classic TIFF can hold. */
export const CLASSIC_TIFF_LIMIT_BYTES = 0xffffffff;

/**
 * Classic TIFF while the whole file (header, tile data, directories) fits under `thresholdBytes`
 * (default: the 4 GiB a 32-bit offset reaches), BigTIFF beyond. The threshold is a parameter so tests
 * can exercise the switch on small files.
 */
export function chooseTiffFormat(
  payloadBytes: number,
  directories: readonly (readonly TiffTag[])[],
  thresholdBytes: number = CLASSIC_TIFF_LIMIT_BYTES,
): TiffFormat {
  let total = tiffHeaderSize('classic') + even(payloadBytes);
  for (const tags of directories) total += tiffDirectorySize(tags, 'classic');
  return total > Math.min(thresholdBytes, CLASSIC_TIFF_LIMIT_BYTES) ? 'bigtiff' : 'classic';
}
