import { readJsonl } from './jsonl.js';
import { runPaths } from './layout.js';

/**
 * One line of `patches.jsonl`: a patch the trainer was fed, with the step that consumed it and the
 * sampler's provenance record (slide, level, level-0 footprint, downsample, tissue fraction,
 * augmentation parameters, seeds).
 */
export interface FedPatch {
  readonly step: number;
  readonly domain: string;
  readonly slidePath: string;
  /** Further provenance fields (level, level0X, ..., augmentation). */
  readonly [field: string]: unknown;
}

export interface PatchesPageOptions {
  /** Records to skip (after filtering). Default 0. */
  readonly offset?: number;
  /** Records to return at most. Default 100. */
  readonly limit?: number;
  readonly domain?: string;
  readonly step?: number;
}

export interface PatchesPage {
  readonly patches: FedPatch[];
  /** Offset of the next page, or null when this page reaches the end. */
  readonly nextOffset: number | null;
}

/** A page of the patch manifest (streamed: the file holds every patch of the run). */
export async function readPatchesPage(
  runDir: string,
  options: Readonly<PatchesPageOptions> = {},
): Promise<PatchesPage> {
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const limit = Math.max(1, Math.floor(options.limit ?? 100));
  const patches: FedPatch[] = [];
  let seen = 0;
  for await (const p of readJsonl<FedPatch>(runPaths(runDir).patches)) {
    if (options.domain !== undefined && p.domain !== options.domain) continue;
    if (options.step !== undefined && p.step !== options.step) continue;
    if (seen++ < offset) continue;
    if (patches.length === limit) return { patches, nextOffset: offset + limit };
    patches.push(p);
  }
  return { patches, nextOffset: null };
}
