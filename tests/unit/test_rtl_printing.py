"""Arabic on paper and in PDFs: letters joined (shaped) and lines in right-to-left order.

The references are written by hand: "سلام" is س ل ا م in logical order; joined, its seen takes the
initial form (U+FEB3), lam and alef become the lam-alef ligature in its final form (U+FEFC) and meem
stands alone (U+FEE1); drawn left to right that is meem, lam-alef, seen. A renderer that did not
shape would draw the four isolated letters; one that did not reorder would draw seen first.
"""
import shutil
import subprocess
import unicodedata

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, features

from printers.escpos_layout import text_image, ticket_bytes
from printers.paper import direction, font_path, sample_paper, visual
from printers.pdf import layout, register_fonts, render_pdf
from printers.preview import render

WORD = "سلام"
DRAWN = "\ufee1\ufefc\ufeb3"  # meem (isolated), lam-alef (final), seen (initial): left to right
PRESENTATION = range(0xFE70, 0xFF00)


def test_arabic_is_a_right_to_left_language():
    assert direction("ar") == "rtl" and direction("ru") == "ltr" and direction("xx-unknown") == "ltr"


def test_a_line_is_joined_and_reversed_with_numbers_kept_in_order():
    assert visual(WORD, True) == DRAWN
    line = visual(f"{WORD}: A001 12:00", True)
    assert "A001" in line and "12:00" in line  # left to right inside the right-to-left line
    assert line.endswith(DRAWN) or line.startswith(DRAWN)
    assert line.index("12:00") < line.index(DRAWN)  # the Arabic word starts the line: at its right end
    assert visual(f"({WORD})", True) == f"({DRAWN})"  # brackets mirrored: they still enclose the word


def dots(image: Image.Image) -> int:
    """How many black dots a 1-bit image has."""
    return image.convert("1").histogram()[0]


def differing(a: Image.Image, b: Image.Image) -> int:
    return dots(ImageChops.invert(ImageChops.logical_xor(a.convert("1"), b.convert("1"))))


def basic_line(text: str, width: int, height: int) -> Image.Image:
    """`text` drawn glyph after glyph, as given (no shaping, no reordering), against the right edge."""
    fnt = ImageFont.truetype(font_path(), 24, layout_engine=ImageFont.Layout.BASIC)
    img = Image.new("L", (width, height), 255)
    ImageDraw.Draw(img).text((width - fnt.getlength(text), 0), text, font=fnt, fill=0)
    return img.point(lambda v: 0 if v < 128 else 255, mode="1")


def test_pillow_has_raqm_to_shape_the_paper():
    """Debian's libfribidi0 (.ci/browser.sh) lets Pillow's raqm order and join Arabic itself."""
    assert features.check("raqm")


def test_the_printed_line_is_shaped_and_right_to_left():
    printed = text_image(WORD, 512, rtl=True)
    joined = basic_line(DRAWN, 512, printed.height)  # the hand-made reference
    naive = basic_line(WORD, 512, printed.height)  # isolated letters, seen at the left
    ink = dots(printed)
    assert ink > 100
    assert differing(printed, joined) < 0.3 * ink  # the same glyphs in the same places, give or take a kern
    assert differing(printed, naive) > ink  # far from the unshaped, unreversed drawing
    box = printed.convert("L").point(lambda v: 255 - v).getbbox()
    assert box[2] >= 500 and box[0] > 300  # set against the right edge


def test_a_whole_arabic_ticket_prints_as_images_right_aligned(tmp_path):
    job = ticket_bytes(sample_paper("ar"))
    assert b"A001" in job  # the number stays printer text, left to right
    paper = render(job)
    paper.save(tmp_path / "ticket-ar.png")
    assert paper.height > 600


def test_the_pdf_ticket_draws_each_line_joined_in_visual_order():
    paper = sample_paper("ar")
    paper = type(paper)(**{**paper.__dict__, "centre": WORD})
    register_fonts()
    items = layout(paper)
    assert items[0][1] == [DRAWN]
    assert items[1][1] == ["A001"]
    time_line = items[4][1][0]
    assert time_line.endswith(visual("الوقت", True) + ":") or visual("الوقت", True) in time_line
    assert not [ch for item in items if item[0] == "text" for line in item[1] for ch in line
                if unicodedata.category(ch) == "Lo" and ord(ch) in range(0x0600, 0x0700)]  # no unjoined letter


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (.ci/browser.sh)")
def test_the_pdf_ticket_carries_the_joined_forms(tmp_path):
    path = tmp_path / "ticket-ar.pdf"
    path.write_bytes(render_pdf(sample_paper("ar")))
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    letters = [ch for ch in text if unicodedata.bidirectional(ch) == "AL" and unicodedata.category(ch) == "Lo"]
    assert len(letters) > 50 and all(ord(ch) in PRESENTATION for ch in letters)  # not one unjoined letter
