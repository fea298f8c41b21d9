"""The documented deployment holds SPEC §8's network on two processes behind nginx on two cores:
nginx's connections per worker and its file limit, and each process's pool of connections."""
import re
from pathlib import Path

from queue_app.cli import WORKER_CONNECTIONS, gunicorn_args

NGINX_CONF = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "nginx.conf"
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
