"""The documented deployment on one machine, for tests and bench/network.py: `queue-app serve`
processes on free ports, and nginx running docs/deploy/nginx.conf itself, only its ports and file
paths changed, so what is tested is what the operators are told to install."""
from __future__ import annotations

import getpass
import math
import os
import re
import resource
import shutil
import socket
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
NGINX_CONF = ROOT / "docs" / "deploy" / "nginx.conf"
UPSTREAM_LINE = re.compile(r"^(\s*)server 127\.0\.0\.1:\d+;.*\n", re.M)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until `base`/healthz answers 200; fail at once if the server exits."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(base + "/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or busy starting
            pass
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.stdout.read() if server.stdout else server.returncode}")
        assert time.monotonic() < deadline, f"{base} did not answer in {seconds} s"
        time.sleep(0.2)


def _replace_once(text: str, old: str, new: str) -> str:
    """Replace a directive the documented file must hold exactly once (else the file changed shape
    and this rendering would silently test something else)."""
    assert text.count(old) == 1, f"docs/deploy/nginx.conf: expected one {old!r}"
    return text.replace(old, new)


def render_nginx(ports: list[int], listen: int, prefix: Path) -> str:
    """docs/deploy/nginx.conf with these upstream ports, listening on 127.0.0.1:`listen`, its pid,
    log and temporary files under `prefix`, its workers run by the current user within this
    machine's limit of open files (more workers where a worker may open fewer files than the file
    asks: a worker holds two of them for each client's socket)."""
    text = NGINX_CONF.read_text()
    found = []

    def upstreams(line: re.Match) -> str:  # the first upstream line becomes all of ours, the rest go
        found.append(line)
        return "".join(f"{line[1]}server 127.0.0.1:{port};\n" for port in ports) if len(found) == 1 else ""

    text = UPSTREAM_LINE.sub(upstreams, text)
    assert found, "docs/deploy/nginx.conf: no `server 127.0.0.1:PORT;` line in the upstream"
    text = _replace_once(text, "user www-data;", f"user {getpass.getuser()};")
    text = _replace_once(text, "pid /run/nginx.pid;", f"pid {prefix}/nginx.pid;")
    text = _replace_once(text, "error_log /var/log/nginx/error.log warn;", f"error_log {prefix}/error.log warn;")
    text = _replace_once(text, "listen 80;", f"listen 127.0.0.1:{listen};")
    text = _replace_once(text, "proxy_cache_path /var/cache/nginx/onedoor ", f"proxy_cache_path {prefix}/cache ")
    files = int(re.search(r"worker_rlimit_nofile (\d+);", text)[1])
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < files:
        # The same files in all, over more workers: `auto` workers (one a core) of `files` each is
        # what the documented file gives nginx; this machine lets a process open only `hard`.
        workers = math.ceil(files * (os.cpu_count() or 1) / hard)
        text = _replace_once(text, f"worker_rlimit_nofile {files};", f"worker_rlimit_nofile {hard};")
        text = _replace_once(text, "worker_processes auto;", f"worker_processes {workers};")
    temp = "".join(f"    {kind}_temp_path {prefix}/{kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return _replace_once(text, "http {\n", "http {\n" + temp)


def nginx_binary() -> str:
    """Debian's nginx (`make services` installs nginx-light); /usr/sbin is not on every PATH."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    assert found, "nginx is not installed: `make services` installs Debian's nginx-light"
    return found


class Nginx:
    """nginx in the foreground over a rendered docs/deploy/nginx.conf; `base` is its address."""

    def __init__(self, ports: list[int], prefix: Path) -> None:
        prefix.mkdir(parents=True, exist_ok=True)
        self.port, self.prefix = free_port(), prefix
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(render_nginx(ports, self.port, prefix))
        command = [nginx_binary(), "-p", str(prefix), "-c", str(self.conf), "-g", "daemon off;"]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait_listening()

    def _wait_listening(self, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self.proc.poll() is None, f"nginx exited: {self.errors()}"
                assert time.monotonic() < deadline, f"nginx did not listen in {seconds} s"
                time.sleep(0.05)

    def errors(self) -> list[str]:
        """The error log's lines of level error and worse."""
        log = self.prefix / "error.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        return [ln for ln in lines if re.search(r"\[(error|crit|alert|emerg)\]", ln)]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # nginx's fast shutdown
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
