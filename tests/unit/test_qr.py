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


def datas(seed: int) -> list[list[util.QRData]]:
    """Data of every mode qrcode picks — digits, upper-case letters and symbols, bytes (UTF-8
    too) —, alone and several in one symbol, of lengths from one character to a few hundred."""
    rng = random.Random(seed)
    kinds = [string.digits, util.ALPHA_NUM.decode(), ALPHABET, "Ñandú · Москва · القاهرة"]
    out = []
    for _ in range(40):
        parts = [util.QRData("".join(rng.choice(rng.choice(kinds)) for _ in range(rng.choice((1, 2, 3, 4, 7, 30, 150)))))
                 for _ in range(rng.choice((1, 1, 2, 3)))]
        out.append(parts)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_the_data_codewords_and_version_are_qrcodes(seed):
    modes = set()
    for parts in datas(seed):
        modes.update(d.mode for d in parts)
        for d in parts:  # each one's length as counted is what qrcode writes
            written = util.BitBuffer()
            d.write(written)
            assert qr.data_bits(d) == len(written), d
        for error in (qrcode.constants.ERROR_CORRECT_L, qrcode.constants.ERROR_CORRECT_M,
                      qrcode.constants.ERROR_CORRECT_Q, qrcode.constants.ERROR_CORRECT_H):
            theirs, ours = qrcode.QRCode(error_correction=error), qr.QRCode(error_correction=error)
            for d in parts:
                theirs.add_data(d)
                ours.add_data(d)
            assert ours.best_fit() == theirs.best_fit(), parts
            for version in {theirs.version, min(theirs.version + 3, 40), 40}:  # several block layouts
                assert qr.create_data(version, error, parts) == util.create_data(version, error, parts), (parts, version)
    assert modes == {util.MODE_NUMBER, util.MODE_ALPHA_NUM, util.MODE_8BIT_BYTE}


def test_data_too_long_for_the_version_is_refused_as_qrcode_does():
    parts = [util.QRData("x" * 100)]
    with pytest.raises(qrcode.exceptions.DataOverflowError):
        util.create_data(2, qrcode.constants.ERROR_CORRECT_M, parts)
    with pytest.raises(qrcode.exceptions.DataOverflowError):
        qr.create_data(2, qrcode.constants.ERROR_CORRECT_M, parts)
    refusals = []
    for cls in (qrcode.QRCode, qr.QRCode):  # more than version 40 holds: qrcode says so as a ValueError
        code = cls()
        code.add_data("x" * 3000)
        with pytest.raises(Exception) as refused:
            code.best_fit()
        refusals.append((refused.type, str(refused.value)))
    assert refusals[0] == refusals[1]


def test_a_wrong_error_correction_codeword_is_seen():
    """The comparison is not blind: one error correction codeword off differs from qrcode's."""
    parts = [util.QRData("https://queue.example.org/t/abc")]
    ours = qr.create_data(3, qrcode.constants.ERROR_CORRECT_M, parts)
    ours[-1] ^= 1
    assert ours != util.create_data(3, qrcode.constants.ERROR_CORRECT_M, parts)
