#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The mount table stays tidy: ns/ and mnt/ are self-bind mounts made once
# (ns/ shared, mnt/ private), one mount per bind pin, nothing left after
# release, nothing multiplied by many or parallel creates or by two daemons
# starting at once on the same runtime directory.
. "$(dirname "$0")/lib.sh"
require_ns $ALL_TYPES

# Exactly one self-bind on ns/ and on mnt/, and nothing else, under DIR.
check_only_self_binds() {
        local when=$1 dir=$2
        check_eq "$when: exactly one mount on ns/" 1 "$(mount_count_at "$dir/ns")"
        check_eq "$when: exactly one mount on mnt/" 1 "$(mount_count_at "$dir/mnt")"
        check_mounts "$when: no other mounts under the test dir" 2 "$T"
}

start_daemon || exit 1
echo "# --- propagation of ns/ and mnt/ ---"
check_run "create first (net,mnt) so both pin dirs are in use" 0 ctl create first -t net,mnt
check_run "release first" 0 ctl release first
check_only_self_binds "after the first create/release" "$RUNDIR"
check_match "ns/ is a shared mount (mountinfo has shared:N)" "(^| )shared:[0-9]+" \
        "$(mount_optional_fields "$RUNDIR/ns")"
check_nomatch "mnt/ is not a shared mount (no shared:N)" "shared:" \
        "$(mount_optional_fields "$RUNDIR/mnt")"
check_nomatch "mnt/ is not a slave either (private)" "master:" \
        "$(mount_optional_fields "$RUNDIR/mnt")"

echo "# --- 5 sets of each pin kind, all types ---"
for pin in bind fd; do
        for i in 1 2 3 4 5; do
                check_run "create m-$pin-$i" 0 ctl create "m-$pin-$i" -t net,uts,ipc,mnt,cgroup --pin "$pin"
        done
done
# 5 bind sets x (4 pins under ns/ + 1 under mnt/); fd sets add nothing.
check_mounts "one mount per bind pin: ns/ has 1 + 20 mounts" 21 "$RUNDIR/ns"
check_mounts "one mount per bind pin: mnt/ has 1 + 5 mounts" 6 "$RUNDIR/mnt"
check_mounts "nothing mounted outside ns/ and mnt/" 27 "$T"
for pin in bind fd; do
        for i in 1 2 3 4 5; do
                check_run "release m-$pin-$i" 0 ctl release "m-$pin-$i"
        done
done
check_only_self_binds "after releasing 10 sets" "$RUNDIR"
check_eq "no pin files left in ns/ or mnt/" "" \
        "$(find "$RUNDIR/ns" "$RUNDIR/mnt" -mindepth 1 ! -type d 2>&1)"

echo "# --- 8 creates in parallel, then 8 releases in parallel ---"
pids=()
for i in 1 2 3 4 5 6 7 8; do
        ctl create "par-$i" -t net,uts,ipc,mnt,cgroup >"$T/par-$i.out" 2>&1 &
        pids+=($!)
done
for i in 1 2 3 4 5 6 7 8; do
        wait "${pids[$((i - 1))]}"
        check_eq "parallel create par-$i exits 0" 0 "$?"
done
check_eq "all 8 parallel sets listed" "par-1 par-2 par-3 par-4 par-5 par-6 par-7 par-8" "$(list_names)"
check_eq "8 different net namespaces" 8 \
        "$(for i in 1 2 3 4 5 6 7 8; do set_inode "par-$i" net; done | sort -u | grep -c .)"
check_mounts "parallel creates: 2 + 8 x 5 mounts" 42 "$T"
pids=()
for i in 1 2 3 4 5 6 7 8; do
        ctl release "par-$i" >>"$T/par-$i.out" 2>&1 &
        pids+=($!)
done
for i in 1 2 3 4 5 6 7 8; do
        wait "${pids[$((i - 1))]}"
        check_eq "parallel release par-$i exits 0" 0 "$?"
done
pids=()
check_only_self_binds "after parallel releases" "$RUNDIR"
check_eq "list --json is []" "[]" "$(ctl list --json | jq -c .)"

echo "# --- a second daemon on a runtime dir in use ---"
mounts=$(mount_count_under "$T")
"$NSKEEPERD" --socket "$SOCK" --runtime-dir "$RUNDIR" --log-level "$NSK_LOG_LEVEL" --spawner "$NSK_SPAWNER" \
        </dev/null >"$T/second.log" 2>&1 &
