"""The served OpenAPI document holds against a live server: no operation answers with a 5xx (SPEC §5, §9).

A fresh instance is initialised with the demo config.toml (centres MSK1, MSK2, MAD1 and AIR1, which
never closes) and served by `python -m queue_app serve` on a free port. The fixture then creates an
admin, an AIR1 manager, an AIR1 clerk with every skill and an AIR1 kiosk, signs the staff in through
POST /api/v1/auth/token, opens counter AIR1-03 for the clerk, issues a few tickets at the kiosk and
calls one to the clerk's counter, so the fuzzer finds real things to act on.

The Schemathesis CLI (v4) then fuzzes every operation of /api/v1/openapi.json with the
`not_a_server_error` check, a fixed seed and a bounded number of examples per operation, once per
credential: the admin's bearer token, an AIR1 manager's, the clerk's, the kiosk's, and none at all (where it also makes
up bearer tokens of its own). The kiosk's and the clerk's runs leave out the administration's
operations, which refuse them by role before reading anything (MANAGERS_ONLY). Path parameters and a few body fields draw half of the time from
dictionaries of real values (centre and counter codes, ticket ids and tokens, service codes, the
fuzz users' names and password) and otherwise from the schema, so requests get past the 404s and
401s as well as probing the refusals. DELETE /api/v1/auth/token is left out of the signed-in runs,
where it would revoke the very token the run uses, and gets a run of its own with a token to spare.

The server runs on SQLite in the instance folder or, when ONEDOOR_TEST_DATABASE_URL is set, on a
PostgreSQL database `onedoor_fuzz` of the same server, dropped and created afresh (the suite's own
database is busy with the other tests of the run).

Run it alone (the manager's and admin's runs are in test_schemathesis_admin.py, served apart so
that the two files run side by side under pytest-xdist; 75 examples an operation on SQLite,
PostgreSQL takes 40):

    .venv/bin/pytest tests/integration/test_schemathesis.py tests/integration/test_schemathesis_admin.py -q
    ONEDOOR_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/pytest tests/integration/test_schemathesis.py -q
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from queue_app import create_app
from queue_app.environment import DEFAULT_CONFIG, database_url, sqlalchemy_url
from queue_app.extensions import db
from tests.conftest import CHEAP_HASH, drop_postgres_database, postgres_test_url

ROOT = Path(__file__).resolve().parents[2]
QUEUE_APP = [sys.executable, "-m", "queue_app"]
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
# Examples per operation: the full count on SQLite; on PostgreSQL, the second pass of the same
# schema and code, fewer, to keep CI within its time (the API's PostgreSQL paths have their own tests).
MAX_EXAMPLES = 40 if os.environ.get("ONEDOOR_TEST_DATABASE_URL") else 75
SEED = 20261123
PASSWORD = "fuzz-pass-2026"
CENTRE = "AIR1"
COUNTER = "AIR1-03"
REVOKE = "DELETE /api/v1/auth/token"
# The administration's operations (tags of api/admin_*.py, roster drafts, the audit trail, booking
# conflicts) answer a kiosk or a clerk 403 before anything else: the kiosk's and the clerk's runs
# leave them out. The anonymous run (401) and the manager's and admin's runs fuzz them.
MANAGERS_ONLY = r"^(admin_|roster_drafts$|audit_api$|booking_conflicts$)"
ANSWERED = re.compile(r'HTTP/[0-9.]+(?:\x1b\[[0-9;]*m)?" (\d{3}) ')  # Werkzeug's access log, maybe coloured


@dataclass
class Live:
    base: str
    instance: Path
    log: Path
    server: subprocess.Popen
    config: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def server_output(self, lines: int = 150) -> str:
        """The server's last lines, without the access-log lines of requests answered below 500."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        kept = [line for line in text.splitlines()
                if not ((m := ANSWERED.search(line)) and int(m.group(1)) < 500)]
        return "\n".join(kept[-lines:])


def _cli(runner, *args: str):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, f"queue-app {args[0]} failed:\n{result.output}\n{result.exception!r}"
    return result


