"""Independent reference for the golden test: SPEC 1.1-1.4 from the slide file, with OpenSlide's Python
binding (the thumbnail), Pillow (compositing, resizing) and OpenCV (blur, Otsu, erosion); nothing of ours.

Usage: /usr/bin/python3 reference_mask.py <slide> <mask-out.png> [<thumbnail-out.png>]
Prints {"threshold": t, "tissueFraction": f, "width": w, "height": h, "level": l} as JSON. The mask is
written 8-bit, tissue = 255.
"""
import json
import math
import sys

import cv2
import numpy as np
import openslide
from PIL import Image

THUMBNAIL_LONG_SIDE_PX = 2000


def background_rgb(slide: openslide.OpenSlide) -> tuple:
    # SPEC 1.1: the slide's background colour, white when it names none.
    value = slide.properties.get(openslide.PROPERTY_NAME_BACKGROUND_COLOR)
    if not value:
        return (255, 255, 255)
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def thumbnail(slide: openslide.OpenSlide) -> tuple:
    # SPEC 1.1: long side min(2000, level-0 long side), aspect kept, read from the best pyramid level.
    width0, height0 = slide.dimensions
    long_side = max(width0, height0)
    target = min(THUMBNAIL_LONG_SIDE_PX, long_side)
    scale = target / long_side
    size = (max(1, math.floor(width0 * scale + 0.5)), max(1, math.floor(height0 * scale + 0.5)))
    level = slide.get_best_level_for_downsample(long_side / target)
    region = slide.read_region((0, 0), level, slide.level_dimensions[level])
    # Transparent areas (outside the scanned region) composited on the background colour.
    canvas = Image.new("RGBA", region.size, background_rgb(slide) + (255,))
    rgb = Image.alpha_composite(canvas, region).convert("RGB")
    lanczos = getattr(Image, "Resampling", Image).LANCZOS  # Pillow >= 9.1 names it Resampling.LANCZOS
    return (rgb if rgb.size == size else rgb.resize(size, lanczos)), level


def main(slide_path: str, mask_path: str, thumbnail_path: str = "") -> None:
    slide = openslide.OpenSlide(slide_path)
    image, level = thumbnail(slide)
    if thumbnail_path:
        image.save(thumbnail_path)
    rgb = np.asarray(image)
    # SPEC 1.2: Gaussian blur, sigma 10 thumbnail pixels (kernel size from sigma, OpenCV's default border).
    red = cv2.GaussianBlur(np.ascontiguousarray(rgb[:, :, 0]), (0, 0), 10)
    # SPEC 1.3: Otsu on the red channel; brighter than the threshold is background (255 here).
    threshold, background = cv2.threshold(red, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # SPEC 1.4: erode the background with a 5x5 square, once.
    background = cv2.erode(background, np.ones((5, 5), np.uint8), iterations=1)
    tissue = np.where(background == 0, 255, 0).astype(np.uint8)
    Image.fromarray(tissue).save(mask_path)
    print(
        json.dumps(
            {
                "threshold": float(threshold),
                "tissueFraction": float((tissue > 0).mean()),
                "width": image.size[0],
                "height": image.size[1],
                "level": level,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
