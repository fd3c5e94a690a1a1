#!/usr/bin/env bash
# Checks, before a source build starts, that every tool and header it needs is present, and
# fails at once listing everything missing. Uses only shell builtins so it runs in seconds.
#
# Vars:
#   REQUIRED_TOOLS    commands separated by spaces or newlines; "a|b" accepts either
#                     (e.g. "bison|yacc")
#   REQUIRED_HEADERS  header paths relative to an include dir, spaces or newlines;
#                     "ncurses.h|curses.h" accepts either
#   HEADER_DIRS       include dirs to search; default /usr/local/include, /usr/include and
#                     any /usr/include/*-linux-gnu (multiarch) dir
#   BUILD_NAME        label used in messages (default "source build")
set -euo pipefail

BUILD_NAME="${BUILD_NAME:-source build}"
REQUIRED_TOOLS="${REQUIRED_TOOLS:-}"
REQUIRED_HEADERS="${REQUIRED_HEADERS:-}"

default_header_dirs() {
  local dirs=(/usr/local/include /usr/include)
  local d
  for d in /usr/include/*-linux-gnu; do
    [[ -d "$d" ]] && dirs+=("$d")
  done
  local IFS=' '
  echo "${dirs[*]}"
}

HEADER_DIRS="${HEADER_DIRS:-$(default_header_dirs)}"

# True when any alternative in "a|b|c" is a command on PATH.
tool_present() {
  local alt
  local -a alts
  IFS='|' read -r -a alts <<<"$1"
  for alt in "${alts[@]}"; do
    command -v "$alt" >/dev/null 2>&1 && return 0
  done
  return 1
}

# True when any alternative in "a.h|b.h" exists under one of HEADER_DIRS.
header_present() {
  local alt dir
  local -a alts dirs
  IFS='|' read -r -a alts <<<"$1"
  read -r -a dirs <<<"$HEADER_DIRS"
  for alt in "${alts[@]}"; do
    for dir in ${dirs[@]+"${dirs[@]}"}; do
      [[ -f "$dir/$alt" ]] && return 0
    done
  done
  return 1
}

main() {
  local -a tools=() headers=() missing_tools=() missing_headers=()
  local item
  # -d '' reads every line, so lists may span lines; read then returns 1 at the end.
  read -r -d '' -a tools <<<"$REQUIRED_TOOLS" || true
  read -r -d '' -a headers <<<"$REQUIRED_HEADERS" || true
  if [[ ${#tools[@]} -eq 0 && ${#headers[@]} -eq 0 ]]; then
    echo "preflight: REQUIRED_TOOLS and REQUIRED_HEADERS are both empty; nothing to check" >&2
    exit 2
  fi
  # ${a[@]+...} keeps empty arrays safe under set -u on bash 3.2 (Ubuntu 8.x).
  for item in ${tools[@]+"${tools[@]}"}; do
    tool_present "$item" || missing_tools+=("$item")
  done
  for item in ${headers[@]+"${headers[@]}"}; do
    header_present "$item" || missing_headers+=("$item")
  done
  if [[ ${#missing_tools[@]} -eq 0 && ${#missing_headers[@]} -eq 0 ]]; then
    echo "preflight: $BUILD_NAME: all ${#tools[@]} tools and ${#headers[@]} headers present"
    return 0
  fi
  {
    echo "preflight: $BUILD_NAME cannot start; install what provides these, then rebake:"
    if [[ ${#missing_tools[@]} -gt 0 ]]; then
      echo "  missing tools (${#missing_tools[@]}): ${missing_tools[*]}"
    fi
    if [[ ${#missing_headers[@]} -gt 0 ]]; then
      echo "  missing headers (${#missing_headers[@]}): ${missing_headers[*]}"
      echo "  (headers searched in: $HEADER_DIRS)"
    fi
  } >&2
  exit 1
}

main "$@"
