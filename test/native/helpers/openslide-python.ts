/**
 * Debian's python3-openslide (/usr/bin/python3; the python first on PATH may lack it) as a second,
 * independent reference: it calls openslide_read_region for the whole region at once, where
 * openslide-write-png reads row by row.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const PYTHON = '/usr/bin/python3';

/** Why python3-openslide cannot serve as a reference here, or null when it can. */
export function pythonOpenSlideMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import openslide'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot run (${probe.error.message}); install python3`;
  if (probe.status !== 0) return `${PYTHON} has no openslide module; install python3-openslide`;
  return null;
}

async function runPython(script: string, args: readonly string[]): Promise<Buffer> {
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', script, ...args], {
    encoding: 'buffer',
    maxBuffer: 64 << 20,
  });
  return stdout;
}

/** A region as python3-openslide reads it: what read_region returns, and the raw library output. */
export interface PythonRegion {
  /** RGBA with straight alpha, from `OpenSlide.read_region` (which un-premultiplies by truncating). */
  straight: Buffer;
  /** RGBA with premultiplied alpha, openslide_read_region's pixels before any conversion. */
  premultiplied: Buffer;
}

/** Reads one region through python3-openslide, in one openslide_read_region call. */
export async function pythonReadRegion(
  path: string,
  level0X: number,
  level0Y: number,
  level: number,
  width: number,
  height: number,
): Promise<PythonRegion> {
  const script =
    'import sys, ctypes, openslide, openslide.lowlevel as low\n' +
    'x, y, level, w, h = map(int, sys.argv[2:7])\n' +
    'slide = openslide.OpenSlide(sys.argv[1])\n' +
    'sys.stdout.buffer.write(slide.read_region((x, y), level, (w, h)).tobytes())\n' +
    'raw = (w * h * ctypes.c_uint32)()\n' +
    'low._read_region(slide._osr, raw, x, y, level, w, h)\n' +
    'sys.stdout.buffer.write(bytes(raw))\n';
  const out = await runPython(script, [path, ...[level0X, level0Y, level, width, height].map(String)]);
  const size = width * height * 4;
  if (out.length !== 2 * size)
    throw new Error(`python3-openslide wrote ${out.length} bytes, not ${2 * size}`);
  // The raw words are native-endian ARGB: on little-endian machines the bytes run B, G, R, A.
  const premultiplied = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) {
    premultiplied[i] = out[size + i + 2]!;
    premultiplied[i + 1] = out[size + i + 1]!;
    premultiplied[i + 2] = out[size + i]!;
    premultiplied[i + 3] = out[size + i + 3]!;
  }
  return { straight: out.subarray(0, size), premultiplied };
}

/** RGBA bytes of an associated image as python3-openslide reads it. */
export function pythonAssociatedImage(path: string, name: string): Promise<Buffer> {
  const script =
    'import sys, openslide\n' +
    'image = openslide.OpenSlide(sys.argv[1]).associated_images[sys.argv[2]]\n' +
    'sys.stdout.buffer.write(image.tobytes())\n';
  return runPython(script, [path, name]);
}
