"""What confirming a printed ticket costs (SPEC §7): one ticket at a time to a TCP printer stand-in
on 127.0.0.1 that answers status requests like a real one (tests/printer_standin.py).

    .venv/bin/python bench/printing.py                 # 300 tickets per case
    .venv/bin/python bench/printing.py --tickets 100

Cases: the ticket rendered only (ESC/POS bytes, no printer); sent with ?confirm=0 (a bare write, as
before confirmation existed); sent and confirmed (status asked before the job and read back after
it, the default); and the three faults, each costing what the worker waits before it gives up on
the job: never reads (the timeout), resets mid-ticket, paper out (caught by the first status
exchange, nothing sent). Every case runs in the print worker, never in a request: the issue path is
measured by bench/api.py --printers tcp. Progress goes to stderr, the table to stdout.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from datetime import datetime
from pathlib import Path
from time import perf_counter

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from printers import PrinterError, open_printer, sample_paper  # noqa: E402
from printers.escpos_layout import ticket_bytes  # noqa: E402
from tests.printer_standin import PrinterStandIn  # noqa: E402

import engine  # noqa: E402  (bench/engine.py: the machine line)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": ordered[-1], "mean": statistics.fmean(ordered)}


def timed(label: str, n: int, once) -> tuple[dict[str, float], int]:
    """Run once() n times; milliseconds per call and how many raised PrinterError."""
    samples, failed = [], 0
    for _ in tqdm(range(n), desc=label, unit="ticket", file=sys.stderr, leave=False):
        start = perf_counter()
        try:
            once()
        except PrinterError:
            failed += 1
        samples.append((perf_counter() - start) * 1000)
    return percentiles(samples), failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300, help="tickets per case (default 300)")
    parser.add_argument("--fault-tickets", type=int, default=5, help="tickets per fault case (default 5)")
    parser.add_argument("--timeout", type=float, default=5, help="the printer URI's ?timeout= (default 5, as shipped)")
    args = parser.parse_args()
    paper = sample_paper("ru")  # Cyrillic: text as raster images, the heavier ticket
    rows = []

    rendered, _ = timed("render only", args.tickets, lambda: ticket_bytes(paper))
    rows.append(("rendered only (ESC/POS bytes, no printer)", rendered, 0, args.tickets))
    size = len(ticket_bytes(paper))
    healthy = PrinterStandIn().start()
    try:
        base = f"tcp://127.0.0.1:{healthy.port}?timeout={args.timeout:g}"
        for label, uri in (("sent, not confirmed (?confirm=0)", base + "&confirm=0"),
                           ("sent and confirmed (default)", base)):
            printer = open_printer(uri)
            lat, failed = timed(label, args.tickets, lambda: printer.print_ticket(paper))
            rows.append((label, lat, failed, args.tickets))
        whole = len(healthy.wait_for_tickets(2 * args.tickets))
    finally:
        healthy.stop()
    one_by_one = PrinterStandIn(one_by_one=True).start()
    try:
        printer = open_printer(f"tcp://127.0.0.1:{one_by_one.port}?timeout={args.timeout:g}")
        lat, failed = timed("one answer a packet", args.tickets, lambda: printer.print_ticket(paper))
        rows.append(("sent and confirmed, a printer answering in 1-byte packets (Nagle)", lat, failed, args.tickets))
    finally:
        one_by_one.stop()
    for fault in ("never_reads", "reset_after", "paper_out"):
        standin = PrinterStandIn(fault, reset_after=size // 2).start()
        try:
            printer = open_printer(f"tcp://127.0.0.1:{standin.port}?timeout={args.timeout:g}")
            lat, failed = timed(fault, args.fault_tickets, lambda: printer.print_ticket(paper))
            rows.append((f"fault: {fault.replace('_', ' ')} (time until the worker gives up)", lat, failed,
                         args.fault_tickets))
        finally:
            standin.stop()

    sent, confirmed = rows[1][1], rows[2][1]
    print(f"Printer confirmation benchmark, {datetime.now():%Y-%m-%d %H:%M}: {args.tickets} Russian sample tickets "
          f"({size:,} bytes each) one at a time to a TCP printer stand-in on 127.0.0.1, ?timeout={args.timeout:g}")
    print(f"Machine: {engine.machine(None)}\n")
    print("| Case | p50 / p90 / p99 / max ms per ticket | mean ms | not printed |")
    print("|---|---|---|---|")
    for label, lat, failed, n in rows:
        print(f"| {label} | {lat['p50']:.1f} / {lat['p90']:.1f} / {lat['p99']:.1f} / {lat['max']:.1f} "
              f"| {lat['mean']:.1f} | {failed} of {n} |")
    print(f"\nConfirmation adds {confirmed['mean'] - sent['mean']:.1f} ms a ticket on average "
          f"(p50 {confirmed['p50'] / sent['p50']:.2f}× the bare write); the printers received "
          f"{whole} whole tickets of {2 * args.tickets} sent. On a real printer the answer after the job "
          f"comes once the printer has taken the job into its buffer, so add its transfer time; "
          f"it is spent in the print worker, not in the visitor's request.")


if __name__ == "__main__":
    main()
