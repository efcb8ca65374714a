#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The maker (nskeeper-maker): root's sets of net, uts, ipc, cgroup and
# mnt are made in place, one after another, by a long-lived helper (one
# more per CPU while creates come in parallel), with no process per set;
# any other set still gets a helper of its own.
# Checked in the kernel: every set's namespaces are new, distinct and
# seen inside as listed; after each create the maker is back in its own
# namespaces (so a set never shares one with it, and the next set does
# not inherit the last one's hostname); a step that fails is reported
# and the maker goes on; a maker that dies fails only the create it was
# making, and the next create starts another. Which process made a set
# is told by the fault point helper-before-reply, armed to fire every
# time without stopping: it writes its pid each time (daemon/fault.c).
. "$(dirname "$0")/lib.sh"
for t in net uts ipc cgroup mnt; do
        require_ns "$t"
done
require_ns pid

maker() {
        children_named nskeeper-maker
}
# The process that answered the last create.
made_by() {
        fault_pid helper-before-reply
}
# check_new NAME TYPES...: each namespace is the one listed, seen from
# inside, and not the test's own.
check_new() {
        local n=$1 t inside
        shift
        inside=$(ns_inodes_inside "$n" -t "$(tr ' ' , <<<"$*")")
        for t in "$@"; do
                check_inode_eq "$n: $t seen inside is the one listed" "$(set_inode "$n" "$t")" \
                        "$(pick "$t" "$inside")"
                check_inode_ne "$n: $t is not the host's" "$(host_inode "$t")" \
                        "$(pick "$t" "$inside")"
        done
}
# check_home PID: the maker is in the daemon's own namespaces.
check_home() {
        local t
        for t in net uts ipc cgroup mnt; do
                check_eq "maker is back in the daemon's $t namespace" \
                        "$(readlink "/proc/$DAEMON_PID/ns/$t")" "$(readlink "/proc/$1/ns/$t")"
        done
}
no_maker() {
        [ -z "$(maker)" ]
}
# request_waits PID...: one of them has bytes waiting on its socket (fd 3).
request_waits() {
        local p ino
        for p in "$@"; do
                ino=$(readlink "/proc/$p/fd/3" | inode_of_link)
                [ -n "$ino" ] || continue
                ss -xan | awk -v i="$ino" '$6 == i && $3 > 0 { found = 1 } END { exit !found }' &&
                        return 0
        done
        return 1
}

# helper-after-unshare stays disarmed (its token is there) until the
# test re-arms it.
echo disarmed >"$NSK_FAULT_DIR/helper-after-unshare"
NSK_FAULTS="helper-before-reply=delay:0:always helper-after-unshare=stop" start_daemon ||
        die "no daemon"
check_eq "no maker before the first create it can make" "" "$(maker)"

echo "# --- sets made in place ---"
check_run "a: create -t net,uts,ipc,cgroup --hostname one" 0 \
        ctl create a -t net,uts,ipc,cgroup --hostname one
M=$(maker)
check_uint "a maker runs" "$M"
check_eq "a was made by the maker" "$M" "$(made_by)"
check_run "b: create -t uts" 0 ctl create b -t uts
check_eq "b was made by the same maker: no process per set" "$M" "$(made_by)"
# mnt pins by fd: bind pins of mnt namespaces may fail with EINVAL when
# the daemon is not in the initial mount namespace (DESIGN.md).
check_run "c: create -t net,mnt --no-loopback --sysctl net.ipv4.ip_forward=1 --pin fd" 0 \
        ctl create c -t net,mnt --no-loopback --sysctl net.ipv4.ip_forward=1 --pin fd
check_eq "c was made by the maker" "$M" "$(made_by)"
check_new a net uts ipc cgroup
check_new b uts
check_new c net mnt
check_home "$M"
check_inode_ne "a and b have different uts namespaces" "$(set_inode a uts)" "$(set_inode b uts)"
check_inode_ne "a and c have different net namespaces" "$(set_inode a net)" "$(set_inode c net)"
check_eq "a: its hostname" one "$(ctl join a -t uts -- hostname)"
check_eq "b: the host's hostname, not the set made before" "$(hostname)" \
        "$(ctl join b -t uts -- hostname)"
