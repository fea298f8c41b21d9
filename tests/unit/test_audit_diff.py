"""The difference of an audited change's before and after, as the audit page and CSV show it."""
from queue_app.domain.audit_diff import ADDED, CHANGED, REMOVED, Change, diff, shown
from queue_app.domain.health import is_silent, missing_languages


def test_objects_are_compared_key_by_key_with_a_path():
    before = {"name": {"en": "Tax", "es": "Impuestos"}, "duration_min": 10, "bookable": True}
    after = {"name": {"en": "Taxes", "ru": "Налоги"}, "duration_min": 10}
    assert diff(before, after) == [
        Change("bookable", REMOVED, before=True), Change("name.en", CHANGED, "Tax", "Taxes"),
        Change("name.es", REMOVED, before="Impuestos"), Change("name.ru", ADDED, after="Налоги")]


def test_lists_are_collections_whose_order_says_nothing():
    kim, lee, kim_later = {"staff": "kim", "end": "13:00"}, {"staff": "lee"}, {"staff": "kim", "end": "15:00"}
    assert diff([kim, lee], [lee, kim]) == []
    assert diff([kim, lee], [kim_later, lee]) == [Change("", REMOVED, before=kim), Change("", ADDED, after=kim_later)]
    assert diff([kim, kim], [kim]) == [Change("", REMOVED, before=kim)]  # a repeated item counts twice
    assert diff(None, [kim]) == [Change("", ADDED, after=kim)]
    assert diff([kim], None) == [Change("", REMOVED, before=kim)]


def test_whole_values_created_or_deleted_and_nothing_for_no_change():
    assert diff(None, {"a": 1}) == [Change("", ADDED, after={"a": 1})]
    assert diff({"a": 1}, None) == [Change("", REMOVED, before={"a": 1})]
    assert diff({"a": [1, 2]}, {"a": [1, 2]}) == [] and diff(None, None) == []
    assert diff({"a": 1}, {"a": "1"}) == [Change("a", CHANGED, 1, "1")]


def test_a_value_is_shown_in_one_line():
    assert shown("Налоги") == "Налоги"
    assert shown({"b": 1, "a": "é"}) == '{"a": "é", "b": 1}'


def test_missing_translations_and_silent_devices():
    from datetime import datetime, timedelta, timezone

    assert missing_languages({"en": "Tax", "es": "", "ar": "ضريبة"}, ["en", "es", "ru", "ar"]) == ["es", "ru"]
    assert missing_languages(None, ["en"]) == ["en"]
    now = datetime(2026, 12, 5, 12, tzinfo=timezone.utc)
    assert is_silent(None, now) and is_silent(now - timedelta(minutes=15), now)
    assert not is_silent(now - timedelta(minutes=14), now)
