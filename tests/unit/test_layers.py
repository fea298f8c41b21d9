"""Who may import whom (docs/architecture.md): the table there is this test's, so the two agree.

Every module of the product belongs to one layer; a layer imports only the layers the table lets it.
Imports are read from the source (relative ones resolved), including those inside functions.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("queue_app", "counter", "display", "kiosk", "printers")

# A module's layer: the longest prefix of its dotted name found here.
LAYERS = {
    "queue_app.domain": "domain",
    "queue_app.models": "data", "queue_app.db": "data", "queue_app.extensions": "data",
    "queue_app.config": "config", "queue_app.environment": "config",
    "queue_app.services": "services",
    "printers": "printers",
    "queue_app.notifications": "notifications",
    "queue_app.realtime": "realtime",
    # the edges: each face, and the glue every face may use
    "queue_app.api": "api", "queue_app.pages": "pages", "queue_app.booking_site": "booking_site",
    "queue_app.manager": "manager", "queue_app.open_data": "open_data",
    "kiosk": "kiosk", "display": "display", "counter": "counter",
    "queue_app.auth": "web", "queue_app.devices": "web", "queue_app.i18n": "web", "queue_app.refusals": "web",
    "queue_app.urls": "web", "queue_app.limits": "web", "queue_app.parsing": "web", "queue_app.vendor": "web",
    "queue_app.namespaces": "web",
    "queue_app.jobs": "runners", "queue_app.print_worker": "runners", "queue_app.simulation": "runners",
    "queue_app.cli": "app", "queue_app.wsgi": "app", "queue_app.__main__": "app", "queue_app": "app",
    "queue_app.migrations": "app",
}
CORE = {"domain", "data", "config", "services"}
FACES = {"api", "pages", "booking_site", "manager", "open_data", "kiosk", "display", "counter"}
# layer → the layers it may import (besides itself)
MAY_IMPORT = {
    "domain": set(),
    "config": {"domain"},
    "data": {"domain"},
    "services": {"domain", "data", "config"},
    "printers": set(),
    "notifications": CORE | {"web"},
    "realtime": CORE,
    "web": CORE | {"realtime"},
    "runners": CORE | {"printers", "notifications", "web", "app"},  # the simulator builds an app of its own
    **{face: CORE | {"printers", "realtime", "web"} for face in FACES},
    "app": CORE | FACES | {"printers", "notifications", "realtime", "web", "runners", "app"},
}
# The few crossings the table allows by name, each with its reason.
EXCEPTIONS = {
    # A refused request under /api/ is answered by the API's JSON error handler, whatever page it hit.
    ("queue_app.pages.errors", "queue_app.api"),
}
# Flask in the services: only `current_app`, to reach the app's own state (app.extensions, config).
SERVICES_MAY_TAKE_FROM_FLASK = {"current_app"}


def layer_of(module: str) -> str:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYERS:
            return LAYERS[".".join(parts[:n])]
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and docs/architecture.md")


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or "static" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imports(module: str, path: Path):
    """(imported module, names taken from it) for every import of the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            if node.module is None:  # `from .. import services`: each name is a module
                for alias in node.names:
                    yield f"{target}.{alias.name}", ()
            else:
                yield target, tuple(alias.name for alias in node.names)


ALL = list(modules())


@pytest.mark.parametrize(("module", "path"), ALL, ids=[m for m, _ in ALL])
def test_each_module_imports_only_what_its_layer_may(module, path):
    mine = layer_of(module)
    wrong = []
    for target, names in imports(module, path):
        if target.split(".")[0] not in PACKAGES:
            if mine in ("domain", "printers") and target.split(".")[0] in ("flask", "flask_babel", "sqlalchemy", "werkzeug"):
                wrong.append(target)
            if mine == "services" and target.split(".")[0].startswith("flask") and (
                    target != "flask" or set(names) - SERVICES_MAY_TAKE_FROM_FLASK):
                wrong.append(f"{target} ({', '.join(names)})")
            continue
        theirs = layer_of(target)
        if theirs == mine or theirs in MAY_IMPORT[mine] or (module, ".".join(target.split(".")[:2])) in EXCEPTIONS:
            continue
        wrong.append(f"{target} ({theirs})")
    assert not wrong, f"{module} ({mine}) may not import: {', '.join(wrong)}"


def test_every_layer_of_the_table_holds_a_module():
    assert {layer_of(m) for m, _ in ALL} == set(MAY_IMPORT)
