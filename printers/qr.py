"""qrcode's QR code with its mask chosen the same way, a few times faster.

A QR code's data is XOR-ed with one of eight masks; the encoder picks the mask whose symbol scores
fewest penalty points (ISO/IEC 18004 §7.8.3: long runs, 2 × 2 blocks, finder-like patterns, a
lopsided dark share), so that scanners read it easily. qrcode builds and scores the whole symbol
eight times in pure Python, ~4 ms of the ~5 ms a ticket's QR code costs. Here the symbol is built
once; the eight candidates are that one XOR-ed with each mask over its data cells, scored at once
with numpy by qrcode's own rules (`qrcode.util.lost_point`, held equal in
tests/unit/test_qr.py), and the mask qrcode would pick is the one used.

The data's codewords are qrcode's too (`create_data`, held equal to `qrcode.util.create_data`),
counted and gathered in one integer rather than written bit by bit into qrcode's BitBuffer, and
each block's error correction found by table look-ups rather than qrcode's Polynomial division:
what was the larger half of a ticket's QR code once the masks were scored at once.
"""
from __future__ import annotations

import functools
from bisect import bisect_left

import numpy as np
import qrcode
from PIL import Image
from qrcode import LUT, base, exceptions, util

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

    def best_fit(self, start=None):
        """qrcode's `best_fit`: the least version from `start` on that holds the data, its length
        counted (`data_bits`) rather than written out."""
        if start is None:
            start = 1
        util.check_version(start)
        mode_sizes = util.mode_sizes_for_version(start)
        needed_bits = sum(4 + mode_sizes[data.mode] + data_bits(data) for data in self.data_list)
        self.version = bisect_left(util.BIT_LIMIT_TABLE[self.error_correction], needed_bits, start)
        if self.version == 41:
            raise exceptions.DataOverflowError()
        if mode_sizes is not util.mode_sizes_for_version(self.version):  # longer length fields: again
            self.best_fit(start=self.version)
        return self.version

    def makeImpl(self, test, mask_pattern):
        if self.data_cache is None:  # what qrcode's makeImpl would compute, computed faster
            self.data_cache = create_data(self.version, self.error_correction, self.data_list)
        if test or self._scored is None or self._scored[0] != self.version:
            return super().makeImpl(test, mask_pattern)
        # the chosen candidate is the symbol but for its format and version cells: write those
        self.modules_count = self.version * 4 + 17
        self.modules = self._scored[1][mask_pattern].tolist()
        self._scored = None
        self.setup_type_info(False, mask_pattern)
        if self.version >= 7:
            self.setup_type_number(False)


def data_bits(data: util.QRData) -> int:
    """The bits `data.write` puts in a buffer (its mode's packing of its characters)."""
    n = len(data)
    if data.mode == util.MODE_NUMBER:
        return 10 * (n // 3) + (util.NUMBER_LENGTH[n % 3] if n % 3 else 0)
    if data.mode == util.MODE_ALPHA_NUM:
        return 11 * (n // 2) + 6 * (n % 2)
    return 8 * n


def create_data(version: int, error_correction: int, data_list: list[util.QRData]) -> list[int]:
    """`qrcode.util.create_data`: the data's codewords (mode, length and packed characters, the
    terminator, padding) then each block's error correction codewords, interleaved."""
    bits = length = 0

    def put(value: int, width: int) -> None:
        nonlocal bits, length
        bits = (bits << width) | (value & ((1 << width) - 1))
        length += width

    for data in data_list:
        put(data.mode, 4)
        put(len(data), util.length_in_bits(data.mode, version))
        chars = data.data
        if data.mode == util.MODE_NUMBER:
            for i in range(0, len(chars), 3):
                put(int(chars[i:i + 3]), util.NUMBER_LENGTH[len(chars[i:i + 3])])
        elif data.mode == util.MODE_ALPHA_NUM:
            for i in range(0, len(chars) - 1, 2):
                put(util.ALPHA_NUM.find(chars[i:i + 1]) * 45 + util.ALPHA_NUM.find(chars[i + 1:i + 2]), 11)
            if len(chars) % 2:
                put(util.ALPHA_NUM.find(chars[-1:]), 6)
        else:
            put(int.from_bytes(chars, "big"), 8 * len(chars))
    blocks = base.rs_blocks(version, error_correction)
    bit_limit = sum(block.data_count * 8 for block in blocks)
    if length > bit_limit:
        raise exceptions.DataOverflowError(
            f"Code length overflow. Data size ({length}) > size available ({bit_limit})")
    put(0, min(bit_limit - length, 4))  # the terminator
    put(0, -length % 8)  # to a whole codeword
    for i in range((bit_limit - length) // 8):
        put(util.PAD1 if i % 2 else util.PAD0, 8)
    codewords = bits.to_bytes(length // 8, "big")
    data_blocks, ec_blocks, at = [], [], 0
    for block in blocks:
        data_blocks.append(codewords[at:at + block.data_count])
        ec_blocks.append(_remainder(data_blocks[-1], block.total_count - block.data_count))
        at += block.data_count
    out = []
    for column in range(max(len(b) for b in data_blocks)):
        out.extend(b[column] for b in data_blocks if column < len(b))
    for column in range(max(len(b) for b in ec_blocks)):
        out.extend(b[column] for b in ec_blocks if column < len(b))
    return out


def _remainder(data: bytes, ec_count: int) -> list[int]:
    """The block's error correction codewords: the remainder of its data (times x^ec_count) by
    the Reed–Solomon generator of that degree, one codeword at a time (a shift register)."""
    remainder = [0] * ec_count
    for codeword in data:
        factor = codeword ^ remainder[0]
        remainder = [*remainder[1:], 0]
        if factor:
            remainder = [r ^ m for r, m in zip(remainder, _multiples(ec_count, factor))]
    return remainder


@functools.cache
def _generator(ec_count: int) -> tuple[int, ...]:
    """The generator's coefficients, highest degree first (qrcode's table, or its own product)."""
    if ec_count in LUT.rsPoly_LUT:
        return tuple(LUT.rsPoly_LUT[ec_count])
    poly = base.Polynomial([1], 0)
    for i in range(ec_count):
        poly = poly * base.Polynomial([1, base.gexp(i)], 0)
    return tuple(poly[i] for i in range(len(poly)))


@functools.cache
def _multiples(ec_count: int, factor: int) -> tuple[int, ...]:
    """`factor` times each of the generator's coefficients after its leading 1, in GF(256)."""
    return tuple(base.gexp(base.glog(factor) + base.glog(g)) if g else 0 for g in _generator(ec_count)[1:])


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
