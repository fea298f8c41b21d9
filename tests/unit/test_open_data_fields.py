"""The open-data fields: a valid JSON Schema, and every text the /open-data page shows of them in every language."""
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jsonschema import Draft202012Validator

from queue_app.domain.open_data_fields import DAILY, LIVE, published_schema

CATALOGUES = Path(__file__).resolve().parents[2] / "queue_app" / "open_data" / "translations"


def test_the_published_schema_is_valid_draft_2020_12_with_a_licence():
    schema = published_schema("https://example.org/schema", "CC BY 4.0", None)
    Draft202012Validator.check_schema(schema)
    assert schema["license"] == {"name": "CC BY 4.0"}
    for kind, fields in (("live", LIVE), ("daily", DAILY)):
        properties = schema["$defs"][kind]["properties"]
        assert list(properties) == [f.name for f in fields]
        assert all(p["description"] for p in properties.values())


@pytest.mark.parametrize("language", ["es", "ru", "ar"])
def test_every_field_text_is_translated(language):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        translated = {m.id for m in read_po(fh) if m.id and m.string and not m.fuzzy}
    texts = {t for f in (*LIVE, *DAILY) for t in (f.description, f.unit, f.nullable) if t}
    assert not sorted(texts - translated)