second=$!
EXTRA_PIDS+=("$second")
if wait_exit "$second" 5; then
        check_ne "second daemon (same socket) exits non-zero" 0 "$EXIT_STATUS"
        check_match "second daemon says another daemon is running" "another|already running" \
                "$(cat "$T/second.log")"
else
        fail "second daemon (same socket) exits within 5 s" "$(sed 's/^/log: /' "$T/second.log")"
fi
"$NSKEEPERD" --socket "$T/other.sock" --runtime-dir "$RUNDIR" --log-level "$NSK_LOG_LEVEL" --spawner "$NSK_SPAWNER" \
        </dev/null >"$T/third.log" 2>&1 &
third=$!
EXTRA_PIDS+=("$third")
if wait_exit "$third" 5; then
        check_ne "second daemon (other socket, same runtime dir) exits non-zero" 0 "$EXIT_STATUS"
        check_match "it says another daemon is running" "another|already running" "$(cat "$T/third.log")"
else
        fail "second daemon (other socket, same runtime dir) exits within 5 s" \
                "$(sed 's/^/log: /' "$T/third.log")"
fi
check_run "the first daemon still answers" 0 ctl list
check_mounts "the second daemons added no mounts" "$mounts" "$T"
stop_daemon

echo "# --- two daemons started at once on a fresh runtime dir ---"
for round in 1 2 3; do
        rdir=$T/race$round
        rsock=$rdir/control
        "$NSKEEPERD" --socket "$rsock" --runtime-dir "$rdir" --log-level "$NSK_LOG_LEVEL" --spawner "$NSK_SPAWNER" \
                </dev/null >"$T/race$round-a.log" 2>&1 &
        a=$!
        "$NSKEEPERD" --socket "$rsock" --runtime-dir "$rdir" --log-level "$NSK_LOG_LEVEL" --spawner "$NSK_SPAWNER" \
                </dev/null >"$T/race$round-b.log" 2>&1 &
        b=$!
        EXTRA_PIDS+=("$a" "$b")
        # One answers, and the other has given up.
        race_settled() {
                timeout 5 "$NSKEEPERCTL" --socket "$rsock" list >/dev/null 2>&1 &&
                        { ! is_our_child "$a" || ! is_our_child "$b"; }
        }
        await "race $round: one daemon answers and the other gives up" 10 race_settled
        alive=() dead=()
        for p in "$a" "$b"; do
                if is_our_child "$p"; then alive+=("$p"); else dead+=("$p"); fi
        done
        check_eq "race $round: exactly one daemon keeps running" 1 "${#alive[@]}"
        if [ "${#dead[@]}" = 1 ]; then
                wait "${dead[0]}"
                st=$?
                check_ne "race $round: the other exits non-zero" 0 "$st"
                log=$T/race$round-a.log
                [ "${dead[0]}" = "$b" ] && log=$T/race$round-b.log
                check_match "race $round: the other says another daemon is running" \
                        "another|already running" "$(cat "$log")"
        fi
        check_run "race $round: the survivor answers" 0 \
                timeout 5 "$NSKEEPERCTL" --socket "$rsock" list
        check_run "race $round: create a set with net and mnt" 0 \
                timeout 5 "$NSKEEPERCTL" --socket "$rsock" create race -t net,mnt
        check_run "race $round: release it" 0 \
                timeout 5 "$NSKEEPERCTL" --socket "$rsock" release race
        check_eq "race $round: exactly one mount on ns/" 1 "$(mount_count_at "$rdir/ns")"
        check_eq "race $round: exactly one mount on mnt/" 1 "$(mount_count_at "$rdir/mnt")"
        check_mounts "race $round: nothing else mounted under its runtime dir" 2 "$rdir"
        for p in "${alive[@]}"; do
                kill -TERM "$p"
                if wait_exit "$p" 10; then
                        check_eq "race $round: the survivor exits 0 on SIGTERM" 0 "$EXIT_STATUS"
                else
                        fail "race $round: the survivor exits within 10 s of SIGTERM"
                fi
        done
        for p in "$a" "$b"; do kill_pid "$p"; done
        EXTRA_PIDS=()
        # Leave nothing from this round mounted for the next one to count.
        mounts_under "$rdir" | while IFS= read -r mp; do umount -l "$mp"; done
done
EXTRA_PIDS=()

done_testing
