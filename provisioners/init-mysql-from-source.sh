#!/usr/bin/env bash
# Prepares a MySQL 5.1 built from source (provisioners/build-from-source.sh): the mysql
# user, the data directory with its system tables, and the SysV init script MySQL ships as
# support-files/mysql.server. Idempotent: an existing data directory is kept.
#
# Vars:
#   PREFIX        install prefix the build used (default /usr/local)
#   DATA_DIR      data directory, the build's localstatedir (default /var/lib/mysql)
#   RUN_AS        system user for mysqld (default mysql)
#   SERVICE_NAME  init script name (default mysql)
#   INIT_DIR      default /etc/init.d
set -euo pipefail

PREFIX="${PREFIX:-/usr/local}"
DATA_DIR="${DATA_DIR:-/var/lib/mysql}"
RUN_AS="${RUN_AS:-mysql}"
SERVICE_NAME="${SERVICE_NAME:-mysql}"
INIT_DIR="${INIT_DIR:-/etc/init.d}"

fail() {
  echo "init-mysql-from-source: $*" >&2
  exit 1
}

find_first() {
  local f
  for f in "$@"; do
    [[ -e "$f" ]] && { echo "$f"; return 0; }
  done
  return 1
}

ensure_user() {
  id "$RUN_AS" >/dev/null 2>&1 && return 0
  groupadd --system "$RUN_AS" 2>/dev/null || true
  useradd --system --gid "$RUN_AS" --home-dir "$DATA_DIR" --no-create-home \
    --shell /bin/false "$RUN_AS"
}

init_data_dir() {
  mkdir -p "$DATA_DIR"
  chown "$RUN_AS" "$DATA_DIR"
  if [[ -d "$DATA_DIR/mysql" ]]; then
    echo "init-mysql-from-source: $DATA_DIR already has system tables; kept"
    return 0
  fi
  local installer
  installer="$(find_first "$PREFIX/bin/mysql_install_db" "$PREFIX/scripts/mysql_install_db")" ||
    fail "mysql_install_db not found under $PREFIX; did the build install there?"
  "$installer" --user="$RUN_AS" --basedir="$PREFIX" --datadir="$DATA_DIR" >/dev/null ||
    fail "mysql_install_db failed for $DATA_DIR"
  echo "init-mysql-from-source: system tables created in $DATA_DIR"
}

install_init_script() {
  local src
  src="$(find_first "$PREFIX/share/mysql/mysql.server" "$PREFIX/support-files/mysql.server")" ||
    fail "mysql.server not found under $PREFIX/share/mysql or $PREFIX/support-files"
  install -m 0755 "$src" "$INIT_DIR/$SERVICE_NAME"
  update-rc.d "$SERVICE_NAME" defaults >/dev/null
  echo "init-mysql-from-source: installed $INIT_DIR/$SERVICE_NAME from $src"
}

main() {
  [[ -x "$PREFIX/bin/mysql" ]] || fail "$PREFIX/bin/mysql missing; run the MySQL build step first"
  ensure_user
  init_data_dir
  install_init_script
}

main "$@"
