"""config.toml (SPEC §4): the demo network loads, and every wrong entry is named with its reason."""
import functools
from datetime import time
from pathlib import Path

import pytest

from queue_app.config import DEFAULT_CONFIG, ConfigError, PolicyCfg, read_network_file

NETWORK = Path(__file__).resolve().parents[1] / "data" / "network.toml"
TEXT = NETWORK.read_text(encoding="utf-8")

# Unique anchors in tests/data/network.toml, so each edit touches exactly one entry.
PASSPORT_NAME = ('name = { en = "Passport renewal", es = "Renovación de pasaporte", ru = "Замена паспорта", '
                 'ar = "تجديد جواز السفر" }')
LANGUAGES = 'languages = ["en", "es", "ru", "ar"]'
LANGUAGE_NAMES = 'language_names = { en = "English", es = "Español", ru = "Русский", ar = "العربية" }'
BEN = 'username = "ben"\nname = "Ben"\nrole = "clerk"\ncentres = ["HQ"]'
MIA = 'username = "mia"\nname = "Mia"\nrole = "manager"\ncentres = ["HQ", "NYC"]'


def edited(*replacements: tuple[str, str]) -> str:
    """The test network with each (old, new) made once; fail loudly if an anchor has drifted."""
    text = TEXT
    for old, new in replacements:
        assert text.count(old) == 1, f"anchor not unique in network.toml: {old!r}"
        text = text.replace(old, new)
    return text