check_match "a: lo is up" "<LOOPBACK,UP" "$(ctl join a -t net --no-netns-mounts -- ip -o link show lo)"
check_nomatch "c: lo is down (--no-loopback)" "[<,]UP[,>]" \
        "$(ctl join c -t net --no-netns-mounts -- ip -o link show lo)"
check_eq "c: the sysctl was written in its net namespace" 1 \
        "$(ctl join c -t net --no-netns-mounts -- cat /proc/sys/net/ipv4/ip_forward)"
# Whatever / is on the host: never shared with it from the set.
check_nomatch "c: its root mount is no peer of the host's (slave or private)" "shared" \
        "$(ctl join c -t mnt -- findmnt -n -o PROPAGATION /)"

echo "# --- what the maker holds ---"
check_eq "maker: uid 0 (it makes root's sets)" "0 0 0 0" \
        "$(sed -n 's/^Uid:[[:space:]]*//p' "/proc/$M/status" | tr -s '\t ' '  ')"
# SYS_ADMIN, SYS_CHROOT, NET_ADMIN (bits 21, 18, 12): what making a set
# takes, nothing more, in every set.
for f in CapEff CapPrm CapBnd; do
        check_eq "maker: $f is SYS_ADMIN, SYS_CHROOT and NET_ADMIN" 0000000000241000 \
                "$(sed -n "s/^$f:[[:space:]]*//p" "/proc/$M/status")"
done
for f in CapInh CapAmb; do
        check_eq "maker: $f is empty" 0000000000000000 "$(sed -n "s/^$f:[[:space:]]*//p" "/proc/$M/status")"
