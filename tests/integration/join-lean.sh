#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What `join NAME -t net -- CMD` does before it runs CMD, seen by strace
# (issue 6: it has to keep up with nsenter): one connection and one request
# to the daemon, whose owner is checked; nothing looked up under /proc; no
# fork; the fd checked with NS_GET_NSTYPE and entered with setns(CLONE_NEWNET).
# What ip netns exec does on top (a mount namespace, a sysfs on /sys, a look
# at /etc/netns/NAME) is done once, and only by a join that enters net but
# not mnt: not with --no-netns-mounts, not by a join of other types.
. "$(dirname "$0")/lib.sh"
require_ns net
command -v strace >/dev/null 2>&1 || skip "needs strace(1) to see what join does"
strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace not allowed?)"

start_daemon || exit 1
check_run "create lean -t net" 0 ctl create lean -t net

# The client's part ends where it executes the command (given with a
# slash, so there is no PATH search).
trace=$T/join.trace
run timeout -k 5 "$NSK_TIMEOUT" strace -o "$trace" \
        "$NSKEEPERCTL" --socket "$SOCK" join lean -t net -- /bin/true
check_eq "join lean -t net -- /bin/true under strace: exit status 0" 0 "$RC"
client=$(awk 'NR > 1 && /^execve\("\/bin\/true"/ { exit } NR > 1 { print }' "$trace")
check_match "the trace reaches the exec of the command" '^execve\("/bin/true"' "$(cat "$trace")"

count() { # ERE: lines of the client's part that match
        grep -cE -- "$1" <<<"$client"
}
if [ "$NSK_ASAN" = 1 ]; then
        echo "# skipped under AddressSanitizer, whose runtime reads /proc itself:" \
                "nothing under /proc is looked at"
else
        # A static build's C library reads /proc/self/exe as it starts
        # (for $ORIGIN), before any code of ours runs.
        check_eq "nothing under /proc is looked at" "" \
                "$(grep -E '"/proc/' <<<"$client" | grep -v '^readlink("/proc/self/exe", ')"
fi
check_eq "one connect()" 1 "$(count '^connect\(')"
check_eq "one request sent" 1 "$(count '^(sendmsg|sendto|write)\(')"
check_eq "the server's credentials are checked (SO_PEERCRED)" 1 "$(count 'SO_PEERCRED')"
check_eq "no fork" 0 "$(count '^(fork|vfork|clone|clone3)\(')"
check_eq "the fd is checked with NS_GET_NSTYPE" 1 "$(count '^ioctl\([0-9]+, (NS_GET_NSTYPE|0xb703)')"
check_eq "one setns(), naming the net type" 1 "$(count '^setns\([0-9]+, (CLONE_NEWNET|0x40000000)\) *= 0')"
check_eq "no setns() without a type" 0 "$(count '^setns\([0-9]+, 0\)')"

check_eq "one unshare(CLONE_NEWNS)" 1 "$(count '^unshare\(CLONE_NEWNS\) *= 0')"
check_eq "/ made a slave, recursively" 1 "$(count '^mount\(NULL, "/", NULL, MS_REC\|MS_SLAVE, NULL\) *= 0')"
check_eq "one sysfs mounted, on /sys" 1 "$(count '^mount\("lean", "/sys", "sysfs", ')"
check_eq "one look at /etc/netns/lean" 1 "$(count '"/etc/netns/lean"')"
check_eq "the old /sys detached" 1 "$(count '^umount2\("/sys", MNT_DETACH\)')"
check_eq "no other mount, umount or unshare" 4 "$(count '^(mount|unshare|umount2)\(')"

# without_netns_mounts DESC ARGS...: a join's client part makes no mount
# namespace and mounts nothing.
without_netns_mounts() {
        local desc=$1 part
        shift
        run timeout -k 5 "$NSK_TIMEOUT" strace -o "$trace" \
                "$NSKEEPERCTL" --socket "$SOCK" join "$@" -- /bin/true
        check_eq "join $* -- /bin/true under strace: exit status 0" 0 "$RC"
        part=$(awk 'NR > 1 && /^execve\("\/bin\/true"/ { exit } NR > 1 { print }' "$trace")
        check_eq "$desc: no unshare, mount or /etc/netns" "" \
                "$(grep -E '^(unshare|mount|umount2)\(|/etc/netns' <<<"$part")"
}
without_netns_mounts "--no-netns-mounts" lean -t net --no-netns-mounts
check_run "create lean-uts -t uts,net" 0 ctl create lean-uts -t uts,net
without_netns_mounts "a join without net" lean-uts -t uts
check_run "create lean-mnt -t net,mnt" 0 ctl create lean-mnt -t net,mnt
without_netns_mounts "a join of net and the set's mnt" lean-mnt

check_run "release lean-uts" 0 ctl release lean-uts
check_run "release lean-mnt" 0 ctl release lean-mnt
check_run "release lean" 0 ctl release lean
stop_daemon
done_testing
