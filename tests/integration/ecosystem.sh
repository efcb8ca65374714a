#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Handing namespaces to other programs and tools: run (LISTEN_FDS), path
# with nsenter, adopt from a process, monitor events, list columns and
# process counts like lsns.
. "$(dirname "$0")/lib.sh"
require_ns net uts pid

start_daemon || die "no daemon"

echo "# --- run: fds the systemd way ---"
check_run "create web" 0 ctl create web -t net,uts --pin fd
out=$(ctl run web -- sh -c 'echo "$LISTEN_FDS $LISTEN_FDNAMES $([ "$LISTEN_PID" = $$ ] && echo pid-ok)";
        readlink /proc/self/fd/3 /proc/self/fd/4; readlink /proc/self/ns/net' 2>&1)
check_eq "run: LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID" "2 uts:net pid-ok" "$(sed -n 1p <<<"$out")"
check_eq "run: fd 3 is the set's uts namespace" "uts:[$(set_inode web uts)]" "$(sed -n 2p <<<"$out")"
check_eq "run: fd 4 is the set's net namespace" "net:[$(set_inode web net)]" "$(sed -n 3p <<<"$out")"
check_eq "run: the command stays in our own net namespace" "$(readlink /proc/self/ns/net)" \
        "$(sed -n 4p <<<"$out")"
check_eq "run -t net hands over only net" "1 net" \
        "$(ctl run web -t net -- sh -c 'echo $LISTEN_FDS $LISTEN_FDNAMES' 2>&1)"
check_eq "run -t net,uts: in type order, as --help says" "uts:net uts:[$(set_inode web uts)]" \
        "$(ctl run web -t net,uts -- sh -c 'echo $LISTEN_FDNAMES $(readlink /proc/self/fd/3)' 2>&1)"
check_match "run --help names the order" "order user, cgroup, ipc, uts, net, pid, mnt, time" \
        "$(ctl run --help | tr -s ' \n' '  ')"
# What the command has beyond what it would have anyway (what this shell
# passes down): exactly fds 3 and 4.
fds_of() { "$@" sh -c 'ls /proc/$$/fd' | sort -n | paste -sd" "; }
check_eq "run: the command gets the set's fds and nothing else" \
        "$(fds_of env | tr ' ' '\n' | cat - <(printf '3\n4\n') | sort -nu | paste -sd' ')" \
        "$(fds_of ctl run web --)"
check_run "run returns the command's status" 3 ctl run web -- sh -c 'exit 3'
check_fails "run without a command" 2 "missing COMMAND" ctl run web
check_run "release web" 0 ctl release web

echo "# --- path works with nsenter ---"
check_run "create pinned" 0 ctl create pinned -t net,uts
p=$(ctl path pinned net)
check_inode_eq "nsenter --net=\$(path) enters the set" "$(set_inode pinned net)" \
        "$(nsenter --net="$p" readlink /proc/self/ns/net | tr -dc 0-9)"

echo "# --- adopt ---"
unshare --net --uts sleep 60 &
holder=$!
EXTRA_PIDS+=("$holder")
# unshare has made its namespaces and become sleep.
holder_ready() {
        [ "$(cat "/proc/$holder/comm" 2>/dev/null)" = sleep ] &&
                [ "$(readlink "/proc/$holder/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}
await "the process to adopt from is ready" 10 holder_ready
check_run "adopt --from-pid" 0 ctl adopt held --from-pid "$holder"
check_eq "adopt took the types in which the process differs" "net uts" "$(set_types held)"
check_inode_eq "adopted net is the process's" "$(readlink "/proc/$holder/ns/net" | tr -dc 0-9)" \
        "$(set_inode held net)"
kill "$holder"
wait "$holder" 2>/dev/null
check_inode_eq "the namespace outlives the process that made it" "$(set_inode held net)" \
        "$(ctl join held -t net -- readlink /proc/self/ns/net | tr -dc 0-9)"
check_run "adopt --from-path of another set's pin, -t net" 0 \
        ctl adopt copy --from-path "$(ctl path pinned net)" -t net
check_inode_eq "adopted from a path: the same namespace" "$(set_inode pinned net)" \
        "$(set_inode copy net)"
# One --from-path per namespace, as the synopsis says.
check_match "adopt --help: --from-path once per path" "--from-path PATH \\[--from-path PATH\\]\\.\\.\\." \
        "$(ctl adopt --help)"
check_run "adopt two --from-path" 0 \
        ctl adopt pair --from-path "$(ctl path pinned net)" --from-path "$(ctl path pinned uts)"
check_eq "adopted from two paths: both types" "net uts" "$(set_types pair)"
check_inode_eq "adopted from two paths: the same uts" "$(set_inode pinned uts)" "$(set_inode pair uts)"
check_run "release pair" 0 ctl release pair
check_fails "adopt a path that is no namespace" 1 "not a namespace" \
        ctl adopt bad --from-path /etc/hostname
check_fails "adopt a process that does not exist" 1 "no process" ctl adopt bad --from-pid 999999999
check_fails "adopt an existing name" 1 "already exists" ctl adopt copy --from-path "$p"
check_fails "adopt needs a source" 2 "either --from-pid or --from-path" ctl adopt bad
check_fails "nothing was made" 1 "not found" ctl show bad

echo "# --- list like lsns ---"
ctl join pinned -- sleep 30 &
joined=$!
EXTRA_PIDS+=("$joined")
await "the joined process is in the set" 10 running_in pinned net sleep
check_eq "list -o counts the processes in a set's namespaces" "pinned 1" \
        "$(ctl list -o name,nprocs --noheadings | awk '$1 == "pinned" {print $1, $2}')"
check_eq "list --json: per namespace too" 1 \
        "$(ctl list --json | jq '.[] | select(.name == "pinned") | .namespaces[] | select(.type == "net") | .nprocs')"
check_eq "list -o NAME,NET: the inode" "pinned $(set_inode pinned net)" \
        "$(ctl list -o NAME,NET -n | awk '$1 == "pinned" {print $1, $2}')"
check_eq "list --noheadings: one line per set" 3 "$(ctl list --noheadings | wc -l)"
check_fails "list -o with an unknown column" 2 "unknown column" ctl list -o name,bogus
kill "$joined"
wait "$joined" 2>/dev/null

echo "# --- monitor ---"
start_monitors
check_run "create watched" 0 ctl create watched -t pid
keeper=$(set_json watched | jq .keeper_pid)
kill -KILL "$keeper"
watched_dead() {
        [ "$(set_json watched | jq -r .state)" = dead ]
}
await "the set whose keeper was killed is dead" 10 watched_dead
check_run "release watched" 0 ctl release watched
check_run "release held" 0 ctl release held
events_in() {
        [ "$(grep -c . "$T/monitor.txt")" -ge 4 ] && [ "$(grep -c . "$T/monitor.json")" -ge 4 ]
}
await "both monitors have the four events" 10 events_in
check_eq "monitor: events in order, one line each" \
        "created watched pid|dead watched pid|released watched pid|released held uts,net" \
        "$(cut -d' ' -f2- "$T/monitor.txt" | cut -d: -f1 | paste -sd'|')"
check_eq "monitor --json: the same events" "created dead released released" \
        "$(jq -r .event "$T/monitor.json" | paste -sd' ')"
check_eq "monitor --json: the dead event says why" "true" \
        "$(jq -r 'select(.event == "dead") | .set.state_reason | test("killed by signal 9")' "$T/monitor.json")"
kill "${MONITOR_PIDS[@]}"
wait "${MONITOR_PIDS[@]}" 2>/dev/null

for n in pinned copy; do check_run "release $n" 0 ctl release "$n"; done
stop_daemon
done_testing
