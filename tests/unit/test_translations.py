"""Every text of the pages exists in every configured language."""
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from queue_app.config import DEFAULT_CONFIG, read_network_file

REPO = Path(__file__).resolve().parents[2]
from queue_app import CATALOGUES

METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def page_texts(root: Path) -> set[str]:
    """The texts of the folder, leaving out folders that keep a catalogue of their own."""
    inner = {REPO / other for other in CATALOGUES if (REPO / other).parent == root}
    found = extract_from_dir(root, METHODS, keywords=KEYWORDS,
                             directory_filter=lambda path: Path(path) not in inner)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


@pytest.mark.parametrize("face", CATALOGUES)
@pytest.mark.parametrize("language", [lang for lang in read_network_file(DEFAULT_CONFIG).network.languages if lang != "en"])
def test_each_language_translates_every_page_text(face, language):
    root = REPO / face
    po = root / "translations" / language / "LC_MESSAGES" / "messages.po"
    assert po.exists(), f"no translations for {language}: add {po}"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog  # a plural by its singular
                  if m.id and (m.string if isinstance(m.string, str) else all(m.string)) and not m.fuzzy}
    missing = sorted(page_texts(root) - translated)
    assert not missing, f"{language} lacks: {missing}"
