"""OpenCV's GaussianBlur of one raw 8-bit channel, for the blur's exactness test.

Usage: /usr/bin/python3 reference_blur.py <in.raw> <width> <height> <sigma> <out.raw>
"""
import sys

import cv2
import numpy as np


def main(in_path: str, width: str, height: str, sigma: str, out_path: str) -> None:
    channel = np.fromfile(in_path, dtype=np.uint8).reshape(int(height), int(width))
    cv2.GaussianBlur(channel, (0, 0), float(sigma)).tofile(out_path)


if __name__ == "__main__":
    main(*sys.argv[1:])
