"""Printer URIs and the ESC/POS ticket: text the code page has goes as text, the rest as images."""
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from printers import (
    PrinterError, clear_dummy, dummy_output, fail_dummy, labels_for, open_printer, parse_uri, sample_paper, wait_text,
)
from printers.cli import print_test_command
from printers.escpos_layout import ticket_bytes
from printers.preview import images, parse

RASTER = b"\x1dv0"


@pytest.mark.parametrize(("uri", "scheme", "target", "port", "options"), [
    ("tcp://192.168.1.50", "tcp", "192.168.1.50", 9100, {}),
    ("tcp://printer.local:9101?timeout=1.5", "tcp", "printer.local", 9101, {"timeout": "1.5"}),
    ("usb://04B8:0202", "usb", "04b8:0202", None, {}),
    ("serial:///dev/ttyS0?baudrate=19200", "serial", "/dev/ttyS0", None, {"baudrate": "19200"}),
    ("file:///dev/usb/lp0?width=384&codepage=CP866", "file", "/dev/usb/lp0", None, {"width": "384", "codepage": "CP866"}),
    ("pdf://instance/tickets", "pdf", "instance/tickets", None, {}),
    ("pdf:///var/tickets", "pdf", "/var/tickets", None, {}),
    ("dummy://", "dummy", "", None, {}),
    ("dummy://kiosk-1", "dummy", "kiosk-1", None, {}),
])
def test_uris_choose_a_backend_and_its_settings(uri, scheme, target, port, options):
    parsed = parse_uri(uri)
    assert (parsed.scheme, parsed.target, parsed.port, parsed.options) == (scheme, target, port, options)
    assert open_printer(uri) is not None  # building a printer opens nothing


@pytest.mark.parametrize("uri", [
    "", "lp0", "ftp://host", "tcp://", "tcp://host:99999", "usb://xyz:0202", "usb://04b8",
    "serial://dev/ttyS0", "file://", "pdf://", "tcp://host?width=wide", "tcp://host?width=10",
    "tcp://host?timeout=-1", "dummy://?colour=red", "tcp://host?codepage=KLINGON",
])
def test_invalid_uris_are_refused_naming_the_uri(uri):
    with pytest.raises(ValueError) as refused:
        open_printer(uri)
    assert f"invalid printer URI {uri!r}" in str(refused.value)


def texts(job: bytes, codepage: str = "cp437") -> str:
    return "\n".join(r.text for r in parse(job, codepage) if r.text is not None)


def test_every_job_starts_by_initialising_the_printer():
    for language in ("en", "es", "ru"):
        assert ticket_bytes(sample_paper(language)).startswith(b"\x1b@")


def test_latin_text_goes_as_text_and_only_the_qr_code_as_an_image():
    job = ticket_bytes(sample_paper("en"))
    assert b"A001\n" in job and b"Birth registration" in job and b"Medical birth certificate" in job
    assert b"\x1d!\x33" in job  # the number in 4 × 4 type
    assert job.count(RASTER) == 1


def test_accents_in_the_code_page_stay_text():
    job = ticket_bytes(sample_paper("es"))
    assert "Certificado médico de nacimiento".encode("cp437") in job


def test_cyrillic_goes_as_images_never_as_garbled_text():
    paper = sample_paper("ru")
    job = ticket_bytes(paper)
    shown = texts(job)
    assert "A001" in shown  # the number stays text
    assert "?" not in shown and all(ord(ch) < 128 for ch in shown)  # no replacement characters
    for encoding in ("cp866", "cp1251", "utf-8"):
        assert paper.service.encode(encoding) not in job
    assert job.count(RASTER) > 5  # centre, service, labels, documents, QR, footer


def test_a_cyrillic_code_page_prints_cyrillic_as_text():
    paper = sample_paper("ru")
    job = ticket_bytes(paper, codepage="CP866")
    assert job.startswith(b"\x1b@\x1bt\x11")  # ESC t 17: CP866
    assert paper.service.encode("cp866") in job
    assert job.count(RASTER) == 1


