"""printers/qr.py scores the eight masks as qrcode does and picks the mask qrcode picks."""
import random
import string

import numpy as np
import pytest
import qrcode
from qrcode import util

from printers import qr

ALPHABET = string.ascii_letters + string.digits + "-_/:.?=&"


def texts(count: int, seed: int) -> list[str]:
    """Random addresses and words of 1–300 characters: QR versions 1 to ~12, both sides of 7."""
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.choice((1, 5, 20, 40, 70, 120, 200, 300))))
            for _ in range(count)]


def built(cls, text: str, error=qrcode.constants.ERROR_CORRECT_M):
    code = cls(border=0, error_correction=error)
    code.add_data(text)
    code.make(fit=True)
    return code


@pytest.mark.parametrize("seed", range(4))
def test_each_masks_penalty_is_qrcodes_lost_point(seed):
    for text in texts(25, seed):
        code = built(qrcode.QRCode, text)
        ours = qr.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
        ours.add_data(text)
        ours.best_fit()
        ours.best_mask_pattern()  # leaves the data cells of the version
        symbols, expected = [], []
        for k in range(8):
            code.makeImpl(True, k)
            symbols.append(np.array(code.modules, dtype=bool))
            expected.append(util.lost_point(code.modules))
        assert qr.penalties(np.array(symbols)) == expected, text


@pytest.mark.parametrize("error", [qrcode.constants.ERROR_CORRECT_L, qrcode.constants.ERROR_CORRECT_M,
                                   qrcode.constants.ERROR_CORRECT_H])
def test_the_symbol_is_qrcodes_own(error):
    versions = set()
    for text in texts(60, error):
        theirs, ours = built(qrcode.QRCode, text, error), built(qr.QRCode, text, error)
        versions.add(ours.version)
        assert ours.get_matrix() == theirs.get_matrix(), text
    assert min(versions) <= 2 and max(versions) >= 8  # small symbols and ones with version information


def test_a_penalty_that_differs_is_seen():
    """The scoring is not blind: a single module turned over changes qrcode's and our score alike."""
    code = built(qrcode.QRCode, "https://queue.example.org/t/abc")
    code.makeImpl(True, 3)
    symbol = np.array(code.modules, dtype=bool)
    symbol[10, 10] ^= True
    assert qr.penalties(symbol[None]) == [util.lost_point(symbol.tolist())]


@pytest.mark.parametrize("box", [1, 3, 6])
def test_the_picture_is_qrcodes_image(box):
    for text in texts(10, box):
        code = qr.QRCode(box_size=box, border=2)
        code.add_data(text)
        code.make(fit=True)
        theirs = code.make_image().get_image().convert("1")
        ours = qr.picture(code)
        assert (ours.mode, ours.size) == (theirs.mode, theirs.size)
        assert ours.tobytes() == theirs.tobytes(), text
