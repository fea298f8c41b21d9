"""The `queue-app` command line: init, network import/export, serve, demo, create-user, create-device, close-day."""
from __future__ import annotations

import functools
import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from tqdm import tqdm

from .config import ConfigError, read_network_file
from .domain.errors import DomainError


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(2)


def refusals_exit(command):
    """Print a refused command's reason (e.g. `create-user: no centre with code 'XX'`), exit 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DomainError as exc:
            _fail(f"{click.get_current_context().info_name}: {exc.message}")

    return wrapper


def init_database(config_path: str | None = None) -> None:
    """Create or upgrade the schema; fill an empty database from the network file.

    A database that already holds a network keeps all of it (SPEC §4: the database is the source
    of truth): only its schema is upgraded; `network import` applies a file to it as a diff.
    """
    from . import MIGRATIONS
    from .services.catalogue import apply_network, network_counts, network_name

    path = config_path or current_app.config["ONEDOOR_CONFIG"]
    name = network_name()
    if name:
        upgrade(directory=MIGRATIONS)
        click.echo(f"This database already holds {name}: init upgraded its schema and "
                   f"changed none of its data. `queue-app network import {path} --dry-run` lists what the "
                   "file would change; `queue-app network export` writes the network out.")
    else:
        try:
            cfg = read_network_file(path)
        except ConfigError as exc:
            _fail(f"configuration error in {exc}")
        upgrade(directory=MIGRATIONS)
        apply_network(cfg)
        click.echo(f"Loaded {cfg.network.name} from {path} into a new database.")
    held = network_counts()
    click.echo(
        f"In the database: {held.languages} languages, {held.agencies} agencies, {held.services} services, "
        f"{held.life_events} life events, {held.centres} centres, {held.counters} counters, "
        f"{held.devices} devices, {held.staff} staff."
    )


@click.command("init")
@click.option("--config", "config_path", help="network file of a new database (default: config.toml, or ONEDOOR_CONFIG)")
@with_appcontext
def init_command(config_path):
    """Create or upgrade the database; an empty one gets the network of config.toml."""
    init_database(config_path)


@click.group("network")
def network_group():
    """The network in the database (catalogue, centres, staff, devices, settings) and TOML files."""


@network_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="list the changes, write nothing")
@with_appcontext
def network_import_command(file, dry_run):
    """Apply a network file to the database: added, changed, deactivated (never deleted)."""
    from .services.catalogue import import_network, network_name

    try:
        cfg = read_network_file(file, untranslated=True)
    except ConfigError as exc:
        _fail(f"network import: configuration error in {exc}")
    if not network_name():
        _fail("network import: this database holds no network yet: `queue-app init` creates one")
    changes = import_network(cfg, dry_run=dry_run)
    for line in changes.lines():
        click.echo(line)
    if changes:
        click.echo("dry run: nothing written" if dry_run else f"{file} applied")


@network_group.command("export")
@click.argument("file", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def network_export_command(file):
    """Write the database's network as TOML in config.toml's format (to FILE, or - for stdout)."""
    from datetime import datetime, timezone

    from .config import network_toml
    from .extensions import db
    from .services.catalogue import network_name
    from .services.snapshot import export_document

    if not network_name():
        _fail("network export: this database holds no network yet: `queue-app init` creates one")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    document = export_document()
    db.session.rollback()  # a read: end it
    text = network_toml(document, [
        f"OneDoor network exported from its database on {stamp}.",
        "`queue-app network import FILE --dry-run` lists what this file would change in a network.",
    ])
    with click.open_file(file, "w", encoding="utf-8") as out:
        out.write(text)
    if file != "-":
        click.echo(f"wrote {file}", err=True)


@click.command("demo")
@click.option("--seed", default=7, show_default=True, help="random seed of the demo day")
@with_appcontext
def demo_command(seed):
    """init, keep a roster for this week and the next at every centre, then replay a few hours of
    visits at every centre open now."""
    from .services import demo

    init_database()
    click.echo("Rosters for this week and the next (days without one get the demo pattern):")
    for r in demo.keep_rosters():
        written = f"{len(r.written)} days written ({r.written[0]} to {r.written[-1]})" if r.written else "nothing written"
        click.echo(f"  {r.centre} roster: {written}, {r.kept} days already rostered left as they are")
    with tqdm(desc="Replaying the demo day", unit="centre", file=sys.stderr) as bar:
        days = demo.populate(seed=seed, progress=lambda code: (bar.set_postfix_str(code), bar.update()))
    for d in days:
        click.echo(f"  {d.centre}: {d.issued} tickets issued, {d.served} served, {d.waiting} waiting")
    if not days:
        click.echo("  nothing replayed: no centre is open at this hour, or each open one already has today's tickets")
    password = current_app.config["ONEDOOR_DEMO_PASSWORD"] or "onedoor-demo"
    access = demo.grant_access(password)
    click.echo(f"Demo accounts (password '{password}' unless set before; ONEDOOR_DEMO_PASSWORD changes it):")
    for username, role, centres in access.accounts:
        click.echo(f"  {username:<12} {role:<8} {centres}")
    click.echo("Device tokens for AIR1, the centre that never closes (new ones on every demo run):")
    for centre, kind, name, token in access.devices:
        click.echo(f"  {kind:<8} {name:<28} {token}")


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@click.command("create-user")
@refusals_exit
@click.option("--role", type=click.Choice(["admin", "manager", "clerk"]), required=True)
@click.option("--username", required=True)
@click.option("--centre", "centres", help="centre code; a manager may have several, comma-separated")
@click.option("--name", help="the person's full name")
@click.option("--skills", help="primary skills: service codes comma-separated, or 'all'")
@click.option("--secondary", help="secondary skills: service codes comma-separated")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(role, username, centres, name, skills, secondary, password):
    """Create a staff account (or reset an existing one)."""
    from .services import create_user

    primary = "all" if skills == "all" else _csv(skills)
    staff = create_user(username, role, password=password, name=name, centres=_csv(centres),
                        primary=primary, secondary=_csv(secondary))
    click.echo(f"{staff.role} {staff.username} ready ({len(staff.skills)} skills).")


@click.command("create-device")
@refusals_exit
@click.option("--kind", type=click.Choice(["kiosk", "display"]), required=True)
@click.option("--centre", required=True, help="centre code")
@click.option("--name", help="where it stands, e.g. 'Lobby kiosk 2'")
@click.option("--printer", help="kiosk printer URI, e.g. tcp://10.0.0.5:9100")
@with_appcontext
def create_device_command(kind, centre, name, printer):
    """Register a kiosk or display; its token is printed alone on the last line."""
    from .services import create_device

    new = create_device(kind, centre, name=name, printer=printer)
    click.echo(f"{kind} '{new.device.name}' at {centre}. Its token (shown only now):")
    click.echo(new.token)


@click.command("list-devices")
@click.option("--centre", help="only this centre's devices")
@with_appcontext
def list_devices_command(centre):
    """List kiosks and displays with their ids, printers and whether their token works."""
    from .extensions import db
    from .models import Centre, Device

    query = db.select(Device).join(Centre).order_by(Centre.code, Device.kind, Device.id)
    if centre:
        query = query.where(Centre.code == centre)
    for d in db.session.scalars(query):
        state = "revoked" if d.revoked_at else ("active" if d.token_hash else "no token yet")
        click.echo(f"{d.id:>4}  {d.centre.code:<8} {d.kind:<8} {state:<13} {d.name}  {d.printer_uri or ''}".rstrip())


@click.command("revoke-device")
@refusals_exit
@click.option("--id", "device_id", type=int, required=True, help="device id (see list-devices)")
@with_appcontext
def revoke_device_command(device_id):
    """Stop a lost or replaced device's token from working."""
    from .services.people import revoke_device

    device = revoke_device(device_id)
    click.echo(f"{device.kind} '{device.name}' at {device.centre.code}: token revoked.")