def _call(base: str, method: str, path: str, body=None, token: str | None = None):
    """A JSON request to the live server; (status, parsed body or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        with exc:
            raw = exc.read()
        return exc.code, json.loads(raw) if raw else None


def _toml_list(values) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _write_config(path: Path, dictionaries: dict[str, list], parameters: dict[str, str]) -> None:
    """A schemathesis.toml binding parameters to dictionaries of real values, half of the time."""
    lines = []
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml_list(values)}", ""]
    lines.append("[parameters]")
    for key, dictionary in parameters.items():
        lines.append(f'"{key}" = {{ dictionary = "{dictionary}", probability = 0.5 }}')
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    instance = tmp_path_factory.mktemp("fuzz")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEDOOR_")}
    env.update({
        "ONEDOOR_INSTANCE": str(instance),
        "ONEDOOR_LOGIN_RATE_LIMIT": "100000/minute",
        "ONEDOOR_PUBLIC_RATE_LIMIT": "100000/minute",
        "ONEDOOR_PASSWORD_HASH": CHEAP_HASH,
    })
    fuzz_url = postgres_test_url("fuzz")  # a database of its own, next to the suite's
    if fuzz_url:
        env["ONEDOOR_DATABASE_URL"] = fuzz_url

    # The CLI's commands, run in this process on an app over the server's database (each
    # `queue-app` process would spend ~3 s importing the app before doing anything).
    setup = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(fuzz_url) if fuzz_url else database_url(str(instance)),
                        "ONEDOOR_CONFIG": str(DEFAULT_CONFIG), "ONEDOOR_PASSWORD_HASH": CHEAP_HASH})
    cli = setup.test_cli_runner()
    try:
        _cli(cli, "init")
        _cli(cli, "create-user", "--role", "admin", "--username", "fuzzadmin", "--password", PASSWORD)
        _cli(cli, "create-user", "--role", "manager", "--centre", CENTRE, "--username", "fuzzmanager",
             "--password", PASSWORD)
        _cli(cli, "create-user", "--role", "clerk", "--centre", CENTRE, "--username", "fuzzclerk", "--skills", "all",
             "--password", PASSWORD)
        kiosk = _cli(cli, "create-device", "--kind", "kiosk", "--centre", CENTRE, "--printer", "dummy://")
    finally:
        with setup.app_context():
            db.session.remove()
            db.engine.dispose()
    kiosk_token = kiosk.output.strip().splitlines()[-1]

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = instance / "server.log"
    with log.open("w") as out:  # a file, not a pipe: thousands of logged requests must never block the server
        server = subprocess.Popen([*QUEUE_APP, "serve", "--port", str(port)], cwd=ROOT, env=env,
                                  stdout=out, stderr=subprocess.STDOUT, text=True)
    state = Live(base=base, instance=instance, log=log, server=server, config=instance / "schemathesis.toml")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None:
                pytest.fail(f"the server died while starting:\n{state.server_output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer /healthz in 30 s:\n{state.server_output()}")
            time.sleep(0.2)

        for who in ("fuzzadmin", "fuzzmanager", "fuzzclerk"):
            status, body = _call(base, "POST", "/api/v1/auth/token", {"username": who, "password": PASSWORD})
            assert status == 201, body
            state.tokens[who.removeprefix("fuzz")] = body["token"]
        status, body = _call(base, "POST", "/api/v1/auth/token", {"username": "fuzzadmin", "password": PASSWORD})
        assert status == 201, body
        state.tokens["spare"] = body["token"]  # the one the DELETE /auth/token run may revoke
        state.tokens["kiosk"] = kiosk_token

        status, body = _call(base, "POST", f"/api/v1/counters/{COUNTER}/open", {}, state.tokens["clerk"])
        assert status == 200, body
        status, services = _call(base, "GET", "/api/v1/services")
        assert status == 200 and services, services
        service_codes = [s["code"] for s in services]
        ticket_ids, ticket_tokens = [], []
        for code in service_codes[:4]:
            status, body = _call(base, "POST", f"/api/v1/centres/{CENTRE}/tickets", {"service": code}, kiosk_token)
            assert status == 201, body
            ticket_ids.append(body["id"])
            ticket_tokens.append(body["token"])
        status, body = _call(base, "POST", f"/api/v1/counters/{COUNTER}/call-next", token=state.tokens["clerk"])
        assert status == 200, body  # one ticket is called to the clerk's counter
        status, centres = _call(base, "GET", "/api/v1/centres")
        assert status == 200, centres
        centre_codes = [c["code"] for c in centres]
        counter_codes = []
        for code in centre_codes:
            status, counters = _call(base, "GET", f"/api/v1/centres/{code}/counters")
            assert status == 200, counters
            counter_codes += [c["code"] for c in counters[:3]]
        status, devices = _call(base, "GET", "/api/v1/admin/devices", token=state.tokens["admin"])
        assert status == 200, devices
        device_ids = [d["id"] for d in devices if d["centre"] == CENTRE]

        _write_config(
            state.config,
            {
                # real values, plus edges the schema allows: ids past a 32- and a 64-bit column, a
                # NUL character (Schemathesis never puts one in a path parameter, so only in a body)
                "centre": centre_codes,
                "counter": counter_codes,
                "ticket_id": [*ticket_ids, ticket_ids[-1] + 1, 2**31, 2**63],
                "token": ticket_tokens,
                "service": service_codes,
                "username": ["fuzzadmin", "fuzzclerk", "fuzzmanager", "fuzz\x00admin"],
                "device_id": [*device_ids, 2**31],
                "password": [PASSWORD],
                # the administration's {code} is a centre's, a counter's or a service's; {day} a date
                "code": [*centre_codes, *counter_codes, *service_codes],
                "day": ["2030-01-01", "2030-12-25", "2020-01-01", "2030-02-30"],
            },
            {
                "path.centre": "centre",
                "path.counter": "counter",
                "path.ticket_id": "ticket_id",
                "path.token": "token",
                "body.service": "service",
                "body.skills[*]": "service",
                "body.username": "username",
                "path.username": "username",
                "path.device_id": "device_id",
                "body.password": "password",
                "path.code": "code",
                "path.day": "day",
            },
        )
        yield state
        if server.poll() is not None:
            pytest.fail(f"the server died during the fuzzing (exit {server.returncode}):\n{state.server_output()}")
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
        if fuzz_url:
            drop_postgres_database(fuzz_url)


def schemathesis(live: Live, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEDOOR_")}
    env["NO_COLOR"] = "1"
    command = [
        SCHEMATHESIS, "--config-file", str(live.config), "run", f"{live.base}/api/v1/openapi.json",
        "--url", live.base, "--checks", "not_a_server_error", "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED), "--workers", "1", "--request-timeout", "10", "--generation-database", "none",
        "--no-color", *args,
    ]
    # cwd: the instance folder, so nothing Schemathesis might write lands in the repository
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=live.instance, timeout=280)


def fuzz_as(live: Live, who: str) -> None:
    """Fuzz every operation as `who` (a credential of `live`, "anonymous" or "revoke"); fail on a 5xx."""
    if who == "anonymous":
        args = []  # no credentials, and Schemathesis makes up bearer tokens of its own
    elif who == "revoke":
        args = ["-H", f"Authorization: Bearer {live.tokens['spare']}", "--include-name", REVOKE,
                "--generation-with-security-parameters", "false"]
    else:
        args = ["-H", f"Authorization: Bearer {live.tokens[who]}", "--exclude-name", REVOKE,
                "--generation-with-security-parameters", "false"]
        if who in ("kiosk", "clerk"):
            args += ["--exclude-tag-regex", MANAGERS_ONLY]
    proc = schemathesis(live, *args)
    output = "\n".join((proc.stdout + proc.stderr).splitlines()[-150:])
    assert live.server.poll() is None, f"the server died:\n{live.server_output()}\n\nschemathesis:\n{output}"
    assert proc.returncode == 0, (
        f"schemathesis ({who}) exited {proc.returncode}:\n{output}\n\n"
        f"server output (last lines):\n{live.server_output(80)}"
    )


# The managers' and the admin's runs (the most operations they may reach) are in
# test_schemathesis_admin.py, with a server of their own: pytest-xdist gives each file to a worker.
@pytest.mark.parametrize("who", ["kiosk", "clerk", "anonymous", "revoke"])
def test_no_operation_answers_with_a_server_error(live, who):
    fuzz_as(live, who)
