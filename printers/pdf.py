"""The ticket as an 80 mm wide PDF (reportlab), DejaVu Sans so every language shows.

reportlab draws each character's glyph as given, so a right-to-left ticket (Arabic) is wrapped on
its joined letter forms and each line handed over in visual order (`printers.paper.visual`), set
against the right margin.
"""
from __future__ import annotations

import functools
import io
import os
import time
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .paper import TicketPaper, direction, document_groups, font_path, has_rtl, shaped, step_lines, visual

WIDTH = 80 * mm
MARGIN = 5 * mm
QR_SIZE = 40 * mm
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"


@functools.cache
def register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, font_path("DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, font_path("DejaVuSans-Bold.ttf")))


def number_size(number: str, room: float, largest: float = 44) -> float:
    """The type size of the ticket number: `largest`, or smaller so a long one (WWW999) fits `room`."""
    register_fonts()
    return min(largest, largest * room / pdfmetrics.stringWidth(number, BOLD, largest))


def layout(paper: TicketPaper) -> list[tuple]:
    """The ticket top to bottom: ("text", lines, font, size, align) | ("gap", points) | ("qr", url)."""
    inner = WIDTH - 2 * MARGIN
    rtl = direction(paper.language) == "rtl"

    def split(value: str, font: str, size: float, room: float, first: str = "") -> list[str]:
        """Lines no wider than `room`, each as it is drawn left to right."""
        lines = simpleSplit(shaped(value) if rtl else value, font, size, room) or [""]
        lines[0] = first + lines[0]
        return [visual(line, has_rtl(line)) for line in lines] if rtl else lines

    def text(value: str, size: float = 10, bold: bool = False, align: str = "left"):
        font = BOLD if bold else REGULAR
        return ("text", split(value, font, size, inner), font, size, align)

    def bullet(value: str, size: float = 10, mark: str = "• ", font: str = REGULAR):
        indent = pdfmetrics.stringWidth(mark, font, size)
        return ("text", split(value, font, size, inner - indent, first=mark), font, size, ("hang", indent))

    labels = paper.labels
    items = [
        text(paper.centre, 11, True, "center"),
        text(paper.number, number_size(paper.number, inner), True, "center"),
    ]
    if paper.is_visit:  # the steps in order, numbered: the visitor goes from one to the next
        items.append(text(f"{labels.steps}:", 10, True))
        items += [bullet(service, 11, mark, BOLD) for mark, service in step_lines(paper)]
    else:
        items.append(text(paper.service, 12, True, "center"))
    items += [("gap", 6), text(f"{labels.time}: {paper.issued_at}")]
    if paper.ahead is not None:
        items.append(text(f"{labels.ahead}: {paper.ahead}"))
    items.append(text(f"{labels.wait}: {paper.wait}"))
    groups = document_groups(paper)
    if groups:
        items += [("gap", 6), text(f"{labels.documents}:", 10, True)]
    for heading, documents in groups:
        if heading:
            items.append(text(heading, 9))
        items += [bullet(doc) for doc in documents]
    items += [("gap", 4), ("qr", paper.status_url), text(labels.scan, 9, align="center"), ("gap", 4),
              text(labels.footer, 9, align="center")]
    return items


def height_of(item: tuple) -> float:
    if item[0] == "gap":
        return item[1]
    if item[0] == "qr":
        return QR_SIZE
    _, lines, _, size, _ = item
    return len(lines) * size * 1.25


def render_pdf(paper: TicketPaper) -> bytes:
    """One ticket as a one-page PDF exactly as tall as its content."""
    register_fonts()
    items = layout(paper)
    height = sum(height_of(i) for i in items) + 2 * MARGIN
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(WIDTH, height), invariant=True)
    canvas.setTitle(f"{paper.number} — {paper.centre}")
    rtl = direction(paper.language) == "rtl"  # "left" is then the line's start: the right margin
    y = height - MARGIN
    for item in items:
        if item[0] == "text":
            _, lines, font, size, align = item
            canvas.setFont(font, size)
            for i, line in enumerate(lines):
                y -= size * 1.25
                base = y + size * 0.25
                if align == "center":
                    canvas.drawCentredString(WIDTH / 2, base, line)
                else:  # "left", or ("hang", indent): a list item's later lines under its text
                    indent = align[1] if isinstance(align, tuple) and i > 0 else 0
                    if rtl:
                        canvas.drawRightString(WIDTH - MARGIN - indent, base, line)
                    else:
                        canvas.drawString(MARGIN + indent, base, line)
        elif item[0] == "qr":
            y -= QR_SIZE
            widget = QrCodeWidget(item[1], barLevel="M")
            x0, y0, x1, y1 = widget.getBounds()
            drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
            drawing.add(widget)
            renderPDF.draw(drawing, canvas, (WIDTH - QR_SIZE) / 2, y)
        else:
            y -= item[1]
    canvas.showPage()
    canvas.save()
    return out.getvalue()


class PdfPrinter:
    """Writes each ticket to `folder` as <number>-<ticket id>.pdf (written whole, then renamed)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path_for(self, paper: TicketPaper) -> Path:
        tag = paper.ticket_id if paper.ticket_id is not None else f"test-{time.time_ns()}"
        return self.folder / f"{paper.number}-{tag}.pdf"

    def print_ticket(self, paper: TicketPaper) -> Path:
        data = render_pdf(paper)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path_for(paper)
        partial = path.with_suffix(".pdf.part")
        partial.write_bytes(data)
        os.replace(partial, path)  # a viewer watching the folder never opens half a ticket
        return path