@click.command("disable-user")
@refusals_exit
@click.option("--username", required=True)
@click.option("--enable", is_flag=True, help="re-enable the account instead")
@with_appcontext
def disable_user_command(username, enable):
    """Disable an account: its sessions and API tokens stop working at once."""
    from .services.people import set_user_active

    set_user_active(username, enable)
    click.echo(f"{username} {'enabled' if enable else 'disabled; its tokens are revoked'}.")


@click.command("close-day")
@refusals_exit
@click.option("--centre", required=True, help="centre code")
@with_appcontext
def close_day_command(centre):
    """Cancel the tickets still waiting and close idle counters."""
    from .services import close_day

    done = close_day(centre)
    click.echo(f"{centre}: {done.cancelled} waiting tickets cancelled, {done.counters_closed} counters closed, "
               f"{done.still_at_counters} still serving.")


@click.command("report")
@refusals_exit
@click.option("--centre", help="centre code")
@click.option("--network", is_flag=True, help="every centre together (administrators' report)")
@click.option("--date", "day", help="one centre-local day, YYYY-MM-DD")
@click.option("--from", "start", help="first day of a period, YYYY-MM-DD")
@click.option("--to", "end", help="last day of the period (default: --from)")
@click.option("--pdf", type=click.Path(dir_okay=False), help="write the PDF here")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), help="write the CSV (one line per centre-day) here")
@click.option("--lang", default="en", show_default=True, help="language of the PDF: en, es, ru")
@with_appcontext
def report_command(centre, network, day, start, end, pdf, csv_file, lang):
    """Write a day's or a period's report (figures, charts) as PDF and/or CSV."""
    from .manager.report_cli import write_report

    result, written = write_report(centre, network, day, start, end, pdf, csv_file, lang)
    r = result.report
    click.echo(f"{centre or 'network'} {result.period}: {r.arrivals} arrivals, {r.served} served; "
               f"wrote {', '.join(written)}")


