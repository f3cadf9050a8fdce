import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { decodeMaskPng, encodeMaskPng, MaskPngError } from '../../../../src-main/core/tissue/png1bit.js';
import type { TissueMask } from '../../../../src-main/core/tissue/tissue-mask.js';
import { Rng } from '../../../../src-main/core/util/rng.js';

function blobMask(width: number, height: number): TissueMask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = ((x - width * 0.4) / (width * 0.3)) ** 2 + ((y - height * 0.5) / (height * 0.35)) ** 2;
      const b = ((x - width * 0.75) / (width * 0.1)) ** 2 + ((y - height * 0.3) / (height * 0.1)) ** 2;
      data[y * width + x] = a < 1 || b < 1 ? 1 : 0;
    }
  }
  return { width, height, data };
}

describe('1-bit mask PNG', () => {
  it('round-trips masks of any width, including widths that are not multiples of 8', () => {
    const rng = new Rng(11);
    for (const [width, height] of [
      [1, 1],
      [7, 3],
      [8, 2],
      [13, 17],
      [1001, 5],
    ] as const) {
      const data = new Uint8Array(width * height);
      for (let i = 0; i < data.length; i++) data[i] = rng.next() < 0.5 ? 1 : 0;
      const back = decodeMaskPng(encodeMaskPng({ width, height, data }));
      expect(back.width).toBe(width);
      expect(back.height).toBe(height);
      expect(back.data).toEqual(data);
    }
  });

  it('writes a 1-bit greyscale PNG that other decoders read (tissue = white)', async () => {
    const mask = blobMask(400, 300);
    const png = encodeMaskPng(mask);
    expect(png.readUInt32BE(16)).toBe(400);
    expect(png.readUInt32BE(20)).toBe(300);
    expect(png[24]).toBe(1); // bit depth
    expect(png[25]).toBe(0); // greyscale
    const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(1);
    expect((await sharp(png).metadata()).bitsPerSample).toBe(1);
    for (let i = 0; i < mask.data.length; i += 97) expect(data[i]).toBe(mask.data[i] ? 255 : 0);
  });

  it('writes byte-identical files for the same mask', () => {
    const a = encodeMaskPng(blobMask(2000, 1500));
    const b = encodeMaskPng(blobMask(2000, 1500));
    expect(a.equals(b)).toBe(true);
  });

  it('stores a smooth 2000x1500 mask in a few KB, smaller than an 8-bit PNG of it', async () => {
    const mask = blobMask(2000, 1500);
    const png = encodeMaskPng(mask);
    expect(png.length).toBeLessThan(5000);
    const eightBit = await sharp(Buffer.from(mask.data.map((v) => v * 255)), {
      raw: { width: 2000, height: 1500, channels: 1 },
    })
      .toColourspace('b-w')
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(png.length).toBeLessThan(eightBit.length * 0.8);
  });

  it('decodes every PNG filter type (files written by other encoders)', async () => {
    // sharp/libspng picks adaptive filters per row for an 8-bit grey image; write one 1-bit image by hand
    // with each filter type instead, from the same packed rows.
    const mask = blobMask(61, 9);
    const stride = 8;
    const packed = new Uint8Array(stride * 9);
    for (let y = 0; y < 9; y++)
      for (let x = 0; x < 61; x++)
        if (mask.data[y * 61 + x]) packed[y * stride + (x >> 3)]! |= 0x80 >> (x & 7);
    const reference = encodeMaskPng(mask);
    for (const filter of [0, 1, 2, 3, 4]) {
      const raw = new Uint8Array(9 * (stride + 1));
      for (let y = 0; y < 9; y++) {
        raw[y * (stride + 1)] = filter;
        for (let i = 0; i < stride; i++) {
          const v = packed[y * stride + i]!;
          const a = i > 0 ? packed[y * stride + i - 1]! : 0;
          const b = y > 0 ? packed[(y - 1) * stride + i]! : 0;
          const c = i > 0 && y > 0 ? packed[(y - 1) * stride + i - 1]! : 0;
          const p = a + b - c;
          const paeth =
            Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
              ? a
              : Math.abs(p - b) <= Math.abs(p - c)
                ? b
                : c;
          const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
          raw[y * (stride + 1) + 1 + i] = (v - predictor) & 0xff;
        }
      }
      const png = replaceIdat(reference, deflateSync(raw));
      expect(decodeMaskPng(png).data).toEqual(mask.data);
    }
  });

  it('rejects truncated, corrupted and non-1-bit files with a MaskPngError', async () => {
    const png = encodeMaskPng(blobMask(300, 200));
    expect(() => decodeMaskPng(png.subarray(0, png.length - 20))).toThrow(MaskPngError);
    expect(() => decodeMaskPng(png.subarray(0, 40))).toThrow(/truncated/);
    const flipped = Buffer.from(png);
    flipped[50]! ^= 0xff;
    expect(() => decodeMaskPng(flipped)).toThrow(/CRC mismatch/);
    const eightBit = await sharp(Buffer.alloc(100, 255), { raw: { width: 10, height: 10, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect(() => decodeMaskPng(eightBit)).toThrow(/expected 1-bit greyscale/);
    expect(() => decodeMaskPng(Buffer.from('not a png at all'))).toThrow(/bad signature/);
  });
});

/** The same PNG with its IDAT chunk replaced (CRC recomputed by re-encoding the chunk). */
function replaceIdat(png: Buffer, idat: Buffer): Buffer {
  const ihdrEnd = 8 + 12 + 13;
  const chunk = Buffer.alloc(12 + idat.length);
  chunk.writeUInt32BE(idat.length, 0);
  chunk.write('IDAT', 4, 'latin1');
  idat.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + idat.length)), 8 + idat.length);
  const iend = png.subarray(png.length - 12);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, iend]);
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
