import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import sharp from 'sharp';
import { buildSlideCatalog } from '../../core/dataset/catalog.js';
import { validateDataset } from '../../core/dataset/dataset.js';
import {
  renderContactSheet,
  type ContactSheetPatch,
  type SlideThumbnail,
} from '../../core/sampling/contact-sheet.js';
import { SamplerError } from '../../core/sampling/errors.js';
import { startDatasetSampler, type DatasetSampler } from '../../core/sampling/dataset-sampler.js';
import { ManifestWriter } from '../../core/sampling/manifest.js';
import { resolveSamplerOptions } from '../../core/sampling/options.js';
import type { PatchSampler } from '../../core/sampling/patch-sampler.js';
import type { PatchProvenance } from '../../core/sampling/provenance.js';
import { PatchWorkerPool } from '../../core/sampling/worker-pool.js';
import { openSlide } from '../../core/slide/index.js';
import { resolveCacheDir } from '../../core/tissue/cache-dir.js';
import { readThumbnail } from '../../core/tissue/thumbnail.js';
import { resolveTissueMaskParameters } from '../../core/tissue/tissue-mask.js';
import { UsageError, parseArgs, requireFlag } from '../args.js';
import { detectorOptionHelp, withDetectors } from '../detectors.js';
import { runGuarded } from '../guard.js';
import type { CliIo } from '../run.js';

export const SAMPLE_USAGE = `Usage: histo-fetch sample <folder>... --count N --out DIR [options]

Samples random tissue patches from the slides in the folders (each folder is one domain, named after it)
and writes them as PNGs with their provenance in DIR/manifest.jsonl (one JSON object per patch).

Options:
  --count N          patches per domain (required)
  --out DIR          output folder (created; must not hold a manifest.jsonl already)
  --size PX          patch side in pixels (default 256)
  --downsample D     field of view as a downsample from level 0, any number >= 1 (default 4)
  --mpp M            field of view as microns per patch pixel (instead of --downsample; slides without
                     openslide.mpp-x are left out with a message)
  --augment P        probability that a patch is augmented (default 0)
  --min-tissue F     redraw locations whose footprint holds less tissue than F, per the mask (default 0)
  --detector [NAME=]D
                     ${detectorOptionHelp(21)}
  --seed S           seed of the patch sequence (default 0)
  --shuffle-buffer K mix patches across slide passes through a buffer of K (default 1: off; each pass
                     is already shuffled, and off keeps every pass exactly one patch per slide)
  --workers N        worker threads preparing patches (default: number of cores)
  --cache DIR        mask cache folder (default $XDG_CACHE_HOME/histo-fetch or ~/.cache/histo-fetch)
  --contact-sheet    also write DIR/contact-sheet.png: the first ${'100'} patches, each beside its slide's
                     thumbnail with the patch footprint outlined
  -h, --help         show this help
`;

