"""The queue-app command line, both in-process and as the installed console script."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from queue_app.domain.access import SYSTEM
from queue_app.extensions import db
from queue_app.models import Device, Staff, Ticket
from queue_app.services import issue_ticket
from tests.conftest import CHEAP_HASH, DATA
from tests.deploy import wait_healthy

ROOT = Path(__file__).resolve().parents[2]
QUEUE_APP = [sys.executable, "-m", "queue_app"]


def run_cli(*args, instance: Path, config: Path | None = None, check=True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEDOOR_")}
    env["ONEDOOR_INSTANCE"] = str(instance)
    if config:
        env["ONEDOOR_CONFIG"] = str(config)
    proc = subprocess.run([*QUEUE_APP, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_init_creates_the_demo_network_and_is_idempotent(tmp_path):
    first = run_cli("init", instance=tmp_path)
    assert "Loaded OneDoor demo network" in first.stdout
    assert (tmp_path / "onedoor.sqlite3").exists()
    again = run_cli("init", instance=tmp_path)
    assert again.stdout.splitlines()[-1] == first.stdout.splitlines()[-1]


def test_init_stops_on_a_bad_configuration_naming_the_entry(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((DATA / "network.toml").read_text().replace('prefix = "B"', 'prefix = "A"'))
    proc = run_cli("init", instance=tmp_path, config=bad, check=False)
    assert proc.returncode == 2
    assert "services[1] (passport): prefix \"A\" is the line of agency 'registry'" in proc.stderr
    assert not (tmp_path / "onedoor.sqlite3").exists() or "Loaded" not in proc.stdout


def test_demo_populates_the_centre_that_never_closes(tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    air_day = lambda: datetime.now(ZoneInfo("Europe/Moscow")).date()  # noqa: E731 (AIR1's day)
    first_day = air_day()
    proc = run_cli("demo", instance=tmp_path)
    air = [line for line in proc.stdout.splitlines() if line.strip().startswith("AIR1:")]
    assert air and "tickets issued" in air[0]
    assert "skuznetsov   admin    all" in proc.stdout
    rostered = {line.split()[0]: line for line in proc.stdout.splitlines() if " roster: " in line}
    assert set(rostered) == {"AIR1", "MAD1", "MSK1", "MSK2"}
    assert "AIR1 roster: 14 days written" in rostered["AIR1"]
    kiosk_line = next(line for line in proc.stdout.splitlines() if line.strip().startswith("kiosk "))
    assert len(kiosk_line.split()[-1]) >= 43
    # run twice the same day: it leaves the day alone
    again = run_cli("demo", instance=tmp_path)
    issued = int(air[0].split(":")[1].split()[0])
    # Across AIR1's midnight (21:00 UTC) the second run rightly starts a new day; in its first minutes
    # the replay may issue nothing, and a day with nothing in it is populated again.
    assert [line for line in again.stdout.splitlines() if " roster: " in line and "nothing written" not in line] == [] \
        or datetime.now(ZoneInfo("Europe/Moscow")).weekday() == 0  # a run past Sunday's midnight starts a new week
    if air_day() == first_day and issued:
        assert "AIR1:" not in again.stdout


def test_create_user_hashes_the_password_and_sets_skills(ctx, runner):
    result = runner.invoke(args=["create-user", "--role", "clerk", "--centre", "HQ", "--username", "zoe",
                                 "--name", "Zoe Q", "--skills", "birth,tax", "--secondary", "info",
                                 "--password", "s3cret-pass"])
    assert result.exit_code == 0, result.output
    zoe = db.session.scalar(select(Staff).where(Staff.username == "zoe"))
    assert check_password_hash(zoe.password_hash, "s3cret-pass")
    assert "s3cret-pass" not in zoe.password_hash
    assert zoe.password_hash.startswith(CHEAP_HASH + "$")  # the suite's method (TEST_CONFIG)
    skills = zoe.skill_set()
    assert (sorted(skills.primary), sorted(skills.secondary)) == (["birth", "tax"], ["info"])


def test_passwords_are_hashed_with_scrypt_unless_the_environment_says_otherwise(tmp_path, monkeypatch):
    from queue_app.environment import settings

    monkeypatch.delenv("ONEDOOR_PASSWORD_HASH", raising=False)
    assert settings(str(tmp_path))["ONEDOOR_PASSWORD_HASH"] == "scrypt"
    monkeypatch.setenv("ONEDOOR_PASSWORD_HASH", "pbkdf2:sha256:600000")
    assert settings(str(tmp_path))["ONEDOOR_PASSWORD_HASH"] == "pbkdf2:sha256:600000"


def test_create_user_with_all_skills(ctx, runner):
    result = runner.invoke(args=["create-user", "--role", "clerk", "--centre", "HQ", "--username", "max",
                                 "--skills", "all", "--password", "s3cret-pass"])
    assert result.exit_code == 0, result.output
    staff = db.session.scalar(select(Staff).where(Staff.username == "max"))
    assert sorted(staff.skill_set().primary) == ["birth", "info", "passport", "tax"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "clerk", "--centre", "XX"], "no centre with code 'XX'"),
        (["--role", "clerk", "--centre", "HQ", "--skills", "cooking"], "unknown service code(s): cooking"),
        (["--role", "clerk"], "a clerk works at exactly one centre"),
        (["--role", "manager"], "a manager needs at least one centre"),
        (["--role", "admin", "--skills", "birth"], "only clerks have skills"),
    ],
)
def test_create_user_refusals(ctx, runner, args, message):
    result = runner.invoke(args=["create-user", "--username", "bad", "--password", "s3cret-pass", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert db.session.scalar(select(Staff).where(Staff.username == "bad")) is None


def test_create_user_refuses_a_short_password(ctx, runner):
    result = runner.invoke(args=["create-user", "--role", "admin", "--username", "root2", "--password", "short"])
    assert result.exit_code == 2 and "at least 8 characters" in result.output


def test_create_device_prints_the_token_last_and_stores_only_its_hash(ctx, runner):
    result = runner.invoke(args=["create-device", "--kind", "kiosk", "--centre", "HQ", "--name", "Door",
                                 "--printer", "tcp://127.0.0.1:9100"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert len(token) >= 43 and " " not in token
    device = db.session.scalar(select(Device).where(Device.name == "Door"))
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (device.kind, device.printer_uri, device.centre.code) == ("kiosk", "tcp://127.0.0.1:9100", "HQ")


def test_create_device_refuses_a_printer_on_a_display(ctx, runner):
    result = runner.invoke(args=["create-device", "--kind", "display", "--centre", "HQ", "--printer", "dummy://"])
    assert result.exit_code == 2 and "only a kiosk has a printer" in result.output


def test_close_day_command(ctx, runner):
    from tests.conftest import NOON

    issue_ticket("HQ", "birth", now=NOON, by=SYSTEM)
    result = runner.invoke(args=["close-day", "--centre", "HQ"])
    assert result.exit_code == 0, result.output
    assert "1 waiting tickets cancelled" in result.output
    assert db.session.scalar(select(Ticket.status).execution_options(populate_existing=True)) == "cancelled"


def test_serve_answers_on_a_real_port(tmp_path):
    import json
    import socket
    import urllib.request

    run_cli("init", instance=tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEDOOR_")}
    env["ONEDOOR_INSTANCE"] = str(tmp_path)
    server = subprocess.Popen([*QUEUE_APP, "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server, 30)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
            # By default one process runs everything, the scheduled jobs and printing included.
            assert json.loads(resp.read()) == {"status": "ok", "scheduler": True, "printing": True}
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=10)
    assert f"OneDoor serving at http://127.0.0.1:{port}" in out


def test_a_print_worker_apart_prints_what_a_server_without_one_leaves(tmp_path):
    """`serve --no-print-worker` spends itself on requests and prints nothing; a `queue-app
    print-worker` beside it prints the kiosk's ticket on the (stand-in) printer and stops cleanly."""
    import json
    import socket
    import time
    import urllib.request

    from tests.conftest import NETWORK
    from tests.printer_standin import PrinterStandIn

    printer = PrinterStandIn().start()
    run_cli("init", instance=tmp_path, config=NETWORK)
    token = run_cli("create-device", "--kind", "kiosk", "--centre", "HQ", "--printer", printer.uri,
                    instance=tmp_path, config=NETWORK).stdout.splitlines()[-1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEDOOR_")}
    env.update(ONEDOOR_INSTANCE=str(tmp_path), ONEDOOR_CONFIG=str(NETWORK))
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([*QUEUE_APP, "serve", "--port", str(port), "--no-print-worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    worker = None

    def get(path: str, data: dict | None = None) -> dict:
        request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}",
                                                               "Content-Type": "application/json"},
                                         data=None if data is None else json.dumps(data).encode())
        with urllib.request.urlopen(request, timeout=10) as resp:
            return json.loads(resp.read())

    try:
        wait_healthy(base, server, 30)
        assert get("/healthz") == {"status": "ok", "scheduler": True, "printing": False}
        ticket = get("/api/v1/centres/HQ/tickets", {"service": "birth"})
        time.sleep(2.5)  # two turns of a print loop, had the server one
        assert printer.tickets() == [] and get(f"/api/v1/tickets/{ticket['id']}/paper")["state"] == "pending"
        worker = subprocess.Popen([*QUEUE_APP, "print-worker"], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while printer.tickets() != [ticket["number"]]:
            assert time.monotonic() < deadline, "the print worker printed nothing in 30 s"
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.2)
        deadline = time.monotonic() + 10
        while get(f"/api/v1/tickets/{ticket['id']}/paper")["state"] != "printed":
            assert time.monotonic() < deadline, "the printer's confirmation was not recorded"
            time.sleep(0.2)
    finally:
        printer.stop()
        server.terminate()
        out, _ = server.communicate(timeout=10)
        if worker is not None:
            worker.terminate()
            worker_out, _ = worker.communicate(timeout=20)
    assert "Printing: off here (`queue-app print-worker` prints)" in out
    assert worker.returncode == 0, worker_out  # SIGTERM ends it cleanly
    assert "OneDoor print worker" in worker_out
