#!/usr/bin/env bash
# Start the service of a systemd unit file inside a Debian root the way
# systemd would, as far as that can be done without systemd as PID 1.
#
# Usage:
#   run-unit.sh plan ROOT UNIT_FILE        check the unit and print what
#                                          the start will do; exit 1 on a
#                                          key that cannot be emulated
#   run-unit.sh exec ROOT UNIT_FILE        start the service; the last exec
#                                          is ExecStart, so the caller's $!
#                                          is the service's main PID
#
# UNIT_FILE is a path on the host (normally ROOT/lib/systemd/system/NAME).
# `exec` must run in a mount namespace of its own, for example
#   ip netns exec NS unshare --mount --propagation private run-unit.sh exec ...
# because it changes mounts below ROOT. It refuses to run in the host's
# mount namespace.
#
# Emulated [Service] keys and how:
#   Type=exec|simple        the process is started and not waited for
#   ExecStart=              one command line, without quotes, $VARIABLES or
#                           %specifiers; a leading "-" is accepted
#   User=, Group=           setpriv --reuid/--regid, names resolved in ROOT
#   SupplementaryGroups=    setpriv --groups: the user's groups from ROOT's
#                           /etc/group plus these, as systemd's initgroups
#   UMask=                  umask before the exec
#   Environment=            added to the environment systemd gives every
#                           service (PATH, HOME, USER, LOGNAME, SHELL,
#                           INVOCATION_ID)
#   WorkingDirectory=       cd (default /)
#   NoNewPrivileges=        setpriv --no-new-privs
#   CapabilityBoundingSet=  setpriv --bounding-set (and no inheritable caps)
#   ProtectSystem=          yes: /usr, /boot, /efi read-only; full: and /etc;
#                           strict: every mount read-only except /dev, /proc
#                           and /sys
#   ReadWritePaths=         bind-mounted read-write again; a path that does
#                           not exist fails the start unless it starts with
#                           "-", as systemd fails it (status 226/NAMESPACE)
#   PrivateTmp=             a new empty tmpfs on /tmp and /var/tmp
#   PrivateDevices=         a tmpfs /dev with only null, zero, full, random,
#                           urandom and tty, plus pts and shm
#   ProtectHome=            yes: /home, /root, /run/user inaccessible;
#                           read-only; tmpfs: an empty read-only tmpfs
#   ProtectKernelTunables=  /proc/sys, /sys and the other kernel tunables
#                           of systemd.exec(5) read-only
#   ProtectControlGroups=   /sys/fs/cgroup read-only
#   ProtectProc=            a new /proc instance with hidepid=VALUE
#
# [Service] keys that only a running systemd enforces. They are accepted
# and not emulated, for the reason given:
#   Restart=, RestartSec=       PID 1 restarts a service after it exits;
#                               nothing supervises the process here
#   RemoveIPC=                  PID 1 removes the user's IPC objects when
#                               the service stops
#   RestrictAddressFamilies=, RestrictNamespaces=, RestrictRealtime=,
#   RestrictSUIDSGID=, LockPersonality=, MemoryDenyWriteExecute=,
#   SystemCallArchitectures=, SystemCallFilter=, SystemCallErrorNumber=
#                               seccomp filters that systemd compiles from
#                               its own system call groups; setpriv and
#                               unshare cannot install a seccomp filter
#   ProtectClock=, ProtectKernelModules=, ProtectKernelLogs=,
#   ProtectHostname=            mainly seccomp filters on the system calls
#                               that set the clock, load modules, read the
#                               kernel log or set the host name (plus device
#                               and capability rules, which PrivateDevices=
#                               and CapabilityBoundingSet= already cover)
# Any other [Service] key fails the check, so that a new key in the unit
# is either emulated or added to this list with its reason.
set -euo pipefail

readonly SYSTEMD_ONLY_KEYS=(Restart RestartSec RemoveIPC RestrictAddressFamilies RestrictNamespaces
  RestrictRealtime RestrictSUIDSGID LockPersonality MemoryDenyWriteExecute SystemCallArchitectures
  SystemCallFilter SystemCallErrorNumber ProtectClock ProtectKernelModules ProtectKernelLogs
  ProtectHostname)
# PATH of system services in systemd 252 (Debian 12).
readonly SERVICE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() {
  printf 'run-unit: %s\n' "$*" >&2
  exit 1
}