@click.group("jobs")
def jobs_group():
    """Scheduled jobs (opening, closing, reminders, roll-up); `serve` or `scheduler` runs them every minute."""


@jobs_group.command("run-due")
@click.option("--now", "now_text", help="act as at this ISO time with offset, e.g. 2026-11-23T20:00:00+03:00")
@with_appcontext
def run_due_command(now_text):
    """Do whatever is due and not yet done, once (for cron, or to catch up by hand)."""
    from datetime import datetime

    from .jobs import run_due

    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            _fail(f"run-due: --now {now_text!r} is not an ISO time, e.g. 2026-11-23T20:00:00+03:00")
        if now.tzinfo is None:
            _fail("run-due: --now needs a UTC offset, e.g. 2026-11-23T20:00:00+03:00")
    for line in run_due(now).lines():
        click.echo(line)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--dev", is_flag=True, help="Werkzeug's threaded development server instead of gunicorn + gevent.")
@click.option("--no-scheduler", is_flag=True,
              help="Run no scheduled jobs here (as ONEDOOR_SCHEDULER=0): one `queue-app scheduler` runs them.")
@click.option("--no-print-worker", is_flag=True,
              help="Print no tickets here (as ONEDOOR_PRINT_WORKER=0): `queue-app print-worker` processes print them.")
@with_appcontext
def serve_command(host, port, dev, no_scheduler, no_print_worker):
    """Serve the central server: HTTP, the API and Socket.IO on one port (gunicorn, one gevent worker).

    One process serves thousands of sockets; for more, start several (each its own port, sharing
    the database and ONEDOOR_MESSAGE_QUEUE, none running the scheduler) behind nginx with sticky
    sessions, and one `queue-app scheduler` (docs/deploy/README.md).
    """
    app: Flask = current_app._get_current_object()
    for key, off in (("ONEDOOR_SCHEDULER", no_scheduler), ("ONEDOOR_PRINT_WORKER", no_print_worker)):
        if off:
            os.environ[key] = "0"  # for gunicorn's app, built after the exec below
            app.config[key] = False
    base = f"http://{host}:{port}"
    click.echo(f"OneDoor serving at {base}" + (" (development server)" if dev else " (gunicorn, gevent)"))
    for label, path in FACES:
        if any(rule.rule == path.split("?")[0] for rule in app.url_map.iter_rules()):
            click.echo(f"  {label:<28} {base}{path}")
    click.echo("  Scheduled jobs: " + ("in this process" if app.config["ONEDOOR_SCHEDULER"]
                                       else "off here (`queue-app scheduler` runs them)"))
    click.echo("  Printing: " + ("in this process" if app.config["ONEDOOR_PRINT_WORKER"]
                                 else "off here (`queue-app print-worker` prints)"))
    sys.stdout.flush()
    if dev:
        # Flask refuses app.run() inside its own CLI; Werkzeug's server is what app.run() would start.
        from werkzeug.serving import run_simple

        from .jobs import start_background

        start_background(app)  # printing; opening, closing, reminders, roll-up: see README "Scheduled jobs"
        run_simple(host, port, app, threaded=True, use_reloader=False)
        return
    _raise_open_files_limit()
    os.environ["ONEDOOR_ASYNC_MODE"] = "gevent"
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", *gunicorn_args(host, port), "queue_app.wsgi:app"])