const FLAGS = {
  count: { type: 'integer' },
  out: { type: 'string' },
  size: { type: 'integer' },
  downsample: { type: 'number' },
  mpp: { type: 'number' },
  augment: { type: 'number' },
  'min-tissue': { type: 'number' },
  detector: { type: 'string', multiple: true },
  seed: { type: 'string' },
  'shuffle-buffer': { type: 'integer' },
  workers: { type: 'integer' },
  cache: { type: 'string' },
  'contact-sheet': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Patches shown on the contact sheet at most (it stays a viewable image). */
const CONTACT_SHEET_MAX = 100;
const PATCHES_PER_REQUEST = 32;

/** A manifest line: the PNG written (relative to the output folder) and the patch's provenance. */
export type SampleManifestRecord = { readonly file: string } & PatchProvenance;

/** `histo-fetch sample <folder>... --count N --out DIR [...]` */
export function sampleCommand(args: string[], io: CliIo): Promise<number> {
  return runGuarded('sample', SAMPLE_USAGE, io, async () => {
    const { flags, positionals } = parseArgs(args, FLAGS);
    if (flags.help) {
      io.stdout.write(SAMPLE_USAGE);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('give at least one slide folder');
    const count = requireFlag(flags.count, 'count');
    if (count < 1) throw new UsageError(`Expected a positive integer for --count but received ${count}`);
    const out = resolve(requireFlag(flags.out, 'out'));
    if (flags.downsample !== undefined && flags.mpp !== undefined) {
      throw new UsageError('give either --downsample or --mpp, not both');
    }
    const workers = flags.workers ?? availableParallelism();
    if (workers < 1)
      throw new UsageError(`Expected a positive integer for --workers but received ${workers}`);
    const seedText = flags.seed ?? '0';
    const seed =
      /^-?\d+$/.test(seedText) && Number.isSafeInteger(Number(seedText)) ? Number(seedText) : seedText;
    const manifestPath = join(out, 'manifest.jsonl');
    if (existsSync(manifestPath)) {
      throw new Error(`${manifestPath} already exists; choose an empty output folder`);
    }

    const samplerOptions = {
      patchSize: flags.size ?? 256,
      ...(flags.mpp !== undefined ? { mpp: flags.mpp } : { downsample: flags.downsample ?? 4 }),
      augment: flags.augment ?? 0,
      minTissueFraction: flags['min-tissue'] ?? 0,
      seed,
      shuffleBufferSize: flags['shuffle-buffer'] ?? 1,
      batchSize: Math.min(PATCHES_PER_REQUEST, count),
      float32: false,
    };
    try {
      resolveSamplerOptions(samplerOptions);
    } catch (error) {
      if (error instanceof SamplerError && error.code === 'INVALID_OPTION')
        throw new UsageError(error.message);
      throw error;
    }
    const domains = withDetectors(domainsOf(positionals), flags.detector ?? []);
    const dataset = validateDataset({ domains: domains.map(({ name, folders }) => ({ name, folders })) });
    const catalog = await buildSlideCatalog(dataset, { openSlide: (p) => openSlide(p) });
    for (const domain of catalog.domains) {
      for (const problem of domain.problems) io.stderr.write(`skipped   ${problem.reason}\n`);
      if (domain.slides.length === 0) {
        throw new Error(`${domain.folders.join(', ')}: no slide found (domain '${domain.name}')`);
      }
    }

    const pool = new PatchWorkerPool({ workers });
    let running: DatasetSampler | null = null;
    let manifest: ManifestWriter<SampleManifestRecord> | null = null;
    try {
      running = startDatasetSampler({
        catalog,
        cacheDir: resolveCacheDir(flags.cache),
        maskWorkers: workers,
        domainMaskParameters: Object.fromEntries(
          domains.flatMap((d) =>
            d.detector === undefined ? [] : [[d.name, resolveTissueMaskParameters({ detector: d.detector })]],
          ),
        ),
        pool,
        sampler: samplerOptions,
        statsIntervalMs: 0,
      });
      const sampler = running.sampler;
      sampler.on('slide-excluded', (e) => io.stderr.write(`excluded  ${e.message}\n`));
      await mkdir(out, { recursive: true });
      manifest = new ManifestWriter<SampleManifestRecord>(manifestPath);
      const started = performance.now();
      const sheet: ContactSheetPatch[] = [];
      const written = await writePatches(sampler, count, out, manifest, sheet);
      const seconds = (performance.now() - started) / 1000;
      const slides = new Set(written.map((p) => p.slidePath)).size;
      if (flags['contact-sheet']) {
        const sheetPath = join(out, 'contact-sheet.png');
        await writeFile(sheetPath, await renderContactSheet(sheet, await thumbnailsOf(sheet)));
        io.stdout.write(`${sheetPath}: ${sheet.length} patches with their footprints\n`);
      }
      io.stdout.write(
        `${out}: ${written.length} patches from ${slides} slides in ${seconds.toFixed(1)} s ` +
          `(masks and worker start-up included); provenance in ${manifestPath}\n`,
      );
      return 0;
    } finally {
      manifest?.close();
      await running?.close();
      await pool.close();
    }
  });
}

/** One domain per folder, named after it (a suffix keeps equal names apart). */
function domainsOf(folders: readonly string[]): { name: string; folders: string[] }[] {
  const used = new Map<string, number>();
  return folders.map((folder) => {
    const base = basename(resolve(folder)) || 'slides';
    const n = (used.get(base.toLowerCase()) ?? 0) + 1;
    used.set(base.toLowerCase(), n);
    return { name: n === 1 ? base : `${base}-${n}`, folders: [folder] };
  });
}

/** Pulls `count` patches per domain (domains in turn) and writes each as `<domain>/<index>.png`. */
async function writePatches(
  sampler: PatchSampler,
  count: number,
  out: string,
  manifest: ManifestWriter<SampleManifestRecord>,
  sheet: ContactSheetPatch[],
): Promise<PatchProvenance[]> {
  const written: PatchProvenance[] = [];
  const remaining = new Map(sampler.domains.map((d) => [d, count]));
  for (const domain of sampler.domains) await mkdir(join(out, fileSafe(domain)), { recursive: true });
  while ([...remaining.values()].some((n) => n > 0)) {
    for (const domain of sampler.domains) {
      const left = remaining.get(domain)!;
      if (left === 0) continue;
      const batch = await sampler.stream(domain).nextBatch(Math.min(left, PATCHES_PER_REQUEST));
      if (batch === null) throw new Error('the sampler stopped before all patches were written');
      const stride = batch.patchSize * batch.patchSize * 3;
      const records: SampleManifestRecord[] = [];
      for (let i = 0; i < batch.count; i++) {
        const provenance = batch.provenance[i]!;
        const pixels = batch.pixels.slice(i * stride, (i + 1) * stride);
        const file = join(fileSafe(domain), `${String(provenance.sampleIndex).padStart(6, '0')}.png`);
        await sharp(pixels, { raw: { width: batch.patchSize, height: batch.patchSize, channels: 3 } })
          .png()
          .toFile(join(out, file));
        records.push({ file, ...provenance });
        written.push(provenance);
        if (sheet.length < CONTACT_SHEET_MAX) sheet.push({ pixels, provenance });
      }
      manifest.append(records);
      remaining.set(domain, left - batch.count);
    }
  }
  return written;
}

/** Thumbnails (512 px long side) of the slides on the contact sheet. */
async function thumbnailsOf(patches: readonly ContactSheetPatch[]): Promise<Map<string, SlideThumbnail>> {
  const thumbnails = new Map<string, SlideThumbnail>();
  for (const path of new Set(patches.map((p) => p.provenance.slidePath))) {
    const slide = await openSlide(path);
    try {
      const image = await readThumbnail(slide, { longSidePx: 512 });
      const { width, height } = slide.info.levels[0]!;
      thumbnails.set(path, { image, level0Width: width, level0Height: height });
    } finally {
      slide.close();
    }
  }
  return thumbnails;
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
