#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# time sets: offsets written before any process enters, seen by a joined
# process (/proc/uptime shifted by the boottime offset), both pin kinds.
. "$(dirname "$0")/lib.sh"
require_ns time

start_daemon || die "no daemon"

for pin in bind fd; do
        n=time-$pin
        echo "# --- $n ---"
        check_run "$n: create with offsets" 0 \
                ctl create "$n" -t time,pid --pin "$pin" --monotonic 5000 --boottime 100000
        j=$(set_json "$n")
        check_eq "$n: show reports the offsets" "5000 100000" \
                "$(jq -r '"\(.monotonic_offset) \(.boottime_offset)"' <<<"$j")"
        check_inode_eq "$n: joined process is in the set's time namespace" "$(set_inode "$n" time)" \
                "$(ctl join "$n" -- readlink /proc/self/ns/time 2>&1 | tr -dc 0-9)"
        check_eq "$n: the kernel's offsets inside" "monotonic 5000 0,boottime 100000 0" \
                "$(ctl join "$n" -- cat /proc/self/timens_offsets 2>&1 | awk '{print $1, $2, $3}' |
                        paste -sd,)"
        host=$(cut -d. -f1 /proc/uptime)
        inside=$(ctl join "$n" -- cat /proc/uptime 2>&1 | cut -d. -f1)
        diff=$((${inside:-0} - host))
        check_true "$n: /proc/uptime inside is shifted by the boottime offset ($diff s)" \
                test "$diff" -ge 99990 -a "$diff" -le 100010
        check_run "$n: release" 0 ctl release "$n"
done

check_run "create time without offsets" 0 ctl create plain -t time
check_inode_ne "plain: a new time namespace" "$(set_inode plain time)" \
        "$(readlink /proc/self/ns/time | tr -dc 0-9)"
check_eq "plain: no offsets inside" "monotonic 0 0,boottime 0 0" \
        "$(ctl join plain -- cat /proc/self/timens_offsets 2>&1 | awk '{print $1, $2, $3}' | paste -sd,)"
check_run "release plain" 0 ctl release plain

check_fails "offsets without time" 1 "needs a new time namespace" ctl create x -t net --boottime 5
check_fails "offsets must be whole seconds" 2 "whole seconds" ctl create x -t time --monotonic 1.5
check_fails "nothing was created" 1 "not found" ctl show x

stop_daemon
done_testing
