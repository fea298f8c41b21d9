"""What a ticket says, already in the visitor's language: the one input of every printer backend."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import arabic_reshaper
from babel import Locale, UnknownLocaleError
# python-bidi's own implementation: unlike its Rust-backed get_display it also mirrors brackets of a
# right-to-left run (rule L4), so "(…)" around Arabic or around a time zone reads right on paper.
from bidi.algorithm import get_display

FONTS = Path(__file__).resolve().parent / "fonts"
SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")


def font_path(name: str = "DejaVuSans.ttf") -> str:
    """A DejaVu font file: the copy shipped with the package, else the system's."""
    for folder in (FONTS, SYSTEM_FONTS):
        if (folder / name).exists():
            return str(folder / name)
    raise FileNotFoundError(f"font {name} not found in {FONTS} or {SYSTEM_FONTS}")


@dataclass(frozen=True)
class Labels:
    """The fixed words of a ticket in one language."""

    time: str = "Time"
    ahead: str = "People ahead"
    wait: str = "Estimated wait"
    documents: str = "Please bring"
    steps: str = "Your visit, in this order"
    scan: str = "Scan to follow your turn"
    footer: str = "Please wait until your number is called."
    minutes: str = "{n} min"
    span: str = "{low}–{high} min"  # a range the centre's past waits give (queue_app/domain/ranges.py)
    under_a_minute: str = "under 1 min"
    unknown: str = "—"


# Printers keep their own words: a ticket must print even when the pages' catalogues are not
# loaded (the worker runs outside any request). A language not listed here prints in English.
LABELS: dict[str, Labels] = {
    "en": Labels(),
    "es": Labels(
        time="Hora", ahead="Personas delante", wait="Espera estimada", documents="Traiga",
        steps="Su visita, en este orden",
        scan="Escanee para seguir su turno", footer="Espere a que llamen su número.",
        minutes="{n} min", span="{low}–{high} min", under_a_minute="menos de 1 min",
    ),
    "ru": Labels(
        time="Время", ahead="Перед вами", wait="Ожидание", documents="Возьмите с собой",
        steps="Ваш визит, по порядку",
        scan="Отсканируйте, чтобы следить за очередью", footer="Пожалуйста, ожидайте вызова вашего номера.",
        minutes="{n} мин", span="{low}–{high} мин", under_a_minute="меньше 1 мин",
    ),
    "ar": Labels(
        time="الوقت", ahead="عدد من قبلك", wait="الانتظار المتوقع", documents="يُرجى إحضار",
        steps="زيارتك، بهذا الترتيب",
        scan="امسح الرمز لمتابعة دورك", footer="يُرجى الانتظار حتى يُنادى رقمك.",
        minutes="{n} دقيقة", span="{low}–{high} دقيقة", under_a_minute="أقل من دقيقة",
    ),
}


def direction(language: str) -> str:
    """"rtl" for a language written right to left (Arabic…), else "ltr"."""
    try:
        return Locale.parse(language.replace("-", "_")).text_direction
    except (ValueError, UnknownLocaleError):
        return "ltr"


def has_rtl(text: str) -> bool:
    """Whether the text holds a right-to-left letter (Arabic, Hebrew…): such a line runs right to left;
    one of only Latin letters, digits and signs (A001, a URL, 10:00–10:20) keeps its own order."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def shaped(text: str) -> str:
    """Arabic letters in their joined forms (Unicode presentation forms), still in logical order.

    For drawing libraries that put each character's glyph as given (reportlab): without it every
    letter would stand alone, in its isolated form. Text without Arabic comes back unchanged."""
    return arabic_reshaper.reshape(text)


def visual(text: str, rtl: bool) -> str:
    """One line, shaped and in the order it is drawn left to right (the Unicode bidi algorithm):
    Arabic runs reversed, numbers such as A001 or 12:00 kept left to right inside them."""
    return get_display(shaped(text), base_dir="R" if rtl else "L")


def labels_for(language: str) -> Labels:
    """The ticket's words in `language` (its base language for e.g. `es-MX`), else English."""
    return LABELS.get(language) or LABELS.get(language.split("-")[0]) or LABELS["en"]


def wait_text(minutes: float | None, labels: Labels, span: tuple[int, int] | None = None) -> str:
    """An estimated wait as the ticket shows it: whole minutes, never a false precision; the range
    `span` where the centre's past waits give one."""
    if minutes is None:
        return labels.unknown
    if span is not None:
        return labels.span.format(low=span[0], high=span[1])
    if minutes < 1:
        return labels.under_a_minute
    return labels.minutes.format(n=round(minutes))


@dataclass(frozen=True)
class Step:
    """One service of a visit as printed: its name and what to bring for it."""

    service: str
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class TicketPaper:
    """One ticket as printed: every text already in the visitor's language."""

    centre: str
    number: str
    service: str
    issued_at: str  # local time at the centre, formatted
    ahead: int | None  # None when the ticket no longer waits (e.g. already called)
    wait: str
    documents: tuple[str, ...]
    status_url: str
    labels: Labels = field(default_factory=Labels)
    language: str = "en"
    ticket_id: int | None = None  # names the PDF file; None for a test print
    # A visit of several services (SPEC §11): every step in order, the first being `service`; the
    # paper then lists them numbered and groups `documents` per step. Empty for a single service.
    steps: tuple[Step, ...] = ()

    @property
    def is_visit(self) -> bool:
        """Whether the paper is a visit's: more than one step."""
        return len(self.steps) > 1


def step_lines(paper: TicketPaper) -> list[tuple[str, str]]:
    """A visit's steps as (mark, service name): ("1. ", "Birth registration"), … ([] for one service)."""
    return [(f"{n}. ", step.service) for n, step in enumerate(paper.steps, 1)] if paper.is_visit else []


def document_groups(paper: TicketPaper) -> list[tuple[str, tuple[str, ...]]]:
    """What to bring, grouped per step: (heading, documents), headed "2. Passport renewal:" on a
    visit's paper (steps without documents left out, to keep it short), one group headed "" else."""
    if not paper.is_visit:
        return [("", paper.documents)] if paper.documents else []
    return [(f"{n}. {step.service}:", step.documents) for n, step in enumerate(paper.steps, 1) if step.documents]


SAMPLE = {
    "en": ("Headquarters", "Birth registration", ("Medical birth certificate", "Parents' passports")),
    "es": ("Sede central", "Registro de nacimiento", ("Certificado médico de nacimiento", "Pasaportes de los padres")),
    "ru": ("Главный офис", "Регистрация рождения", ("Медицинское свидетельство о рождении", "Паспорта родителей")),
    "ar": ("المقر الرئيسي", "تسجيل المواليد", ("شهادة الولادة الطبية", "جوازا سفر الوالدين")),
}


def sample_paper(language: str = "en", status_url: str = "http://127.0.0.1:5000/t/test-print") -> TicketPaper:
    """A made-up ticket for `print-test`."""
    centre, service, documents = SAMPLE.get(language, SAMPLE["en"])
    labels = labels_for(language)
    return TicketPaper(
        centre=centre, number="A001", service=service, issued_at="23.11.2026 12:00", ahead=3,
        wait=wait_text(12, labels), documents=documents, status_url=status_url, labels=labels,
        language=language,
    )
