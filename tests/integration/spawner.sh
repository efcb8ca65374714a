#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The spawner (nskeeper-spawn): helpers come from it as children of the
# daemon, two made ahead of time; it is replaced when it dies or stops
# answering, dead waiting helpers are skipped; where clone3 is refused it
# uses clone, where both are the daemon forks helpers itself, as with
# --spawner none; a --spawner that does not work stops the daemon at
# start, saying why; a zombie whose pid a dead set's keeper once had is
# reaped. Every set made on any of these paths is checked in the kernel
# (inodes seen inside). Nothing here waits on the clock: clone3 and
# clone are refused at the spawner's fault points, and the test awaits
# what the daemon and its children do.
. "$(dirname "$0")/lib.sh"
require_ns net
require_ns pid
# This test is about the spawner, whatever the suite runs with.
NSK_SPAWNER=$NSK_BUILDDIR/daemon/nskeeper-spawn
# The same spawner with the fault points of daemon/fault.h, where clone3
# and clone can be refused.
FAULT_SPAWNER=$NSK_BUILDDIR/tests/fault/nskeeper-spawn
ABI=$(sed -n 's/^#define SPAWN_ABI \([0-9]*\)$/\1/p' "$NSK_SRCDIR/daemon/spawn-proto.h")

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
                grep -q '^State:[[:space:]]*[RSDTt]' "/proc/$p/status" 2>/dev/null && return 1
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
# wait_for CMD...: up to 5 s (times NSK_SLOW) for CMD to succeed.
wait_for() {
        wait_until 5 "$@"
}
two_waiting() {
        [ "$(waiting_helpers | wc -l)" = 2 ]
}
no_zombies() {
        [ -z "$(zombies)" ]
}
a_spawner_runs() {
        [ -n "$(spawner_pid)" ]
}
# fds_of PID: "N -> what" for each fd from 3 up.
fds_of() {
        local f
        for f in "/proc/$1/fd"/*; do
                [ -e "$f" ] || [ -L "$f" ] || continue
                [ "${f##*/}" -gt 2 ] && echo "${f##*/} -> $(readlink "$f" | sed 's/:.*//')"
        done
}

echo "# --- helpers come from the spawner ---"
start_daemon || die "no daemon"
sp=$(spawner_pid)
check_uint "the daemon runs a spawner" "$sp"
check_eq "... this build's" "$NSK_SPAWNER" "$(readlink "/proc/$sp/exe")"
check_true "... and two helpers wait for creates" wait_for two_waiting
check_eq "the spawner holds no fd of the daemon's but its channel" "3 -> socket" "$(fds_of "$sp")"
for w in $(waiting_helpers); do
        check_eq "waiting helper $w holds nothing but its socket" "3 -> socket" "$(fds_of "$w")"
done
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
check_true "no zombie child is left" wait_for no_zombies

echo "# --- the spawner dies ---"
kill -KILL "$sp"
check_true "the daemon notices" wait_for grep -q "spawner (process $sp) is gone" "$T/daemon.log"
check_run "create c all the same" 0 ctl create c -t net,pid
check_set c "set c"
check_true "a new spawner runs" wait_for a_spawner_runs
sp2=$(spawner_pid)
check_ne "... not the old one" "$sp" "$sp2"
check_match "the daemon says it started it again" "spawner started again as process $sp2" \
        "$(cat "$T/daemon.log")"
check_true "two helpers wait again" wait_for two_waiting
check_true "no zombie child is left" wait_for no_zombies
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
# (By spawner_stop() or PR_SET_PDEATHSIG: either way, none outlives it.)
# shellcheck disable=SC2086
check_true "the spawner and its waiting helpers end with the daemon" wait_for gone $all

echo "# --- clone3 refused (seccomp in containers): clone, then fork ---"
# clone3 refused every time, as a seccomp filter would (ENOSYS); the
# clone point does nothing (delay 0) but leave its mark: the spawner's pid
# in $NSK_FAULT_DIR/spawner-clone once it took the clone path.
NSK_SPAWNER=$FAULT_SPAWNER NSK_FAULTS="spawner-clone3=fail:ENOSYS:always spawner-clone=delay:0:always" \
        start_daemon || die "no daemon"
check_true "two helpers wait" wait_for two_waiting
sp=$(spawner_pid)
check_uint "the daemon runs the spawner of the test build" "$sp"
check_eq "... whose clone3 was refused" "$sp" "$(fault_pid spawner-clone3)"
check_eq "... and which cloned them with clone instead" "$sp" "$(fault_pid spawner-clone)"
# clone(CLONE_PARENT|CLONE_PIDFD): the helpers are the daemon's children
# (waiting_helpers looks among those) and the pidfd it got is theirs.
check_eq "the spawner has no child of its own (CLONE_PARENT)" "" \
        "$(ps --ppid "$sp" -o pid= 2>/dev/null)"
pidfds=$(daemon_pidfd_pids)
for w in $(waiting_helpers); do
        check_true "the daemon holds the pidfd of waiting helper $w (CLONE_PIDFD)" \
                grep -qx "$w" <<<"$pidfds"
