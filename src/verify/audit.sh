#!/bin/bash
# amibake image audit: reports what a baked image must not carry, one finding a line:
#   FINDING<TAB>kind<TAB>ctime<TAB>path<TAB>detail
# path is as seen inside the image; ctime (epoch seconds) lets a caller tell what a live
# boot made itself. Usage: audit.sh [ROOT] (default /), as root to read every file.
# Known limits: the PEM scan reads only text files up to 64 KiB (keys are far smaller);
# tabs and newlines in names are printed as '?'; pseudo filesystems, trust stores and /snap
# (vendor squashfs images) are not searched.
# disk-mirror.ts copies only what this script reads (files up to 64 KiB, and *.pem,
# authorized_keys, shadow, config, credentials, .my.cnf whole): keep the two in step.
set -u
export LC_ALL=C

ROOT=${1:-/}
cd "$ROOT" || { echo "audit: cannot enter $ROOT" >&2; exit 2; }

PRUNE=(-path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./snap
  -o -path ./etc/ssl/certs -o -path ./usr/share/ca-certificates)
PEM_KEY='-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----'
PUTTY_KEY='PuTTY-User-Key-File-'

clean() {
  local text=${1//$'\t'/?}
  printf '%s' "${text//$'\n'/?}"
}

# emit KIND PATH(relative to ROOT, starting with ./) DETAIL
emit() {
  local ctime
  ctime=$(stat -c %Z -- "$2" 2>/dev/null || echo 0)
  printf 'FINDING\t%s\t%s\t%s\t%s\n' "$1" "$ctime" "$(clean "/${2#./}")" "$(clean "$3")"
}

nonempty_file() {
  [ -f "$1" ] && [ ! -L "$1" ] && [ -s "$1" ]
}

# One finding per key line; keys whose comment names amibake or packer are build keys.
check_authorized_keys() {
  local file=$1 kind key
  awk '!/^[[:space:]]*(#|$)/ {
         for (i = 1; i < NF; i++) if ($i ~ /^(ssh-|ecdsa-|sk-)/) {
           c = ""; for (j = i + 2; j <= NF; j++) c = c " " $j
           printf "%s ...%s%s\n", $i, substr($(i + 1), length($(i + 1)) - 15), c; next }
         print "unparsed key line" }' "$file" 2>/dev/null |
    while IFS= read -r key; do
      kind=authorized_keys
      case "$key" in *amibake* | *packer*) kind=build_key ;; esac
      emit "$kind" "$file" "key $key"
    done
}

check_pem_named() {
  local file=$1
  if grep -Eq -e "$PEM_KEY" -- "$file" 2>/dev/null; then
    emit private_key "$file" "PEM private key block"
  elif ! grep -q -e '-----BEGIN ' -- "$file" 2>/dev/null; then
    emit private_key "$file" "*.pem without PEM armour: may be a key in another encoding"
  fi
}

check_cloud_file() {
  local file=$1 name=${1##*/}
  case "$file" in
    */.aws/config)
      grep -Eiq 'aws_(access_key_id|secret_access_key|session_token)' -- "$file" &&
        emit cloud_credentials "$file" "AWS config with access keys" ;;
    */.my.cnf)
      grep -Eiq '^[[:space:]]*password[[:space:]]*=[[:space:]]*[^[:space:]]' -- "$file" &&
        emit cloud_credentials "$file" "MySQL client config with password=" ;;
    *) nonempty_file "$file" && emit cloud_credentials "$file" "credentials file ($name)" ;;
  esac
}

check_cloud_dir() {
  [ -n "$(find "$1" -type f -print -quit 2>/dev/null)" ] &&
    emit cloud_credentials "$1" "cloud CLI credential directory with files"
}

classify() {
  local file=$1
  case "$file" in
    */authorized_keys | */authorized_keys2) [ -f "$file" ] && check_authorized_keys "$file" ;;
    */.ssh/amibake*) emit build_key "$file" "build key left in .ssh" ;;
    */.ssh/id_*.pub) ;;
    */.ssh/id_* | */id_rsa | */id_dsa | */id_ecdsa | */id_ed25519 | */id_ecdsa_sk | */id_ed25519_sk)
      [ -f "$file" ] && emit private_key "$file" "SSH identity file" ;;
    *.pem) [ -f "$file" ] && check_pem_named "$file" ;;
    */.aws/credentials | */.aws/config | */.boto | */.s3cfg | */.my.cnf | */.pgpass | \
      */.netrc | */.git-credentials)
      [ -f "$file" ] && check_cloud_file "$file" ;;
    */.config/gcloud | */.azure) [ -d "$file" ] && check_cloud_dir "$file" ;;
    *) nonempty_file "$file" && emit shell_history "$file" "shell or client history" ;;
  esac
}

