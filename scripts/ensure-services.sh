#!/usr/bin/env bash
# Makes sure the tests' Postgres (127.0.0.1:5432) and Redis (127.0.0.1:6379) are up: starts
# them if installed, installs them from Debian packages first if running as root, and otherwise
# says what to install. The tests log in as postgres/postgres (ignored under trust auth).
# Also makes sure a `prometheus` binary exists (TEST_PROMETHEUS_BIN, or on PATH, or installed
# from the Debian package); it is not started here: tests start their own (scripts/prometheus.ts).
# And `kubectl` (for `kubectl kustomize` of deploy/), from Debian's kubernetes-client when missing.
set -euo pipefail
log() { echo "services: $*"; }
is_root() { [ "$(id -u)" = 0 ]; }
apt_ready=0
# need NAME PACKAGE ENV_VAR [apt-get install options...]
need() {
  local name=$1 package=$2 env_var=$3
  shift 3
  if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
    log "$name is not available and cannot be installed here: install it (Debian/Ubuntu: apt-get install -y $package), or point the tests at one with $env_var"
    exit 1
  fi
  if [ "$apt_ready" = 0 ]; then apt-get update -qq; apt_ready=1; fi
  log "installing $package"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" "$package" >/dev/null
}

if [ -z "${TEST_DATABASE_ADMIN_URL:-}" ]; then
  if ! (command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q); then
    command -v pg_ctlcluster >/dev/null 2>&1 || need Postgres postgresql TEST_DATABASE_ADMIN_URL
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    log "starting postgresql $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
    pg_isready -h 127.0.0.1 -p 5432 -q || { log "postgresql did not start"; exit 1; }
  fi
  if ! PGCONNECT_TIMEOUT=5 PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    is_root || { log "cannot log in to Postgres as postgres/postgres over TCP; set TEST_DATABASE_ADMIN_URL"; exit 1; }
    log "giving the postgres role the password the tests use"
    su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
  fi
fi

if [ -z "${TEST_REDIS_URL:-}" ]; then
  if ! (command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG); then
    command -v redis-server >/dev/null 2>&1 || need Redis redis-server TEST_REDIS_URL
    log "starting redis-server"
    mkdir -p /tmp/tideline-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp/tideline-redis --logfile /tmp/tideline-redis/redis.log
    for _ in $(seq 1 40); do redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && break; sleep 0.25; done
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { log "redis-server did not start"; exit 1; }
  fi
fi
if [ -n "${TEST_PROMETHEUS_BIN:-}" ]; then
  [ -x "$TEST_PROMETHEUS_BIN" ] || { log "TEST_PROMETHEUS_BIN=$TEST_PROMETHEUS_BIN is not an executable file"; exit 1; }
elif ! command -v prometheus >/dev/null 2>&1 && [ ! -x /usr/bin/prometheus ]; then
  # The package's service is not started without systemd; the tests start their own instances on free ports.
  need Prometheus prometheus TEST_PROMETHEUS_BIN --no-install-recommends
  command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ] || { log "prometheus is still missing after the install"; exit 1; }
fi
# kubectl renders deploy/ in the manifest tests (`kubectl kustomize`). Any kubectl on PATH (or
# TEST_KUBECTL_BIN) will do; only when there is none is Debian's kubernetes-client installed.
if [ -n "${TEST_KUBECTL_BIN:-}" ]; then
  [ -x "$TEST_KUBECTL_BIN" ] || { log "TEST_KUBECTL_BIN=$TEST_KUBECTL_BIN is not an executable file"; exit 1; }
elif ! command -v kubectl >/dev/null 2>&1; then
  need kubectl kubernetes-client TEST_KUBECTL_BIN --no-install-recommends
  command -v kubectl >/dev/null 2>&1 || { log "kubectl is still missing after the install"; exit 1; }
fi
# Browser tests (test/e2e/dashboard.test.ts, bench/dashboard.ts) drive Debian's chromium through playwright-core.
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] || { log "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file"; exit 1; }
elif [ ! -x /usr/bin/chromium ]; then
  need Chromium chromium CHROMIUM_PATH
  [ -x /usr/bin/chromium ] || { log "chromium is still missing after the install"; exit 1; }
fi
log "postgres and redis are up; prometheus, kubectl and chromium are installed"
