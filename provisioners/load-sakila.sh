#!/usr/bin/env bash
# Loads the Sakila sample database from the uploaded sources, schema first then data,
# replacing any existing sakila database; ends by checking that sakila.film has rows.
#
# Vars:
#   CLIENT         mysql (default) or drizzle; run as root, so MariaDB's socket auth applies
#   CLIENT_ARGS    extra client arguments, split on whitespace (e.g. "--user=root")
#   SOURCES_DIR    default $AMIBAKE_SOURCES_DIR, else /tmp/amibake/sources
#   SCHEMA_FILE    default sakila-schema.sql
#   DATA_FILE      default sakila-data.sql
#   WAIT_SECONDS   how long to retry reaching a just-started server (default 30)
#   MIN_MYSQL      lowest MySQL-protocol server version the files load on (default 5.5:
#                  Sakila 1.x uses utf8mb4 and default_storage_engine); "" skips the check
# Known limit: the stock files use features Drizzle dropped (triggers, SET, YEAR, UNSIGNED);
# with CLIENT=drizzle point SCHEMA_FILE/DATA_FILE at a Drizzle port of Sakila.
set -euo pipefail

CLIENT="${CLIENT:-mysql}"
CLIENT_ARGS="${CLIENT_ARGS:-}"
SOURCES_DIR="${SOURCES_DIR:-${AMIBAKE_SOURCES_DIR:-/tmp/amibake/sources}}"
SCHEMA_FILE="${SCHEMA_FILE:-sakila-schema.sql}"
DATA_FILE="${DATA_FILE:-sakila-data.sql}"
MIN_MYSQL="${MIN_MYSQL-5.5}"
WAIT_SECONDS="${WAIT_SECONDS:-30}"

fail() {
  echo "load-sakila: $*" >&2
  exit 1
}

check_client() {
  case "$CLIENT" in
    mysql | drizzle) ;;
    *) fail "CLIENT must be mysql or drizzle, got '$CLIENT'" ;;
  esac
  command -v "$CLIENT" >/dev/null 2>&1 ||
    fail "client '$CLIENT' is not on PATH ($PATH); install it before this step"
}

check_files() {
  local -a missing=()
  local f
  for f in "$SCHEMA_FILE" "$DATA_FILE"; do
    [[ -r "$SOURCES_DIR/$f" ]] || missing+=("$f")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    fail "missing in $SOURCES_DIR: ${missing[*]}; list them in the spec's sources"
  fi
}

# Runs the client with CLIENT_ARGS plus the given arguments.
client() {
  local -a extra=()
  read -r -a extra <<<"$CLIENT_ARGS"
  "$CLIENT" ${extra[@]+"${extra[@]}"} "$@"
}

# Prints the first line of a query's result without column names.
query_value() {
  client -N -B -e "$1" | awk 'NR == 1 { print }'
}

# Succeeds when version $1 (e.g. 10.11.6-MariaDB) is at least $2 (major.minor).
version_at_least() {
  local have_major have_minor want_major want_minor
  IFS=. read -r have_major have_minor _ <<<"$1"
  IFS=. read -r want_major want_minor _ <<<"$2"
  have_minor="${have_minor%%[!0-9]*}"
  [[ "$have_major" =~ ^[0-9]+$ && "$have_minor" =~ ^[0-9]+$ ]] || return 1
  ((have_major > want_major || (have_major == want_major && have_minor >= want_minor)))
}

# Retries a trivial query until the server answers or WAIT_SECONDS pass.
wait_for_server() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  until echo "select 1;" | client >/dev/null 2>&1; do
    ((SECONDS < deadline)) ||
      fail "no answer from the server via '$CLIENT' within ${WAIT_SECONDS}s; is it running?"
    sleep 1
  done
}

check_server_version() {
  [[ "$CLIENT" == "mysql" && -n "$MIN_MYSQL" ]] || return 0
  local version
  version="$(query_value 'select version()')" ||
    fail "cannot reach the server with '$CLIENT'; is it running and is root allowed in?"
  version_at_least "$version" "$MIN_MYSQL" ||
    fail "server $version is older than $MIN_MYSQL, which $SCHEMA_FILE needs;" \
      "load a Sakila release made for it (SCHEMA_FILE, DATA_FILE) or set MIN_MYSQL"
  echo "load-sakila: server version $version"
}

load_file() {
  local file="$SOURCES_DIR/$1"
  echo "load-sakila: loading $1"
  client <"$file" || fail "$CLIENT failed while loading $1"
}

main() {
  [[ "$WAIT_SECONDS" =~ ^[0-9]+$ ]] || fail "WAIT_SECONDS must be a whole number"
  check_client
  check_files
  wait_for_server
  check_server_version
  echo "DROP DATABASE IF EXISTS sakila;" | client ||
    fail "could not drop the old sakila database"
  load_file "$SCHEMA_FILE"
  load_file "$DATA_FILE"
  local films
  films="$(query_value 'select count(*) from sakila.film')" ||
    fail "loaded, but counting sakila.film failed"
  [[ "$films" =~ ^[1-9][0-9]*$ ]] || fail "loaded, but sakila.film has '$films' rows"
  echo "load-sakila: sakila loaded with $CLIENT in ${SECONDS}s; sakila.film has $films rows"
}

main "$@"
