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
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image
from qrcode import util

# The finder-like pattern of the third rule (dark : light : dark × 3 : light : dark, 1:1:3:1:1)
# with four light modules after it, and before it.
_FINDER_THEN_LIGHT = np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool)
_LIGHT_THEN_FINDER = _FINDER_THEN_LIGHT[::-1].copy()


class QRCode(qrcode.QRCode):
    """qrcode.QRCode whose `best_mask_pattern` scores the eight masks at once."""

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
        return int(np.argmin(penalties(candidates)))


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
    lines = np.concatenate((symbols, symbols.transpose(0, 2, 1)), axis=1)
    windows = sliding_window_view(lines, 11, axis=2)  # (k, 2n, n − 10, 11)
    found = (windows == _FINDER_THEN_LIGHT).all(axis=3) | (windows == _LIGHT_THEN_FINDER).all(axis=3)
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
