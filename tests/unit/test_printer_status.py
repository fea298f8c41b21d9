"""Reading ESC/POS real-time status answers (printers/status.py)."""
import pytest

from printers.status import STATUS_REQUEST, StatusProblem, judge, requests_in

FINE = bytes([0x16, 0x12, 0x12, 0x12])  # on-line; no off-line cause; no error; paper present


def test_a_printer_that_can_print_passes():
    assert judge(FINE) is None


def test_only_the_last_four_answers_are_ours():
    assert judge(bytes([0x1E, 0x32, 0x12, 0x72]) + FINE) is None  # answers to requests inside image data first


@pytest.mark.parametrize(("answers", "why"), [
    ((0x1E, 0x32, 0x12, 0x72), "paper out"),
    ((0x16, 0x12, 0x12, 0x72), "paper out"),
    ((0x1E, 0x16, 0x12, 0x12), "cover open"),
    ((0x1E, 0x52, 0x1A, 0x12), "cutter error"),
    ((0x1E, 0x52, 0x32, 0x12), "unrecoverable error"),
    ((0x1E, 0x52, 0x12, 0x12), "error"),
    ((0x1E, 0x12, 0x12, 0x12), "off-line"),
])
def test_what_the_printer_reports_is_named(answers, why):
    with pytest.raises(StatusProblem, match=f"printer reports {why}"):
        judge(bytes(answers))


def test_paper_near_its_end_still_prints_with_a_warning():
    assert judge(bytes([0x16, 0x12, 0x12, 0x1E])) == "paper low"


@pytest.mark.parametrize("answers", [b"", b"\x16\x12", b"\x00\x00\x00\x00", b"HTTP", b"\xff\x12\x12\x12"])
def test_no_answer_or_noise_is_not_a_confirmation(answers):
    with pytest.raises(StatusProblem):
        judge(answers)


def test_status_requests_inside_data_are_counted():
    assert requests_in(STATUS_REQUEST) == 4
    assert requests_in(b"\x10\x04\x01img\x10\x04\x05\x10\x10\x04\x02\x10\x04") == 2
    assert requests_in(b"plain text") == 0