done
check_eq "maker: NoNewPrivs" 1 "$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "/proc/$M/status")"
check_eq "maker: not dumpable (its /proc files are root's)" 0 "$(stat -c %u "/proc/$M/environ")"
check_eq "maker: cwd is /" / "$(readlink "/proc/$M/cwd")"
fds=$(for f in /proc/"$M"/fd/*; do readlink "$f"; done)
own=$(for t in net uts ipc cgroup mnt; do readlink "/proc/$DAEMON_PID/ns/$t"; done)
check_eq "maker: 0-2 are /dev/null" "/dev/null /dev/null /dev/null" \
        "$(for f in 0 1 2; do readlink "/proc/$M/fd/$f"; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "maker: besides them, its socket and its own namespaces, nothing" "" \
        "$(grep -vxF -e /dev/null -e "$own" <<<"$fds" | grep -vx 'socket:\[[0-9]*\]')"
check_eq "maker: one socket" 1 "$(grep -cx 'socket:\[[0-9]*\]' <<<"$fds")"

echo "# --- a step that fails ---"
check_fails "a sysctl the kernel refuses: the create fails and names it" 1 \
        "sysctl net.ipv4.tcp_syncookies=x" ctl create bad -t net --sysctl net.ipv4.tcp_syncookies=x
check_fails "the failed set does not exist" 1 "not found" ctl show bad
check_eq "the maker goes on" "$M" "$(maker)"
check_home "$M"
check_run "d: create -t ipc after it" 0 ctl create d -t ipc
check_eq "d was made by the same maker" "$M" "$(made_by)"
check_new d ipc

echo "# --- sets it does not make ---"
check_run "p: create -t net,pid" 0 ctl create p -t net,pid
check_uint "p was made by a helper" "$(made_by)"
check_ne "... not by the maker (pid needs a keeper)" "$M" "$(made_by)"
check_new p net
check_inode_eq "p: pid seen inside is the one listed" "$(set_inode p pid)" "$(ns_inode_of p pid)"

echo "# --- creates at once ---"
pids=()
for i in 1 2 3 4 5 6; do
        ctl create "many$i" -t net,uts >"$T/many$i.out" 2>&1 &
        pids+=($!)
done
wait "${pids[@]}"
bad=
for i in 1 2 3 4 5 6; do
        in_list "many$i" || bad="$bad many$i($(cat "$T/many$i.out"))"
done
check_eq "six creates at once all succeed" "" "$bad"
check_eq "... with six distinct net namespaces" 6 \
        "$(for i in 1 2 3 4 5 6; do set_inode "many$i" net; done | sort -u | wc -l)"
makers=$(maker)
check_true "... by makers, at most one per CPU ($(grep -c . <<<"$makers"))" \
        test "$(grep -c . <<<"$makers")" -le "$(nproc)"
check_true "... the first of them still there" grep -qx "$M" <<<"$makers"
check_new many6 net uts

echo "# --- a maker that dies ---"
# shellcheck disable=SC2086
kill -KILL $makers
await "the dead makers are reaped" 10 no_maker
check_run "e: create -t uts" 0 ctl create e -t uts
M2=$(maker)
check_uint "a new maker runs" "$M2"
check_ne "... not the dead one" "$M" "$M2"
check_eq "e was made by it" "$M2" "$(made_by)"
check_new e uts

fault_rearm helper-after-unshare
ctl create cut -t net >"$T/cut.out" 2>&1 &
CREATE=$!
wait_fault helper-after-unshare
check_eq "the maker stopped in the middle of a create" "$M2" "$FAULT_PID"
if [ "$(nproc)" -ge 2 ]; then
        # It is busy: a create meanwhile goes to a second maker.
        check_run "par: create -t uts while the maker is stopped" 0 ctl create par -t uts
        check_uint "par was made by a process" "$(made_by)"
        check_ne "... another maker" "$M2" "$(made_by)"
        check_eq "... a child of the daemon called nskeeper-maker" nskeeper-maker \
                "$(cat "/proc/$(made_by)/comm" 2>/dev/null)"
        check_new par uts
fi
kill -KILL "$M2"
wait "$CREATE"
check_eq "that create fails" 1 "$?"
check_match "... and says the maker was killed" "maker killed by signal 9" "$(cat "$T/cut.out")"
check_fails "the set does not exist" 1 "not found" ctl show cut
await "the dead maker is reaped" 10 pid_reaped "$M2"
check_run "the name can be used again" 0 ctl create cut -t net
check_new cut net
check_ne "... by yet another maker" "$M2" "$(maker)"

echo "# --- creates sent to a maker that dies before it starts them ---"
# Every maker (one per CPU, four at most) stopped in a create; one more
# create waits behind one of them; that maker is killed: its own create
# fails, the one behind it is made by another.
nmakers=$(nproc)
[ "$nmakers" -gt 4 ] && nmakers=4
stopped=()
cpids=()
for i in $(seq "$nmakers"); do
        fault_rearm helper-after-unshare
        ctl create "held$i" -t uts >"$T/held$i.out" 2>&1 &
        cpids+=($!)
        wait_fault helper-after-unshare
        stopped+=("$FAULT_PID")
done
check_eq "$nmakers makers stopped in a create each" "$nmakers" \
        "$(printf '%s\n' "${stopped[@]}" | sort -u | grep -c .)"
ctl create behind -t uts >"$T/behind.out" 2>&1 &
BEHIND=$!
# Sent once a stopped maker has a request waiting on its socket.
await "the create behind is sent to a stopped maker" 10 request_waits "${stopped[@]}"
# shellcheck disable=SC2086
kill -KILL ${stopped[*]}
for i in $(seq "$nmakers"); do
        wait "${cpids[$((i - 1))]}"
        check_eq "held$i: the create its maker was making fails" 1 "$?"
done
wait "$BEHIND"
check_eq "behind: the create sent after it is made by another maker" 0 "$?"
check_new behind uts

for n in $(list_names); do
        ctl release "$n" >/dev/null 2>&1 || fail "release $n"
done
check_eq "all released" "" "$(list_names)"
await "nothing is left but the spawner, its waiting helpers and the maker" 10 daemon_settled
stop_daemon
await "the maker ends with the daemon" 10 no_maker

echo "# --- --pool: sets made ahead ---"
# pooled TYPE: the inodes of the namespaces of TYPE the daemon holds fds
# of (only the pools' here: no set is fd-pinned), one per line.
pooled() {
        for f in /proc/"$DAEMON_PID"/fd/*; do
                readlink "$f"
        done 2>/dev/null | grep "^$1:" | inode_of_link | sort
}
pool_has() {
        [ "$(pooled "$1" | wc -l)" = "$2" ]
}
# staged TYPE: the inodes of the namespaces of TYPE pinned ahead for the
# pools, in RUNDIR/ns/.pool-*, one per line.
staged() {
        local f
        for f in "$RUNDIR"/ns/.pool-*/"$1"; do
                [ -e "$f" ] && stat -c %i "$f"
        done | sort
}
# staged_ids TYPE: "INODE MOUNT-ID" of each of them.
staged_ids() {
        local f
        for f in "$RUNDIR"/ns/.pool-*/"$1"; do
                [ -e "$f" ] && echo "$(stat -c %i "$f") $(mount_id "$f")"
        done
}
# mount_id PATH: the id of the topmost mount on PATH.
mount_id() {
        mountinfo_snapshot
        awk -v p="$1" '$5 == p { id = $1 } END { print id }' <<<"$MOUNTINFO"
}
# Every pooled namespace is pinned ahead, and nothing else is.
staged_is_pooled() {
        [ "$(staged "$1")" = "$(pooled "$1")" ]
}
# not_staged TYPE INODE: that namespace is not pinned ahead (read anew at
# each call: await calls it again).
not_staged() {
        ! grep -qx "$2" <<<"$(staged "$1")"
}
# top_pool TYPE: the id of the set of TYPE made last, the one the next
# create takes.
top_pool() {
        local f
        for f in "$RUNDIR"/ns/.pool-*/"$1"; do
                [ -e "$f" ] && echo "$f"
        done | sed -n 's|.*/\.pool-\([0-9]*\)/.*|\1|p' | sort -n | tail -n 1
}
# The mounts in RUNDIR/ns/.pool-*.
pool_mounts() {
        mounts_under "$RUNDIR/ns" | grep -c '/\.pool-[0-9]*/' || true
}
start_daemon --pool uts:2 --pool net,ipc:2 || die "no daemon with pools"
await "two uts namespaces are made ahead" 10 pool_has uts 2
await "two net and two ipc namespaces are made ahead" 10 \
        sh -c "[ \"\$(ls -l /proc/$DAEMON_PID/fd | grep -c 'net:\[')\" = 2 ]"
