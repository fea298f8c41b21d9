"""`queue-app print-test --printer URI`: print a sample ticket and say what happened."""
from __future__ import annotations

import click

from .backends import open_printer
from .paper import LABELS, sample_paper


def fail(message: str) -> None:
    click.echo(f"print-test: {message}", err=True)
    raise SystemExit(2)


@click.command("print-test")
@click.option("--printer", "uri", required=True, metavar="URI",
              help="tcp://host:9100, usb://VID:PID, serial:///dev/ttyS0, file:///dev/usb/lp0, pdf://folder or dummy://")
@click.option("--language", "languages", multiple=True, metavar="CODE",
              help="Language of the sample ticket; repeat for several (default: en, es and ru).")
def print_test_command(uri: str, languages: tuple[str, ...]) -> None:
    """Print a sample ticket (one per language) on a printer; exit code 2 when it fails."""
    try:
        printer = open_printer(uri)
    except ValueError as exc:
        fail(str(exc))
    for language in languages or tuple(LABELS):
        try:
            where = printer.print_ticket(sample_paper(language))
        except Exception as exc:  # the operator needs the reason, whatever raised it
            fail(f"the {language} sample ticket did not print on {uri}: {exc}")
        click.echo(f"printed a sample {language} ticket on {uri}" + (f" ({where})" if where else ""))
