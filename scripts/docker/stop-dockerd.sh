#!/usr/bin/env bash
# Stops the daemon started by start-dockerd.sh (same env), after removing every container agentload
# labelled (io.agentload.project). Images stay in the data root, so the next start reuses them.
set -euo pipefail

sock="${AGENTLOAD_DOCKER_SOCK:-/run/agentload-docker.sock}"
pidfile="${sock%.sock}.pid"
host="unix://${sock}"
docker_cli() {
  if [ -x /usr/bin/docker ]; then /usr/bin/docker "$@"; else docker "$@"; fi
}

if DOCKER_HOST="$host" docker_cli version >/dev/null 2>&1; then
  ids="$(DOCKER_HOST="$host" docker_cli ps -aq --filter label=io.agentload.project)"
  if [ -n "$ids" ]; then
    echo "stop-dockerd: removing agentload containers left running: $ids" >&2
    # shellcheck disable=SC2086
    DOCKER_HOST="$host" docker_cli rm -f $ids >/dev/null || true
  fi
fi
if [ -f "$pidfile" ]; then
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "stop-dockerd: dockerd ($pid) ignored SIGTERM for 30 s; sending SIGKILL" >&2
      kill -KILL "$pid" || true
    fi
  fi
  rm -f "$pidfile"
fi
