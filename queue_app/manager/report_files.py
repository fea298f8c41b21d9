"""A report's labelled figures, shared by the page and the PDF (reportlab platypus + graphics charts).

The texts live here, in the manager catalogue, so the page, the PDF and `queue-app report` say the
same thing in the same language.
"""
from __future__ import annotations

import io
import math

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from printers.pdf import BOLD, REGULAR, register_fonts

from ..extensions import db
from ..i18n import text
from ..models import Service
from ..services.reports import CentreReport

BLUE, GREEN, GREY = colors.HexColor("#1f5fa8"), colors.HexColor("#2e7d32"), colors.HexColor("#d9dee5")


def reason_label(code: str) -> str:
    return {
        "missing_documents": _("Missing documents"), "needs_another_agency": _("Needs another agency"),
        "system_outage": _("System outage"), "visitor_left": _("Visitor left"), "other": _("Other"),
    }.get(code, code)


def minutes(value: float | None) -> str:
    return "—" if value is None else _("%(n)s min", n=format_decimal(round(value, 1), format="#,##0.0"))


def share(value: float | None) -> str:
    return "—" if value is None else format_percent(value, format="#,##0%")


def number(value: float | None) -> str:
    return "—" if value is None else format_decimal(round(value, 2), format="#,##0.0#")


def title_of(result: CentreReport) -> str:
    where = text(result.centre.name) if result.centre else _("Whole network")
    return _("Report: %(where)s, %(period)s", where=where, period=str(result.period))


def figure_rows(result: CentreReport) -> list[tuple[str, str]]:
    """The headline figures as (label, value) pairs, in the page's language."""
    r = result.report
    target = result.centre.target_wait_min if result.centre else None
    rows = [
        (_("Arrivals"), str(r.arrivals)), (_("Served"), str(r.served)), (_("No-shows"), str(r.no_show)),
        (_("Cancellations"), str(r.cancelled)), (_("Transfers"), str(r.transferred)),
        (_("Average wait"), minutes(r.average_wait_min)), (_("90% waited at most"), minutes(r.p90_wait_min)),
        (_("Share within target") + (f" ({minutes(target)})" if target else ""), share(r.within_target_share)),
        (_("Average handling time"), minutes(r.average_handling_min)),
        (_("Feedback: average rating (1–5)"), number(r.feedback.average)),
        (_("Feedback: ratings given"), str(r.feedback.count)),
    ]
    if r.visits is not None:
        v = r.visits
        rows += [
            (_("Door to door: average (arrival to the end of the last step)"), minutes(v.door_to_door_mean_min)),
            (_("Door to door: 90% took at most"), minutes(v.door_to_door_p90_min)),
            (_("Steps per visit"), number(v.steps_per_visit)),
            (_("Resolved at the first visit (every step)"), share(v.first_visit_resolution)),
            (_("Repeat visits (back within 30 days for a service resolved)"), str(sum(x.repeat for x in v.repeats))),
        ]
    if r.estimates is not None:
        e = r.estimates
        rows += [
            (_("Wait estimates: visitors told one"), str(e.called)),
            (_("Wait estimates: mean error"), minutes(e.mae_min)),
            (_("Wait estimates: bias (below 0, visitors waited longer than told)"), minutes(e.bias_min)),
            (_("Waits inside the range announced (the aim: 8 in 10)"), share(e.inside_share)),
        ]
    return rows


def service_names() -> dict[str, str]:
    return {code: text(name) for code, name in db.session.execute(db.select(Service.code, Service.name))}


def _bar_chart(title: str, categories: list[str], series: list[list[float]], fills, names: list[str] | None = None,
               counts: bool = False) -> Drawing:
    width, height = 170 * mm, 62 * mm
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, title, fontName=BOLD, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 22, width - 40, height - 50
    chart.data = series or [[0]]
    chart.categoryAxis.categoryNames = categories or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    if counts:  # whole visitors: steps of at least one
        top = max((max(row) for row in series if row), default=0)
        chart.valueAxis.valueStep = max(1, math.ceil(top / 5))
    for i, fill in enumerate(fills):
        chart.bars[i].fillColor = fill
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    if names:
        legend = Legend()
        legend.x, legend.y = width - 150, height - 6
        legend.fontName, legend.fontSize = REGULAR, 8
        legend.columnMaximum, legend.dx, legend.dy = 1, 8, 8
        legend.alignment = "right"
        legend.colorNamePairs = list(zip(fills, names))
        legend.deltax = 80
        drawing.add(legend)
    return drawing


