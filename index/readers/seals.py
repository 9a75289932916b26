"""Red seals on a scanned page: where they are, and the page with their ink lifted so the print under them reads.

A Vietnamese document's signature block is stamped with a round red seal (often pink once scanned as JPEG)
over the role lines and the signer's name; on the greyscale page the seal's ink is as dark as the print and
Tesseract reads neither. Seals are found as clusters of red-dominant pixels a few centimetres across in both
directions, so a red Party header (a wide, short line of red letters) is not one and keeps its ink.
Nor is a red frame around one line of words, however askew: the độ mật and độ khẩn stamps ("MẬT", "KHẨN": 20 x 8 mm
by the regulations) are words of the document, which the ingest checks must see. A seal is round: no straight lines
of ink bound it on two opposite sides, as a frame's do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

__all__ = ["Box", "seal_boxes", "lifted", "redness"]

_REDNESS = 15  # red above both green and blue by this much: the seal's ink, even faded to pink by JPEG
_CELL_MM = 2.0  # the red mask is summarised in cells this wide: a seal's thin ring stays one cluster
_MIN_SEAL_MM = 15.0  # a seal is 30-45 mm across; one cut by the page edge or the scanner's crop still spans 15
_MAX_SEAL_MM = 70.0
_MIN_FILL = 0.15  # share of the cluster's bounding cells that hold red ink: a ring of letters, not a stray line
_FRAME_SIDE_MM = 1.5  # a frame's side is looked for this far in from the outermost ink: its line, and a tilt's drift
_FRAME_COVER = 0.75  # share of the cluster's length a side's ink covers: a frame's ~1, a seal's outer edge 0.25-0.55
_STAMP_LINE_MM = 15.0  # a frame at most this tall holds one line of words; a taller one, as the 50 x 30 mm "ĐẾN"
# receipt stamp filled in by hand, is lifted like a seal


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    def grown(self, factor: float, width: int, height: int) -> Box:
        """The box widened by `factor` of its size on every side, kept on the page."""
        dx, dy = round((self.right - self.left) * factor), round((self.bottom - self.top) * factor)
        return Box(max(0, self.left - dx), max(0, self.top - dy), min(width, self.right + dx), min(height, self.bottom + dy))

    def holds(self, x: float, y: float) -> bool:
        return self.left <= x < self.right and self.top <= y < self.bottom


def redness(rgb: np.ndarray) -> np.ndarray:
    """How much redder than green and blue each pixel is (0 for grey, black, blue)."""
    channels = rgb.astype(np.int16)
    return np.clip(channels[..., 0] - np.maximum(channels[..., 1], channels[..., 2]), 0, 255)


def seal_boxes(page: Image.Image, dpi: int) -> list[Box]:
    """Bounding boxes (page pixels) of the red seals on a colour page; none on a greyscale one."""
    if page.mode != "RGB":
        return []
    cell = max(4, round(_CELL_MM / 25.4 * dpi))
    red = redness(np.asarray(page)) > _REDNESS
    rows, columns = red.shape[0] // cell, red.shape[1] // cell
    if not rows or not columns:
        return []
    counts = red[: rows * cell, : columns * cell].reshape(rows, cell, columns, cell).sum(axis=(1, 3))
    inked = counts >= 3  # JPEG's colour fringes around black letters leave a red pixel or two, not three in a cell
    if inked.sum() < 4:
        return []
    boxes = []
    for top, left, bottom, right, filled in _clusters(inked):
        across_mm = np.array([right - left, bottom - top]) * cell / dpi * 25.4
        if across_mm.max() < _MIN_SEAL_MM or across_mm.max() > _MAX_SEAL_MM or across_mm.min() < 0.4 * across_mm.max():
            continue
        if filled < _MIN_FILL * (right - left) * (bottom - top):
            continue
        box = Box(left * cell, top * cell, right * cell, bottom * cell)
        if _framed_line(red[box.top: box.bottom, box.left: box.right], dpi):
            continue
        boxes.append(box)
    return boxes


def _framed_line(red: np.ndarray, dpi: int) -> bool:
    """Whether a cluster's red ink is a frame around one line of words: at some angle (tried every 2 degrees, for a
    stamp pressed askew), straight lines of ink bound it on both sides, at most _STAMP_LINE_MM apart.

    A side is the ink within _FRAME_SIDE_MM of the outermost; it is a line when, in bins of a quarter millimetre, it
    covers _FRAME_COVER of the cluster's length. A seal's ring meets such a strip over a third of its width, and
    where a seal is cut (by the page edge, or a sheet laid over it) no ink runs along the cut."""
    ys, xs = np.nonzero(red)
    if len(xs) < 50:
        return False
    pixel_mm = 25.4 / dpi
    side = _FRAME_SIDE_MM / pixel_mm
    step = max(1.0, 0.25 / pixel_mm)
    for degrees in range(0, 180, 2):
        angle = math.radians(degrees)
        across = xs * math.cos(angle) + ys * math.sin(angle)
        along = ys * math.cos(angle) - xs * math.sin(angle)
        low, high = np.percentile(across, [0.5, 99.5])  # a speck of red beyond the frame does not move its side
        if (high - low) * pixel_mm > _STAMP_LINE_MM:
            continue
        start, end = np.percentile(along, [0.5, 99.5])
        length = (end - start) // step + 1
        if all(_covered(along[at & (along >= start) & (along <= end)], start, step) >= _FRAME_COVER * length
               for at in (across <= low + side, across >= high - side)):
            return True
    return False


def _covered(positions: np.ndarray, start: float, step: float) -> int:
    """How many bins `step` wide, counted from `start`, hold ink."""
    return len(np.unique(((positions - start) // step).astype(np.int64)))


def _clusters(inked: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """(top, left, bottom, right, cells) of each cluster of inked cells, cells up to two apart joining one."""
    seen = np.zeros_like(inked)
    found = []
    for start in zip(*np.nonzero(inked)):
        if seen[start]:
            continue
        seen[start] = True
        stack, cells = [start], []
        while stack:
            y, x = stack.pop()
            cells.append((y, x))
            near = inked[max(0, y - 2): y + 3, max(0, x - 2): x + 3] & ~seen[max(0, y - 2): y + 3, max(0, x - 2): x + 3]
            for dy, dx in zip(*np.nonzero(near)):
                point = (max(0, y - 2) + dy, max(0, x - 2) + dx)
                seen[point] = True
                stack.append(point)
        ys, xs = np.array(cells).T
        found.append((int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1, len(cells)))
    return found


def lifted(band: Image.Image) -> Image.Image:
    """Greyscale `band` keeping only the dark print: seals (and blue signatures) turn to paper, print to black.

    Each pixel takes its brightest channel, where coloured ink is nearly as light as the paper and black print stays
    dark; the cut between them is halfway from the print's darkness to the seals' own lightness, so a faded pink
    seal on a grey JPEG scan goes as surely as a bright red one on a clean scan."""
    rgb = np.asarray(band.convert("RGB"))
    value = rgb.max(axis=2)
    paper = float(np.percentile(value, 90))
    red = redness(rgb) > _REDNESS
    seal = float(np.median(value[red])) if red.any() else paper
    print_level = float(np.percentile(value, 1))
    cut = min(max((print_level + seal) / 2, 0.3 * paper), 0.6 * paper)
    return Image.fromarray(np.where(value < cut, value, 255).astype(np.uint8))