scan_names() {
  find . \( "${PRUNE[@]}" \) -prune -o \( \
    -name 'authorized_keys' -o -name 'authorized_keys2' -o -path '*/.ssh/amibake*' \
    -o -path '*/.ssh/id_*' -o -name 'id_rsa' -o -name 'id_dsa' -o -name 'id_ecdsa' \
    -o -name 'id_ed25519' -o -name 'id_ecdsa_sk' -o -name 'id_ed25519_sk' -o -name '*.pem' \
    -o -path '*/.aws/credentials' -o -path '*/.aws/config' -o -name .boto -o -name .s3cfg \
    -o -name .my.cnf -o -name .pgpass -o -name .netrc -o -name .git-credentials \
    -o -path '*/.config/gcloud' -o -name .azure \
    -o -name .bash_history -o -name .zsh_history -o -name .sh_history -o -name .ash_history \
    -o -name .history -o -name .mysql_history -o -name .psql_history -o -name .python_history \
    -o -name .lesshst -o -name .node_repl_history -o -name .sqlite_history \
    -o -name .rediscli_history -o -name .viminfo \) -print0 2>/dev/null |
    while IFS= read -r -d '' file; do classify "$file"; done
}

# Private keys by content, wherever they are (besides the pruned trees).
scan_contents() {
  find . \( "${PRUNE[@]}" \) -prune -o -type f -size -65k -print0 2>/dev/null |
    xargs -0 -r grep -lIZE -e "$PEM_KEY" -e "$PUTTY_KEY" -- 2>/dev/null |
    while IFS= read -r -d '' file; do emit private_key "$file" "PEM private key block"; done
}

scan_ssh_host_keys() {
  local key
  for key in ./etc/ssh/ssh_host_*_key; do
    [ -f "$key" ] && emit ssh_host_key "$key" "host key baked into the image"
  done
}

scan_root_password() {
  local hash
  [ -f ./etc/shadow ] || return 0
  hash=$(awk -F: '$1 == "root" { print $2; exit }' ./etc/shadow)
  case "$hash" in
    '') grep -q '^root:' ./etc/shadow &&
      emit root_password ./etc/shadow "root has an empty password" ;;
    '!'* | '*'*) ;;
    *) emit root_password ./etc/shadow "root password is set, not locked (passwd -l root)" ;;
  esac
}

scan_build_leftovers() {
  local item
  for item in ./tmp/amibake* ./var/tmp/amibake*; do
    { [ -e "$item" ] || [ -L "$item" ]; } && emit build_key "$item" "build leftover in a temp dir"
  done
}

count_files() {
  find "$@" -type f 2>/dev/null | wc -l
}

scan_package_caches() {
  local n
  n=$(count_files ./var/cache/apt/archives -maxdepth 1 -name '*.deb')
  [ "$n" -gt 0 ] && emit package_cache ./var/cache/apt/archives "$n .deb file(s) (apt-get clean)"
  n=$(count_files ./var/lib/apt/lists -maxdepth 1 -size +0 ! -name lock)
  [ "$n" -gt 0 ] &&
    emit package_cache ./var/lib/apt/lists "$n index file(s) (rm -rf /var/lib/apt/lists/*)"
  n=$(count_files ./var/cache/yum ./var/cache/dnf -name '*.rpm')
  [ "$n" -gt 0 ] && emit package_cache ./var/cache "$n .rpm file(s) (yum/dnf clean all)"
  return 0
}

scan_cloud_init() {
  local entry
  for entry in ./var/lib/cloud/instances/*; do
    { [ -e "$entry" ] || [ -L "$entry" ]; } &&
      emit cloud_init_state "$entry" "cloud-init instance state (cloud-init clean)"
  done
  if [ -e ./var/lib/cloud/instance ] || [ -L ./var/lib/cloud/instance ]; then
    emit cloud_init_state ./var/lib/cloud/instance "cloud-init current instance link"
  fi
}

scan_names
scan_contents
scan_ssh_host_keys
scan_root_password
scan_build_leftovers
scan_package_caches
scan_cloud_init
echo "AUDIT-DONE"
