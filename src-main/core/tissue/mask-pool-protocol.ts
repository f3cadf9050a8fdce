import type { SlideMaskReport } from './build-mask.js';
import type { TissueMaskParameters } from './tissue-mask.js';

/** What every mask worker is started with. */
export interface MaskWorkerData {
  readonly cacheDir: string;
  /** Folder for thumbnail + outline PNGs, or null for none. */
  readonly overlayDir: string | null;
  readonly writeUiThumbnail: boolean;
}

/** Main thread -> worker. */
export type MaskWorkerRequest =
  | { readonly type: 'build'; readonly path: string; readonly params: TissueMaskParameters }
  | { readonly type: 'exit' };

/** Worker -> main thread. */
export type MaskWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'started'; readonly path: string }
  | { readonly type: 'result'; readonly report: SlideMaskReport; readonly overlayError: string | null };
