#!/usr/bin/env bash
# Starts a Docker daemon on its own socket for agentload's container tests and prints the variables
# to export: `eval "$(scripts/docker/start-dockerd.sh)"`. Idempotent: a daemon already answering on the
# socket is reused. Needs root (dockerd). No bridge and no iptables: every container uses host
# networking, so nothing here touches the machine's firewall or routes.
#
# Env: AGENTLOAD_DOCKER_SOCK (default /run/agentload-docker.sock),
#      AGENTLOAD_DOCKER_ROOT (default /var/lib/agentload-docker),
#      AGENTLOAD_DOCKER_LOG  (default /tmp/agentload-dockerd.log).
set -euo pipefail

sock="${AGENTLOAD_DOCKER_SOCK:-/run/agentload-docker.sock}"
root="${AGENTLOAD_DOCKER_ROOT:-/var/lib/agentload-docker}"
log="${AGENTLOAD_DOCKER_LOG:-/tmp/agentload-dockerd.log}"
pidfile="${sock%.sock}.pid"
host="unix://${sock}"

# The Debian CLI (/usr/bin/docker) matches the Debian daemon's API; a newer CLI may sit earlier in PATH.
docker_cli() {
  if [ -x /usr/bin/docker ]; then /usr/bin/docker "$@"; else docker "$@"; fi
}

answers() { DOCKER_HOST="$host" docker_cli version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if ! command -v dockerd >/dev/null 2>&1; then
  echo "start-dockerd: dockerd is not installed (Debian/Ubuntu: apt-get install docker.io docker-compose)" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "start-dockerd: dockerd needs root; run it with sudo, or use the Docker you already have" >&2
  exit 1
fi

if ! answers; then
  # A pidfile left by a daemon that died makes dockerd refuse to start.
  if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
  mkdir -p "$root"
  # setsid: the daemon outlives this script and is not in the caller's process group (Ctrl-C).
  setsid dockerd --host "$host" --bridge=none --iptables=false --ip-masq=false \
    --data-root "$root" --exec-root "${root}-exec" --pidfile "$pidfile" \
    >"$log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    answers && break
    sleep 0.5
  done
  if ! answers; then
    echo "start-dockerd: the daemon did not answer on $sock within 60 s; last lines of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
fi
# Every agentload container uses host networking, so its ports are on this machine's loopback; the
# override stops testcontainers (when this shell is itself in a container) from looking for a bridge
# gateway that --bridge=none does not create. Ryuk needs a registry image: cleanup is by label instead.
echo "export DOCKER_HOST=$host TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 TESTCONTAINERS_RYUK_DISABLED=true"
