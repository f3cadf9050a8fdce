"""Independent reference for the golden test: SPEC 1.2-1.4 with OpenCV, on a thumbnail PNG (SPEC 1.1).

Usage: /usr/bin/python3 reference_mask.py <thumbnail.png> <mask-out.png>
Prints {"threshold": t, "tissueFraction": f} as JSON. The mask is written 8-bit, tissue = 255.
"""
import json
import sys

import cv2
import numpy as np
from PIL import Image


def main(thumbnail_path: str, mask_path: str) -> None:
    rgb = np.asarray(Image.open(thumbnail_path).convert("RGB"))
    # SPEC 1.2: Gaussian blur, sigma 10 thumbnail pixels (kernel size from sigma, OpenCV's default border).
    red = cv2.GaussianBlur(rgb[:, :, 0], (0, 0), 10)
    # SPEC 1.3: Otsu on the red channel; brighter than the threshold is background (255 here).
    threshold, background = cv2.threshold(red, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # SPEC 1.4: erode the background with a 5x5 square, once.
    background = cv2.erode(background, np.ones((5, 5), np.uint8), iterations=1)
    tissue = np.where(background == 0, 255, 0).astype(np.uint8)
    Image.fromarray(tissue).save(mask_path)
    print(json.dumps({"threshold": float(threshold), "tissueFraction": float((tissue > 0).mean())}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
