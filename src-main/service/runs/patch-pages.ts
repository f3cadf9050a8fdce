import type { PatchesRequest, PatchesResponse } from '../../contract/index.js';
import { readJsonl } from '../../core/training/runs/jsonl.js';
import { runPaths } from '../../core/training/runs/layout.js';
import { toPatchProvenance } from './provenance.js';

/**
 * A page of a run's patch manifest, newest first, filtered by domain and slide. Streams the file once
 * and keeps only the last `offset + limit` matches, so a manifest of millions of lines costs no memory.
 */
export async function readPatchPage(runDir: string, request: PatchesRequest): Promise<PatchesResponse> {
  const offset = request.offset ?? 0;
  const limit = request.limit ?? 100;
  const keep = offset + limit;
  const ring: Record<string, unknown>[] = [];
  let total = 0;
  try {
    for await (const record of readJsonl<Record<string, unknown>>(runPaths(runDir).patches)) {
      if (request.domain !== undefined && record['domain'] !== request.domain) continue;
      if (request.slidePath !== undefined && record['slidePath'] !== request.slidePath) continue;
      total++;
      ring.push(record);
      if (ring.length > keep) ring.shift();
    }
  } catch (error) {
    // A run that has not fed a patch yet has no manifest.
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  const newestFirst = ring.reverse().slice(offset, offset + limit);
  return { total, patches: newestFirst.map((record) => toPatchProvenance(record, null)) };
}
