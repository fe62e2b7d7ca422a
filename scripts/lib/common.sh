# common.sh - shared by scripts/run, scripts/test and scripts/bench:
# Debian packages, the build, and private PostgreSQL clusters.
# Sourced, not executed.

MUSTER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Packages the build and the service need.
MUSTER_BUILD_PACKAGES="cmake make gcc pkg-config libpq-dev libcivetweb-dev libjansson-dev
  libxlsxwriter-dev libcmocka-dev libssl-dev zlib1g-dev postgresql python3 curl"
# Extra packages for the test suite.
MUSTER_TEST_PACKAGES="python3-openpyxl python3-jsonschema python3-yaml clang libclang-rt-14-dev
  chromium nodejs libreoffice-calc-nogui"

log() { printf 'muster: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ensure_packages PKG...: install what is missing (as root), or print the
# exact apt-get line and fail (as a normal user).
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages; install them with:"
    printf '  sudo apt-get install -y %s\n' "${missing[*]}" >&2
    exit 1
  fi
  log "installing ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/tmp/muster-apt.log 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/tmp/muster-apt.log 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>/tmp/muster-apt.log 2>&1 \
      || { tail -20 /tmp/muster-apt.log >&2; die "apt-get install failed"; }
  fi
}

# build DIR [cmake args...]: configure once, build incrementally.
build() {
  local dir=$1; shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$MUSTER_ROOT" -B "$dir" "$@" >"$dir.configure.log" 2>&1 \
      || { mkdir -p "$dir"; cat "$dir.configure.log" >&2; die "cmake configure failed"; }
  fi
  cmake --build "$dir" -j"$(nproc)" >"$dir.build.log" 2>&1 \
    || { grep -E 'error|Error' "$dir.build.log" | head -40 >&2; die "build failed (see $dir.build.log)"; }
}

# PostgreSQL binaries of the newest installed major version.
pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] || die "PostgreSQL server binaries not found (package postgresql)"
  echo "$d"
}

# The OS user that owns private clusters: ourselves, or `muster` when root
# (initdb and postgres refuse to run as root).
pg_os_user() {
  if [ "$(id -u)" -eq 0 ]; then
    id muster >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin muster
    echo muster
  else
    id -un
  fi
}

as_pg_user() {
  local u; u=$(pg_os_user)
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$u" -- "$@"; else "$@"; fi
}

# pg_cluster_start DIR: create (first time) and start a cluster whose data
# lives in DIR/data and whose only listener is a Unix socket in DIR/run.
pg_cluster_start() {
  local dir=$1 bin u
  bin=$(pg_bindir); u=$(pg_os_user)
  mkdir -p "$dir/run"
  if [ "$(id -u)" -eq 0 ]; then chown "$u" "$dir" "$dir/run"; fi
  chmod 700 "$dir" "$dir/run"
  as_pg_user test -w "$dir" || die "$dir is not writable by OS user $u (set MUSTER_DATA_DIR to a folder it can reach)"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg_user "$bin/initdb" -D "$dir/data" -U muster --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  if ! as_pg_user "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_pg_user setsid "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgresql.log" -w -t 60 start \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir/run' -c max_connections=200 -c fsync=${MUSTER_PG_FSYNC:-on} -c shared_buffers=128MB" \
      >/dev/null || { tail -20 "$dir/postgresql.log" >&2; die "PostgreSQL did not start"; }
  fi
  "$bin/psql" -h "$dir/run" -U muster -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname='muster'" | grep -q 1 \
    || "$bin/createdb" -h "$dir/run" -U muster muster
}

pg_cluster_stop() {
  local dir=$1 bin
  bin=$(pg_bindir)
  [ -f "$dir/data/PG_VERSION" ] || return 0
  as_pg_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