check_eq "... and two ipc" 2 "$(pooled ipc | wc -l)"
await "the uts namespaces made ahead are pinned ahead, in RUNDIR/ns/.pool-*" 10 \
        staged_is_pooled uts
await "... the net ones too" 10 staged_is_pooled net
check_eq "... with the ipc ones beside them" "$(pooled ipc)" "$(staged ipc)"
uts_ahead=$(pooled uts)
net_ahead=$(pooled net)
ids_ahead=$(staged_ids uts)
check_run "u1: create -t uts" 0 ctl create u1 -t uts
check_true "u1 got a uts namespace made ahead" grep -qx "$(set_inode u1 uts)" <<<"$uts_ahead"
check_eq "u1's pin is the mount made ahead, moved (the same mount id)" \
        "$(awk -v i="$(set_inode u1 uts)" '$1 == i { print $2 }' <<<"$ids_ahead")" \
        "$(mount_id "$RUNDIR/ns/u1/uts")"
check_true "... and no longer in the pool's place" not_staged uts "$(set_inode u1 uts)"
check_ne "... (a mount id was found)" "" "$(mount_id "$RUNDIR/ns/u1/uts")"
check_eq "u1's pin directory is mode 0755, as any set's" 755 "$(stat -c %a "$RUNDIR/ns/u1")"
check_new u1 uts
check_eq "u1: the host's hostname" "$(hostname)" "$(ctl join u1 -t uts -- hostname)"
# Down to half: filled again.
await "the pool is filled again" 10 pool_has uts 2
check_run "u2: create -t uts --hostname h (settings: made now)" 0 ctl create u2 -t uts --hostname h
check_true "u2 did not come from the pool" not grep -qx "$(set_inode u2 uts)" <<<"$(pooled uts; echo "$uts_ahead")"
check_eq "u2: its hostname" h "$(ctl join u2 -t uts -- hostname)"
check_run "n1: create -t net,ipc" 0 ctl create n1 -t net,ipc
check_true "n1 got a net namespace made ahead" grep -qx "$(set_inode n1 net)" <<<"$net_ahead"
check_new n1 net ipc
check_match "n1: lo is up, as any create's" "<LOOPBACK,UP" \
        "$(ctl join n1 -t net --no-netns-mounts -- ip -o link show lo)"
