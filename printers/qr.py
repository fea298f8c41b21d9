"""qrcode's QR code with its mask chosen the same way, a few times faster.

A QR code's data is XOR-ed with one of eight masks; the encoder picks the mask whose symbol scores
fewest penalty points (ISO/IEC 18004 §7.8.3: long runs, 2 × 2 blocks, finder-like patterns, a
lopsided dark share), so that scanners read it easily. qrcode builds and scores the whole symbol
eight times in pure Python, ~4 ms of the ~5 ms a ticket's QR code costs. Here the symbol is built
once; the eight candidates are that one XOR-ed with each mask over its data cells, scored at once
with numpy by qrcode's own rules (`qrcode.util.lost_point`, held equal in
tests/unit/test_qr.py), and the mask qrcode would pick is the one used.
"""
from __future__ import annotations

import functools

import numpy as np
import qrcode
from PIL import Image
from qrcode import util

# The finder-like pattern of the third rule (dark : light : dark × 3 : light : dark, 1:1:3:1:1)
# with four light modules after it, and before it.
_FINDER_THEN_LIGHT = 0b10111010000
_LIGHT_THEN_FINDER = 0b00001011101


class QRCode(qrcode.QRCode):
    """qrcode.QRCode whose `best_mask_pattern` scores the eight masks at once."""

    _scored = None  # (version, the eight candidates) of the last scoring

    def map_data(self, data, mask_pattern):
        # the cells left empty for data are those the mask applies to
        self._data_cells = np.array([[cell is None for cell in row] for row in self.modules], dtype=bool)
        super().map_data(data, mask_pattern)

    def best_mask_pattern(self) -> int:
        """The mask qrcode's own `best_mask_pattern` picks: the first of the lowest penalty."""
        self.makeImpl(True, 0)  # as qrcode scores them: format and version cells all light
        symbol = np.array(self.modules, dtype=bool)
        masks = mask_grids(self.modules_count) & self._data_cells  # (8, n, n)
        candidates = (symbol ^ masks[0]) ^ masks  # the data unmasked, then each mask applied
        self._scored = (self.version, candidates)
        return int(np.argmin(penalties(candidates)))

    def makeImpl(self, test, mask_pattern):
        if test or self._scored is None or self._scored[0] != self.version:
            return super().makeImpl(test, mask_pattern)
        # the chosen candidate is the symbol but for its format and version cells: write those
        self.modules_count = self.version * 4 + 17
        self.modules = self._scored[1][mask_pattern].tolist()
        self._scored = None
        self.setup_type_info(False, mask_pattern)
        if self.version >= 7:
            self.setup_type_number(False)


@functools.cache
def mask_grids(size: int) -> np.ndarray:
    """Where each of the eight masks turns a module over, by qrcode's mask functions: (8, size, size)."""
    return np.array([[[util.mask_func(k)(i, j) for j in range(size)] for i in range(size)] for k in range(8)],
                    dtype=bool)


def penalties(symbols: np.ndarray) -> list[int]:
    """`qrcode.util.lost_point` of each symbol of a stack (k, n, n), in order."""
    total = _runs(symbols) + _blocks(symbols) + _finder_like(symbols) + _dark_share(symbols)
    return [int(points) for points in total]


def _runs(symbols: np.ndarray) -> np.ndarray:
    """Rule 1: a run of five or more modules alike in a row or column scores its length − 2."""
    k, n, _ = symbols.shape
    lines = np.concatenate((symbols, symbols.transpose(0, 2, 1)), axis=1)  # (k, 2n, n)
    edges = np.ones((k, 2 * n, n + 1), dtype=bool)
    edges[:, :, 1:-1] = lines[:, :, 1:] != lines[:, :, :-1]
    # the edges' positions in the flattened stack: a line's last edge and the next line's first
    # are one apart, so the differences are the runs' lengths plus harmless ones
    at = np.flatnonzero(edges)
    lengths = np.diff(at)
    long = lengths >= 5
    return np.bincount(at[1:][long] // (2 * n * (n + 1)), weights=lengths[long] - 2, minlength=k).astype(int)


def _blocks(symbols: np.ndarray) -> np.ndarray:
    """Rule 2: three for every 2 × 2 block of one colour (overlapping blocks each count)."""
    corner = symbols[:, :-1, :-1]
    same = (corner == symbols[:, 1:, :-1]) & (corner == symbols[:, :-1, 1:]) & (corner == symbols[:, 1:, 1:])
    return 3 * same.sum(axis=(1, 2))


def _finder_like(symbols: np.ndarray) -> np.ndarray:
    """Rule 3: forty for every finder-like pattern with four light modules on one side, in rows and columns."""
    lines = np.concatenate((symbols, symbols.transpose(0, 2, 1)), axis=1).astype(np.int16)
    width = lines.shape[2] - 10
    window = np.zeros(lines.shape[:2] + (width,), dtype=np.int16)  # each run of 11 modules as an 11-bit number
    for t in range(11):
        window = (window << 1) | lines[:, :, t:t + width]
    found = (window == _FINDER_THEN_LIGHT) | (window == _LIGHT_THEN_FINDER)
    return 40 * found.sum(axis=(1, 2))


def _dark_share(symbols: np.ndarray) -> np.ndarray:
    """Rule 4: ten for every whole 5% the dark share strays from half (qrcode's arithmetic)."""
    size = symbols.shape[1] ** 2
    return np.array([int(abs(float(int(dark)) / size * 100 - 50) / 5) * 10 for dark in symbols.sum(axis=(1, 2))])


def picture(code: qrcode.QRCode) -> Image.Image:
    """The symbol with its border as a 1-bit image, `box_size` pixels a module: the image qrcode's
    PIL factory draws (`make_image().get_image().convert("1")`), without drawing box by box."""
    light = ~np.array(code.get_matrix(), dtype=bool)
    pixels = np.repeat(np.repeat(light, code.box_size, axis=0), code.box_size, axis=1)
    return Image.fromarray(pixels)  # a bool array makes a mode "1" image: True is white