@click.command("scheduler")
@click.option("--interval", default=60.0, show_default=True, help="seconds between two looks at what is due")
@with_appcontext
def scheduler_command(interval):
    """Run only the scheduled jobs (opening, closing, roll-up, messages) until stopped.

    One per deployment, beside web processes started with `serve --no-scheduler`; its screens'
    events go through ONEDOOR_MESSAGE_QUEUE (docs/deploy/README.md).
    """
    from .jobs import run_scheduler

    app: Flask = current_app._get_current_object()
    if not app.config["ONEDOOR_MESSAGE_QUEUE"]:
        click.secho("scheduler: ONEDOOR_MESSAGE_QUEUE is not set, so what the jobs change (a closing "
                    "cancelling tickets) reaches no screen until the next change in that centre",
                    fg="yellow", err=True)
    click.echo(f"OneDoor scheduled jobs: a look every {interval:g} s until stopped (SIGTERM)")
    sys.stdout.flush()
    run_scheduler(app, interval)


@click.command("print-worker")
@click.option("--interval", default=1.0, show_default=True, help="seconds between two looks at the due jobs when idle")
@with_appcontext
def print_worker_command(interval):
    """Print the kiosks' tickets, and nothing else, until stopped.

    Beside web processes started with `serve --no-print-worker`, which then spend their time on
    requests; run one or more (each job is claimed by one). Printer faults reach the managers'
    alerts through ONEDOOR_MESSAGE_QUEUE (docs/deploy/README.md).
    """
    from .print_worker import run_print_process

    app: Flask = current_app._get_current_object()
    if not app.config["ONEDOOR_MESSAGE_QUEUE"]:
        click.secho("print-worker: ONEDOOR_MESSAGE_QUEUE is not set, so a printer's fault reaches the "
                    "managers' dashboards only with the next change in that centre", fg="yellow", err=True)
    click.echo(f"OneDoor print worker: printing the due tickets (a look every {interval:g} s when idle) until stopped (SIGTERM)")
    sys.stdout.flush()
    run_print_process(app, interval)


# The sockets one process holds at most: half of SPEC §8's network (20,000 status pages, 450
# displays, 150 kiosks, up to 6,000 counter pages) on each of two processes, with room
# (tests/unit/test_deploy_capacity.py).
WORKER_CONNECTIONS = 20_000


def gunicorn_args(host: str, port: int) -> list[str]:
    """One worker: Socket.IO needs every request of a client at the same process (sticky sessions),
    which gunicorn's own balancing cannot give; gevent lets that one worker hold thousands of sockets."""
    return [
        "--worker-class", "gevent", "--workers", "1", "--worker-connections", str(WORKER_CONNECTIONS),
        "--bind", f"{host}:{port}", "--timeout", "60", "--graceful-timeout", "10",
        "--log-level", "warning",  # no access log: addresses of status pages are visitors' credentials
    ]


def _raise_open_files_limit() -> None:
    """Each socket is a file descriptor: lift the soft limit to the hard one (often 1,024 → 1M)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


FACES = [
    ("Front page", "/"),
    ("Staff sign-in", "/login"),
    ("Counter (clerks)", "/counter"),
    ("Kiosk (opened with ?token=)", "/kiosk"),
    ("Display (opened with ?token=)", "/display"),
    ("Manager dashboard, reports, staffing planner", "/manager"),
    ("Open data", "/open-data"),
    ("Booking an appointment", "/book"),
    ("Joining today's queue from home", "/join"),
    ("API (OpenAPI document)", "/api/v1/openapi.json"),
    ("Centres, live", "/api/v1/centres"),
    ("Health", "/healthz"),
]

COMMANDS = [
    init_command, network_group, demo_command, create_user_command, create_device_command, list_devices_command,
    revoke_device_command, disable_user_command, close_day_command, report_command, serve_command,
    scheduler_command, print_worker_command, jobs_group,
]


def register(app: Flask) -> None:
    from printers.cli import print_test_command

    from .simulation.cli import simulate_command

    for command in [*COMMANDS, print_test_command, simulate_command]:
        app.cli.add_command(command)


def main() -> None:
    from . import create_app

    FlaskGroup(create_app=create_app, add_version_option=False, load_dotenv=False,
               help="OneDoor central server.")(prog_name="queue-app")
