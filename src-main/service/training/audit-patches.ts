import sharp from 'sharp';
import type { AuditPatch } from '../../contract/index.js';
import type { FedPatches } from '../../core/training/trainer/training-job.js';
import { toPatchProvenance } from '../runs/provenance.js';

/** Gallery images are at most this side (the patch itself when smaller). */
const maxSidePx = 128;

/**
 * The patches one step consumed, as gallery entries: each with its provenance and a small JPEG of what
 * the network saw (after augmentation). `accept` thins the stream (the gallery needs a sample of it).
 */
export async function auditPatches(
  fed: FedPatches,
  accept: (domain: string) => boolean,
): Promise<AuditPatch[]> {
  const out: AuditPatch[] = [];
  for (const batch of fed.batches) {
    const patchBytes = batch.sizePx * batch.sizePx * 3;
    for (let i = 0; i < batch.count; i++) {
      if (!accept(batch.domain)) continue;
      const record = batch.provenance[i] as unknown as Readonly<Record<string, unknown>>;
      const pixels = batch.pixels.subarray(i * patchBytes, (i + 1) * patchBytes);
      const side = Math.min(batch.sizePx, maxSidePx);
      const bytes = await sharp(pixels, { raw: { width: batch.sizePx, height: batch.sizePx, channels: 3 } })
        .resize(side, side, { kernel: 'lanczos3' })
        .jpeg({ quality: 88 })
        .toBuffer();
      out.push({
        provenance: toPatchProvenance(record, fed.step),
        image: { mime: 'image/jpeg', widthPx: side, heightPx: side, bytes },
      });
    }
  }
  return out;
}