check_run "n2: create -t net,ipc --no-loopback" 0 ctl create n2 -t net,ipc --no-loopback
check_true "n2 did not come from the pool" not grep -qx "$(set_inode n2 net)" <<<"$net_ahead"
check_nomatch "n2: lo is down" "[<,]UP[,>]" \
        "$(ctl join n2 -t net --no-netns-mounts -- ip -o link show lo)"
check_run "i1: create -t ipc (no pool of ipc alone)" 0 ctl create i1 -t ipc
check_true "i1 did not come from the net,ipc pool" not grep -qx "$(set_inode i1 ipc)" <<<"$(pooled ipc)"
await "the uts pool is full again" 10 pool_has uts 2
uts_ahead=$(pooled uts)
check_run "f1: create -t uts --pin fd" 0 ctl create f1 -t uts --pin fd
check_true "f1 got a uts namespace made ahead" grep -qx "$(set_inode f1 uts)" <<<"$uts_ahead"
check_eq "f1 has no pin path" null "$(set_pin_path f1 uts)"
await "f1's namespace is not pinned in the pool's place (its pins made ahead are gone)" 10 \
        not_staged uts "$(set_inode f1 uts)"
# pooled counts an fd-pinned set's fds too.
check_run "release f1" 0 ctl release f1
await "the uts pool is full again" 10 pool_has uts 2
# A reload (SIGHUP) takes up new sets; the pools' pins are the daemon's own.
kill -HUP "$DAEMON_PID"
await "reloaded" 10 log_has "reloaded:"
check_true "a reload leaves the pins made ahead alone" staged_is_pooled uts
check_eq "... both of them" 2 "$(staged uts | wc -l)"
ids_ahead=$(staged_ids uts)
check_run "r1: create -t uts after the reload" 0 ctl create r1 -t uts
check_eq "r1's pin is one made ahead" \
        "$(awk -v i="$(set_inode r1 uts)" '$1 == i { print $2 }' <<<"$ids_ahead")" \
        "$(mount_id "$RUNDIR/ns/r1/uts")"
await "the uts pool is full again" 10 pool_has uts 2
mkdir "$RUNDIR/ns/left"
check_fails "left: a create from the pool where pins of that name are left over" 1 \
        "pins of that name are left over" ctl create left -t uts
check_true "... the directory in the way is left as it was" test -d "$RUNDIR/ns/left"
rmdir "$RUNDIR/ns/left"
await "the uts pool is full again" 10 pool_has uts 2
await "... and the pins the refused create took are gone: only the pool's are there" 10 \
        staged_is_pooled uts
top=$RUNDIR/ns/.pool-$(top_pool uts)
check_eq "a set made ahead waits in a directory of mode 0700 (an fd create may take it)" 700 \
        "$(stat -c %a "$top")"
# Through an fd of RUNDIR/ns: wherever the test's directory is, whoever
# may enter it.
exec 9<"$RUNDIR/ns"
check_run "nobody may open u1's pin, as any set's" 0 \
        setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'exec 3</proc/self/fd/9/u1/uts'
check_fails "... but not one made ahead" 2 "Permission denied" \
        setpriv --reuid=65534 --regid=65534 --clear-groups \
        sh -c "exec 3</proc/self/fd/9/${top##*/}/uts"
exec 9<&-
umount "$top/uts"
check_run "t1: create -t uts, its pin made ahead unmounted meanwhile" 0 ctl create t1 -t uts
check_eq "t1's pin holds its namespace: pinned anew" "$(set_inode t1 uts)" \
        "$(stat -c %i "$RUNDIR/ns/t1/uts")"
