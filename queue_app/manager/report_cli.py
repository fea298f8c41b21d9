"""`queue-app report`: a centre's (or the network's) day or period written as PDF and/or CSV."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import force_locale

from ..domain.errors import InvalidRequest
from ..services.reports import CentreReport, build_report, csv_text, period_of
from .report_files import pdf_bytes


def write_report(centre: str | None, network: bool, day: str | None, start: str | None, end: str | None,
                 pdf: str | None, csv_file: str | None, language: str) -> tuple[CentreReport, list[str]]:
    """Build the report and write the files asked for; refused (InvalidRequest, NotFound) before writing."""
    if bool(centre) == bool(network):
        raise InvalidRequest("give either --centre C or --network")
    if not (pdf or csv_file):
        raise InvalidRequest("give --pdf FILE and/or --csv FILE")
    if not (day or start):
        raise InvalidRequest("give --date D, or --from D [--to D]")
    period = period_of(day=day, start=start, end=end)
    result = build_report(centre, period)
    written = []
    if pdf:
        with current_app.test_request_context(f"/?lang={language}"), force_locale(language):
            Path(pdf).write_bytes(pdf_bytes(result))
        written.append(pdf)
    if csv_file:
        Path(csv_file).write_text(csv_text(result.report.days), encoding="utf-8", newline="")
        written.append(csv_file)
    return result, written
