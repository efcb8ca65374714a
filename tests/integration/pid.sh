#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pid sets: a kept init (PID 1) in the new pid namespace, join forks so the
# command really runs inside, orphans are reaped, the keeper's death marks
# the set dead, release leaves no keeper; bind sets keep their keeper over
# a daemon restart, fd sets end with the daemon.
. "$(dirname "$0")/lib.sh"
require_ns pid mnt

# alive PID: the process exists and is not a zombie.
alive() {
        local state
        state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
        [ -n "$state" ] && [ "$state" != Z ]
}

# gone_within PID SECONDS (times NSK_SLOW)
gone_within() {
        wait_until "$2" pid_gone "$1"
}

start_daemon || die "no daemon"

for pin in bind fd; do
        n=pid-$pin
        echo "# --- $n ---"
        check_run "$n: create -t pid,mnt,net" 0 ctl create "$n" -t pid,mnt,net --pin "$pin"
        j=$(set_json "$n")
        keeper=$(jq -r .keeper_pid <<<"$j")
        check_uint "$n: show reports the keeper's pid" "$keeper"
        check_eq "$n: state ready" ready "$(jq -r .state <<<"$j")"
        check_true "$n: the keeper is alive" alive "$keeper"
        check_eq "$n: the keeper is nskeeper-init" nskeeper-init "$(cat "/proc/$keeper/comm" 2>&1)"
        check_inode_eq "$n: the keeper is in the set's pid namespace" \
                "$(set_inode "$n" pid)" "$(readlink "/proc/$keeper/ns/pid" | tr -dc 0-9)"

        check_eq "$n: join -t pid,mnt -- sh -c 'echo \$\$' prints a small pid" 2 \
                "$(ctl join "$n" -t pid,mnt -- sh -c 'echo $$' 2>&1)"
        check_inode_eq "$n: joined process's pid namespace is the set's" "$(set_inode "$n" pid)" \
                "$(ctl join "$n" -- readlink /proc/self/ns/pid 2>&1 | tr -dc 0-9)"
        check_inode_ne "$n: ... and not the host's" "$(set_inode "$n" pid)" \
                "$(readlink /proc/self/ns/pid | tr -dc 0-9)"
        check_eq "$n: a fresh /proc inside: PID 1 is the keeper" nskeeper-init \
                "$(ctl join "$n" -- cat /proc/1/comm 2>&1)"
        procs=$(ctl join "$n" -- sh -c 'ls -d /proc/[0-9]* | wc -l' 2>&1)
        check_true "$n: /proc inside shows only the set's few processes ($procs)" \
                test "${procs:-999}" -le 4
        check_run "$n: join returns the command's status" 7 ctl join "$n" -- sh -c 'exit 7'

        # An orphan: its parent exits at once, so PID 1 (the keeper) must reap it.
        check_run "$n: leave an orphan behind" 0 ctl join "$n" -- sh -c 'sleep 0.3 & exit 0'
        # It ends on its own; the keeper must reap it: neither it nor a
        # zombie stays in the set.
        orphan_reaped() {
                ! ctl join "$n" -- sh -c 'cat /proc/[0-9]*/stat' 2>/dev/null |
                        awk '$3 == "Z" || $2 == "(sleep)"' | grep -q .
        }
        await "$n: the orphan was reaped (no zombies inside)" 10 orphan_reaped

        # SIGTERM to nskeeperctl reaches the command, whose status join returns.
        # nskeeperctl itself in $! (ctl, a function, would put a subshell
        # there, which SIGTERM ends by itself).
        "$NSKEEPERCTL" --socket "$SOCK" join "$n" -- sleep 30 &
        jpid=$!
        EXTRA_PIDS+=("$jpid")
        # Once the command runs (join forks it in the set's pid namespace).
        await "$n: the joined command runs" 10 running_in "$n" pid sleep
        kill -TERM "$jpid"
        if wait_exit "$jpid" 5; then
                check_eq "$n: SIGTERM forwarded, join exits 128+15" 143 "$EXIT_STATUS"
        else
                fail "$n: join did not end within 5 s of SIGTERM"
                kill -KILL "$jpid" 2>/dev/null
        fi
        check_eq "$n: no process left in the set but the keeper" 0 \
                "$(ctl join "$n" -- sh -c 'ls -d /proc/[0-9]*' 2>/dev/null | grep -cv "/proc/1$" |
                        awk '{print $1 - 1}')"

        check_run "$n: release" 0 ctl release "$n"
        check_true "$n: release leaves no keeper" gone_within "$keeper" 5
done

echo "# --- keeper death ---"
check_run "create dead" 0 ctl create dead -t pid
keeper=$(jq -r .keeper_pid <<<"$(set_json dead)")
check_uint "dead: keeper pid" "$keeper"
kill -KILL "$keeper"
set_dead() {
        [ "$(jq -r .state <<<"$(set_json dead)")" = dead ]
}
await "dead: the daemon notices" 10 set_dead
j=$(set_json dead)
check_eq "dead: state is dead once the keeper was killed" dead "$(jq -r .state <<<"$j")"
check_match "dead: the reason names the signal" "killed by signal 9" "$(jq -r .state_reason <<<"$j")"
check_match "dead: list shows it dead" "dead" "$(ctl list 2>&1 | grep '^dead ')"
check_fails "dead: join is refused" 1 "dead" ctl join dead -- true
check_fails "dead: join -t of another type is refused too" 1 "dead" ctl join dead -t pid -- true
check_run "dead: release works" 0 ctl release dead
check_fails "dead: gone after release" 1 "not found" ctl show dead

echo "# --- restart ---"
check_run "create keep (bind)" 0 ctl create keep -t pid,mnt
check_run "create lose (fd)" 0 ctl create lose -t pid --pin fd
kb=$(jq -r .keeper_pid <<<"$(set_json keep)")
kf=$(jq -r .keeper_pid <<<"$(set_json lose)")
stop_daemon
check_true "restart: the bind set's keeper outlives the daemon" alive "$kb"
check_true "restart: the fd set's keeper ends with the daemon" gone_within "$kf" 5
start_daemon || die "no daemon after restart"
j=$(set_json keep)
check_eq "restart: keep is ready again" ready "$(jq -r .state <<<"$j")"
check_eq "restart: keep has the same keeper" "$kb" "$(jq -r .keeper_pid <<<"$j")"
check_run "restart: keep can be joined" 0 ctl join keep -- true
check_fails "restart: lose is gone" 1 "not found" ctl show lose
check_run "restart: release keep" 0 ctl release keep
check_true "restart: release leaves no keeper" gone_within "$kb" 5

# A keeper that dies while no daemon runs: found dead at the next start.
check_run "create orphaned" 0 ctl create orphaned -t pid
ko=$(jq -r .keeper_pid <<<"$(set_json orphaned)")
stop_daemon
kill -KILL "$ko"
gone_within "$ko" 5
start_daemon || die "no daemon after restart"
j=$(set_json orphaned)
check_eq "keeper died while stopped: the set is dead" dead "$(jq -r .state <<<"$j")"
check_match "keeper died while stopped: the reason says so" "not running" \
        "$(jq -r .state_reason <<<"$j")"
check_run "release orphaned" 0 ctl release orphaned

stop_daemon
done_testing