check_eq "... in a directory of mode 0755" 755 "$(stat -c %a "$RUNDIR/ns/t1")"
check_true "... and the daemon says why" log_has "set 't1': cannot take the pins made ahead"
check_true "the directory made ahead is gone" test ! -e "$top"
await "the uts pool is full again" 10 pool_has uts 2
top=$RUNDIR/ns/.pool-$(top_pool uts)
umount "$top/uts"
rm "$top/uts"
rmdir "$top"
check_run "t2: create -t uts, its pins made ahead removed meanwhile" 0 ctl create t2 -t uts
check_eq "t2's pin holds its namespace: pinned anew" "$(set_inode t2 uts)" \
        "$(stat -c %i "$RUNDIR/ns/t2/uts")"
await "the uts pool is full again" 10 pool_has uts 2
makers=$(maker)
check_true "a maker runs" test -n "$makers"
# shellcheck disable=SC2086
kill -KILL $makers
await "the dead makers are reaped" 10 no_maker
check_eq "the sets made ahead outlive the maker" 2 "$(pooled uts | wc -l)"
uts_ahead=$(pooled uts)
check_run "u3: create -t uts" 0 ctl create u3 -t uts
check_true "u3 got one of them" grep -qx "$(set_inode u3 uts)" <<<"$uts_ahead"
await "a new maker fills the pool again" 10 pool_has uts 2
check_true "... a new one" not grep -qxF "$makers" <<<"$(maker)"
for n in $(list_names); do
        ctl release "$n" >/dev/null 2>&1 || fail "release $n"
done
stop_daemon
await "the maker ends with the daemon" 10 no_maker
check_eq "a stop leaves no pins made ahead" "" "$(cd "$RUNDIR/ns" && ls -A)"
check_eq "... and no mounts of them" 0 "$(pool_mounts)"
echo "# --- pins made ahead, taken by a create that fails after its pins ---"
NSK_FAULTS="create-after-pins=fail:EIO" start_daemon --pool uts:2 || die "no daemon with a pool"
await "two uts namespaces are made ahead" 10 pool_has uts 2
await "... and pinned ahead" 10 staged_is_pooled uts
taken=$(stat -c %i "$RUNDIR/ns/.pool-$(top_pool uts)/uts")
check_fails "fp: a create whose commit fails after its pins" 1 "cannot pin" ctl create fp -t uts
check_true "fp's pins are gone with it" test ! -e "$RUNDIR/ns/fp"
await "the uts pool is full again" 10 pool_has uts 2
check_true "the namespace it took is pinned nowhere" not_staged uts "$taken"
check_eq "... and no mount under RUNDIR holds it" "" \
        "$(for f in "$RUNDIR"/ns/*/uts "$RUNDIR"/ns/.pool-*/uts; do stat -c %i "$f"; done 2>/dev/null |
                grep -x "$taken")"
check_run "fp: the create again" 0 ctl create fp -t uts
check_run "release fp" 0 ctl release fp
stop_daemon
await "the maker ends with the daemon" 10 no_maker
echo "# --- pins made ahead after a crash ---"
start_daemon --pool uts:2 || die "no daemon with a pool"
await "two uts namespaces are made ahead and pinned" 10 \
        sh -c "[ \"\$(ls -d '$RUNDIR'/ns/.pool-*/uts 2>/dev/null | wc -l)\" = 2 ]"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