if (($# != 3)) || [[ $1 != plan && $1 != exec ]]; then
  echo "usage: run-unit.sh plan|exec ROOT UNIT_FILE" >&2
  exit 2
fi
mode=$1
root=$(cd "$2" && pwd)
unit=$3
[[ -f $unit ]] || die "unit file not found: $unit"

# --- parsing -------------------------------------------------------------------

# Print the [Service] assignments of the unit as KEY=VALUE lines, with
# continuation lines joined and comments dropped (systemd.syntax(7)).
service_assignments() {
  awk '
    function emit(line) {
      if (line ~ /^[[:space:]]*$/ || line ~ /^[[:space:]]*[#;]/) return
      if (line ~ /^[[:space:]]*\[/) { section = line; gsub(/[[:space:]]/, "", section); return }
      if (section == "[Service]") print line
    }
    {
      line = $0
      if (pending != "") line = pending " " line
      if (line ~ /\\$/) { pending = substr(line, 1, length(line) - 1); next }
      pending = ""
      emit(line)
    }
    END { if (pending != "") emit(pending) }' "$1"
}

is_true() {
  case ${1,,} in
    1 | yes | true | on) return 0 ;;
    0 | no | false | off) return 1 ;;
    *) die "invalid boolean '$1'" ;;
  esac
}

type=simple
exec_start=
user=root
group=
umask_value=0022
working_directory=/
no_new_privileges=0
capability_bounding_set=
capability_bounding_set_given=0
protect_system=no
private_tmp=0
private_devices=0
protect_home=no
protect_kernel_tunables=0
protect_control_groups=0
protect_proc=default
supplementary_groups=()
read_write_paths=()
environment=()
not_emulated=()

while IFS= read -r assignment; do
  key=${assignment%%=*}
  key=${key//[[:space:]]/}
  value=${assignment#*=}
  value=$(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' <<<"$value")
  case $key in
    Type) type=$value ;;
    ExecStart)
      [[ -z $exec_start ]] || die "more than one ExecStart= line; only Type=oneshot allows that, which is not emulated"
      exec_start=$value
      ;;
    User) user=$value ;;
    Group) group=$value ;;
    SupplementaryGroups)
      if [[ -z $value ]]; then supplementary_groups=(); else read -ra items <<<"$value" && supplementary_groups+=("${items[@]}"); fi
      ;;
    UMask) umask_value=$value ;;
    WorkingDirectory) working_directory=$value ;;
    Environment)
      # Double-quoted assignments ("A=b c") are kept together, as systemd does.
      while IFS= read -r item; do
        [[ -n $item ]] && environment+=("$item")
      done < <(xargs -n1 printf '%s\n' <<<"$value")
      ;;
    NoNewPrivileges) is_true "$value" && no_new_privileges=1 || no_new_privileges=0 ;;
    CapabilityBoundingSet) capability_bounding_set=$value capability_bounding_set_given=1 ;;
    ProtectSystem)
      case ${value,,} in
        strict | full) protect_system=${value,,} ;;
        *) is_true "$value" && protect_system=yes || protect_system=no ;;
      esac
      ;;
    ReadWritePaths)
      if [[ -z $value ]]; then read_write_paths=(); else read -ra items <<<"$value" && read_write_paths+=("${items[@]}"); fi
      ;;
    PrivateTmp) is_true "$value" && private_tmp=1 || private_tmp=0 ;;
    PrivateDevices) is_true "$value" && private_devices=1 || private_devices=0 ;;
    ProtectHome)
      case ${value,,} in
        read-only | tmpfs) protect_home=${value,,} ;;
        *) is_true "$value" && protect_home=yes || protect_home=no ;;
      esac
      ;;
    ProtectKernelTunables) is_true "$value" && protect_kernel_tunables=1 || protect_kernel_tunables=0 ;;
    ProtectControlGroups) is_true "$value" && protect_control_groups=1 || protect_control_groups=0 ;;
    ProtectProc)
      case $value in
        noaccess | invisible | ptraceable | default) protect_proc=$value ;;
        *) die "invalid ProtectProc=$value" ;;
      esac
      ;;
    *)
      if [[ " ${SYSTEMD_ONLY_KEYS[*]} " == *" $key "* ]]; then
        not_emulated+=("$key=$value")
      else
        die "[Service] key $key= (in $unit) cannot be emulated; emulate it in run-unit.sh or list it there as enforced only by a running systemd"
      fi
      ;;
  esac
done < <(service_assignments "$unit")

