#!/bin/sh
# mmdebstrap customize hook for amibake base disks: $1 = rootfs, $2 = build user.
# The base carries no login key: each boot passes one as amibake.ssh_key=<base64> on the
# kernel command line and a oneshot unit installs it before sshd starts.
set -eu
root="$1"
user="$2"
hostname=amibake

echo "$hostname" > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost\n' "$hostname" \
  > "$root/etc/hosts"
printf '/dev/vda\t/\text4\tdefaults,errors=remount-ro\t0\t1\n' > "$root/etc/fstab"

# QEMU's user network answers DNS on 10.0.2.3; the host's resolver must not leak in.
rm -f "$root/etc/resolv.conf"
printf 'nameserver 10.0.2.3\n' > "$root/etc/resolv.conf"

# DHCP on the first NIC (eth0 with net.ifnames=0, en* otherwise).
mkdir -p "$root/etc/systemd/network"
cat > "$root/etc/systemd/network/10-first-nic.network" <<'EOF'
[Match]
Name=eth0 en*

[Network]
DHCP=ipv4
EOF
chroot "$root" systemctl enable systemd-networkd.service

# Build user: passwordless sudo, no password, no key.
chroot "$root" useradd --create-home --shell /bin/bash --groups sudo "$user"
chroot "$root" usermod --password '*' "$user"
printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$user" > "$root/etc/sudoers.d/90-amibake"
chmod 0440 "$root/etc/sudoers.d/90-amibake"
chroot "$root" passwd --lock root

# Host keys differ per boot of the artifact: none are baked in, they are made at boot.
# Only ed25519 and ecdsa: RSA generation (as ssh-keygen -A does) took 30 s under TCG.
rm -f "$root"/etc/ssh/ssh_host_*
printf 'HostKey /etc/ssh/ssh_host_ed25519_key\nHostKey /etc/ssh/ssh_host_ecdsa_key\n' \
  > "$root/etc/ssh/sshd_config.d/10-amibake-host-keys.conf"
cat > "$root/usr/local/sbin/amibake-host-keys" <<'EOF'
#!/bin/sh
# Generates the SSH host keys sshd is configured for, when missing.
set -eu
for type in ed25519 ecdsa; do
  file="/etc/ssh/ssh_host_${type}_key"
  [ -e "$file" ] || ssh-keygen -q -t "$type" -N '' -C '' -f "$file"
done
EOF
chmod 0755 "$root/usr/local/sbin/amibake-host-keys"
cat > "$root/etc/systemd/system/amibake-host-keys.service" <<'EOF'
[Unit]
Description=amibake: generate missing SSH host keys
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/amibake-host-keys

[Install]
WantedBy=multi-user.target ssh.service
EOF

cat > "$root/usr/local/sbin/amibake-authorized-key" <<EOF
#!/bin/sh
# Installs the key from amibake.ssh_key=<base64 public key> on /proc/cmdline for $user.
set -eu
user=$user
EOF
cat >> "$root/usr/local/sbin/amibake-authorized-key" <<'EOF'
key=
for word in $(cat /proc/cmdline); do
  case "$word" in
    amibake.ssh_key=*) key="${word#amibake.ssh_key=}" ;;
  esac
done
[ -n "$key" ] || exit 0
home=$(getent passwd "$user" | cut -d: -f6)
install -d -m 0700 -o "$user" -g "$user" "$home/.ssh"
printf '%s' "$key" | base64 -d > "$home/.ssh/authorized_keys.new"
printf '\n' >> "$home/.ssh/authorized_keys.new"
chown "$user:$user" "$home/.ssh/authorized_keys.new"
chmod 0600 "$home/.ssh/authorized_keys.new"
mv "$home/.ssh/authorized_keys.new" "$home/.ssh/authorized_keys"
EOF
chmod 0755 "$root/usr/local/sbin/amibake-authorized-key"
cat > "$root/etc/systemd/system/amibake-authorized-key.service" <<'EOF'
[Unit]
Description=amibake: install the boot's SSH key from the kernel command line
Before=ssh.service
After=local-fs.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/amibake-authorized-key

[Install]
WantedBy=multi-user.target ssh.service
EOF
chroot "$root" systemctl enable amibake-host-keys.service amibake-authorized-key.service
