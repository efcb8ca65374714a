#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Limits and trust: past RLIMIT_NOFILE the daemon neither spins nor dies,
# and serves again once fds are free; a connection that asks nothing is
# closed after --idle-timeout, and not before; the client refuses a
# socket not served by root. What the daemon does is awaited, with a
# bound; only the silences that are the case are timed.
. "$(dirname "$0")/lib.sh"
require_ns net
RAW=$NSK_BUILDDIR/tests/nsk-raw
[ -x "$RAW" ] || hard_error "$RAW not built (make check builds it)"

# CPU time (user + system, clock ticks) the daemon used so far.
cpu_ticks() {
        awk '{print $14 + $15}' "/proc/$DAEMON_PID/stat"
}
# at_rest_with_fds N: the daemon is at rest holding N fds.
at_rest_with_fds() {
        daemon_at_rest && [ "$(daemon_fds)" = "$1" ]
}
# ms_since NANOSECONDS: milliseconds since that `date +%s%N`.
ms_since() {
        echo $((($(date +%s%N) - $1) / 1000000))
}

echo "# --- out of file descriptors ---"
start_daemon --idle-timeout 30 || die "no daemon"
await "the daemon is at rest" 5 daemon_at_rest
baseline=$(daemon_fds)
# Limited to 64 fds from outside, as a tight LimitNOFILE= would.
check_run "limit the daemon to 64 fds" 0 prlimit --pid "$DAEMON_PID" --nofile=64:64
# More clients than it has fds for, connected until the test kills them
# (their sleep only keeps them silent).
holders=()
for _ in $(seq 80); do
        "$RAW" "$SOCK" sleep 600000 >/dev/null 2>&1 &
        holders+=($!)
done
EXTRA_PIDS+=("${holders[@]}")
check_true "the daemon says it cannot accept" \
        wait_until 10 log_has "cannot accept connections.*pausing"
# The time measured is what is tested: CPU used over 2 s while out of fds.
before=$(cpu_ticks)
sleep 2
used=$(($(cpu_ticks) - before))
check_true "it does not spin meanwhile ($used ticks of CPU in 2 s)" test "$used" -le 20
check_true "it is still running" kill -0 "$DAEMON_PID"
kill "${holders[@]}" 2>/dev/null
wait "${holders[@]}" 2>/dev/null
check_true "with the clients gone it answers again" wait_until 10 ctl_answers
check_run "with fds free again it serves" 0 ctl create after -t net
check_run "release after" 0 ctl release after
wait_until 10 at_rest_with_fds "$baseline"
check_eq "its fds are back to what they were" "$baseline" "$(daemon_fds)"

echo "# --- idle connections ---"
"$RAW" "$SOCK" drain 40000 >"$T/idle.out" 2>&1 &
idle=$!
EXTRA_PIDS+=("$idle")
check_true "a silent client is connected" wait_until 5 daemon_connections_are 1
# Its silence is what is tested: 5 s, well within --idle-timeout 30.
if wait_exit "$idle" 5; then
        fail "the idle client ended early: $(cat "$T/idle.out")"
else
        ok "an idle client is still connected after 5 s"
fi
check_eq "... and the daemon still holds its connection" 1 "$(daemon_connections)"
stop_daemon
kill "$idle" 2>/dev/null
wait "$idle" 2>/dev/null

start_daemon --idle-timeout 2 || die "no daemon"
start=$(date +%s%N)
# Silent until the daemon closes the connection (a minute at most).
"$RAW" "$SOCK" drain $((60000 * NSK_SLOW)) >"$T/idle.out" 2>&1 &
idle=$!
EXTRA_PIDS+=("$idle")
if wait_exit "$idle" $((30 * NSK_SLOW)); then
        elapsed=$(ms_since "$start")
        check_match "--idle-timeout 2: the daemon closed the silent connection" "eof" \
                "$(cat "$T/idle.out")"
        check_true "... not before 2 s had passed ($elapsed ms)" test "$elapsed" -ge 2000
        if [ "$NSK_LOG_LEVEL" = debug ]; then
                check_true "... and says so" log_has "client pid $idle: idle for 2 s; closing"
        fi
else
        fail "--idle-timeout 2: the silent connection was still open after $((30 * NSK_SLOW)) s"
fi
check_run "and still serves others" 0 ctl list
stop_daemon

echo "# --- clients that take and do not read ---"
start_daemon --idle-timeout 2 || die "no daemon"
check_run "create held" 0 ctl create held -t net,uts,ipc --pin fd
await "the daemon is at rest" 5 daemon_at_rest
baseline=$(daemon_fds)
# GET hdr: version 1, command 2, id 1, no flags; NAME "held". Once a
# reply waits for it the daemon reads no more of its requests, so it
# blocks sending; after an idle period without reading it is dropped.
"$RAW" "$SOCK" hdr 1 2 1 0 str 1 held repeat 5000 sleep 500 drain 200 >"$T/getters.out" 2>&1
check_match "a client queueing namespace fds without reading is dropped" "eof|send error" \
        "$(cat "$T/getters.out")"
check_true "the daemon says why" wait_until 5 log_has "(does not|has not) read its replies"
wait_until 10 at_rest_with_fds "$baseline"
check_eq "the fds queued for it are closed" "$baseline" "$(daemon_fds)"
# MONITOR (command 6) twice on one connection: the second is refused.
out=$("$RAW" "$SOCK" hdr 1 6 1 0 send recv hdr 1 6 2 0 send recv 2>&1)
check_match "a second MONITOR on one connection is refused (EBUSY)" "id=2 .*errno=16" "$out"
check_run "release held" 0 ctl release held
stop_daemon

echo "# --- nskeeperd as PID 1 (a container's entrypoint) ---"
unshare --pid --fork --kill-child "$NSKEEPERD" --socket "$SOCK" --runtime-dir "$RUNDIR" \
        --spawner "$NSK_SPAWNER" \
        >>"$T/daemon.log" 2>&1 &
pid1=$!
EXTRA_PIDS+=("$pid1")
check_true "as PID 1 it answers" wait_until 5 ctl_answers
check_run "as PID 1 it still creates sets" 0 ctl create inpid1 -t net,pid
check_run "... and releases them" 0 ctl release inpid1
check_true "... and warns that the /proc it sees is not its pid namespace's" \
        log_has "/proc is not of this pid namespace"
# unshare ignores SIGTERM while it waits: stop the daemon itself.
# shellcheck disable=SC2046 # one pid, or none
kill -TERM $(ps --ppid "$pid1" -o pid=) 2>/dev/null
if wait_exit "$pid1" $((10 * NSK_SLOW)); then
        ok "the PID 1 daemon stopped on SIGTERM"
else
        fail "the PID 1 daemon did not stop"
        kill -KILL "$pid1"
fi

echo "# --- a socket not served by root ---"
command -v systemd-socket-activate >/dev/null || skip "needs systemd-socket-activate"
chmod 755 "$T"
mkdir "$T/fake"
chown 4242:4242 "$T/fake"
setpriv --reuid 4242 --regid 4242 --clear-groups \
        systemd-socket-activate --seqpacket -l "$T/fake/control" sleep 30 >/dev/null 2>&1 &
fake=$!
EXTRA_PIDS+=("$fake")
check_true "a server run by uid 4242 listens" wait_until 5 test -S "$T/fake/control"
check_fails "the client refuses it" 1 "served by uid 4242, not root" \
        "$NSKEEPERCTL" --socket "$T/fake/control" list
kill "$fake" 2>/dev/null

done_testing
