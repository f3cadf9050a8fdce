import type { DomainConfig, FieldOfView } from '../../config/training-config.js';
import { buildSlideCatalog } from '../../dataset/catalog.js';
import { validateDataset } from '../../dataset/dataset.js';
import { samplerDatasetFromMasks } from '../../sampling/mask-dataset.js';
import type { SamplerDomain, SlideTissueReport } from '../../sampling/patch-sampler.js';
import { openSlide } from '../../slide/index.js';
import { loadTissueIndex } from '../../tissue/load-tissue-index.js';
import { MaskCache } from '../../tissue/mask-cache.js';
import { buildMasks, type MaskRequest } from '../../tissue/mask-pool.js';
import { resolveTissueMaskParameters } from '../../tissue/tissue-mask.js';
import { TrainingError } from '../errors.js';
import type { DataEvent } from './batch-source.js';

export interface PrepareSlidesOptions {
  /** Where masks are cached (never beside the slides). */
  readonly cacheDir: string;
  /** Mask worker threads (default: the mask pool's). */
  readonly maskWorkers?: number;
}

/** The training data, ready for samplers: each domain's slides and every slide's mask outcome. */
export interface PreparedSlides {
  readonly domains: readonly SamplerDomain[];
  /** One report per slide, usable or with the reason it is left out, in dataset order. */
  readonly reports: readonly SlideTissueReport[];
  /** Slides left out (already reported as `excluded` events). */
  readonly excluded: readonly string[];
}

/**
 * Finds the slides of every domain, builds (or reads from the cache) their tissue masks in parallel, each
 * domain's with its own detector (SPEC 1.9) in one pool, and checks that every domain has at least one
 * slide the sampler can use, before any training starts.
 * Throws DatasetError for a bad dataset definition and TrainingError 'NO_USABLE_SLIDE' naming the
 * domain and each of its slides with the reason (none found, unreadable, no tissue, no mpp when the
 * field of view is given in microns per pixel).
 */
export async function prepareSlides(
  domains: readonly DomainConfig[],
  scale: FieldOfView,
  options: Readonly<PrepareSlidesOptions>,
  hooks: Readonly<{ signal: AbortSignal; onEvent: (event: DataEvent) => void }>,
): Promise<PreparedSlides> {
  const { signal, onEvent } = hooks;
  const dataset = validateDataset({ domains: domains.map(({ name, folders }) => ({ name, folders })) });
  const catalog = await buildSlideCatalog(dataset, { openSlide: (p) => openSlide(p) });
  for (const domain of catalog.domains) {
    for (const problem of domain.problems) {
      onEvent({ kind: 'problem', message: problem.reason, path: problem.path, domain: domain.name });
    }
    if (domain.slides.length === 0) {
      const why = domain.problems.map((p) => `\n  ${p.reason}`).join('');
      throw new TrainingError(
        'NO_USABLE_SLIDE',
        `Domain '${domain.name}' has no slide in ${domain.folders.join(', ')}${why}`,
        domain.folders[0] ?? null,
      );
    }
    for (const slide of domain.slides) {
      onEvent({ kind: 'slide', message: slide.path, path: slide.path, domain: domain.name });
    }
  }
  signal.throwIfAborted();
  const cache = new MaskCache({ cacheDir: options.cacheDir });
  // The catalog lists a slide in one domain only (a copy in another is left out as a duplicate), so a
  // slide's path names its domain and its domain's detector.
  const detectorOf = new Map(domains.map((d) => [d.name, d.detector] as const));
  const domainOf = new Map(catalog.domains.flatMap((d) => d.slides.map((s) => [s.path, d.name] as const)));
  const requests: MaskRequest[] = catalog.domains.flatMap((d) => {
    const params = resolveTissueMaskParameters({ detector: detectorOf.get(d.name) ?? 'otsu-red' });
    return d.slides.map((s) => ({ path: s.path, params }));
  });
  const masks = buildMasks(
    requests,
    {
      cacheDir: options.cacheDir,
      writeUiThumbnail: true,
      ...(options.maskWorkers !== undefined && { workers: options.maskWorkers }),
    },
    (event) => {
      if (event.type === 'started') return;
      const r = event.report;
      const domain = domainOf.get(r.path)!;
      const fraction = r.metadata ? ` ${(r.metadata.tissueFraction * 100).toFixed(1)}% tissue` : '';
      const how = event.type === 'cached' ? 'from cache' : event.type === 'failed' ? 'unreadable' : 'built';
      onEvent({
        kind: 'mask',
        message:
          `${r.path}: ${r.outcome}${fraction} ` +
          `(${domain}: ${event.params.detector}; ${how}, ${Math.round(r.ms)} ms)`,
        path: r.path,
        domain,
      });
    },
  );
  const cancel = (): void => void masks.cancel();
  signal.addEventListener('abort', cancel);
  const byPath = new Map<string, SlideTissueReport>();
  try {
    const samplerData = samplerDatasetFromMasks({
      catalog,
      masks: masks.results(),
      loadIndex: (report) => loadTissueIndex(report, cache),
      openSlide: (p) => openSlide(p),
    });
    for await (const report of samplerData.reports) byPath.set(report.path, report);
    await masks.done;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
  signal.throwIfAborted();
  const samplerDomains = catalog.domains.map((d) => ({
    name: d.name,
    slidePaths: d.slides.map((s) => s.path),
  }));
  const reports = samplerDomains.flatMap((d) =>
    d.slidePaths.map((p) => byPath.get(p)).filter((r) => r !== undefined),
  );
  const excluded = samplerDomains.flatMap((domain) => checkDomain(domain, reports, scale, onEvent));
  return { domains: samplerDomains, reports, excluded };
}

/**
 * A domain must keep at least one usable slide; with an mpp field of view, one with mpp metadata.
 * Reports each slide left out and returns their paths.
 */
function checkDomain(
  domain: SamplerDomain,
  reports: readonly SlideTissueReport[],
  scale: FieldOfView,
  onEvent: (event: DataEvent) => void,
): string[] {
  const excluded: string[] = [];
  const reasons: string[] = [];
  let usable = 0;
  for (const path of domain.slidePaths) {
    const r = reports.find((x) => x.path === path);
    let reason: string | null = null;
    if (r === undefined) reason = `${path}: its mask was not built`;
    else if (!r.usable) reason = r.message.startsWith(path) ? r.message : `${path}: ${r.message}`;
    else if (scale.kind === 'mpp' && r.mppX === null) {
      reason = `${path}: has no mpp metadata (openslide.mpp-x), so --mpp ${scale.mpp} cannot be applied`;
    }
    if (reason === null) usable++;
    else {
      reasons.push(reason);
      excluded.push(path);
      onEvent({ kind: 'excluded', message: reason, path, domain: domain.name });
    }
  }
  if (usable === 0) {
    throw new TrainingError(
      'NO_USABLE_SLIDE',
      `Domain '${domain.name}' has no usable slide:${reasons.map((r) => `\n  ${r}`).join('')}`,
      domain.slidePaths[0] ?? null,
    );
  }
  return excluded;
}
