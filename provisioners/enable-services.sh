#!/usr/bin/env bash
# Enables each listed service at boot and starts it now, under systemd or SysV init
# (Ubuntu 8.x uses SysV scripts for these services); fails naming every unit that failed.
#
# Vars:
#   SERVICES     space-separated service names, e.g. "apache2 mariadb" (required)
#   INIT_SYSTEM  auto (default), systemd or sysv
#   INIT_DIR     SysV script dir (default /etc/init.d)
set -euo pipefail

SERVICES="${SERVICES:-}"
INIT_SYSTEM="${INIT_SYSTEM:-auto}"
INIT_DIR="${INIT_DIR:-/etc/init.d}"

fail() {
  echo "enable-services: $*" >&2
  exit 1
}

detect_init() {
  if [[ "$INIT_SYSTEM" != "auto" ]]; then
    echo "$INIT_SYSTEM"
  elif [[ -d /run/systemd/system ]]; then
    echo systemd
  else
    echo sysv
  fi
}

enable_systemd() {
  systemctl enable "$1" && systemctl restart "$1" && systemctl is-active --quiet "$1"
}

enable_sysv() {
  local script="$INIT_DIR/$1"
  [[ -x "$script" ]] || { echo "enable-services: no init script $script" >&2; return 1; }
  update-rc.d "$1" defaults >/dev/null && "$script" restart
}

main() {
  local -a services=() failed=()
  local init service
  read -r -d '' -a services <<<"$SERVICES" || true
  [[ ${#services[@]} -gt 0 ]] || fail "SERVICES is empty; name the services to enable"
  init="$(detect_init)"
  case "$init" in
    systemd | sysv) ;;
    *) fail "INIT_SYSTEM must be auto, systemd or sysv, got '$init'" ;;
  esac
  for service in "${services[@]}"; do
    if "enable_$init" "$service"; then
      echo "enable-services: $service enabled and running ($init)"
    else
      failed+=("$service")
    fi
  done
  if [[ ${#failed[@]} -gt 0 ]]; then
    fail "could not enable and start (${#failed[@]}): ${failed[*]}"
  fi
}

main "$@"
