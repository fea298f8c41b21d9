"""Read ESC/POS bytes back as paper: the raster images they carry, and a PNG of the whole ticket.

Understands the commands our tickets use (ESC @, ESC t, ESC a, ESC E, ESC !, GS !, GS v 0, GS V,
ESC d, GS ( k); enough to look at a job a test or `print-test` captured, not a full emulator.
"""
from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageDraw

from .escpos_layout import font

# Lengths of the argument bytes of fixed-size commands we meet but do not draw.
ESC_ARGS = {b"@": 0, b"t": 1, b"a": 1, b"E": 1, b"!": 1, b"d": 1, b"-": 1, b"M": 1, b"G": 1, b"2": 0, b"3": 1, b"{": 1, b"V": 1}
GS_ARGS = {b"!": 1, b"B": 1, b"b": 1, b"V": 1}


@dataclass
class Row:
    text: str | None = None
    image: Image.Image | None = None
    align: int = 0
    bold: bool = False
    scale: int = 1


def raster(width_bytes: int, height: int, data: bytes) -> Image.Image:
    """A GS v 0 bitmap (1 = black dot) as a black-on-white PIL image."""
    img = Image.frombytes("1", (width_bytes * 8, height), data)
    return Image.eval(img.convert("L"), lambda v: 255 - v).convert("1")


def parse(data: bytes, codepage: str = "cp437") -> list[Row]:
    """The rows of text and the images of an ESC/POS job, in order."""
    rows: list[Row] = []
    align, bold, scale = 0, False, 1
    buf = bytearray()
    i = 0

    def flush():
        rows.append(Row(text=bytes(buf).decode(codepage, "replace"), align=align, bold=bold, scale=scale))
        buf.clear()

    while i < len(data):
        b = data[i : i + 1]
        if b == b"\n":
            flush()
            i += 1
        elif b == b"\x1b":
            cmd = data[i + 1 : i + 2]
            arg = data[i + 2] if i + 2 < len(data) else 0
            if cmd == b"@":
                align, bold, scale = 0, False, 1
            elif cmd == b"a":
                align = arg % 48 if arg >= 48 else arg
            elif cmd == b"E":
                bold = bool(arg & 1)
            elif cmd == b"!":
                scale = 1
            elif cmd == b"d":
                rows.extend(Row(text="") for _ in range(arg))
            i += 2 + ESC_ARGS.get(cmd, 0)
        elif b == b"\x1d":
            cmd = data[i + 1 : i + 2]
            if cmd == b"v" and data[i + 2 : i + 3] == b"0":
                xl, xh, yl, yh = data[i + 4 : i + 8]
                wb, h = xl + 256 * xh, yl + 256 * yh
                start = i + 8
                rows.append(Row(image=raster(wb, h, data[start : start + wb * h])))
                i = start + wb * h
            elif cmd in (b"(",):  # GS ( k / GS ( L: pL pH then that many bytes
                pl, ph = data[i + 3], data[i + 4]
                i += 5 + pl + 256 * ph
            elif cmd == b"V":
                mode = data[i + 2]
                i += 3 + (1 if mode in (65, 66) else 0)
            else:
                if cmd == b"!":
                    scale = (data[i + 2] & 0x0F) + 1
                i += 2 + GS_ARGS.get(cmd, 0)
        else:
            buf += b
            i += 1
    if buf:
        flush()
    return rows


def images(data: bytes) -> list[Image.Image]:
    """The raster images of an ESC/POS job (text drawn as images, the QR code)."""
    return [r.image for r in parse(data) if r.image is not None]


def render(data: bytes, width: int = 512, codepage: str = "cp437") -> Image.Image:
    """The job as it would come out of an 80 mm printer (font A, 12 × 24 dots), as a PNG-ready image."""
    pieces: list[Image.Image] = []
    for row in parse(data, codepage):
        if row.image is not None:
            pieces.append(row.image.convert("L"))
            continue
        fnt = font(22 * row.scale, row.bold)
        piece = Image.new("L", (width, 24 * row.scale + 4), 255)
        length = fnt.getlength(row.text or "")
        x = (0, (width - length) / 2, width - length)[min(row.align, 2)]
        ImageDraw.Draw(piece).text((x, 0), row.text or "", font=fnt, fill=0)
        pieces.append(piece)
    margin = 16
    paper = Image.new("L", (width + 2 * margin, sum(p.height for p in pieces) + 2 * margin), 255)
    y = margin
    for piece in pieces:
        paper.paste(piece, (margin, y))
        y += piece.height
    return paper
