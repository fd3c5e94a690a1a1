#!/usr/bin/env bash
# Builds one autotools source tarball from the uploaded sources and installs it: extract,
# optional overlay and bootstrap, configure, make, make install; counts compiler warnings.
# Run provisioners/preflight-build.sh as the step before this one. Written for bash 3.2
# (Ubuntu 8.04/8.10) as well as current bash.
#
# Vars:
#   SOURCE           archive file name in SOURCES_DIR (required), e.g. memcached-1.4.4.tar.gz
#   SOURCES_DIR      default $AMIBAKE_SOURCES_DIR, else /tmp/amibake/sources
#   BUILD_NAME       label for messages and log names (default: SOURCE without extension)
#   BUILD_ROOT       where trees and logs go (default /usr/local/src)
#   OVERLAY_SOURCE   optional archive extracted, top directory stripped, over OVERLAY_DIR
#   OVERLAY_DIR      directory inside the tree that the overlay replaces (with OVERLAY_SOURCE)
#   BOOTSTRAP_CMD    optional command run in the tree before configure, e.g. "autoreconf -fi"
#   CONFIGURE_FLAGS  configure arguments, split on spaces and newlines (no quoting inside)
#   PREFIX           --prefix given when CONFIGURE_FLAGS has none (default /usr/local)
#   MAKE_JOBS        parallel make jobs (default: number of CPUs)
#   RUN_LDCONFIG     1 (default) runs ldconfig after install so new libraries are found
set -euo pipefail

SOURCES_DIR="${SOURCES_DIR:-${AMIBAKE_SOURCES_DIR:-/tmp/amibake/sources}}"
SOURCE="${SOURCE:-}"
BUILD_ROOT="${BUILD_ROOT:-/usr/local/src}"
OVERLAY_SOURCE="${OVERLAY_SOURCE:-}"
OVERLAY_DIR="${OVERLAY_DIR:-}"
BOOTSTRAP_CMD="${BOOTSTRAP_CMD:-}"
CONFIGURE_FLAGS="${CONFIGURE_FLAGS:-}"
PREFIX="${PREFIX:-/usr/local}"
RUN_LDCONFIG="${RUN_LDCONFIG:-1}"

fail() {
  echo "build-from-source: $*" >&2
  exit 1
}

cpu_count() {
  getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1
}

MAKE_JOBS="${MAKE_JOBS:-$(cpu_count)}"

# Strips the archive extensions tar understands, e.g. foo-1.0.tar.gz -> foo-1.0.
archive_stem() {
  local name="$1"
  name="${name%.tar.gz}"; name="${name%.tgz}"; name="${name%.tar.bz2}"
  name="${name%.tar.xz}"; name="${name%.tar}"
  echo "$name"
}

BUILD_NAME="${BUILD_NAME:-$(archive_stem "$SOURCE")}"
LOG_DIR="$BUILD_ROOT/logs"

check_inputs() {
  [[ -n "$SOURCE" ]] || fail "SOURCE is not set; name the archive to build"
  [[ -f "$SOURCES_DIR/$SOURCE" ]] ||
    fail "$SOURCE not found in $SOURCES_DIR; list it in the spec's sources"
  if [[ -n "$OVERLAY_SOURCE" ]]; then
    [[ -n "$OVERLAY_DIR" ]] || fail "OVERLAY_SOURCE is set but OVERLAY_DIR is not"
    [[ -f "$SOURCES_DIR/$OVERLAY_SOURCE" ]] || fail "$OVERLAY_SOURCE not found in $SOURCES_DIR"
  fi
  [[ "$MAKE_JOBS" =~ ^[1-9][0-9]*$ ]] ||
    fail "MAKE_JOBS must be a positive integer, got '$MAKE_JOBS'"
}

# Prints the archive's single top-level directory name.
top_dir_of() {
  local top
  top="$(tar -tf "$1" | awk -F/ 'NR == 1 { print $1 }')"
  [[ -n "$top" ]] || fail "$1 is empty or not a tar archive"
  echo "$top"
}

# Runs a command with output to a log; on failure prints the log's tail and the log path.
run_logged() {
  local phase="$1"
  shift
  local log="$LOG_DIR/$BUILD_NAME-$phase.log"
  echo "build-from-source: $BUILD_NAME: $phase"
  if ! "$@" >"$log" 2>&1; then
    tail -n 40 "$log" >&2 || true
    fail "$BUILD_NAME: $phase failed after ${SECONDS}s; full log: $log"
  fi
}

extract_tree() {
  local archive="$SOURCES_DIR/$SOURCE" top
  top="$(top_dir_of "$archive")"
  TREE="$BUILD_ROOT/$top"
  rm -rf "$TREE"
  tar -xf "$archive" -C "$BUILD_ROOT"
  [[ -d "$TREE" ]] || fail "$SOURCE did not unpack into $top/"
}

apply_overlay() {
  [[ -n "$OVERLAY_SOURCE" ]] || return 0
  local target="$TREE/$OVERLAY_DIR"
  echo "build-from-source: $BUILD_NAME: replacing $OVERLAY_DIR with $OVERLAY_SOURCE"
  rm -rf "$target"
  mkdir -p "$target"
  tar -xf "$SOURCES_DIR/$OVERLAY_SOURCE" -C "$target" --strip-components=1
}

count_warnings() {
  local n
  n="$(grep -c 'warning:' "$LOG_DIR/$BUILD_NAME-make.log" || true)"
  echo "${n:-0}"
}

main() {
  check_inputs
  mkdir -p "$BUILD_ROOT" "$LOG_DIR"
  extract_tree
  apply_overlay
  cd "$TREE"
  if [[ -n "$BOOTSTRAP_CMD" ]]; then
    run_logged bootstrap bash -c "$BOOTSTRAP_CMD"
  fi
  [[ -x ./configure ]] || fail "$BUILD_NAME has no ./configure; set BOOTSTRAP_CMD to generate it"
  # ${a[@]+...} keeps empty arrays safe under set -u on bash 3.2 (Ubuntu 8.x).
  local -a args=()
  read -r -d '' -a args <<<"$CONFIGURE_FLAGS" || true
  if [[ " $CONFIGURE_FLAGS " != *" --prefix="* ]]; then
    args=("--prefix=$PREFIX" ${args[@]+"${args[@]}"})
  fi
  run_logged configure ./configure ${args[@]+"${args[@]}"}
  run_logged make make -j "$MAKE_JOBS"
  run_logged install make install
  if [[ "$RUN_LDCONFIG" == "1" ]]; then
    ldconfig
  fi
  echo "build-from-source: $BUILD_NAME: installed in ${SECONDS}s;" \
    "compiler warnings: $(count_warnings) (log: $LOG_DIR/$BUILD_NAME-make.log)"
}

main "$@"