def config_error(tmp_path: Path, *replacements: tuple[str, str]) -> str:
    """Load an edited copy of the test network; return the ConfigError message it must raise."""
    path = tmp_path / "config.toml"
    path.write_text(edited(*replacements), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_network_file(path)
    assert str(path) in str(info.value)
    return str(info.value)


# --- the demo network and the test network ------------------------------------------------

@functools.cache
def demo():
    return read_network_file(DEFAULT_CONFIG)


def test_demo_config_is_the_one_at_the_project_root():
    assert DEFAULT_CONFIG == Path(__file__).resolve().parents[2] / "config.toml"


def test_demo_network_has_several_centres_in_several_timezones():
    assert len(demo().centres) >= 3
    assert len({c.timezone for c in demo().centres}) >= 2


def test_demo_catalogue_is_a_real_one_stop_shop():
    assert len(demo().agencies) >= 6
    assert len(demo().services) >= 55
    assert len(demo().life_events) >= 6


def test_demo_services_share_their_agencys_one_or_two_lines():
    lines_of = {}
    for s in demo().services:
        lines_of.setdefault(s.agency, set()).add(s.prefix)
    assert all(1 <= len(prefixes) <= 2 for prefixes in lines_of.values()), lines_of
    assert len({s.prefix for s in demo().services}) <= len(demo().services) / 4


def test_demo_texts_are_translated_not_copied():
    for s in demo().services:
        for lang in ("es", "ru", "ar"):
            assert s.name[lang] != s.name["en"], (s.code, lang)
            assert not set(s.documents.get(lang, [])) & set(s.documents["en"]), (s.code, lang)


def test_demo_network_speaks_english_spanish_and_russian():
    assert {"en", "es", "ru"} <= set(demo().network.languages)
    assert demo().default_language == demo().network.languages[0]


def test_demo_network_has_a_centre_that_never_closes():
    assert any(c.hours == "24/7" and c.opening_hours().always_open for c in demo().centres)


def test_demo_network_has_a_centre_open_every_day_eight_to_eight():
    every_day = [c for c in demo().centres
                 if isinstance(c.hours, dict) and set(c.hours.values()) == {"08:00-20:00"}]
    assert every_day
    weekly = every_day[0].opening_hours().weekly
    assert len(weekly) == 7 and set(weekly.values()) == {(time(8), time(20))}


def test_demo_networks_largest_centre_has_at_least_24_counters():
    assert max(c.counters for c in demo().centres) >= 24


def test_demo_every_centres_hours_build():
    for centre in demo().centres:
        assert centre.opening_hours() is not None


def test_test_network_loads():
    cfg = read_network_file(NETWORK)
    assert [c.code for c in cfg.centres] == ["HQ", "NYC"]
    assert [s.prefix for s in cfg.services] == ["A", "B", "C", "D"]
    assert cfg.centres[1].target_wait_min == 10 and cfg.defaults.target_wait_min == 15


def test_unedited_copy_loads(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(edited(), encoding="utf-8")
    assert read_network_file(path).network.name == "Test network"


# --- the file itself ----------------------------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such file") as info:
        read_network_file(tmp_path / "nowhere.toml")
    assert "nowhere.toml" in str(info.value)


def test_invalid_toml(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(TEXT.replace('[network]', '[network'), encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_network_file(path)


def test_file_not_in_utf8(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(TEXT.encode("cp1251", errors="replace"))
    with pytest.raises(ConfigError):
        read_network_file(path)


def test_path_is_a_directory(tmp_path):
    with pytest.raises(ConfigError):
        read_network_file(tmp_path)


# --- catalogue: agencies, services, life events -------------------------------------------

def test_service_with_unknown_agency(tmp_path):
    message = config_error(tmp_path, ('agency = "passports"\nprefix = "B"', 'agency = "consulate"\nprefix = "B"'))
    assert "services[1] (passport): agency 'consulate' is not defined in [[agencies]]" in message


def test_a_prefix_shared_across_agencies_is_refused(tmp_path):
    message = config_error(tmp_path, ('prefix = "B"', 'prefix = "A"'))
    assert ("services[1] (passport): prefix \"A\" is the line of agency 'registry'; services of different "
            "agencies may not share a line (birth)") in message


def test_services_of_one_agency_share_a_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(edited(('prefix = "C"', 'prefix = "A"'), ('prefix = "D"', 'prefix = "PAS"'),
                           ('prefix = "B"', 'prefix = "PAS"')), encoding="utf-8")
    assert [(s.agency, s.prefix) for s in read_network_file(path).services] == [
        ("registry", "A"), ("passports", "PAS"), ("registry", "A"), ("passports", "PAS")]


@pytest.mark.parametrize(("prefix", "reason"), [
    ("ABCD", "must be 1 to 3 capital letters A–Z (without I and O)"),
    ("a", "must be 1 to 3 capital letters A–Z (without I and O)"),
    ("", "must be 1 to 3 capital letters A–Z (without I and O)"),
    ("Б", "must be 1 to 3 capital letters A–Z (without I and O)"),
    ("I", "holds I or O, which read as 1 and 0 on a ticket"),
    ("BOX", "holds I or O, which read as 1 and 0 on a ticket"),
])
def test_a_bad_prefix_is_named(tmp_path, prefix, reason):
    message = config_error(tmp_path, ('prefix = "B"', f'prefix = "{prefix}"'))
    assert "services[1] (passport).prefix: prefix" in message and reason in message


def test_duplicate_service_code(tmp_path):
    message = config_error(tmp_path, ('code = "info"', 'code = "tax"'))
    assert "services[3] (tax): code 'tax' is already used by services[2]" in message


def test_duplicate_agency_code(tmp_path):
    message = config_error(tmp_path, ('code = "passports"', 'code = "registry"'))
    assert "agencies[1] (registry): code 'registry' is already used by agencies[0]" in message


def test_life_event_with_unknown_service(tmp_path):
    message = config_error(tmp_path, ('services = ["birth", "passport"]', 'services = ["birth", "wedding"]'))
    assert "life_events[0] (newborn): service 'wedding' is not defined in [[services]]" in message


# --- centres ------------------------------------------------------------------------------

def test_duplicate_centre_code(tmp_path):
    message = config_error(tmp_path, ('code = "NYC"', 'code = "HQ"'))
    assert "centres[1] (HQ): code 'HQ' is already used by centres[0]" in message


@pytest.mark.parametrize(("old", "new", "reason"), [
    ('mon = "09:00-17:00"', 'mon = "18:00-09:00"',
     'hours.mon: "18:00-09:00": closing time must come after opening time on the same day'),
    ('sat = "10:00-14:00"', 'sat = "10-14"', 'hours.sat: "10-14" is not "HH:MM-HH:MM" or "closed"'),
    ('fri = "09:00-17:00"', 'fri = "09:00-24:30"', 'hours.fri: "09:00-24:30": 24:30 is not a time'),
], ids=["impossible", "malformed", "past-midnight"])
def test_bad_weekday_hours(tmp_path, old, new, reason):
    assert f"centres[1] (NYC): {reason}" in config_error(tmp_path, (old, new))


def test_missing_weekday(tmp_path):
    message = config_error(tmp_path, (', sun = "closed" }', " }"))
    assert 'centres[1] (NYC): hours.sun is missing (write "closed" for a closed day)' in message


def test_unknown_weekday_key(tmp_path):
    message = config_error(tmp_path, ('sun = "closed"', 'sunday = "closed"'))
    assert "centres[1] (NYC): hours.sunday is not a weekday (mon, tue, wed, thu, fri, sat, sun)" in message
    assert "centres[1] (NYC): hours.sun is missing" in message


def test_hours_text_other_than_24_7(tmp_path):
    message = config_error(tmp_path, ('hours = "24/7"', 'hours = "always"'))
    assert """centres[0] (HQ): hours must be "24/7" or a table of weekdays, not 'always'""" in message


@pytest.mark.parametrize(("hours", "reason"), [
    ("12:00-09:00", '"12:00-09:00": closing time must come after opening time'),
    ("morning", '"morning" is not "HH:MM-HH:MM" or "closed"'),
])
def test_bad_exception_hours(tmp_path, hours, reason):
    message = config_error(tmp_path, ('hours = "09:00-12:00"', f'hours = "{hours}"'))
    assert f"centres[1] (NYC): exceptions[1] (2026-12-24): {reason}" in message


def test_two_exceptions_on_the_same_day(tmp_path):
    message = config_error(tmp_path, ('date = "2026-12-24"', 'date = "2026-12-25"'))
    assert "centres[1] (NYC): exceptions[1] (2026-12-25)" in message


@pytest.mark.parametrize("zone", ["America/Springfield", "Europe/Moscow ", "", "/etc/localtime", "../UTC"])
def test_bad_timezone(tmp_path, zone):
    message = config_error(tmp_path, ('timezone = "America/New_York"', f'timezone = "{zone}"'))
    assert f"centres[1] (NYC): timezone {zone!r} is not an IANA timezone (e.g. Europe/Madrid)" in message


def test_timezone_naming_a_region_not_a_zone(tmp_path):
    message = config_error(tmp_path, ('timezone = "America/New_York"', 'timezone = "America"'))
    assert "centres[1] (NYC): timezone 'America' is not an IANA timezone" in message


def test_bad_printer_uri(tmp_path):
    message = config_error(tmp_path, ('printer = "dummy://"', 'printer = "http://printer.local"'))
    assert 'centres[0] (HQ).kiosks[0].printer: "http://printer.local" is not a printer URI' in message


def test_wrong_type(tmp_path):
    message = config_error(tmp_path, ("counters = 4\n", 'counters = "many"\n'))
    assert "centres[1] (NYC).counters: Input should be a valid integer" in message


def test_out_of_range_value(tmp_path):
    message = config_error(tmp_path, ("counters = 40", "counters = 0"))
    assert "centres[0] (HQ).counters: Input should be greater than or equal to 1" in message


# --- staff --------------------------------------------------------------------------------

def test_staff_with_unknown_centre(tmp_path):
    message = config_error(tmp_path, (BEN, BEN.replace('["HQ"]', '["LON"]')))
    assert "staff[1] (ben): centre 'LON' is not defined in [[centres]]" in message


def test_staff_with_unknown_skill(tmp_path):
    message = config_error(tmp_path, ('primary = ["tax", "info"]', 'primary = ["tax", "fishing"]'))
    assert "staff[1] (ben): skill 'fishing' is not a service defined in [[services]]" in message


def test_skill_both_primary_and_secondary(tmp_path):
    message = config_error(tmp_path, ('secondary = ["tax"]', 'secondary = ["tax", "birth"]'))
    assert "staff[0] (ana): birth listed as both primary and secondary" in message


@pytest.mark.parametrize("centres", ['["HQ", "NYC"]', "[]"], ids=["two", "none"])
def test_clerk_works_at_exactly_one_centre(tmp_path, centres):
    message = config_error(tmp_path, (BEN, BEN.replace('["HQ"]', centres)))
    assert "staff[1] (ben): a clerk works at exactly one centre" in message


def test_manager_with_no_centres(tmp_path):
    message = config_error(tmp_path, (MIA, MIA.replace('["HQ", "NYC"]', "[]")))
    assert "staff[2] (mia): a manager needs at least one centre" in message


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_only_clerks_have_skills(tmp_path, role):
    message = config_error(tmp_path, (MIA, MIA.replace('"manager"', f'"{role}"') + '\nprimary = ["birth"]'))
    assert "staff[2] (mia): only clerks have skills" in message


def test_duplicate_username(tmp_path):
    message = config_error(tmp_path, ('username = "ben"', 'username = "ana"'))
    assert "staff[1] (ana): username 'ana' is already used by staff[0]" in message


# --- languages and translations -----------------------------------------------------------

def test_english_must_be_a_language(tmp_path):
    message = config_error(tmp_path, (LANGUAGES, 'languages = ["es", "ru"]'))
    assert "network.languages: English (en) must be one of the languages" in message


def test_language_listed_twice(tmp_path):
    message = config_error(tmp_path, (LANGUAGES, 'languages = ["en", "es", "ru", "ar", "es"]'))
    assert "network.languages: a language is listed twice" in message


def test_language_without_a_name(tmp_path):
    message = config_error(tmp_path, (LANGUAGE_NAMES, 'language_names = { en = "English", es = "Español" }'))
    assert "network.language_names: no name for language 'ru'" in message


@pytest.mark.parametrize(("old", "new", "where"), [
    (PASSPORT_NAME, PASSPORT_NAME.replace(', ru = "Замена паспорта"', ""), "services[1] (passport): name"),
    (', ru = "Паспорта"', "", "agencies[1] (passports): name"),
    (', ru = "Рождение ребёнка"', "", "life_events[0] (newborn): name"),
    (', ru = "ул. Главная, 1"', "", "centres[0] (HQ): address"),
    (', ru = ["Медицинское свидетельство о рождении"]', "", "services[0] (birth): documents"),
], ids=["service-name", "agency-name", "life-event-name", "centre-address", "documents"])
def test_missing_translation(tmp_path, old, new, where):
    message = config_error(tmp_path, (old, new))
    assert f"{where} has no 'ru' text" in message


def test_empty_translation(tmp_path):
    message = config_error(tmp_path, ('ru = "Справка"', 'ru = ""'))
    assert "services[3] (info).name.ru: String should have at least 1 character" in message


def test_text_in_an_unconfigured_language(tmp_path):
    message = config_error(tmp_path, (PASSPORT_NAME, PASSPORT_NAME.replace(" }", ', de = "Reisepass" }')))
    assert "services[1] (passport): name has text in 'de', which is not a configured language" in message


def test_a_language_the_pages_cannot_be_shown_in(tmp_path):
    message = config_error(tmp_path, (LANGUAGES, 'languages = ["en", "es", "ru", "ar", "zz"]'),
                           (LANGUAGE_NAMES, LANGUAGE_NAMES.replace(" }", ', zz = "Zed" }')))
    assert "network.languages: 'zz' is not a language the pages can be shown in" in message


def test_an_imported_file_may_lack_translations_but_english(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(edited((', ru = "Паспорта"', "")), encoding="utf-8")
    assert read_network_file(path, untranslated=True).agencies[1].name.get("ru") is None
    path.write_text(edited(('name = { en = "Passports", ', 'name = { ')), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"agencies\[1\] \(passports\): name has no 'en' text"):
        read_network_file(path, untranslated=True)


def test_every_translation_problem_is_reported_at_once(tmp_path):
    message = config_error(tmp_path, (LANGUAGES, 'languages = ["en", "es", "ru", "ar", "fr"]'),
                           (LANGUAGE_NAMES, LANGUAGE_NAMES.replace(" }", ', fr = "Français" }')))
    missing = [line for line in message.splitlines() if line.endswith("has no 'fr' text")]
    assert len(missing) == 2 + 4 + 1 + 2 * 2 + 1  # agency and service names, life event, centres, documents


# --- unknown settings ---------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "where"), [
    ('prefix = "B"', 'prefix = "B"\ncolour = "red"', "services[1] (passport).colour"),
    ('name = "Test network"', 'name = "Test network"\ncolour = "red"', "network.colour"),
    ("primary_bonus = 0.5", "primary_bonus = 0.5\ncolour = 1", "policy.colour"),
    ("counters = 4\n", "counters = 4\ncolour = 1\n", "centres[1] (NYC).colour"),
    ('printer = "dummy://"', 'printer = "dummy://"\ncolour = 1', "centres[0] (HQ).kiosks[0].colour"),
    ('{ date = "2026-12-25", hours = "closed" }', '{ date = "2026-12-25", hours = "closed", colour = 1 }',
     "centres[1] (NYC).exceptions[0].colour"),
    (BEN, BEN + "\ncolour = 1", "staff[1] (ben).colour"),
    ("[[life_events]]", "[colours]\nhall = 1\n\n[[life_events]]", "colours"),
], ids=["service", "network", "policy", "centre", "kiosk", "exception", "staff", "top-level"])
def test_unknown_setting(tmp_path, old, new, where):
    message = config_error(tmp_path, (old, new))
    assert f"{where}: unknown setting" in message


def test_misspelt_setting_is_unknown_and_the_real_one_missing(tmp_path):
    message = config_error(tmp_path, ("duration_min = 20", "duration_mins = 20"))
    assert "services[1] (passport).duration_mins: unknown setting" in message
    assert "services[1] (passport).duration_min: Field required" in message



def test_an_appointment_grace_loads_and_a_negative_one_is_refused(tmp_path):
    from queue_app.config import read_network_file

    path = tmp_path / "config.toml"
    path.write_text(edited(("primary_bonus = 0.5", "primary_bonus = 0.5\nappointment_grace_min = 5")), encoding="utf-8")
    assert read_network_file(path).policy.appointment_grace_min == 5
    assert PolicyCfg().appointment_grace_min is None  # off by default: appointments first at their slot
    message = config_error(tmp_path, ("primary_bonus = 0.5", "primary_bonus = 0.5\nappointment_grace_min = -1"))
    assert "policy.appointment_grace_min" in message


def test_deferring_late_lines_loads_and_a_negative_deferral_is_refused(tmp_path):
    from queue_app.config import read_network_file

    path = tmp_path / "config.toml"
    path.write_text(edited(("primary_bonus = 0.5", "primary_bonus = 0.5\ndefer_late_min = 20")), encoding="utf-8")
    assert read_network_file(path).policy.defer_late_min == 20
    assert PolicyCfg().defer_late_min is None  # off by default: a line past the target comes first at once
    message = config_error(tmp_path, ("primary_bonus = 0.5", "primary_bonus = 0.5\ndefer_late_min = -1"))
    assert "policy.defer_late_min" in message


def test_the_demo_network_calls_to_meet_the_target():
    # config.toml chooses the settings that meet SPEC §8's dispatch figure (docs/benchmarks.md)
    policy = demo().policy
    assert (policy.appointment_grace_min, policy.defer_late_min) == (10, 20)
