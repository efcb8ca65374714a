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

# The daemon's children named $1 (comm).
children_named() {
        local c
        for c in $(ps --ppid "$DAEMON_PID" -o pid= 2>/dev/null); do
                [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$1" ] && echo "$c"
        done
}
spawner_pid() {
        children_named nskeeper-spawn
}
# Helpers made ahead of time, waiting for creates.
waiting_helpers() {
        children_named nskeeper-ready
}
# Zombies among the daemon's children.
zombies() {
        ps --ppid "$DAEMON_PID" -o stat=,pid= 2>/dev/null | awk '$1 ~ /^Z/ {print $2}'
}
# gone PID...: none of them runs any more (gone, or a zombie).
gone() {
        local p
        for p in "$@"; do
                grep -q '^State:[[:space:]]*[RSDT]' "/proc/$p/status" 2>/dev/null && return 1
        done
        return 0
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
two_waiting() {
        [ "$(waiting_helpers | wc -l)" = 2 ]
}

echo "# --- helpers come from the spawner ---"
start_daemon || die "no daemon"
sp=$(spawner_pid)
check_uint "the daemon runs a spawner" "$sp"
check_eq "... this build's" "$NSK_SPAWNER" "$(readlink "/proc/$sp/exe")"
check_true "... and two helpers wait for creates" wait_for two_waiting
check_eq "the spawner holds no fd of the daemon's but its channel" "3 -> socket" \
        "$(for f in "/proc/$sp/fd"/*; do
                [ "${f##*/}" -gt 2 ] && echo "${f##*/} -> $(readlink "$f" | sed 's/:.*//')"
        done)"
waiting=$(waiting_helpers)
check_run "create a (net,pid)" 0 ctl create a -t net,pid
check_set a "set a"
# One of them (taken for the create, then done) is gone, one waits on.
one_gone() {
        local p n=0
        for p in $waiting; do
                gone "$p" && n=$((n + 1))
        done
        [ "$n" = 1 ]
}
check_true "one of the waiting helpers did the work and is gone" wait_for one_gone
check_true "two helpers wait again" wait_for two_waiting
check_eq "the spawner is the same" "$sp" "$(spawner_pid)"

echo "# --- the waiting helpers die ---"
w=$(waiting_helpers)
# shellcheck disable=SC2086
kill -KILL $w
# shellcheck disable=SC2086
check_true "they are dead" wait_for gone $w
check_run "create b all the same" 0 ctl create b -t net,pid
check_set b "set b"
check_eq "... from the same spawner" "$sp" "$(spawner_pid)"
check_true "no zombie child is left" wait_for test -z "$(zombies)"

echo "# --- the spawner dies ---"
kill -KILL "$sp"
check_true "the daemon notices" wait_for grep -q "spawner (process $sp) is gone" "$T/daemon.log"
check_run "create c all the same" 0 ctl create c -t net,pid
check_set c "set c"
check_true "a new spawner runs" wait_for test -n "$(spawner_pid)"
sp2=$(spawner_pid)
check_ne "... not the old one" "$sp" "$sp2"
check_match "the daemon says it started it again" "spawner started again as process $sp2" \
        "$(cat "$T/daemon.log")"
check_true "two helpers wait again" wait_for two_waiting
check_true "no zombie child is left" wait_for test -z "$(zombies)"
check_run "set a is still there" 0 ctl join a -t net -- true

echo "# --- the spawner stops answering ---"
kill -STOP "$sp2"
w=$(waiting_helpers)
# shellcheck disable=SC2086
kill -KILL $w
# shellcheck disable=SC2086
check_true "no helper waits" wait_for gone $w
run ctl create d -t net
check_eq "create d fails" 1 "$RC"
check_match "... saying the helper could not be started" "cannot start helper: .*timed out" "$ERR"
check_match "the daemon says why" "spawner \(process $sp2\) did not answer" "$(cat "$T/daemon.log")"
check_true "the stuck spawner is gone" wait_for gone "$sp2"
check_run "create d then works" 0 ctl create d -t net,pid
check_set d "set d"
check_ne "... from a new spawner" "$sp2" "$(spawner_pid)"
for n in a b c d; do
        ctl release "$n" >/dev/null || fail "release $n"
done
all="$(spawner_pid) $(waiting_helpers)"
stop_daemon
# shellcheck disable=SC2086
check_true "the spawner and its waiting helpers end with the daemon" wait_for gone $all

echo "# --- --spawner none: the daemon forks helpers itself ---"
NSK_SPAWNER=none start_daemon || die "no daemon with --spawner none"
check_eq "no spawner runs" "" "$(spawner_pid)"
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