check_eq "a daemon killed leaves its pins made ahead" 2 "$(pool_mounts)"
start_daemon || die "no daemon after the crash"
check_eq "the next start removes them" "" "$(cd "$RUNDIR/ns" && ls -A)"
check_eq "... with their mounts" 0 "$(pool_mounts)"
check_true "... and says so" grep -q "removing the pins made ahead for a pool" "$T/daemon.log"
stop_daemon
await "the maker ends with the daemon" 10 no_maker
echo "# --- without CAP_SYS_CHROOT (a unit's bounding set): mnt sets get helpers ---"
if [ ${#VALGRIND[@]} -eq 0 ]; then
        real=$NSKEEPERD
        printf '#!/bin/sh\nexec setpriv --bounding-set -sys_chroot "%s" "$@"\n' "$real" >"$T/nochroot"
        chmod 0755 "$T/nochroot"
        NSKEEPERD=$T/nochroot NSK_FAULTS="helper-before-reply=delay:0:always" start_daemon ||
                die "no daemon without CAP_SYS_CHROOT"
        eff=$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$DAEMON_PID/status")
        check_eq "the daemon has no CAP_SYS_CHROOT (bit 18)" 0 "$(((0x$eff >> 18) & 1))"
        check_run "mc: create -t uts,mnt --pin fd" 0 ctl create mc -t uts,mnt --pin fd
        check_true "mc was made by a helper of its own" test -z "$(maker)"
        check_uint "... which a fault point saw" "$(made_by)"
        check_new mc uts mnt
        check_run "uc: create -t uts" 0 ctl create uc -t uts
        check_uint "uc was made by the maker" "$(maker)"
        check_eq "... the process that made it" "$(maker)" "$(made_by)"
        check_run "release mc uc" 0 ctl release mc uc
        stop_daemon
        NSKEEPERD=$real
fi
echo "# --- mount namespaces made on another CPU than the daemon's ---"
# Linux 6.18 numbers mount namespaces from per-CPU batches and refuses to
# bind-mount one whose number is not above that of the namespace that
# mounts it. The daemon runs in a mount namespace made on CPU A, its
# maker and helpers make theirs on CPU B: for one of the two orders, B's
# numbers are below A's. Each set must be made and pinned all the same.
if [ "$(nproc)" -ge 2 ] && [ ${#VALGRIND[@]} -eq 0 ]; then
        real=$NSKEEPERD
        for cpus in "0 1" "1 0"; do
                read -r a b <<<"$cpus"
                printf '#!/bin/sh\nexec taskset -c %s unshare -m --propagation slave taskset -c %s "%s" "$@"\n' \
                        "$a" "$b" "$real" >"$T/oncpu"
                chmod 0755 "$T/oncpu"
                NSKEEPERD=$T/oncpu start_daemon || die "no daemon in a mount namespace made on CPU $a"
                for n in 1 2 3; do
                        check_run "mc$n: create -t mnt, the daemon's namespace from CPU $a, made on CPU $b" \
                                0 ctl create "mc$n" -t mnt
                        check_new "mc$n" mnt
                done
                check_run "mp: create -t pid,mnt (a helper of its own), the same" 0 ctl create mp -t pid,mnt
                # Joined whole: its mount namespace has a /proc of its pid namespace.
                check_inode_eq "mp: its mnt namespace, joined, is the one listed" \
                        "$(set_inode mp mnt)" "$(pick mnt "$(ns_inodes_inside mp)")"
                check_run "release them" 0 ctl release mc1 mc2 mc3 mp
                stop_daemon
        done
        NSKEEPERD=$real
fi
echo "# --- a broken maker that sends the daemon's own namespaces ---"
# The fault point maker-unshare leaves the unshare out, once.
NSK_FAULTS="maker-unshare=fail:EIO" start_daemon || die "no daemon"
check_fails "own: create -t ipc is refused" 1 "the maker sent the daemon's own ipc namespace" \
        ctl create own -t ipc
check_fails "own: the set does not exist" 1 "not found" ctl show own
check_eq "no state was written" "" "$(ls -A "$RUNDIR/state")"
await "the maker that sent it is killed" 10 no_maker
check_run "the next create works (a new maker)" 0 ctl create own2 -t ipc
check_new own2 ipc
check_run "release own2" 0 ctl release own2
stop_daemon

check_fails "--pool of mnt" 2 "would keep the mounts" "$NSKEEPERD" --pool mnt:2
check_fails "--pool of more than 1024" 2 "at most 1024" "$NSKEEPERD" --pool uts:1025
check_fails "--pool of a type that needs a process" 2 "pid and time need a process" \
        "$NSKEEPERD" --pool pid:2
check_fails "--pool twice of the same types" 2 "has a pool already" \
        "$NSKEEPERD" --pool uts:2 --pool uts:3
check_fails "--pool without N" 2 "takes TYPES:N" "$NSKEEPERD" --pool uts
done_testing
