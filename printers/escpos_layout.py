"""The ticket as ESC/POS bytes, built with python-escpos into memory before any device is touched.

Text goes out as text only when every character of its line exists in the printer's code page
(`?codepage=`, CP437 by default: the table every ESC/POS printer selects after ESC @). Any other
line (Cyrillic, or accents the page lacks) is drawn with DejaVu Sans into a 1-bit raster image
of the paper's width, so it is never garbled. The QR code is always a raster image: every printer
prints those, and its bytes can be decoded back (see `printers.preview`).

A right-to-left ticket (Arabic) is drawn right-aligned, its letters joined and its runs ordered
by Pillow's raqm layout (FriBiDi + HarfBuzz); where Pillow lacks raqm, by the presentation forms
in visual order that `printers.paper.visual` gives, so the paper reads right either way.
"""
from __future__ import annotations

import copy
import functools
import textwrap

import qrcode
from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont, features

from . import qr
from .paper import TicketPaper, direction, document_groups, font_path, step_lines, visual

INIT = b"\x1b@"  # ESC @: a printer left mid-job by a fault starts clean
DOT_WIDTH = 12  # font A is 12 × 24 dots
TEXT_PX = 24  # image text the height of font A, so both kinds of line look alike


@functools.cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"), size)


@functools.cache
def has_raqm() -> bool:
    return features.check("raqm")


def run(text: str, rtl: bool) -> tuple[str, dict]:
    """What to give Pillow for one line, and how: a right-to-left line goes to raqm as it is (it
    shapes and orders it), or without raqm as presentation forms already in visual order."""
    if not rtl:
        return text, {}
    if has_raqm():
        return text, {"direction": "rtl"}
    return visual(text, True), {}


def length(text: str, fnt: ImageFont.FreeTypeFont, rtl: bool = False) -> float:
    """The drawn width of one line, in pixels."""
    shown, how = run(text, rtl)
    return fnt.getlength(shown, **how)


