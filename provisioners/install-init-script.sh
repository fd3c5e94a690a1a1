#!/usr/bin/env bash
# Writes a SysV init script that runs a foreground daemon under start-stop-daemon (Debian
# and Ubuntu, including 8.04/8.10), creates its user and directories, and registers it.
# Made for drizzle-server (drizzled runs in the foreground); works for similar daemons.
#
# Vars:
#   SERVICE_NAME  init script name (default drizzle-server)
#   DESCRIPTION   one-line description (default "Drizzle database server")
#   DAEMON        absolute path of the daemon (default /usr/local/sbin/drizzled)
#   DAEMON_ARGS   its arguments (default "--datadir=$DATA_DIR")
#   RUN_AS        user the daemon runs as; created as a system user if absent (default drizzle)
#   DATA_DIR      created and owned by RUN_AS (default /var/lib/drizzle)
#   LOG_FILE      daemon output (default /var/log/$SERVICE_NAME/$SERVICE_NAME.log)
#   INIT_DIR      where the script goes (default /etc/init.d)
#   PID_DIR       where the pid file goes (default /var/run)
#   REGISTER      1 (default) runs update-rc.d; 0 only writes the script
set -euo pipefail

SERVICE_NAME="${SERVICE_NAME:-drizzle-server}"
DESCRIPTION="${DESCRIPTION:-Drizzle database server}"
DAEMON="${DAEMON:-/usr/local/sbin/drizzled}"
RUN_AS="${RUN_AS:-drizzle}"
DATA_DIR="${DATA_DIR:-/var/lib/drizzle}"
DAEMON_ARGS="${DAEMON_ARGS:---datadir=$DATA_DIR}"
LOG_FILE="${LOG_FILE:-/var/log/$SERVICE_NAME/$SERVICE_NAME.log}"
INIT_DIR="${INIT_DIR:-/etc/init.d}"
PID_DIR="${PID_DIR:-/var/run}"
REGISTER="${REGISTER:-1}"

fail() {
  echo "install-init-script: $*" >&2
  exit 1
}

# Values are written into the script inside single quotes, so they may not contain one.
check_values() {
  local name value
  for name in SERVICE_NAME DESCRIPTION DAEMON DAEMON_ARGS RUN_AS DATA_DIR LOG_FILE PID_DIR; do
    value="${!name}"
    [[ -n "$value" ]] || fail "$name is empty"
    [[ "$value" != *"'"* ]] || fail "$name may not contain a single quote"
  done
  [[ "$SERVICE_NAME" =~ ^[A-Za-z0-9._-]+$ ]] ||
    fail "SERVICE_NAME '$SERVICE_NAME' is not a plain name"
  [[ "$DAEMON" == /* ]] || fail "DAEMON must be an absolute path, got '$DAEMON'"
  [[ -x "$DAEMON" ]] || fail "$DAEMON is not an executable; build or install it before this step"
}

ensure_user() {
  id "$RUN_AS" >/dev/null 2>&1 && return 0
  echo "install-init-script: creating system user $RUN_AS"
  useradd --system --home-dir "$DATA_DIR" --no-create-home --shell /bin/false "$RUN_AS"
}

prepare_dirs() {
  mkdir -p "$DATA_DIR" "$(dirname "$LOG_FILE")" "$PID_DIR"
  chown "$RUN_AS" "$DATA_DIR" "$(dirname "$LOG_FILE")"
  chmod 0750 "$DATA_DIR"
}

write_settings() {
  printf '%s\n' \
    "#!/bin/sh" \
    "### BEGIN INIT INFO" \
    "# Provides:          $SERVICE_NAME" \
    "# Required-Start:    \$remote_fs \$network \$syslog" \
    "# Required-Stop:     \$remote_fs \$network \$syslog" \
    "# Default-Start:     2 3 4 5" \
    "# Default-Stop:      0 1 6" \
    "# Short-Description: $DESCRIPTION" \
    "### END INIT INFO" \
    "# Written by amibake's install-init-script.sh." \
    "NAME='$SERVICE_NAME'" \
    "DAEMON='$DAEMON'" \
    "DAEMON_ARGS='$DAEMON_ARGS'" \
    "RUN_AS='$RUN_AS'" \
    "LOG_FILE='$LOG_FILE'" \
    "PIDFILE='$PID_DIR/$SERVICE_NAME.pid'"
}

# The body is fixed text: settings above are the only generated part.
write_body() {
  cat <<'BODY'
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

is_running() {
  [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

do_start() {
  if is_running; then
    echo "$NAME is already running (pid $(cat "$PIDFILE"))"
    return 0
  fi
  echo "Starting $NAME"
  # sh execs the daemon, so the pid recorded is the daemon's own.
  start-stop-daemon --start --background --make-pidfile --pidfile "$PIDFILE" \
    --chuid "$RUN_AS" --startas /bin/sh -- -c "exec $DAEMON $DAEMON_ARGS >>'$LOG_FILE' 2>&1"
  sleep 1
  if ! is_running; then
    echo "$NAME exited at once; see $LOG_FILE" >&2
    return 1
  fi
}

do_stop() {
  if ! is_running; then
    echo "$NAME is not running"
    rm -f "$PIDFILE"
    return 0
  fi
  echo "Stopping $NAME"
  start-stop-daemon --stop --pidfile "$PIDFILE" --retry TERM/30/KILL/5
  rm -f "$PIDFILE"
}

case "$1" in
  start) do_start ;;
  stop) do_stop ;;
  restart | force-reload) do_stop && do_start ;;
  status)
    if is_running; then
      echo "$NAME is running (pid $(cat "$PIDFILE"))"
    else
      echo "$NAME is not running"
      exit 3
    fi
    ;;
  *)
    echo "Usage: $0 {start|stop|restart|force-reload|status}" >&2
    exit 2
    ;;
esac
BODY
}

register() {
  [[ "$REGISTER" == "1" ]] || return 0
  update-rc.d "$SERVICE_NAME" defaults >/dev/null
  echo "install-init-script: registered $SERVICE_NAME for runlevels 2-5"
}

main() {
  check_values
  ensure_user
  prepare_dirs
  mkdir -p "$INIT_DIR"
  local script="$INIT_DIR/$SERVICE_NAME"
  { write_settings; write_body; } >"$script.tmp"
  chmod 0755 "$script.tmp"
  mv "$script.tmp" "$script"
  echo "install-init-script: wrote $script"
  register
}

main "$@"
