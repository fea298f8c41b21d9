"""The documented deployment holds SPEC §8's network on two processes behind nginx on two cores:
nginx's connections per worker and its file limit, and each process's pool of connections."""
import re

import pytest

from queue_app.cli import WORKER_CONNECTIONS, gunicorn_args
from tests import deploy
from tests.deploy import NGINX_CONF, render_nginx
CORES = PROCESSES = 2  # SPEC §8: one 2-core machine; status pages across 2 processes
SOCKETS = 20_000 + 150 * 3 + 150 + 150 * 40  # status pages, displays, kiosks, a counter page per counter


def setting(name: str) -> int:
    return int(re.search(rf"^\s*{name} (\d+);", NGINX_CONF.read_text(), re.M)[1])


def test_nginx_holds_every_socket_twice_over_its_workers():
    per_worker = setting("worker_connections")
    assert per_worker * CORES >= 2 * SOCKETS * 1.15  # the client's and the upstream connection, and room
    assert setting("worker_rlimit_nofile") >= per_worker  # each connection is a file


def test_each_process_takes_its_share_of_the_sockets():
    args = gunicorn_args("127.0.0.1", 5000)
    assert int(args[args.index("--worker-connections") + 1]) == WORKER_CONNECTIONS
    assert WORKER_CONNECTIONS * PROCESSES >= SOCKETS * 1.15  # nginx's hash does not split them exactly


@pytest.mark.parametrize(("hard", "workers", "files"), [
    (deploy.resource.RLIM_INFINITY, "auto", 65536),  # as documented
    (20_000, "7", 20_000),  # a machine that lets a process open 20,000 files: 2 × 65,536 over 7 workers
])
def test_rendered_nginx_keeps_the_files_on_a_machine_with_a_lower_limit(monkeypatch, tmp_path, hard, workers, files):
    monkeypatch.setattr(deploy.resource, "getrlimit", lambda _: (1024, hard))
    monkeypatch.setattr(deploy.os, "cpu_count", lambda: CORES)
    text = render_nginx([5001, 5002], 8080, tmp_path)
    assert re.search(r"^worker_processes (\w+);", text, re.M)[1] == workers
    assert int(re.search(r"^worker_rlimit_nofile (\d+);", text, re.M)[1]) == files
