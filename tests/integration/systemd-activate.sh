#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Socket activation with systemd-socket-activate(1): the first request
# starts the daemon on the socket it is handed, the daemon never removes
# that socket, and a passed socket that is not an AF_UNIX SOCK_SEQPACKET
# listener is not used.
. "$(dirname "$0")/lib.sh"
require_ns net
[ "${NSK_HAVE_SYSTEMD:-}" = no ] && skip "built --without-systemd (no socket activation)"
command -v systemd-socket-activate >/dev/null 2>&1 ||
        skip "needs systemd-socket-activate (package systemd)"

mkdir -p "$RUNDIR"

# listening_more N: more than N "Listening on $SOCK" lines in the log.
listening_more() {
        [ "$(grep -c "^Listening on $SOCK " "$T/daemon.log")" -gt "$1" ]
}

# activate [OPTIONS...]: systemd-socket-activate on $SOCK in the background.
# Returns once it listens (the socket of an earlier run may still be there).
activate() {
        local before
        before=$(grep -c "^Listening on $SOCK " "$T/daemon.log" 2>/dev/null)
        echo "# --- systemd-socket-activate $* $(date +%T.%N) ---" >>"$T/daemon.log"
        systemd-socket-activate "$@" -l "$SOCK" "$NSKEEPERD" --runtime-dir "$RUNDIR" \
                --log-level "$NSK_LOG_LEVEL" --spawner "$NSK_SPAWNER" </dev/null >>"$T/daemon.log" 2>&1 &
        DAEMON_PID=$!
        wait_until 5 listening_more "${before:-0}" && return 0
        die "systemd-socket-activate does not listen on $SOCK"
}

exe_of() {
        basename "$(readlink "/proc/$1/exe")"
}

echo "# --- activation on the first request ---"
activate --seqpacket
check_eq "before any request, no daemon runs" systemd-socket-activate "$(exe_of "$DAEMON_PID")"
check_run "the first request is served" 0 ctl create a1 -t net
check_eq "and it started nskeeperd (same pid, exec'd)" nskeeperd "$(exe_of "$DAEMON_PID")"
check_match "the daemon uses the socket it was passed" \
        "using the control socket passed by the service manager" "$(cat "$T/daemon.log")"
a1_net=$(set_inode a1 net)
check_inode_eq "a1 joinable" "$a1_net" "$(ns_inode_of a1 net)"
stop_daemon
check_true "the daemon left the passed socket in place" test -S "$SOCK"

echo "# --- again, with a name for the socket as a .socket unit gives it ---"
activate --seqpacket --fdname=nskeeperd.socket
check_inode_eq "the bind set is adopted on activation" "$a1_net" "$(set_inode a1 net)"
check_match "the log names the socket" "passed by the service manager \\('nskeeperd.socket'\\)" \
        "$(cat "$T/daemon.log")"
check_run "release a1" 0 ctl release a1
stop_daemon
check_true "the socket is still there" test -S "$SOCK"

echo "# --- a passed socket of the wrong kind is not used ---"
rm -f "$SOCK"
# A datagram socket: the daemon must make its own socket at --socket.
OTHER=$T/dgram
echo "# --- systemd-socket-activate (datagram) $(date +%T.%N) ---" >>"$T/daemon.log"
systemd-socket-activate --datagram -l "$OTHER" "$NSKEEPERD" --runtime-dir "$RUNDIR" \
        --socket "$SOCK" --log-level "$NSK_LOG_LEVEL" --spawner "$NSK_SPAWNER" </dev/null >>"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_until 5 test -S "$OTHER"
# Any datagram makes it start the daemon.
logger -u "$OTHER" "wake up" 2>/dev/null
wait_until 5 ctl_answers
check_eq "nskeeperd started" nskeeperd "$(exe_of "$DAEMON_PID")"
check_run "it serves on its own socket" 0 ctl list
check_nomatch "it did not take the datagram socket" "using the control socket passed" \
        "$(sed -n '/(datagram)/,$p' "$T/daemon.log")"
stop_daemon
check_true "its own socket is removed when it stops" test ! -e "$SOCK"
done_testing
