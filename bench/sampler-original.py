"""The original tool's per-patch work, as a baseline for bench/sampler.ts (run with /usr/bin/python3).

For every patch, as SarderLab's tf-WSI-dataset-utils did: reopen the slide, re-read the mask PNG, pick a
tissue pixel uniformly, read at the best level for downsample + 0.1 with the scale rounded to an integer
level factor, resize with PIL (its default filter), and with augment 1 apply a colour shift (HSV hue,
Lab L gamma on 0..100, as the original) and a piecewise affine warp (8x8 grid, sigma size/80, 2 px pad).

scikit-image is not installed here, so its piecewise affine warp is rebuilt in numpy with the same
per-triangle loop (the triangle lookup is cheaper on the regular grid than its Delaunay search, and the
colour conversions use OpenCV rather than scikit-image's float64 ones): if anything, generous to the original.

Usage: sampler-original.py SLIDE MASK_PNG PATCHES PATCH_SIZE DOWNSAMPLE AUGMENT SEED
Prints one JSON object: patches, seconds, patchesPerSecond, cpuSeconds (of the timed loop).
"""

import json
import sys
import time

import cv2
import numpy as np
import openslide
from PIL import Image


def colour_shift(patch, rng):
    hsv = cv2.cvtColor(patch.astype(np.float32) / 255.0, cv2.COLOR_RGB2HSV)
    hsv[:, :, 0] = np.clip(hsv[:, :, 0] + rng.normal(0, 0.025) * 360.0, 0, 360)
    rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    lab[:, :, 0] = np.clip(lab[:, :, 0], 0, 100) ** rng.normal(1, 0.015)
    rgb = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    return np.clip(rgb * 255.0 + 0.5, 0, 255).astype(np.uint8)


def piecewise_affine(patch, rng, grid=8, pad=2):
    """scikit-image's PiecewiseAffineTransform + warp, as the original used it, in numpy: the regular
    grid is split into two triangles per cell, and each triangle's affine map is applied to the output
    pixels inside it, one triangle at a time (scikit-image's loop)."""
    size = patch.shape[0]
    padded = np.pad(patch, ((pad, pad), (pad, pad), (0, 0)), mode='reflect')
    side = padded.shape[0]
    lin = np.linspace(0, side - 1, grid)
    grid_x, grid_y = np.meshgrid(lin, lin)
    src = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
    dst = src + rng.normal(0, size / 80.0, src.shape)
    for axis in (0, 1):  # edge points move only along their edge
        edge = (src[:, axis] == 0) | (src[:, axis] == side - 1)
        dst[edge, axis] = src[edge, axis]
    cell = (side - 1) / (grid - 1)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float64)
    cx = np.minimum((xx / cell).astype(int), grid - 2)
    cy = np.minimum((yy / cell).astype(int), grid - 2)
    upper = (xx / cell - cx) + (yy / cell - cy) > 1
    simplex = 2 * (cy * (grid - 1) + cx) + upper
    map_x = np.empty((side, side))
    map_y = np.empty((side, side))
    for row in range(grid - 1):
        for col in range(grid - 1):
            i00, i10 = row * grid + col, row * grid + col + 1
            i01, i11 = i00 + grid, i10 + grid
            for half, triangle in enumerate(([i00, i10, i01], [i10, i11, i01])):
                corners = np.hstack([src[triangle], np.ones((3, 1))])
                affine = np.linalg.solve(corners, dst[triangle])
                inside = simplex == 2 * (row * (grid - 1) + col) + half
                points = np.stack([xx[inside], yy[inside], np.ones(inside.sum())], axis=1) @ affine
                map_x[inside] = points[:, 0]
                map_y[inside] = points[:, 1]
    warped = cv2.remap(
        padded, map_x.astype(np.float32), map_y.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )
    return warped[pad : pad + size, pad : pad + size]


def random_patch(slide_path, mask_path, patch_size, downsample, augment, rng):
    wsi = openslide.OpenSlide(slide_path)
    try:
        mask = np.array(Image.open(mask_path))
        tissue = np.argwhere(mask > 0)
        row, col = tissue[rng.integers(len(tissue))]
        width, height = wsi.level_dimensions[0]
        x = int(col * width / mask.shape[1])
        y = int(row * height / mask.shape[0])
        level = wsi.get_best_level_for_downsample(downsample + 0.1)
        level_factor = int(round(wsi.level_downsamples[level]))
        read_size = int(patch_size * downsample / level_factor)
        half = read_size * level_factor // 2
        region = wsi.read_region((x - half, y - half), level, (read_size, read_size)).convert('RGB')
        patch = np.array(region.resize((patch_size, patch_size)))
    finally:
        wsi.close()
    if rng.random() < augment:
        patch = piecewise_affine(colour_shift(patch, rng), rng)
    return patch


def main():
    slide_path, mask_path = sys.argv[1], sys.argv[2]
    patches, patch_size = int(sys.argv[3]), int(sys.argv[4])
    downsample, augment, seed = float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
    rng = np.random.default_rng(seed)
    random_patch(slide_path, mask_path, patch_size, downsample, augment, rng)  # warm-up, untimed
    started = time.perf_counter()
    cpu_started = time.process_time()
    checksum = 0
    for _ in range(patches):
        checksum += int(random_patch(slide_path, mask_path, patch_size, downsample, augment, rng)[0, 0, 0])
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    print(
        json.dumps(
            {
                'patches': patches,
                'seconds': seconds,
                'patchesPerSecond': patches / seconds,
                'cpuSeconds': cpu_seconds,
                'checksum': checksum,
            }
        )
    )


if __name__ == '__main__':
    main()
