/** Datasets: named domains (stains) of slide folders, slide discovery and the slide catalog. */
export { validateDataset, type DatasetDefinition, type DomainDefinition } from './dataset.js';
export { DatasetError, type DatasetErrorCode } from './errors.js';
export {
  discoverSlides,
  type DiscoveredSlide,
  type DiscoveryOptions,
  type DiscoveryProblem,
  type DiscoveryProblemKind,
  type DiscoveryResult,
} from './discovery.js';
export { buildSlideCatalog, type CatalogDomain, type SlideCatalog } from './catalog.js';