def wrap_pixels(text: str, fnt: ImageFont.FreeTypeFont, width: int, rtl: bool = False) -> list[str]:
    """Break `text` into lines no wider than `width` pixels (a too-long word is cut), in logical order."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if length(candidate, fnt, rtl) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while length(word, fnt, rtl) > width:  # a word wider than the paper: cut it
            cut = max(1, next(i for i in range(len(word), 0, -1) if length(word[:i], fnt, rtl) <= width))
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


def text_image(
    text: str, width: int, *, size: int = TEXT_PX, bold: bool = False, align: str = "left", hang: str = "",
    rtl: bool = False,
) -> Image.Image:
    """`text` wrapped and drawn black on white, thresholded to 1 bit, `width` pixels wide.

    `hang` (e.g. "- ") starts the first line, and the later lines are indented by its width.
    `rtl`: a right-to-left paragraph; "left" then means its start, the right edge."""
    fnt = font(size, bold)
    indent = int(length(hang, fnt, rtl))
    lines = wrap_pixels(text, fnt, width - indent, rtl)
    ascent, descent = fnt.getmetrics()
    step = ascent + descent + 2
    img = Image.new("L", (width, step * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        wide = length(line, fnt, rtl)
        if rtl:  # "left" is the paragraph's start: the right edge, less the hang's width
            x = {"left": width - indent - wide, "center": (width - wide) / 2, "right": 0}[align]
        else:
            x = {"left": indent, "center": (width - wide) / 2, "right": width - wide}[align]
        shown, how = run(line, rtl)
        draw.text((x, i * step), shown, font=fnt, fill=0, **how)
    if hang:
        shown, how = run(hang, rtl)
        draw.text((width - indent if rtl else 0, 0), shown, font=fnt, fill=0, **how)
    return img.point(lambda v: 0 if v < 128 else 255, mode="1")


def qr_image(url: str, width: int, box: int = 6) -> Image.Image:
    """The QR code of `url` as a 1-bit image no wider than the paper (printed centred)."""
    for size in range(box, 1, -1):  # a long URL on narrow paper: smaller modules
        code = qr.QRCode(box_size=size, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(url)
        code.make(fit=True)
        img = qr.picture(code)
        if img.width <= width:
            break
    else:
        raise ValueError(f"the QR code of a {len(url)}-character URL does not fit {width} px")
    return img


@functools.lru_cache(maxsize=1024)
def line_raster(text: str, width: int, bold: bool, align: str, hang: str, rtl: bool) -> bytes:
    """A paragraph drawn as an image (`text_image`), as the ESC/POS bytes that print it. Kept:
    most of a ticket's lines (the centre, the service, what to bring, the labels) are the same
    ticket after ticket, and drawing one costs about a millisecond."""
    p = escpos_printer(width)
    p.image(text_image(text, width, bold=bold, align=align, hang=hang, rtl=rtl), impl="bitImageRaster")
    return p.output


class Ticket:
    """Writes one ticket into a python-escpos printer object, line by line."""

    def __init__(self, printer, width: int, codepage: str, rtl: bool = False):
        self.p = printer
        self.width = width
        self.codepage = codepage
        self.columns = width // DOT_WIDTH
        self.rtl = rtl  # a right-to-left ticket: paragraphs start at the right edge

    def fits(self, text: str) -> bool:
        encoder = self.p.magic.encoder
        return all(encoder.can_encode(self.codepage, ch) for ch in text)

    def line(self, text: str, *, bold: bool = False, align: str = "left", hang: str = "") -> None:
        """One paragraph: as text when the code page has all of it, else as an image."""
        if self.fits(hang + text) and not self.rtl:  # (the printer's own text runs left to right only)
            lines = textwrap.wrap(hang + text, self.columns, subsequent_indent=" " * len(hang)) or [""]
            self.p.set(align=align, bold=bold)
            self.p.text("\n".join(lines) + "\n")
            self.p.set(align="left", bold=False)
        else:
            self.p.set(align="left")
            self.p._raw(line_raster(text, self.width, bold, align, hang, self.rtl))

    def image(self, img: Image.Image, center: bool = False) -> None:
        """`img` as a raster; `center`: on a strip as wide as the paper (python-escpos pads it, after
        converting only the image itself)."""
        self.p.set(align="left")
        self.p.image(img, impl="bitImageRaster", center=center)

    def number(self, number: str) -> None:
        """The ticket number in the largest type: text (ticket numbers are ASCII)."""
        if not self.fits(number):
            self.image(text_image(number, self.width, size=TEXT_PX * 4, bold=True, align="center"))
            return
        self.p.set(align="center", bold=True, custom_size=True, width=4, height=4)
        self.p.text(number + "\n")
        self.p.set(align="left", bold=False, normal_textsize=True)


def escpos_printer(width: int, printer_class=Dummy, **kwargs):
    """A python-escpos printer object that knows the paper's width (for centred images)."""
    p = printer_class(**kwargs)
    p.profile.profile_data = copy.deepcopy(p.profile.profile_data)  # ours alone: widths differ
    p.profile.profile_data["media"]["width"]["pixels"] = width
    return p


def ticket_bytes(paper: TicketPaper, *, width: int = 512, codepage: str = "CP437", cut: bool = True) -> bytes:
    """The whole ESC/POS job for one ticket, starting with ESC @."""
    p = escpos_printer(width)
    p._raw(INIT)
    codepage = p.magic.encoder.get_encoding_name(codepage)  # ValueError for a page it lacks
    p.charcode(codepage)  # ESC t n
    t = Ticket(p, width, codepage, rtl=direction(paper.language) == "rtl")
    labels = paper.labels
    t.line(paper.centre, bold=True, align="center")
    p.ln()
    t.number(paper.number)
    if paper.is_visit:  # the steps in order, numbered: the visitor goes from one to the next
        t.line(f"{labels.steps}:", bold=True)
        for mark, service in step_lines(paper):
            t.line(service, bold=True, hang=mark)
    else:
        t.line(paper.service, bold=True, align="center")
    p.ln()
    t.line(f"{labels.time}: {paper.issued_at}")
    if paper.ahead is not None:
        t.line(f"{labels.ahead}: {paper.ahead}")
    t.line(f"{labels.wait}: {paper.wait}")
    groups = document_groups(paper)
    if groups:
        p.ln()
        t.line(f"{labels.documents}:", bold=True)
    for heading, documents in groups:
        if heading:
            t.line(heading)
        for doc in documents:
            t.line(doc, hang="- ")
    p.ln()
    t.image(qr_image(paper.status_url, width), center=True)
    t.line(labels.scan, align="center")
    p.ln()
    t.line(labels.footer, align="center")
    if cut:
        p.cut()
    return p.output
