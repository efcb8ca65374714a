# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2034
# Helpers for the systemd tests, sourced after lib.sh: run nskeeperd under
# tests/notify-listener, a stand-in for systemd's notify socket and fd
# store, and read what it logged ($T/notify.log, format in its source).

NOTIFY_LISTENER=$NSK_BUILDDIR/tests/notify-listener
[ -x "$NOTIFY_LISTENER" ] || hard_error "$NOTIFY_LISTENER not built (make check builds it)"
NOTIFY_SOCK=$T/notify
NOTIFY_LOG=$T/notify.log
MGR_PID=

# How many lines of the log match ERE.
log_count() {
        grep -cE -- "$1" "$NOTIFY_LOG" 2>/dev/null || true
}

# log_count_reaches ERE COUNT: at least COUNT lines match.
log_count_reaches() {
        [ "$(log_count "$1")" -ge "$2" ]
}

# wait_log ERE [COUNT [SECONDS]]: until COUNT lines match (default 1, 10 s
# times NSK_SLOW).
wait_log() {
        wait_until "${3:-10}" log_count_reaches "$1" "${2:-1}"
}

# check_log DESC ERE [COUNT [SECONDS]]
check_log() {
        if wait_log "$2" "${3:-1}" "${4:-10}"; then
                ok "$1"
        else
                fail "$1" "expected ${3:-1} line(s) matching /$2/ in the notify log, found" \
                        "$(log_count "$2"); the log ends with:" "$(tail -n 15 "$NOTIFY_LOG")"
        fi
}

# The last STATUS= text received.
last_status() {
        sed -n 's/^MSG pid=[0-9]* main=yes STATUS=//p' "$NOTIFY_LOG" | tail -n 1
}

# Pid of the daemon the listener started last.
managed_pid() {
        sed -n 's/^START pid=\([0-9]*\) .*/\1/p' "$NOTIFY_LOG" | tail -n 1
}

# start_managed [LISTENER OPTIONS...] [-- DAEMON OPTIONS...]: the listener
# runs nskeeperd on $RUNDIR/$SOCK; returns once READY=1 came and it answers.
start_managed() {
        local opts=() ready
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
                opts+=("$1")
                shift
        done
        [ "${1:-}" = -- ] && shift
        ready=$(log_count 'main=yes READY=1$')
        echo "# --- starting nskeeperd under notify-listener $(date +%T.%N) ---" >>"$T/daemon.log"
        "$NOTIFY_LISTENER" --socket "$NOTIFY_SOCK" --log "$NOTIFY_LOG" "${opts[@]}" -- \
                "$NSKEEPERD" --socket "$SOCK" --runtime-dir "$RUNDIR" --log-level "$NSK_LOG_LEVEL" \
                --netns-dir "$T/netns" --spawner "$NSK_SPAWNER" "$@" </dev/null >>"$T/daemon.log" 2>&1 &
        MGR_PID=$!
        EXTRA_PIDS+=("$MGR_PID")
        if ! wait_log 'main=yes READY=1$' $((ready + 1)) 10 || ! ctl list >/dev/null 2>&1; then
                fail "start_managed: no READY=1 within 10 s" "$(tail -n 20 "$NOTIFY_LOG")" \
                        "$(tail -n 20 "$T/daemon.log")"
                return 1
        fi
}

# restart_managed: SIGTERM to the daemon, start again with the store (as
# `systemctl restart`); returns once the new one is ready.
restart_managed() {
        local ready starts
        ready=$(log_count 'main=yes READY=1$')
        starts=$(log_count '^START ')
        kill -USR1 "$MGR_PID"
        if ! wait_log '^START ' $((starts + 1)) 15 || ! wait_log 'main=yes READY=1$' $((ready + 1)) 10 ||
                ! ctl list >/dev/null 2>&1; then
                fail "restart_managed: no new READY=1" "$(tail -n 20 "$NOTIFY_LOG")" \
                        "$(tail -n 20 "$T/daemon.log")"
                return 1
        fi
}

# stop_managed: stop the daemon and the listener; the store is closed, as
# when systemd stops a service for good.
stop_managed() {
        kill -TERM "$MGR_PID"
        if ! wait_until -q 15 not is_our_child "$MGR_PID"; then
                fail "stop_managed: notify-listener still running after $((15 * NSK_SLOW)) s"
                kill_pid "$MGR_PID"
        fi
        wait "$MGR_PID" 2>/dev/null
        MGR_PID=
}

# store_dump: "NAME TYPE INODE" lines of what the listener holds now, sorted.
store_dump() {
        local ends
        ends=$(log_count '^STORE-END$')
        kill -USR2 "$MGR_PID"
        wait_log '^STORE-END$' $((ends + 1)) 5 || return 1
        awk -v n=$((ends + 1)) '/^STORE-END$/ { e++; next } e == n - 1 && /^STORE / { print $2, $3, $4 }' \
                "$NOTIFY_LOG" | sort
}

# alive PID: the process exists and is not a zombie.
alive() {
        local st
        st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
        [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

dead() {
        ! alive "$1"
}
