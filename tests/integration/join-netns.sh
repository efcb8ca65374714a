#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# join into a set's network namespace without its mount namespace gives
# the command what ip netns exec gives it: /sys of that network namespace
# and /etc/netns/NAME/ENTRY over /etc/ENTRY, in a mount namespace of its
# own that leaves the caller's mounts alone. --no-netns-mounts turns it
# off; a join into the set's mnt namespace gets the set's mounts as they
# are; a member's set NAME takes /etc/netns/UID/NAME.
# In a mount namespace of its own, whose / is made shared again (so a
# mount that leaked back from a join would show here), and with an
# overlay over /etc: the files it puts in /etc go to its scratch space,
# never to the machine's /etc.
if [ -z "${NSK_PRIVATE_MNT:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
        exec unshare --mount --propagation private env NSK_PRIVATE_MNT=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require_ns net mnt user pid
command -v ip >/dev/null 2>&1 || skip "needs ip(8) (iproute2) for a veth pair"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || skip "needs overlayfs (an /etc the test may write to)"

mount --make-rshared / || hard_error "cannot make / shared in the test's mount namespace"
# The overlay's upper layer lives on a tmpfs under $T, which cleanup
# unmounts; the overlay on /etc ends with this mount namespace.
mkdir -p "$T/etc-layer" && mount -t tmpfs -o mode=0755 nsk-etc "$T/etc-layer" &&
        mkdir "$T/etc-layer/upper" "$T/etc-layer/work" &&
        mount -t overlay -o "lowerdir=/etc,upperdir=$T/etc-layer/upper,workdir=$T/etc-layer/work" \
                nsk-etc /etc || skip "cannot mount an overlay over /etc here"

PROBE=nsk-join-probe
echo host >"/etc/$PROBE"
mkdir -p /etc/netns/web /etc/netns/box /etc/netns/p /etc/netns/u
for n in web box p u; do
        echo "$n" >"/etc/netns/$n/$PROBE"
done
# An entry with nothing in /etc to cover: left out with a warning.
echo x >/etc/netns/web/nsk-join-missing

GID=4242
ALICE=4242
printf '%s:100000:65536\n' "$ALICE" >"$T/subuid"
printf '%s:100000:65536\n' "$ALICE" >"$T/subgid"
etc_users "nsk-alice:x:$ALICE:$GID::/:/bin/sh" "nsk-members:x:$GID:"
chmod 755 "$T"
# A copy any uid can run, wherever the clone lives (lib.sh).
CTL_ANY=$(world_copy "$NSKEEPERCTL") || hard_error "cannot copy nskeeperctl"
actl() {
        timeout -k 5 "$NSK_TIMEOUT" setpriv --reuid "$ALICE" --regid "$GID" --clear-groups \
                "$CTL_ANY" --socket "$SOCK" "$@"
}

start_daemon --group "$GID" --subuid-file "$T/subuid" --subgid-file "$T/subgid" || die "no daemon"

host_ifaces=$(ls /sys/class/net | tr '\n' ' ')
mnt_here=$(host_inode mnt)

# join NAME [OPTIONS...] -- CMD: stdout, with newlines made spaces.
inside() {
        ctl join "$@" 2>"$T/inside.err" | tr '\n' ' '
}

check_run "create web -t net" 0 ctl create web -t net
# Pinned by fd: this test's daemon runs in a mount namespace of its own,
# where a bind pin of a mnt namespace fails at random with EINVAL on
# recent kernels (DESIGN.md, "What the code taught us").
check_run "create box -t net,mnt" 0 ctl create box -t net,mnt --pin fd
check_run "create p -t net,pid" 0 ctl create p -t net,pid
check_run "create u -t user,net (root's set with a user namespace)" 0 \
        ctl create u -t user,net --uid-map "0 100000 65536" --gid-map "0 100000 65536"
check_run "alice creates m -t user,net" 0 actl create m -t user,net \
        --uid-map "0 100000 65536" --gid-map "0 100000 65536"
mkdir -p "/etc/netns/$ALICE/m"
echo "alice-m" >"/etc/netns/$ALICE/m/$PROBE"
mkdir -p /etc/netns/m
echo "root-m" >"/etc/netns/m/$PROBE"

# The caller's mount table, less what other tests running beside this one
# mount and remove under /tmp (their mounts were copied into this mount
# namespace, and vanish from it when they remove the mount points).
mount_table() {
        mountinfo_snapshot
        awk -v t="$T" '$5 !~ "^/tmp/" || index($5, t) == 1' <<<"$MOUNTINFO"
}
# Nothing a join mounts may show in it afterwards.
before=$(mount_table)

echo "# --- a set with net only ---"
check_ne "the host has interfaces other than lo (or the next checks prove nothing)" \
        "lo " "$host_ifaces"
check_eq "join web -- ls /sys/class/net: lo only" "lo " "$(inside web -- ls /sys/class/net)"
check_eq "join web -- cat /sys/class/net/lo/flags: lo is up" "0x9 " \
        "$(inside web -- cat /sys/class/net/lo/flags)"
check_eq "join web: /etc/$PROBE is /etc/netns/web/$PROBE" "web " \
        "$(inside web -- cat "/etc/$PROBE")"
run ctl join web -- true
check_eq "join web: the command runs though an entry has nothing to cover" 0 "$RC"
check_match "join web: the entry left out is named in a warning" \
        "warning: /etc/nsk-join-missing left as it is" "$ERR"
check_true "join web: no /etc/nsk-join-missing was made" test ! -e /etc/nsk-join-missing
check_eq "join web: /sys is a sysfs named after the set" "web sysfs " \
        "$(inside web -- findmnt -rn -o SOURCE,FSTYPE /sys)"
check_inode_ne "join web: the command has a mount namespace of its own" "$mnt_here" \
        "$(ns_inode_of web mnt -t net)"
check_inode_eq "join web: its net namespace is the set's" "$(set_inode web net)" \
        "$(ns_inode_of web net)"

veth_out=nskja$$ veth_in=nskjb$$
if ip link add "$veth_out" type veth peer name "$veth_in" netns "$(ctl path web net)"; then
        check_eq "join web: a veth moved in shows in /sys/class/net" "lo $veth_in " \
                "$(inside web -- ls /sys/class/net)"
        check_true "the other end stays on the host" test -e "/sys/class/net/$veth_out"
        ip link del "$veth_out"
else
        fail "ip link add a veth pair into web's net namespace"
fi

echo "# --- --no-netns-mounts: as before ---"
check_eq "join web --no-netns-mounts -- ls /sys/class/net: the host's" "$host_ifaces" \
        "$(inside web --no-netns-mounts -- ls /sys/class/net)"
check_eq "join web --no-netns-mounts: /etc/$PROBE is the host's" "host" \
        "$(ctl join web --no-netns-mounts -- cat "/etc/$PROBE" 2>&1)"
check_inode_eq "join web --no-netns-mounts: the caller's mount namespace" "$mnt_here" \
        "$(ns_inode_of web mnt -t net --no-netns-mounts)"

echo "# --- a set with its own mnt namespace ---"
check_inode_eq "join box: the set's mnt namespace, not a new one" "$(set_inode box mnt)" \
        "$(ns_inode_of box mnt -t all)"
check_eq "join box: /etc/$PROBE as in the set's mounts" "host" \
        "$(ctl join box -- cat "/etc/$PROBE" 2>&1)"
check_eq "join box: /sys as in the set's mounts (the host's sysfs)" "$host_ifaces" \
        "$(inside box -- ls /sys/class/net)"
check_eq "join box -t net (its net without its mnt): lo only" "lo " \
        "$(inside box -t net -- ls /sys/class/net)"
check_eq "join box -t net: /etc/netns/box applies" "box" \
        "$(ctl join box -t net -- cat "/etc/$PROBE" 2>&1)"

echo "# --- pid and user sets ---"
check_eq "join p (net,pid: the command runs in a child) -- ls /sys/class/net" "lo " \
        "$(inside p -- ls /sys/class/net)"
check_eq "join p: /etc/netns/p applies" "p" "$(ctl join p -- cat "/etc/$PROBE" 2>&1)"
check_eq "join u (user,net) -- ls /sys/class/net" "lo " "$(inside u -- ls /sys/class/net)"
check_eq "join u: /etc/netns/u applies" "u" "$(ctl join u -- cat "/etc/$PROBE" 2>&1)"
check_eq "join u -t net (root stays in its user namespace) -- ls /sys/class/net" "lo " \
        "$(inside u -t net -- ls /sys/class/net)"

echo "# --- a member's set: /etc/netns/UID/NAME ---"
check_eq "alice: join m -- ls /sys/class/net" "lo " \
        "$(actl join m -- ls /sys/class/net 2>&1 | tr '\n' ' ')"
check_eq "alice: join m takes /etc/netns/$ALICE/m, not root's /etc/netns/m" "alice-m" \
        "$(actl join m -- cat "/etc/$PROBE" 2>&1)"
check_eq "root: join $ALICE/m takes the same" "alice-m" \
        "$(ctl join "$ALICE/m" -- cat "/etc/$PROBE" 2>&1)"

echo "# --- the caller's mounts ---"
check_eq "the caller's mount table is as it was before the joins" "$before" "$(mount_table)"
check_eq "the caller's /sys still shows its interfaces" "$host_ifaces" \
        "$(ls /sys/class/net | tr '\n' ' ')"
check_eq "the caller's /etc/$PROBE is its own" "host" "$(cat "/etc/$PROBE")"

echo "# --- joins without net pay nothing ---"
check_run "create q -t uts" 0 ctl create q -t uts
check_inode_eq "join q (uts): the caller's mount namespace" "$mnt_here" "$(ns_inode_of q mnt -t uts)"

for s in web box p u q; do
        check_run "release $s" 0 ctl release "$s"
done
check_run "alice: release m" 0 actl release m
stop_daemon
done_testing
