#!/usr/bin/env bash
# Narrows a MySQL 5.0/5.1 server whose root has no password (preseeded empty, so no secret
# is baked in) to root@localhost only: drops anonymous users, remote root rows and the test
# database. MySQL before 5.5 has no socket auth, so root@localhost stays open to local
# logins (the image's users); set a password on first boot before exposing port 3306.
# Not for MariaDB 10.4+, where mysql.user is a view and root already uses socket auth.
#
# Vars:
#   CLIENT_ARGS   mysql client arguments (default "--user=root")
#   WAIT_SECONDS  how long to retry reaching a just-started server (default 30)
set -euo pipefail

CLIENT_ARGS="${CLIENT_ARGS:---user=root}"
WAIT_SECONDS="${WAIT_SECONDS:-30}"

fail() {
  echo "secure-mysql-root: $*" >&2
  exit 1
}

client() {
  local -a extra=()
  read -r -a extra <<<"$CLIENT_ARGS"
  mysql ${extra[@]+"${extra[@]}"} "$@"
}

wait_for_server() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  until echo "select 1;" | client >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "no answer from mysql as root within ${WAIT_SECONDS}s"
    sleep 1
  done
}

main() {
  command -v mysql >/dev/null 2>&1 || fail "mysql client is not on PATH"
  [[ "$WAIT_SECONDS" =~ ^[0-9]+$ ]] || fail "WAIT_SECONDS must be a whole number"
  wait_for_server
  client <<'SQL' || fail "could not narrow the root account"
DELETE FROM mysql.user WHERE User = '';
DELETE FROM mysql.user WHERE User = 'root' AND Host <> 'localhost';
DELETE FROM mysql.db WHERE Db = 'test' OR Db LIKE 'test\_%';
DROP DATABASE IF EXISTS test;
FLUSH PRIVILEGES;
SQL
  local others
  others="$(client -N -B -e "SELECT COUNT(*) FROM mysql.user
    WHERE User = '' OR (User = 'root' AND Host <> 'localhost')")"
  [[ "$others" == "0" ]] || fail "$others anonymous or remote root rows remain"
  echo "secure-mysql-root: only root@localhost remains for root; no anonymous users"
}

main "$@"
