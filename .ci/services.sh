#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432, database `test`, trust for local TCP) and Redis
# (127.0.0.1:6379) are up: start them if installed and stopped, install them from Debian's
# packages on a machine that lacks them; and that nginx is installed (the deployment tests start
# their own, docs/deploy/nginx.conf). Idempotent; prints what it does.
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

apt_install() {
  echo "installing $* from Debian's packages"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

if ! pg_up; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  if ! $SUDO grep -q "onedoor-tests" "$hba"; then
    # Trust local TCP for the test role only on a machine where we installed the server.
    echo "host all all 127.0.0.1/32 trust # onedoor-tests" | $SUDO tee /tmp/onedoor-hba >/dev/null
    $SUDO sh -c "cat $hba >> /tmp/onedoor-hba && cp /tmp/onedoor-hba $hba"
  fi
  echo "starting PostgreSQL $version"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || $SUDO pg_ctlcluster "$version" main restart
  for _ in $(seq 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }
if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE test"
fi
echo "PostgreSQL ready: $(psql -h 127.0.0.1 -U postgres -d test -tAc 'SHOW server_version')"

if ! redis_up; then
  command -v redis-server >/dev/null || apt_install redis-server
  echo "starting Redis"
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 30); do redis_up && break; sleep 1; done
fi
redis_up || { echo "Redis did not come up on 127.0.0.1:6379" >&2; exit 1; }
echo "Redis ready: $(redis-cli -h 127.0.0.1 info server | grep redis_version | tr -d '\r')"

# nginx-light: the scale-out tests run docs/deploy/nginx.conf in front of two servers. Not started
# here (each test starts its own); /usr/sbin is not on every user's PATH.
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  apt_install nginx-light
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)
echo "nginx ready: $("$nginx" -v 2>&1)"
