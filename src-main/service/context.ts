import type { SlideCache } from '../core/slide/index.js';
import type { MaskCache } from '../core/tissue/index.js';
import type { DatasetCatalog } from './datasets/dataset-catalog.js';
import type { EventBus } from './events.js';
import type { TranslationRegistry } from './inference/translation-registry.js';
import type { JobRegistry } from './jobs.js';
import type { Workspace } from './workspace/workspace.js';

/** Where the service keeps its files, and which folders the user may add. */
export interface ServiceOptions {
  /** Workspace state (`workspace.json`). */
  readonly stateDir: string;
  /** Mask and thumbnail cache; never inside a slide folder. */
  readonly cacheDir: string;
  /** Where new run folders are created. */
  readonly runsDir: string;
  /**
   * Folders the user may add slide folders from (server mode); null: any folder (Electron, where folders
   * come from the native dialog or a drop).
   */
  readonly pickRoots: readonly string[] | null;
  /** Where warnings go (the CLI's stderr, the Electron log). */
  readonly warn?: (message: string) => void;
}

/** What every area of the service shares. */
export interface ServiceContext {
  readonly options: ServiceOptions;
  /**
   * The pick roots as real paths: the very list `options.pickRoots` and the workspace read, so roots the
   * Electron shell allows later (`Service.allowRoots`) count everywhere at once. null: any folder.
   */
  readonly pickRoots: string[] | null;
  readonly workspace: Workspace;
  readonly events: EventBus;
  readonly jobs: JobRegistry;
  /** Open slides for the UI's reads (LRU, bounded). */
  readonly slides: SlideCache;
  /** Tissue masks and UI thumbnails in the cache folder. */
  readonly maskCache: MaskCache;
  /** The slides of each domain. */
  readonly catalog: DatasetCatalog;
  /** The translations the service wrote: listed by inference, openable by slides. */
  readonly translations: TranslationRegistry;
}
