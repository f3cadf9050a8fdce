import { parentPort, workerData } from 'node:worker_threads';
import { augmentPatch } from '../../../../../src-main/core/sampling/augment/pipeline.js';
import type { PatchImage } from '../../../../../src-main/core/sampling/patch-image.js';
import { resizePatch } from '../../../../../src-main/core/sampling/resize.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';

// What a sampler worker does with a footprint: default resize, then the seeded augmentation pipeline.
const { footprint, seed } = workerData as { footprint: PatchImage; seed: number };
const resized = await resizePatch(footprint, 256, 256);
const { image, record } = augmentPatch(resized, new Rng(seed), { probability: 1 });
parentPort?.postMessage({ image, record });
