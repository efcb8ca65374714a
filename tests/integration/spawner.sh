#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The spawner (nskeeper-spawn): helpers come from it as children of the
# daemon; it is replaced when it dies, stops or its waiting helper dies;
# with --spawner none the daemon forks helpers itself; a --spawner that
# does not work stops the daemon at start, saying why. Every set made on
# any of these paths is checked in the kernel (inodes seen inside).
. "$(dirname "$0")/lib.sh"
require_ns net
require_ns pid

# The daemon's children named nskeeper-spawn, oldest first: the spawner,
# then the helper it made ahead of time for the next create.
spawn_children() {
        local c
        for c in $(ps --ppid "$DAEMON_PID" -o pid= 2>/dev/null); do
                [ "$(cat "/proc/$c/comm" 2>/dev/null)" = nskeeper-spawn ] || continue
                echo "$(awk '{print $22}' "/proc/$c/stat" 2>/dev/null) $c"
        done | sort -n | awk '{print $2}'
}
spawner_pid() {
        spawn_children | head -n 1
}
waiting_helper_pid() {
        spawn_children | sed -n 2p
}
# Zombies among the daemon's children.
zombies() {
        ps --ppid "$DAEMON_PID" -o stat=,pid= 2>/dev/null | awk '$1 ~ /^Z/ {print $2}'
}
# check_set NAME DESC: a set of net and pid whose namespaces a joined
# process really is in, as list reports them.
check_set() {
        local net
        net=$(ns_inode_of "$1" net)
        check_inode_eq "$2: net seen inside is the one listed" "$(set_inode "$1" net)" "$net"
        check_inode_eq "$2: pid seen inside is the one listed" "$(set_inode "$1" pid)" \
                "$(ns_inode_of "$1" pid)"
        check_inode_ne "$2: not the host's net" "$(host_inode net)" "$net"
}
# wait_for CMD...: up to 5 s for CMD to succeed.
wait_for() {
        local i
        for i in $(seq $((50 * NSK_SLOW))); do
                "$@" && return 0
                sleep 0.1
        done
        return 1
}

echo "# --- helpers come from the spawner ---"
start_daemon || die "no daemon"
sp=$(spawner_pid)
check_uint "the daemon runs a spawner" "$sp"
check_eq "... this build's" "$NSK_SPAWNER" "$(readlink "/proc/$sp/exe")"
check_uint "... which has a helper waiting" "$(waiting_helper_pid)"
# Its channel to the daemon, the waiting helper's socket and pidfd.
spawner_fds() {
        local f
        for f in "/proc/$sp/fd"/*; do
                [ "${f##*/}" -gt 2 ] && readlink "$f" | sed 's/:\[[0-9]*\]$//'
        done | sort | tr '\n' ' ' | sed 's/ $//'
}
check_eq "the spawner holds no fd of the daemon's but its channel" \
        "anon_inode:[pidfd] socket socket" "$(spawner_fds)"
waiting=$(waiting_helper_pid)
check_run "create a (net,pid)" 0 ctl create a -t net,pid
check_set a "set a"
check_true "the waiting helper did the work and is gone" wait_for test ! -e "/proc/$waiting"
check_ne "another helper waits for the next create" "$waiting" "$(waiting_helper_pid)"
check_eq "the spawner is the same" "$sp" "$(spawner_pid)"

echo "# --- the waiting helper dies ---"
kill -KILL "$(waiting_helper_pid)"
check_run "create b all the same" 0 ctl create b -t net,pid
check_set b "set b"
check_eq "... from the same spawner" "$sp" "$(spawner_pid)"

echo "# --- the spawner dies ---"
kill -KILL "$sp"
check_run "create c all the same" 0 ctl create c -t net,pid
check_set c "set c"
sp2=$(spawner_pid)
check_uint "a new spawner runs" "$sp2"
check_ne "... not the old one" "$sp" "$sp2"
check_match "the daemon says it started it again" "spawner \(process $sp\) is gone; starting it again" \
        "$(cat "$T/daemon.log")"
check_true "no zombie child is left" wait_for test -z "$(zombies)"
check_run "set a is still there" 0 ctl join a -t net -- true

echo "# --- the spawner stops answering ---"
kill -STOP "$sp2"
run ctl create d -t net
check_eq "create d fails" 1 "$RC"
check_match "... saying the helper could not be started" "timed out" "$ERR"
check_match "the daemon says why" "spawner \(process $sp2\) did not answer" "$(cat "$T/daemon.log")"
check_true "the stuck spawner is gone" wait_for test ! -e "/proc/$sp2"
check_run "create d then works" 0 ctl create d -t net,pid
check_set d "set d"
check_ne "... from a new spawner" "$sp2" "$(spawner_pid)"
for n in a b c d; do
        ctl release "$n" >/dev/null || fail "release $n"
done
sp=$(spawner_pid)
stop_daemon
check_true "the spawner ends with the daemon" wait_for test ! -e "/proc/$sp"

echo "# --- --spawner none: the daemon forks helpers itself ---"
NSK_SPAWNER=none start_daemon || die "no daemon with --spawner none"
check_eq "no spawner runs" "" "$(spawn_children)"
check_run "create e" 0 ctl create e -t net,pid
check_set e "set e"
check_run "release e" 0 ctl release e
stop_daemon

echo "# --- a spawner that does not work ---"
nskd() {
        timeout -k 2 10 "$NSKEEPERD" --socket "$SOCK" --runtime-dir "$RUNDIR" "$@"
}
check_fails "--spawner that does not exist" 1 \
        "cannot run spawner $T/none-such: No such file or directory" nskd --spawner "$T/none-such"
check_fails "--spawner that exits at once" 1 "spawner /bin/true exited at once" \
        nskd --spawner /bin/true
check_fails "--spawner that is not absolute" 2 "absolute path or 'none'" nskd --spawner nskeeper-spawn
check_true "none of them left a socket" test ! -e "$SOCK"
check_fails "nskeeper-spawn run by hand" 2 "run by nskeeperd, not by hand" "$NSK_SPAWNER"
check_run "nskeeper-spawn with a daemon pid that is not its parent" 1 "$NSK_SPAWNER" 1 1 3<&-

done_testing