for directory in /etc/systemd/system /run/systemd/system /lib/systemd/system; do
  if [[ -d $root$directory/$(basename "$unit").d ]]; then
    die "drop-in directory $directory/$(basename "$unit").d exists in $root; drop-ins are not emulated"
  fi
done

case $type in
  simple | exec) ;;
  *) die "Type=$type is not emulated (only simple and exec)" ;;
esac
[[ -n $exec_start ]] || die "no ExecStart= in $unit"
if [[ $exec_start == [@+!:]* ]]; then
  die "ExecStart prefix '${exec_start:0:1}' is not emulated: $exec_start"
fi
exec_start=${exec_start#-}
if [[ $exec_start =~ [\"\'\$%\\] ]]; then
  die "ExecStart with quotes, variables, specifiers or escapes is not emulated: $exec_start"
fi
read -ra command <<<"$exec_start"
[[ ${command[0]} == /* ]] || die "ExecStart does not start with an absolute path: $exec_start"
[[ -x $root${command[0]} ]] || die "ExecStart program not found in $root: ${command[0]}"
[[ $umask_value =~ ^[0-7]{1,4}$ ]] || die "invalid UMask=$umask_value"

# Names are resolved in the root, where the package created the users.
passwd_entry=$(chroot "$root" getent passwd "$user") || die "User=$user does not exist in $root"
IFS=: read -r _ _ _ primary_gid _ home shell <<<"$passwd_entry"
if [[ -z $group ]]; then
  group=$(chroot "$root" getent group "$primary_gid" | cut -d: -f1)
fi
chroot "$root" getent group "$group" >/dev/null || die "Group=$group does not exist in $root"
group_list=$(chroot "$root" id -Gn "$user" | tr ' ' '\n')
for item in "${supplementary_groups[@]}"; do
  chroot "$root" getent group "$item" >/dev/null || die "SupplementaryGroups: group $item does not exist in $root"
  group_list+=$'\n'$item
done
group_list=$(sort -u <<<"$group_list" | paste -s -d, -)

# setpriv takes the bounding set as +cap/-cap items.
bounding_set=
if ((capability_bounding_set_given)); then
  if [[ -z $capability_bounding_set ]]; then
    bounding_set=-all
  elif [[ $capability_bounding_set == "~"* ]]; then
    read -ra items <<<"${capability_bounding_set#\~}"
    bounding_set=$(printf ',-%s' "${items[@],,}")
    bounding_set=${bounding_set#,}
    bounding_set=${bounding_set//cap_/}
  else
    read -ra items <<<"$capability_bounding_set"
    bounding_set=-all$(printf ',+%s' "${items[@],,}")
    bounding_set=${bounding_set//cap_/}
  fi
fi

# Check every ReadWritePaths entry before anything is mounted, so that a
# missing one fails the start whatever the mode.
rw_mounts=()
for entry in "${read_write_paths[@]}"; do
  optional=0
  path=$entry
  if [[ $path == -* ]]; then optional=1 path=${path#-}; fi
  path=${path#+}
  [[ $path == /* ]] || die "ReadWritePaths entry is not an absolute path: $entry"
  if [[ ! -e $root$path ]]; then
    if ((optional)); then
      continue
    fi
    die "ReadWritePaths=$path does not exist in $root; systemd fails the start with 226/NAMESPACE"
  fi
  rw_mounts+=("$path")
done

invocation_id=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
service_environment=(PATH="$SERVICE_PATH" HOME="$home" USER="$user" LOGNAME="$user" SHELL="$shell"
  INVOCATION_ID="$invocation_id" "${environment[@]}")

setpriv_options=(--reuid="$user" --regid="$group" --groups="$group_list" --inh-caps=-all)
((no_new_privileges)) && setpriv_options+=(--no-new-privs)
[[ -n $bounding_set ]] && setpriv_options+=(--bounding-set="$bounding_set")

if [[ $mode == plan ]]; then
  printf 'unit:              %s\n' "$unit"
  printf 'command:           %s\n' "${command[*]}"
  printf 'credentials:       setpriv %s\n' "${setpriv_options[*]}"
  printf 'umask:             %s, working directory %s\n' "$umask_value" "$working_directory"
  printf 'environment:       %s\n' "${service_environment[*]}"
  printf 'ProtectSystem:     %s; read-write again: %s\n' "$protect_system" "${rw_mounts[*]:-(none)}"
  printf 'PrivateTmp=%s PrivateDevices=%s ProtectHome=%s ProtectKernelTunables=%s ProtectControlGroups=%s ProtectProc=%s\n' \
    "$private_tmp" "$private_devices" "$protect_home" "$protect_kernel_tunables" "$protect_control_groups" "$protect_proc"
  printf 'not emulated:      %s\n' "${not_emulated[*]:-(none)}"
  exit 0
fi

# --- the service's mount namespace ----------------------------------------------

if [[ $(readlink /proc/self/ns/mnt) == "$(readlink /proc/1/ns/mnt)" ]]; then
  die "exec must run in a private mount namespace (unshare --mount --propagation private)"
fi

# Print the mount points at or below a directory, shallowest first.
mounts_below() {
  awk -v dir="$1" '$5 == dir || index($5, dir "/") == 1 { print $5 }' /proc/self/mountinfo \
    | awk '{ print gsub("/", "/"), $0 }' | sort -k1,1n | cut -d' ' -f2- | uniq
}

bind_read_only() {
  mount --bind "$1" "$1"
  mount -o remount,bind,ro "$1"
}

remount_read_only() { mount -o remount,bind,ro "$1"; }

# The root becomes a mount point with its submounts (proc, dev, sys, run),
# so that it can be made read-only as a whole.
mount --rbind "$root" "$root"

if [[ $protect_proc != default ]]; then
  mount -t proc -o "hidepid=$protect_proc" proc "$root/proc"
fi

case $protect_system in
  strict)
    while IFS= read -r point; do
      case $point in
        "$root/dev" | "$root/dev/"* | "$root/proc" | "$root/proc/"* | "$root/sys" | "$root/sys/"*) ;;
        *) remount_read_only "$point" ;;
      esac
    done < <(mounts_below "$root")
    ;;
  full | yes)
    directories=(/usr /boot /efi)
    [[ $protect_system == full ]] && directories+=(/etc)
    for directory in "${directories[@]}"; do
      [[ -d $root$directory ]] && bind_read_only "$root$directory"
    done
    ;;
esac

case $protect_home in
  yes)
    for directory in /home /root /run/user; do
      [[ -d $root$directory ]] && mount -t tmpfs -o ro,mode=000 tmpfs "$root$directory"
    done
    ;;
  read-only)
    for directory in /home /root /run/user; do
      [[ -d $root$directory ]] && bind_read_only "$root$directory"
    done
    ;;
  tmpfs)
    for directory in /home /root /run/user; do
      [[ -d $root$directory ]] && mount -t tmpfs -o ro,mode=755 tmpfs "$root$directory"
    done
    ;;
esac

if ((private_tmp)); then
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/tmp"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/var/tmp"
fi

if ((private_devices)); then
  mount -t tmpfs -o mode=755,nosuid,noexec tmpfs "$root/dev"
  for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r name major minor <<<"$node"
    mknod -m 666 "$root/dev/$name" c "$major" "$minor"
  done
  mkdir -m 755 "$root/dev/pts"
  mount --bind /dev/pts "$root/dev/pts"
  ln -s pts/ptmx "$root/dev/ptmx"
  mkdir -m 1777 "$root/dev/shm"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
  ln -s /proc/self/fd "$root/dev/fd"
  ln -s /proc/self/fd/0 "$root/dev/stdin"
  ln -s /proc/self/fd/1 "$root/dev/stdout"
  ln -s /proc/self/fd/2 "$root/dev/stderr"
fi

if ((protect_kernel_tunables)); then
  for path in /proc/sys /proc/sysrq-trigger /proc/latency_stats /proc/acpi /proc/timer_stats \
    /proc/fs /proc/irq /proc/bus /sys; do
    [[ -e $root$path ]] && bind_read_only "$root$path"
  done
fi

if ((protect_control_groups)) && [[ -d $root/sys/fs/cgroup ]]; then
  bind_read_only "$root/sys/fs/cgroup"
fi

# Last, so that no read-only mount above covers them again.
for path in "${rw_mounts[@]}"; do
  mount --bind "$root$path" "$root$path"
  mount -o remount,bind,rw "$root$path"
done

# systemd gives a service /dev/null as standard input. The shell in the
# root sets the umask and the working directory. Every later step execs,
# so the service keeps the PID of this script.
exec </dev/null
# shellcheck disable=SC2016 # expanded by the shell inside the root
exec chroot "$root" /bin/sh -c 'umask "$1" && cd "$2" && shift 2 && exec "$@"' sh \
  "$umask_value" "$working_directory" \
  setpriv "${setpriv_options[@]}" -- env -i "${service_environment[@]}" "${command[@]}"
