import type { DatasetDefinition } from './dataset.js';
import {
  type DiscoveredSlide,
  type DiscoveryOptions,
  type DiscoveryProblem,
  discoverSlides,
} from './discovery.js';

export interface CatalogDomain {
  readonly name: string;
  readonly folders: readonly string[];
  readonly slides: readonly DiscoveredSlide[];
  readonly problems: readonly DiscoveryProblem[];
}

/** The slides of a dataset by domain, with every file or folder that yielded none and why. */
export interface SlideCatalog {
  readonly domains: readonly CatalogDomain[];
}

/**
 * Discovers the slides of every domain. A slide whose content (quickhash) already appeared, in this domain
 * or an earlier one, is reported as a duplicate and left out: it would be sampled twice as often, or in
 * both domains of a CycleGAN.
 */
export async function buildSlideCatalog(
  dataset: DatasetDefinition,
  options: Readonly<DiscoveryOptions>,
): Promise<SlideCatalog> {
  const firstSeen = new Map<string, { path: string; domain: string }>();
  const domains: CatalogDomain[] = [];
  for (const domain of dataset.domains) {
    const found = await discoverSlides(domain.folders, options);
    const slides: DiscoveredSlide[] = [];
    const problems: DiscoveryProblem[] = [...found.problems];
    for (const slide of found.slides) {
      const first = firstSeen.get(slide.quickhash);
      if (first) {
        const where = first.domain === domain.name ? '' : ` in domain "${first.domain}"`;
        problems.push({
          path: slide.path,
          kind: 'duplicate',
          reason: `${slide.path}: same slide as ${first.path}${where}; left out`,
        });
        continue;
      }
      firstSeen.set(slide.quickhash, { path: slide.path, domain: domain.name });
      slides.push(slide);
    }
    domains.push({ name: domain.name, folders: domain.folders, slides, problems });
  }
  return { domains };
}
