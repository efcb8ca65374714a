#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sd_notify as a service manager sees it: READY=1 once the socket answers
# and the sets are adopted, STATUS= kept up to date, RELOADING=1/READY=1
# around a SIGHUP re-scan that leaves known sets alone, WATCHDOG=1 at half
# of WATCHDOG_USEC, STOPPING=1. Built --without-systemd: not a word.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/systemd-lib.sh"
require_ns net uts ipc

if [ "${NSK_HAVE_SYSTEMD:-}" = no ]; then
        echo "# built --without-systemd: the daemon must ignore NOTIFY_SOCKET"
        start_daemon || exit 1
        stop_daemon
        "$NOTIFY_LISTENER" --socket "$NOTIFY_SOCK" --log "$NOTIFY_LOG" --watchdog-usec 200000 -- \
                "$NSKEEPERD" --socket "$SOCK" --runtime-dir "$RUNDIR" --log-level "$NSK_LOG_LEVEL" \
                --spawner "$NSK_SPAWNER" </dev/null >>"$T/daemon.log" 2>&1 &
        MGR_PID=$!
        EXTRA_PIDS+=("$MGR_PID")
        wait_until 5 ctl_answers
        check_run "the daemon serves" 0 ctl create quiet --pin fd -t net
        # The listener reads all the daemon sent before it logs its EXIT,
        # and stop_managed returns once the listener has ended: what the
        # log holds then is all there was.
        stop_managed
        check_eq "no notification at all" 0 "$(log_count '^MSG ')"
        check_eq "no fd reached the store" 0 "$(log_count '^STORED ')"
        done_testing
fi

# Two bind sets before the start: READY=1 must come after their adoption.
start_daemon || exit 1
check_run "create pre1" 0 ctl create pre1 -t net
check_run "create pre2" 0 ctl create pre2 -t net,uts
pre2_net=$(set_inode pre2 net)
stop_daemon

echo "# --- start ---"
start_managed --check-socket "$SOCK" || exit 1
check_log "READY=1 sent" 'main=yes READY=1$'
check_eq "exactly one READY=1" 1 "$(log_count 'READY=1$')"
first=$(grep -nE 'READY=1$' "$NOTIFY_LOG" | head -n 1 | cut -d: -f1)
check_eq "right after READY=1 the control socket accepted a connection" "READY-CONNECT ok" \
        "$(sed -n "$((first + 1))p" "$NOTIFY_LOG")"
check_eq "the STATUS= before READY=1 counts the adopted sets" \
        "2 sets, 3 namespaces, 0 clients" \
        "$(head -n "$first" "$NOTIFY_LOG" | sed -n 's/^MSG .* STATUS=//p' | tail -n 1)"
check_eq "no WATCHDOG=1 without WATCHDOG_USEC" 0 "$(log_count 'WATCHDOG=1')"

echo "# --- STATUS= follows creates, releases and clients ---"
check_run "create f1 (fd)" 0 ctl create f1 --pin fd -t net,uts,ipc
check_log "STATUS= after create" 'STATUS=3 sets, 6 namespaces, 0 clients$'
check_run "release pre1" 0 ctl release pre1
check_log "STATUS= after release" 'STATUS=2 sets, 5 namespaces, 0 clients$'
"$NSK_BUILDDIR/tests/nsk-raw" "$SOCK" sleep 1500 >/dev/null 2>&1 &
raw=$!
check_log "STATUS= counts a connected client" 'STATUS=2 sets, 5 namespaces, 1 client$'
wait "$raw"
check_log "STATUS= after it went" 'STATUS=2 sets, 5 namespaces, 0 clients$' 2
check_nomatch "all messages came from the main pid" 'main=no' "$(grep '^MSG' "$NOTIFY_LOG")"

echo "# --- SIGHUP: re-scan, known sets untouched ---"
# A set the daemon does not know: a bind pin and a state file made by hand.
mkdir -p "$RUNDIR/ns/ext"
: >"$RUNDIR/ns/ext/net"
unshare --net="$RUNDIR/ns/ext/net" true || die "cannot make a pin by hand"
ext_net=$(stat -L -c %i "$RUNDIR/ns/ext/net")
printf 'version 1\npin bind\ncreated %s\nowner 0\nns net %s\n' "$(date +%s)" "$ext_net" \
        >"$RUNDIR/state/ext"
f1_net=$(set_inode f1 net)
stores=$(log_count '^STORED ')
check_fails "ext is not known before the reload" 1 "not found" ctl show ext
kill -HUP "$MGR_PID"
check_log "RELOADING=1 sent" 'main=yes RELOADING=1$'
check_log "MONOTONIC_USEC= with it" 'main=yes MONOTONIC_USEC=[0-9]+$'
check_log "READY=1 again after the reload" 'main=yes READY=1$' 2
check_true "RELOADING=1 came before the second READY=1" \
        test "$(grep -nE 'RELOADING=1$' "$NOTIFY_LOG" | head -n 1 | cut -d: -f1)" -lt \
        "$(grep -nE 'READY=1$' "$NOTIFY_LOG" | sed -n 2p | cut -d: -f1)"
check_inode_eq "ext adopted with its inode" "$ext_net" "$(set_inode ext net)"
check_inode_eq "ext joinable" "$ext_net" "$(ns_inode_of ext net)"
check_inode_eq "f1 (fd) untouched: same net" "$f1_net" "$(set_inode f1 net)"
check_inode_eq "f1 (fd) still joinable" "$f1_net" "$(ns_inode_of f1 net)"
check_inode_eq "pre2 (bind) untouched" "$pre2_net" "$(set_inode pre2 net)"
check_eq "nothing stored again by the reload" "$stores" "$(log_count '^STORED ')"
check_log "STATUS= counts ext" 'STATUS=3 sets, 6 namespaces, 0 clients$'
kill -HUP "$MGR_PID"
check_log "a second reload" 'main=yes READY=1$' 3
check_eq "the second reload changed nothing" "ext f1 pre2" "$(list_names)"
check_match "the log says what the reload found" "reloaded: 0 new set" "$(cat "$T/daemon.log")"

echo "# --- STOPPING=1 ---"
stop_managed
check_log "STATUS=stopping" 'STATUS=stopping$'
check_log "STOPPING=1 sent" 'STOPPING=1$'
check_log "the daemon exited with status 0" '^EXIT pid=[0-9]+ status=0$'

echo "# --- watchdog ---"
start_managed --watchdog-usec 300000 || exit 1
pings=$(log_count 'main=yes WATCHDOG=1$')
sleep 1.6
n=$(( $(log_count 'main=yes WATCHDOG=1$') - pings ))
# One every 150 ms: about ten in 1.6 s; a loose bound keeps a busy
# machine from failing it.
check_true "WATCHDOG=1 about every 150 ms ($n in 1.6 s)" test "$n" -ge 5 -a "$n" -le 14
check_match "the daemon logs the interval" "watchdog every 150 ms" "$(cat "$T/daemon.log")"
kill -STOP "$(managed_pid)"
pings=$(log_count 'WATCHDOG=1$')
sleep 0.6
check_eq "a stopped daemon does not ping" "$pings" "$(log_count 'WATCHDOG=1$')"
kill -CONT "$(managed_pid)"
check_log "pings again once continued" 'WATCHDOG=1$' $((pings + 2)) 3

check_eq "the fd set ended with the stop (the store went with the listener)" "ext pre2" \
        "$(list_names)"
for s in ext pre2; do
        check_run "release $s" 0 ctl release "$s"
done
stop_managed
done_testing