done
fault_rearm spawner-clone3 spawner-clone
for n in f g h; do
        check_run "create $n with clone3 refused" 0 ctl create "$n" -t net,pid
done
check_set h "set h"
check_true "two helpers wait again" wait_for two_waiting
check_eq "the new ones, too, were cloned with clone" "$sp $sp" \
        "$(fault_pid spawner-clone3) $(fault_pid spawner-clone)"
check_eq "... by the same spawner" "$sp" "$(spawner_pid)"
check_nomatch "... which the daemon kept" "spawner cannot clone helpers" "$(cat "$T/daemon.log")"
for n in f g h; do
        ctl release "$n" >/dev/null || fail "release $n"
done
stop_daemon

# clone refused too (EPERM, as seccomp filters answer): the spawner can
# make no helper, and the daemon forks them itself.
NSK_SPAWNER=$FAULT_SPAWNER NSK_FAULTS="spawner-clone3=fail:ENOSYS:always spawner-clone=fail:EPERM:always" \
        start_daemon || die "no daemon"
sp=$(spawner_pid)
check_uint "with clone3 and clone refused, a spawner starts" "$sp"
check_true "... and says it could not make a helper" wait_for \
        log_has "spawner could not make a helper: Operation not permitted"
check_eq "... refused at clone" "$sp" "$(fault_pid spawner-clone)"
check_eq "no helper waits" "" "$(waiting_helpers)"
check_run "create i with clone3 and clone refused" 0 ctl create i -t net,pid
check_set i "set i"
check_match "the daemon says it forks helpers itself" \
        "spawner cannot clone helpers \\(Operation not permitted\\); .*forked by the daemon itself" \
        "$(cat "$T/daemon.log")"
check_true "the spawner is gone" wait_for gone "$sp"
check_eq "no spawner runs" "" "$(spawner_pid)"
check_run "create j, forked by the daemon" 0 ctl create j -t net,pid
check_set j "set j"
check_eq "still no spawner, and no helper waits" "" "$(spawner_pid)$(waiting_helpers)"
for n in i j; do
        ctl release "$n" >/dev/null || fail "release $n"
done
stop_daemon

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
check_run "nskeeper-spawn with a daemon pid that is not its parent" 1 "$NSK_SPAWNER" "$ABI" 1 3<&-

echo "# --- a zombie with the pid of a dead set's keeper is reaped ---"
# The daemon as PID 1 of a pid namespace of its own, where the test picks
# the next pid (ns_last_pid): the next waiting helper gets the pid the
# keeper of a dead set had, and then dies.
unshare --pid --fork --kill-child "$NSKEEPERD" --socket "$SOCK" --runtime-dir "$RUNDIR" \
        --spawner "$NSK_SPAWNER" --log-level "$NSK_LOG_LEVEL" >>"$T/daemon.log" 2>&1 &
pid1=$!
EXTRA_PIDS+=("$pid1")
await "the daemon in its own pid namespace answers" 5 ctl_answers
DAEMON_PID=$(ps --ppid "$pid1" -o pid= | tr -d ' ')
check_uint "a daemon runs as PID 1 of its own pid namespace" "$DAEMON_PID"
check_true "two helpers wait" wait_for two_waiting
# in_ns PID: its pid in the daemon's pid namespace (NSpid: outermost first).
in_ns() {
        awk '$1 == "NSpid:" { print $3 }' "/proc/$1/status"
}
check_run "create k (pid)" 0 ctl create k -t pid,net
# The daemon names pids as its own namespace numbers them.
kpid=$(set_json k | jq -r .keeper_pid)
check_uint "k has a keeper, pid $kpid in the daemon's namespace" "$kpid"
keeper=
for c in $(children_named nskeeper-init); do
        [ "$(in_ns "$c")" = "$kpid" ] && keeper=$c
done
check_uint "... found among the daemon's children" "$keeper"
kill -KILL "$keeper"
k_dead() {
        [ "$(set_json k | jq -r .state)" = dead ]
}
check_true "k is dead" wait_for k_dead
check_run "the next pid there is $kpid" 0 \
        nsenter -t "$DAEMON_PID" --pid -- sh -c "echo $((kpid - 1)) >/proc/sys/kernel/ns_last_pid"
check_run "create l: the spawner makes the next waiting helper" 0 ctl create l -t net
check_true "two helpers wait again" wait_for two_waiting
victim=
for w in $(waiting_helpers); do
        [ "$(in_ns "$w")" = "$kpid" ] && victim=$w
done
check_uint "a waiting helper has pid $kpid, which k's keeper had" "$victim"
[ -n "$victim" ] && kill -KILL "$victim"
check_true "it is reaped, not left a zombie" wait_for no_zombies
check_nomatch "... as no set's: the dead keeper's pid was no longer taken for its" \
        "reaped process [0-9]+, whose watcher did not" "$(cat "$T/daemon.log")"
check_run "release k" 0 ctl release k
check_run "release l" 0 ctl release l
kill -TERM "$DAEMON_PID"
check_true "the daemon stops" wait_exit "$pid1" 10
DAEMON_PID=

done_testing
