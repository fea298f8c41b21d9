"""ESC/POS real-time status (DLE EOT n): what to ask a printer and what its answer means (SPEC §7).

A printer answers each `DLE EOT n` with one byte as soon as the request reaches it, whatever it is
doing; bits 1 and 4 of every answer are set and bits 0 and 7 clear, which is how an answer is told
from noise. We ask four things — printer status (n=1), off-line cause (n=2), error cause (n=3) and
paper roll sensor (n=4) — before a job (nothing is sent to a printer that already says it cannot
print: it would keep the job and print it later, after we had retried it) and right after its last
byte (the answer confirms the printer took the whole job and can still print).

A job's raster image may happen to contain `DLE EOT n`; printers that execute real-time commands
inside data answer those too, before ours, so the answers to read are ours plus those, and ours are
always the last four.
"""
from __future__ import annotations

from escpos.constants import RT_MASK_NOPAPER, RT_MASK_ONLINE, RT_STATUS, RT_STATUS_ONLINE, RT_STATUS_PAPER

RT_STATUS_OFFLINE_CAUSE = RT_STATUS + b"\x02"  # python-escpos names only n=1 and n=4
RT_STATUS_ERROR_CAUSE = RT_STATUS + b"\x03"
QUERIES = (RT_STATUS_ONLINE, RT_STATUS_OFFLINE_CAUSE, RT_STATUS_ERROR_CAUSE, RT_STATUS_PAPER)
STATUS_REQUEST = b"".join(QUERIES)
ANSWER_MASK, ANSWER_FIXED = 0x93, 0x12  # bits 0, 1, 4, 7 of every status byte: 0, 1, 1, 0

# Bits of the error cause (n=3) answer, with what to tell a person. The off-line cause (n=2) has
# cover open (0x04), stopped at paper end (0x20) and "an error occurred" (0x40, detailed by n=3).
ERROR_CAUSES = ((0x04, "recoverable error"), (0x08, "cutter error"), (0x20, "unrecoverable error"),
                (0x40, "auto-recoverable error (e.g. print head too hot)"))
PAPER_END = RT_MASK_NOPAPER & ~ANSWER_FIXED  # bits 5 and 6 of the paper sensor's answer


class StatusProblem(Exception):
    """The printer's answer says it cannot print (or there was no proper answer)."""


def requests_in(data: bytes) -> int:
    """How many status requests (DLE EOT 1–4) occur in `data`: a printer may answer each."""
    count = start = 0
    while (i := data.find(RT_STATUS, start)) != -1:
        if data[i + 2:i + 3] in (b"\x01", b"\x02", b"\x03", b"\x04"):
            count += 1
            start = i + 3
        else:
            start = i + 1
    return count


def judge(answers: bytes) -> str | None:
    """Read the last four answer bytes (ours); raise StatusProblem naming why the printer cannot
    print, or return a warning ("paper low") or None when it is fine."""
    if len(answers) < len(QUERIES):
        raise StatusProblem(f"the printer answered {len(answers)} of {len(QUERIES)} status requests")
    online, offline, error, paper = answers[-len(QUERIES):]
    if any(b & ANSWER_MASK != ANSWER_FIXED for b in (online, offline, error, paper)):
        raise StatusProblem(f"not an ESC/POS status answer: {answers[-len(QUERIES):].hex(' ')}")
    problems = []
    if paper & PAPER_END == PAPER_END or offline & 0x20:
        problems.append("paper out")
    if offline & 0x04:
        problems.append("cover open")
    problems += [why for bit, why in ERROR_CAUSES if error & bit]
    if offline & 0x40 and not problems:
        problems.append("error")
    if online & RT_MASK_ONLINE and not problems:
        problems.append("off-line")
    if problems:
        raise StatusProblem("printer reports " + ", ".join(problems))
    return "paper low" if paper & 0x0C == 0x0C else None