def charts(result: CentreReport) -> list[Drawing]:
    r = result.report
    hours = [f"{h.hour:02d}" for h in r.hours]
    return [
        _bar_chart(_("Average wait by hour of arrival (minutes)"), hours,
                   [[round(h.average_wait_min or 0, 1) for h in r.hours]], [BLUE]),
        _bar_chart(_("Arrivals and served by hour"), hours,
                   [[h.arrivals for h in r.hours], [h.served for h in r.hours]], [BLUE, GREEN],
                   [_("Arrivals"), _("Served")], counts=True),
        _bar_chart(_("Feedback: ratings 1–5"), [str(k) for k in r.feedback.distribution],
                   [list(r.feedback.distribution.values())], [GREEN], counts=True),
    ]


def _table(header: list[str], rows: list[list[str]], widths=None) -> Table:
    table = Table([header, *rows], colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, 9), ("FONT", (0, 0), (-1, 0), BOLD, 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black), ("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, GREY]),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def detail_tables(result: CentreReport) -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, header, rows) of the detail tables, shared by the page and the PDF."""
    r = result.report
    names = service_names()
    tables = [
        (_("Handling time by service"), [_("Service"), _("Served"), _("Average handling time")],
         [[names.get(s.name, s.name), str(s.served), minutes(s.average_handling_min)] for s in r.services]),
        (_("Handling time by clerk"), [_("Clerk"), _("Served"), _("Average handling time")],
         [[c.name, str(c.served), minutes(c.average_handling_min)] for c in r.clerks]),
        (_("Unresolved visits by reason"), [_("Reason"), _("Visits")],
         [[reason_label(k), str(v)] for k, v in r.unresolved.items()]),
    ]
    if r.visits is not None:
        tables += [
            (_("Unresolved steps by service"), [_("Service"), _("Reason"), _("Steps")],
             [[names.get(s, s), reason_label(k), str(n)]
              for s, reasons in r.visits.unresolved_by_service.items() for k, n in reasons.items()]),
            (_("Repeat visits by service"), [_("Service"), _("Visits with a contact"), _("Back within 30 days"),
                                             _("Share")],
             [[names.get(x.service, x.service), str(x.visits), str(x.repeat), share(x.share)]
              for x in r.visits.repeats]),
        ]
    if len(r.days) > 1 or result.centre is None:
        tables.append((_("Day by day"), [_("Centre"), _("Date"), _("Arrivals"), _("Served"), _("No-shows"),
                                           _("Average wait"), _("Share within target"), _("Rating")],
                       [[d.centre, d.day.isoformat(), str(d.arrivals), str(d.served), str(d.no_show),
                         minutes(d.average_wait_min), share(d.within_target_share), number(d.satisfaction_average)]
                        for d in r.days]))
    return tables


def pdf_bytes(result: CentreReport) -> bytes:
    """The report as an A4 PDF: headline figures, three charts, the detail tables."""
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=13)
    heading = ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=12, leading=16, spaceBefore=8,
                             spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20, spaceAfter=8)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=title_of(result), author="OneDoor")
    story = [Paragraph(title_of(result), title),
             _table([_("Figure"), _("Value")], [list(row) for row in figure_rows(result)], [110 * mm, 50 * mm])]
    for drawing in charts(result):
        story += [Spacer(1, 6 * mm), drawing]
    for head, header, rows in detail_tables(result):
        block = [Paragraph(head, heading)]
        block.append(_table(header, rows) if rows else Paragraph(_("None in this period."), body))
        story.append(KeepTogether(block) if len(rows) < 25 else block[0])
        if len(rows) >= 25:
            story.append(block[1])
    doc.build(story)
    return out.getvalue()
