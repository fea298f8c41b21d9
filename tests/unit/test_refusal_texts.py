"""Every refusal code the server can give has a text for people, translated into every configured language."""
import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel, force_locale

import queue_app
from queue_app import TRANSLATIONS
from queue_app.api.errors import CODES
from queue_app.config import DEFAULT_CONFIG, read_network_file
from queue_app.domain.errors import DomainError
from queue_app.refusals import FALLBACK, TEXTS, refusal_text, refusal_texts

REPO = Path(__file__).resolve().parents[2]
SOURCES = [REPO / "queue_app", REPO / "kiosk", REPO / "counter", REPO / "display"]
OURS = ("queue_app", "kiosk", "counter", "display")
LANGUAGES = [lang for lang in read_network_file(DEFAULT_CONFIG).network.languages if lang != "en"]


def modules():
    """Every module of the server, imported (their refusal classes register as subclasses)."""
    for info in pkgutil.walk_packages(queue_app.__path__, "queue_app."):
        # (not the entry points: __main__ runs the command line, wsgi builds a serving app)
        if ".migrations" not in info.name and not info.name.endswith(("__main__", ".wsgi")):
            yield importlib.import_module(info.name)


def refusal_classes() -> dict[str, type]:
    """DomainError and its subclasses, and any other exception that takes a refusal code
    (`error_code`, e.g. queue_app/parsing.py's refusals of malformed input)."""
    imported = list(modules())
    found, todo = {}, [DomainError]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    for module in imported:
        for name, cls in vars(module).items():
            if (inspect.isclass(cls) and issubclass(cls, Exception) and cls.__module__.startswith(OURS)
                    and code_parameter(cls) is not None):
                found.setdefault(name, cls)
    return found


def code_parameter(cls: type) -> tuple[int, str] | None:
    """(position, name) of the code among the arguments, for classes like CheckInRefused(code, message)."""
    try:
        params = list(inspect.signature(cls.__init__).parameters)[1:]
    except (TypeError, ValueError):
        return None
    for position, name in enumerate(params):
        if name in ("code", "error_code"):
            return position, name
    return None


def code_arguments(path: Path, classes: dict[str, type]):
    """(where, code) for each call of a refusal class in the file, the code resolved to its string."""
    tree = ast.parse(path.read_text(), str(path))
    module = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in classes:
            continue
        given = [k.value for k in node.keywords if k.arg in ("code", "error_code")]
        parameter = code_parameter(classes[name])
        if parameter is not None and len(node.args) > parameter[0] and not isinstance(node.args[parameter[0]], ast.Starred):
            given.append(node.args[parameter[0]])
        for value in given:
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                yield where, value.value
            elif isinstance(value, ast.Name):
                if module is None:
                    dotted = ".".join(path.relative_to(REPO).with_suffix("").parts)
                    module = importlib.import_module(dotted.removesuffix(".__init__"))
                resolved = getattr(module, value.id, None)
                assert isinstance(resolved, str), f"{where}: the code {value.id} is not a string constant"
                yield where, resolved
            elif not (isinstance(value, ast.Attribute) and value.attr in ("code", "error_code")):
                # (a code forwarded from another refusal, e.g. e.error_code, is counted where it was made)
                raise AssertionError(f"{where}: give the refusal code as a literal or a named constant")


def raised_codes() -> dict[str, str]:
    """Every code the server can answer with, and where it comes from."""
    classes = refusal_classes()
    codes = {cls.code: f"class {name}" for name, cls in classes.items() if isinstance(vars(cls).get("code"), str)}
    for name, cls in classes.items():  # a default code, e.g. JSONRefused(message, error_code="malformed_json")
        parameter = code_parameter(cls)
        default = parameter and inspect.signature(cls.__init__).parameters[parameter[1]].default
        if isinstance(default, str):
            codes.setdefault(default, f"class {name}")
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            if "migrations" not in path.parts:
                for where, code in code_arguments(path, classes):
                    codes.setdefault(code, where)
    for code in CODES.values():
        codes.setdefault(code, "queue_app/api/errors.py CODES")
    return codes


def test_the_walk_finds_the_codes_it_must():
    codes = raised_codes()
    for code in ("not_found", "centre_closed", "too_early", "too_late", "already_checked_in", "unknown_appointment",
                 "bad_phone", "slot_full", "phone_limit", "in_the_past", "already_rated", "rate_limited"):
        assert code in codes


def test_every_refusal_code_has_a_text():
    missing = {code: where for code, where in raised_codes().items() if code not in TEXTS}
    assert not missing, f"add these codes to queue_app/refusals.py TEXTS: {missing}"


def catalogue(language: str):
    po = REPO / "queue_app" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id and m.string and not m.fuzzy}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_refusal_text_is_translated(language):
    translated = catalogue(language)
    texts = {"": FALLBACK, **TEXTS}
    missing = sorted(code for code, text in texts.items() if text._args[0] not in translated)
    assert not missing, f"queue_app/translations/{language} lacks the texts of: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogues_speak_the_language(language):
    """What a face actually shows: the .mo files (make translations) give the language, not English."""
    app = Flask(__name__)
    Babel(app, default_translation_directories=TRANSLATIONS)
    with app.test_request_context(), force_locale(language):
        shown = refusal_texts()
        assert refusal_text("too_early") == shown["too_early"] != TEXTS["too_early"]._args[0]
        assert refusal_text("no_such_code") == shown[""] != FALLBACK._args[0]
        english = [code for code, text in shown.items() if text == ({"": FALLBACK, **TEXTS}[code])._args[0]]
        assert not english, f"{language} shows English for: {english}"
