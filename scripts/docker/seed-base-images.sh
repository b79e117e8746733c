#!/usr/bin/env bash
# Builds agentload's base images from this machine's own binaries, for a Docker engine that can reach
# no image registry (CI here). Each image is a `docker import` of a minimal root filesystem: the
# program, the shared libraries `ldd` lists for it, CA certificates, and a passwd file whose users
# match the public images' (node 1000, redis 999, haproxy 99), so the Dockerfiles' USER lines work
# against either. The app images are then built FROM these with COPY-only steps (no shell inside).
#
#   agentload/node-base:local     node            (stands in for node:20-bookworm-slim)
#   agentload/redis-base:local    redis-server    (stands in for redis:7.4-bookworm)
#   agentload/haproxy-base:local  haproxy         (stands in for haproxy:2.8)
#
# Skips an image whose label io.agentload.seed-key matches the binaries (path, size, mtime) already;
# --force rebuilds all. Needs DOCKER_HOST (or the default socket) and the programs installed.
set -euo pipefail

force=0
[ "${1:-}" = "--force" ] && force=1

docker_cli() {
  if [ -x /usr/bin/docker ]; then /usr/bin/docker "$@"; else docker "$@"; fi
}

need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "seed-base-images: $1 is not installed (Debian/Ubuntu: apt-get install $2)" >&2
    exit 1
  }
}
need node nodejs
need redis-server redis-server
need haproxy haproxy
need ldd libc-bin

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Copies a file to the same path under the root, following symlinks (the link's name is kept).
put() {
  local root="$1" src="$2" dest="${3:-$2}"
  mkdir -p "$root$(dirname "$dest")"
  cp -L "$src" "$root$dest"
}

# A program and every shared library it loads (ldd), at their own paths.
put_program() {
  local root="$1" program="$2" dest="${3:-$2}"
  put "$root" "$program" "$dest"
  ldd "$program" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
    put "$root" "$lib"
    # The interpreter is also looked up under /lib64 (x86-64) and /lib (other arches).
    case "$lib" in /lib/*) put "$root" "$lib" "/usr$lib" 2>/dev/null || true ;; esac
  done
}

base_fs() {
  local root="$1"
  mkdir -p "$root"/{etc,tmp,data,app,home/node,usr/local/etc/haproxy,var/lib/haproxy,run}
  chmod 1777 "$root/tmp"
  cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/usr/sbin/nologin
haproxy:x:99:99:haproxy:/var/lib/haproxy:/usr/sbin/nologin
redis:x:999:999:redis:/data:/usr/sbin/nologin
node:x:1000:1000:node:/home/node:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
  cat >"$root/etc/group" <<'GROUP'
root:x:0:
haproxy:x:99:
redis:x:999:
node:x:1000:
nogroup:x:65534:
GROUP
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    put "$root" /etc/ssl/certs/ca-certificates.crt
  fi
  chown 1000:1000 "$root/home/node"
  chown 999:999 "$root/data"
  chown 99:99 "$root/var/lib/haproxy"
}

seed_key() {
  local key=""
  for program in "$@"; do
    key+="$(stat -L -c '%n:%s:%Y' "$program");"
  done
  printf '%s' "$key" | sha256sum | cut -c1-16
}

# seed IMAGE KEY -- import changes...
seed() {
  local image="$1" key="$2" root="$3"
  shift 3
  local current
  current="$(docker_cli image inspect -f '{{ index .Config.Labels "io.agentload.seed-key" }}' "$image" 2>/dev/null || true)"
  if [ "$force" = 0 ] && [ "$current" = "$key" ]; then
    echo "seed-base-images: $image is up to date"
    return
  fi
  local changes=(--change "LABEL io.agentload.seed-key=$key" --change "LABEL io.agentload.project=agentload")
  for change in "$@"; do changes+=(--change "$change"); done
  local previous
  previous="$(docker_cli image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
  tar -C "$root" --numeric-owner -cf "$work/$(basename "$root").tar" .
  docker_cli import "${changes[@]}" "$work/$(basename "$root").tar" "$image" >/dev/null
  # The replaced image is now untagged; it goes unless an app image is still built on it.
  if [ -n "$previous" ]; then docker_cli image rm "$previous" >/dev/null 2>&1 || true; fi
  echo "seed-base-images: built $image ($(du -sh "$root" | cut -f1))"
}

node_bin="$(command -v node)"
root="$work/node"
base_fs "$root"
put_program "$root" "$node_bin" /usr/local/bin/node
seed agentload/node-base:local "$(seed_key "$node_bin")" "$root" \
  'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  'USER node' 'WORKDIR /home/node' 'CMD ["node"]'

redis_bin="$(command -v redis-server)"
root="$work/redis"
base_fs "$root"
put_program "$root" "$redis_bin" /usr/local/bin/redis-server
if command -v redis-cli >/dev/null 2>&1; then
  put_program "$root" "$(command -v redis-cli)" /usr/local/bin/redis-cli
fi
seed agentload/redis-base:local "$(seed_key "$redis_bin")" "$root" \
  'ENV PATH=/usr/local/bin:/usr/bin:/bin' 'USER redis' 'WORKDIR /data' 'CMD ["redis-server"]'

haproxy_bin="$(command -v haproxy)"
root="$work/haproxy"
base_fs "$root"
put_program "$root" "$haproxy_bin" /usr/local/sbin/haproxy
seed agentload/haproxy-base:local "$(seed_key "$haproxy_bin")" "$root" \
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/bin:/bin' 'USER haproxy' 'WORKDIR /var/lib/haproxy' \
  'CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]'