def test_long_lines_wrap_to_the_paper():
    job = ticket_bytes(sample_paper("en"), width=384)  # 58 mm paper: 32 columns
    assert all(len(line) <= 32 for line in texts(job).splitlines() if "A001" not in line)
    assert all(img.width <= 384 for img in images(job))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_printed_qr_code_decodes_to_the_status_url(tmp_path, language):
    assert shutil.which("zbarimg"), "zbarimg is missing: run `make test` (it installs Debian's zbar-tools)"
    url = "https://onedoor.example.org/t/Zm9vYmFyYmF6cXV1eA-token"
    job = ticket_bytes(sample_paper(language, status_url=url))
    decoded = []
    for i, img in enumerate(images(job)):
        path = tmp_path / f"{i}.png"
        img.save(path)
        out = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True)
        decoded += out.stdout.split()
    assert decoded == [url]


def test_labels_and_waits_in_the_visitors_language():
    assert labels_for("ru").ahead == "Перед вами"
    assert labels_for("es-MX").time == "Hora"
    assert labels_for("fr").time == "Time"  # a language without labels prints in English
    assert wait_text(12.4, labels_for("ru")) == "12 мин"
    assert wait_text(0.3, labels_for("en")) == "under 1 min"
    assert wait_text(None, labels_for("en")) == "—"


def test_dummy_printers_keep_each_ticket_and_can_fail():
    uri = "dummy://unit"
    clear_dummy(uri)
    printer = open_printer(uri)
    printer.print_ticket(sample_paper("en"))
    fail_dummy(uri, "out of paper")
    with pytest.raises(PrinterError, match="out of paper"):
        printer.print_ticket(sample_paper("es"))
    fail_dummy(uri, None)
    printer.print_ticket(sample_paper("ru"))
    jobs = dummy_output(uri)
    assert len(jobs) == 2 and all(j.startswith(b"\x1b@") for j in jobs)
    assert dummy_output("dummy://other") == []


def test_print_test_prints_a_sample_in_each_language():
    clear_dummy("dummy://cli")
    result = CliRunner().invoke(print_test_command, ["--printer", "dummy://cli"])
    assert result.exit_code == 0, result.output
    assert len(dummy_output("dummy://cli")) == 4  # en, es, ru, ar
    assert "printed a sample ru ticket on dummy://cli" in result.output
    assert "printed a sample ar ticket on dummy://cli" in result.output


def test_print_test_writes_a_pdf(tmp_path):
    result = CliRunner().invoke(print_test_command, ["--printer", f"pdf://{tmp_path}", "--language", "ru"])
    assert result.exit_code == 0, result.output
    assert [p.suffix for p in tmp_path.iterdir()] == [".pdf"]


@pytest.mark.parametrize(("uri", "message"), [
    ("bogus", "invalid printer URI 'bogus'"),
    ("tcp://127.0.0.1:1?timeout=1", "Connection refused"),
])
def test_print_test_fails_with_exit_code_2_and_the_reason(uri, message):
    result = CliRunner().invoke(print_test_command, ["--printer", uri])
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize("number", ["PAS012", "WWW999", "MMM9999"])
def test_a_three_letter_number_fits_one_line_in_the_largest_type(number):
    from dataclasses import replace

    from reportlab.pdfbase.pdfmetrics import stringWidth

    from printers.pdf import BOLD, MARGIN, WIDTH, layout, register_fonts

    paper = replace(sample_paper("en"), number=number)
    job = ticket_bytes(paper, width=384)  # 58 mm paper: 4 × 4 type holds 8 characters a line
    assert f"{number}\n".encode() in job and b"\x1d!\x33" in job
    register_fonts()  # (render_pdf's first step)
    (big,) = [item for item in layout(paper) if item[0] == "text" and item[1] == [number]]
    assert 30 <= big[3] <= 44 and stringWidth(number, BOLD, big[3]) <= WIDTH - 2 * MARGIN + 1e-6  # the PDF: inside


# ---- a visit's paper: its steps, numbered, and what to bring for each (SPEC §11) --------------------

VISIT = {
    "en": [("Birth registration", ("Medical birth certificate",)), ("Passport renewal", ()),
           ("Child benefit", ("Birth certificate", "Bank card of a parent"))],
    "ar": [("تسجيل المواليد", ("شهادة الولادة الطبية",)), ("تجديد جواز السفر", ()),
           ("استفسار ضريبي", ("جوازا سفر الوالدين",))],
}


def visit_paper(language: str):
    from dataclasses import replace

    from printers import Step

    return replace(sample_paper(language), steps=tuple(Step(name, docs) for name, docs in VISIT[language]))


def test_a_three_step_paper_lists_the_steps_in_order_and_the_documents_per_step():
    shown = texts(ticket_bytes(visit_paper("en")))
    lines = shown.splitlines()
    steps = lines.index("Your visit, in this order:")
    assert lines[steps + 1 : steps + 4] == ["1. Birth registration", "2. Passport renewal", "3. Child benefit"]
    bring = lines.index("Please bring:")
    assert lines[bring + 1 : bring + 6] == [  # a step without documents is left out: short paper
        "1. Birth registration:", "- Medical birth certificate",
        "3. Child benefit:", "- Birth certificate", "- Bank card of a parent"]
    assert "Parents' passports" not in shown  # the single service's list gives way to the steps'
    assert steps < lines.index("Time: 23.11.2026 12:00") < bring
    assert lines.count("A001") == 1 and job_qr_count(visit_paper("en")) == 1


def job_qr_count(paper) -> int:
    return ticket_bytes(paper).count(RASTER)


def test_a_single_service_paper_prints_as_before():
    shown = texts(ticket_bytes(sample_paper("en"))).splitlines()
    assert "Birth registration" in shown and "- Medical birth certificate" in shown
    assert not any(line.startswith(("1. ", "Your visit")) for line in shown)


def test_a_right_to_left_visit_paper_starts_each_step_at_the_right_edge():
    job = ticket_bytes(visit_paper("ar"))
    assert texts(job).strip() == "A001"  # the number stays text; every Arabic line is drawn
    pictures = images(job)
    assert len(pictures) == 1 + 1 + 3 + 3 + 1 + 2 + 2 + 1 + 2  # centre, "your visit", 3 steps, 3 facts,
    # "please bring", 2 headings, 2 documents, the QR code, scan and footer lines
    for step in pictures[2:5]:  # each step's line ends at the right edge: its number is drawn there
        box = step.convert("L").point(lambda v: 255 - v).getbbox()
        assert box is not None and box[2] > step.width - 8 and box[0] > 40


def test_the_pdf_of_a_visit_lists_the_steps_and_grouped_documents():
    from printers.pdf import layout, register_fonts

    register_fonts()
    lines = [line for item in layout(visit_paper("en")) if item[0] == "text" for line in item[1]]
    assert lines[2:6] == ["Your visit, in this order:", "1. Birth registration", "2. Passport renewal",
                          "3. Child benefit"]
    bring = lines.index("Please bring:")
    assert lines[bring + 1 :][:5] == ["1. Birth registration:", "• Medical birth certificate", "3. Child benefit:",
                                      "• Birth certificate", "• Bank card of a parent"]
    rtl = [line for item in layout(visit_paper("ar")) if item[0] == "text" for line in item[1]]
    # drawn left to right as "name .1": the number at the right, where an Arabic line starts
    assert rtl[1] == "A001" and [line[-3:] for line in rtl[3:6]] == [" .1", " .2", " .3"]


def test_the_wait_prints_as_the_range_the_centres_past_waits_give():
    from printers import labels_for, wait_text

    assert wait_text(12.4, labels_for("en"), (8, 17)) == "8–17 min"
    assert wait_text(12.4, labels_for("ru"), (8, 17)) == "8–17 мин"
    assert wait_text(12.4, labels_for("en")) == "12 min"  # no range: the single number
    assert wait_text(None, labels_for("es"), (8, 17)) == "—"
