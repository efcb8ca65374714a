#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Faults, at the named fault points of the test build (daemon/fault.h):
# a helper killed between unshare and pin, and after it started a keeper;
# the daemon killed at every fault point of a create and of a release; the
# daemon killed with SIGKILL in the middle of a stream of creates and
# releases; a release that cannot remove a state file; a damaged state
# file. After each crash a restarted daemon lists every set a client was
# told exists, complete and joinable, and nothing exists that is not part
# of a listed set: no pin, state file, keeper or helper.
. "$(dirname "$0")/lib.sh"
require_ns net pid mnt uts

# Processes whose parent is pid $1 (direct children).
children_of() {
        local p
        for p in /proc/[0-9]*; do
                [ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
        done
}
# Live keepers of this test's daemons, wherever they were reparented: a
# keeper inherits the daemon's environment, which has NSK_TEST_DIR=$T.
keepers_alive() {
        local p
        for p in /proc/[0-9]*; do
                [ "$(cat "$p/comm" 2>/dev/null)" = nskeeper-init ] || continue
                grep -q "^State:.*[RSD]" "$p/status" 2>/dev/null || continue
                tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qxF -- "NSK_TEST_DIR=$T" &&
                        echo "${p#/proc/}"
        done | sort
}
no_keeper_alive() {
        [ -z "$(keepers_alive)" ]
}
listed_keepers() {
        ctl list --json | jq -r '.[].name' | while read -r n; do
                ctl show "$n" --json | jq -r 'select(.keeper_pid != null) | .keeper_pid'
        done | sort
}
# The daemon's children that are neither its spawner and waiting helpers
# nor keepers: helpers at work, or left over.
helpers_left() {
        daemon_children | while read -r c; do
                [ "$(cat "/proc/$c/comm" 2>/dev/null)" = nskeeper-init ] || echo "$c"
        done
}
no_helper_left() {
        [ -z "$(helpers_left)" ]
}
keepers_all_listed() {
        [ "$(listed_keepers)" = "$(keepers_alive)" ]
}
listed_pins() {
        ctl list --json | jq -r '.[] | .name as $n | .namespaces[] |
                select(.path != null) | .path' | sed "s|^$RUNDIR/||" | sort
}
# Points that stop their process; tokens of earlier rounds removed.
daemon_with_faults() {
        rm -f -- "$NSK_FAULT_DIR"/*
        NSK_FAULTS="$*" start_daemon
}
# The daemon is gone: SIGKILL, reaped.
crash_daemon() {
        kill -KILL "$DAEMON_PID"
        wait "$DAEMON_PID" 2>/dev/null
        DAEMON_PID=
}

# check_consistent WHEN [DEAD-OK...]: what a restarted daemon lists is
# whole, and nothing is left that it does not list. Sets named in $ACKED
# ("NAME [INODE]" lines: a client was told they exist) must be listed
# ready, with the same net namespace where the inode is given. Sets named after WHEN may be listed dead
# (a release cut short after it ended the keeper); every other set is
# ready and joinable.
check_consistent() {
        local when=$1 n ino missing= bad= notready=
        shift
        while read -r n ino; do
                [ -n "$n" ] || continue
                if ! in_list "$n"; then
                        missing="$missing $n"
                elif [ -n "$ino" ] && [ "$(ns_inode_of "$n" net)" != "$ino" ]; then
                        bad="$bad $n"
                fi
        done <<<"$ACKED"
        check_eq "$when: every set a client was told exists is listed" "" "$missing"
        check_eq "$when: ... and joined, has the namespace it had" "" "$bad"
        for n in $(ctl list --json | jq -r '.[] | select(.state != "ready") | .name'); do
                case " $* " in
                *" $n "*) ;;
                *) notready="$notready $n" ;;
                esac
        done
        check_eq "$when: no other set is dead" "" "$notready"
        bad=
        for n in $(ctl list --json | jq -r '.[] | select(.state == "ready") | .name'); do
                ctl join "$n" -t net -- true >/dev/null 2>&1 || bad="$bad $n"
        done
        check_eq "$when: every ready set can be joined" "" "$bad"
        check_eq "$when: every pin belongs to a listed set" "$(listed_pins)" "$(pins)"
        check_eq "$when: every state file belongs to a listed set" \
                "$(ctl list --json | jq -r '.[].name' | sort)" "$(ls -A "$RUNDIR/state" | sort)"
        # A keeper of a create the crash cut short ends on its own once its
        # lifeline (held by the dead daemon or helper) is closed: await it.
        await "$when: every live keeper belongs to a listed set" 10 keepers_all_listed
        await "$when: no helper left" 10 no_helper_left
}

echo "# --- a helper killed between unshare and pin ---"
daemon_with_faults helper-after-unshare=stop || die "no daemon"
ctl create victim -t net,pid >"$T/victim.out" 2>&1 &
CREATE=$!
wait_fault helper-after-unshare
helper=$FAULT_PID
check_true "the stopped process is a helper of the daemon" \
        test -n "$helper" -a "$(awk '{print $4}' "/proc/$helper/stat" 2>/dev/null)" = "$DAEMON_PID"
[ -n "$helper" ] && kill -KILL "$helper"
wait "$CREATE"
check_eq "create fails when its helper is killed" 1 "$?"
check_match "the error says the helper was killed" "killed by signal 9" "$(cat "$T/victim.out")"
check_fails "the set does not exist" 1 "not found" ctl show victim
check_eq "no pin left" "" "$(pins)"
check_eq "no state left" "" "$(ls -A "$RUNDIR/state")"
await "no helper left" 10 no_helper_left
check_run "the name can be used again" 0 ctl create victim -t net,pid
check_run "release victim" 0 ctl release victim
stop_daemon

echo "# --- a helper killed after it started a keeper ---"
daemon_with_faults helper-after-keeper=stop || die "no daemon"
ctl create orphan -t net,pid >"$T/orphan.out" 2>&1 &
CREATE=$!
wait_fault helper-after-keeper
helper=$FAULT_PID
keeper=$(children_of "$helper" | head -n 1)
check_true "the helper and its keeper were found" test -n "$helper" -a -n "$keeper"
check_eq "the keeper is the pid namespace's init" nskeeper-init "$(cat "/proc/$keeper/comm" 2>/dev/null)"
[ -n "$helper" ] && kill -KILL "$helper"
wait "$CREATE"
check_eq "create fails when its helper is killed" 1 "$?"
# Its lifeline ends with the helper; the daemon, its subreaper, reaps it.
await "the orphaned keeper is gone, not a zombie of the daemon" 10 \
        test ! -e "/proc/$keeper/stat"
await "no child of the daemon is left" 10 no_helper_left
check_fails "the set does not exist" 1 "not found" ctl show orphan
check_eq "no pin left" "" "$(pins)"
stop_daemon

echo "# --- the daemon killed between writing a state file and renaming it ---"
# The keeper is made permanent in between (set.c): the next start must end
# it, with the pins, as if the create had never been.
daemon_with_faults state-before-rename=stop || die "no daemon"
ctl create cutshort -t net,pid >"$T/cutshort.out" 2>&1 &
CREATE=$!
wait_fault state-before-rename
check_eq "the daemon itself stopped there" "$DAEMON_PID" "$FAULT_PID"
crash_daemon
wait "$CREATE"
check_eq "the create gets no answer" 1 "$?"
check_true "the state file was written, not renamed" test -e "$RUNDIR/state/.cutshort.tmp"
check_uint "its keeper outlived the daemon (permanent already)" "$(keepers_alive)"
start_daemon || die "no daemon after the cut-short create"
check_match "the next start ends that keeper" \
        "set 'cutshort': ended the keeper \(pid [0-9]+\) of a create cut short" "$(cat "$T/daemon.log")"
await "no keeper is left" 10 no_keeper_alive
check_fails "the set does not exist" 1 "not found" ctl show cutshort
check_eq "no pin left" "" "$(pins)"
check_eq "no state left" "" "$(ls -A "$RUNDIR/state")"
check_run "the name can be used again" 0 ctl create cutshort -t net,pid
check_run "release cutshort" 0 ctl release cutshort
stop_daemon

echo "# --- a release that cannot remove the state file ---"
# release-after-keeper fails the step that removes the state file.
daemon_with_faults release-after-keeper=fail:EIO || die "no daemon"
check_run "create stuck" 0 ctl create stuck -t pid
keeper=$(set_json stuck | jq .keeper_pid)
check_fails "the release fails and says why" 1 "cannot remove its state file" ctl release stuck
check_eq "the set is then dead, never handed out with its keeper gone" dead \
        "$(set_json stuck | jq -r .state)"
await "its keeper is gone" 10 pid_gone "$keeper"
check_fails "joining it is refused" 1 "dead" ctl join stuck -- true
check_run "a second release works" 0 ctl release stuck
check_eq "no pin left" "" "$(pins)"
check_eq "no state left" "" "$(ls -A "$RUNDIR/state")"
stop_daemon

# --- the daemon killed at each fault point of a create and a release ---
# For each point: a set made and acknowledged before, then a create (or
# a release) that stops at the point; the daemon is killed there, the
# stopped process with it, and a restarted daemon must find the earlier
# set whole and nothing of the interrupted one but what its commit made.
CREATE_POINTS="helper-after-unshare helper-after-keeper helper-before-reply create-after-pins
        state-before-rename create-before-reply"
[ "$NSK_SPAWNER" = none ] || CREATE_POINTS="spawner-before-clone $CREATE_POINTS"
RELEASE_POINTS="release-after-keeper release-after-umount release-before-reply"
for point in $CREATE_POINTS $RELEASE_POINTS; do
        echo "# --- the daemon killed at $point ---"
        # Disarmed (its token there) while the sets the round needs are made.
        rm -f -- "$NSK_FAULT_DIR"/*
        echo disarmed >"$NSK_FAULT_DIR/$point"
        NSK_FAULTS="$point=stop" start_daemon || die "no daemon"
        check_run "$point: create keep" 0 ctl create keep -t net,pid,mnt,uts
        ACKED="keep $(set_inode keep net)"
        op=(create inflight -t net,pid,mnt,uts)
        case "$point" in
        release-*)
                check_run "$point: create inflight" 0 ctl create inflight -t net,pid,mnt,uts
                op=(release inflight)
                ;;
        spawner-*)
                # The point is on the way to the next waiting helper: the
                # create that takes one makes the daemon ask for another.
                daemon_steady || fail "$point: the daemon did not settle"
                ;;
        esac
        fault_rearm "$point"
        ctl "${op[@]}" >"$T/op.out" 2>&1 &
        OP=$!
        wait_fault "$point"
        stopped=$FAULT_PID
        crash_daemon
        wait "$OP"
        rc=$?
        if [ "$stopped" != "$DAEMON_PID" ] && [ -n "$stopped" ]; then
                # Helpers and the spawner die with the daemon (PDEATHSIG).
                await "$point: the stopped process ended with the daemon" 10 pid_gone "$stopped"
        fi
        start_daemon || die "no daemon after a crash at $point"
        dead_ok=
        case "$point" in
        spawner-*)
                # The create may have been answered before the spawner
                # stopped; then it must be there.
                if [ "$rc" = 0 ]; then
                        ACKED="$ACKED"$'\n'"inflight $(set_inode inflight net)"
                fi
                ;;
        create-before-reply)
                check_ne "$point: the create got no answer" 0 "$rc"
                check_true "$point: the set was committed, so it is there" in_list inflight
                ;;
        release-after-keeper)
                # Keeper gone, state file still there: listed dead.
                dead_ok=inflight
                check_eq "$point: the set is listed dead" dead "$(set_json inflight | jq -r .state)"
                ;;
        release-*)
                check_fails "$point: the released set is gone" 1 "not found" ctl show inflight
                ;;
        *)
                check_ne "$point: the create got no answer" 0 "$rc"
                check_fails "$point: the uncommitted set is not there" 1 "not found" ctl show inflight
                ;;
        esac
        check_consistent "$point" $dead_ok
        for n in $(ctl list --json | jq -r '.[].name'); do
                ctl release "$n" >/dev/null 2>&1 || fail "$point: release $n"
        done
        check_eq "$point: all released, no pin left" "" "$(pins)"
        await "$point: all released, no keeper left" 10 no_keeper_alive
        stop_daemon
done
rm -f -- "$NSK_FAULT_DIR"/*

echo "# --- SIGKILL during a stream of creates and releases ---"
start_daemon || die "no daemon"
told=$T/told # "+ NAME": create succeeded; "- NAME": a release was asked for
: >"$told"
told_creates() {
        [ "$(grep -c '^+' "$told")" -ge "$1" ]
}
for round in 1 2 3; do
        (
                i=0
                while :; do
                        i=$((i + 1))
                        n=r$round-$i
                        t=net
                        [ $((i % 3)) = 0 ] && t=net,pid,mnt
                        if ctl create "$n" -t "$t" >/dev/null 2>&1; then
                                echo "+ $n" >>"$told"
                                # Marked before asking: once asked, the set may be
                                # gone whether or not the answer arrives.
                                if [ $((i % 2)) = 0 ]; then
                                        echo "- $n" >>"$told"
                                        ctl release "$n" >/dev/null 2>&1
                                fi
                        fi
                done
        ) &
        stream=$!
        # The kill lands somewhere in the stream: after a few more creates.
        want=$(($(grep -c '^+' "$told") + RANDOM % 6 + 2))
        await "round $round: the stream creates sets" 60 told_creates "$want"
        crash_daemon
        kill "$stream" 2>/dev/null
        wait "$stream" 2>/dev/null
        start_daemon || die "no daemon after SIGKILL"

        # Told it exists and not asked to go.
        ACKED=$(while read -r op n; do
                [ "$op" = + ] && ! grep -qx -- "- $n" "$told" && echo "$n"
        done <"$told")
        check_consistent "round $round"
done
for n in $(ctl list --json | jq -r '.[].name'); do
        ctl release "$n" >/dev/null 2>&1 || fail "release $n"
done
check_eq "all released: no pin left" "" "$(pins)"

echo "# --- a damaged state file ---"
check_run "create good" 0 ctl create good -t net
stop_daemon
printf 'version 1\npin bind\nns net 12\nbogus line\n' >"$RUNDIR/state/broken"
printf 'version 1\npin bind\ncreated 0\nowner 0\nns net 999\n' >"$RUNDIR/state/nopins"
start_daemon || die "a damaged state file stopped the daemon from starting"
check_match "the damaged file is reported" "state file .*broken.* is damaged" "$(cat "$T/daemon.log")"
check_match "the set with missing pins is reported" "'nopins': net pin is missing" "$(cat "$T/daemon.log")"
# Removed from outside while no daemon watched: it comes back damaged (as
# a watching daemon would have made it), not unlisted with its state file.
check_eq "the set with missing pins comes back damaged" "damaged" "$(set_json nopins | jq -r .state)"
check_eq "its net namespace is marked missing" "true" \
        "$(set_json nopins | jq -r '.namespaces[] | select(.type == "net") | .missing')"
check_fails "joining its missing namespace is refused" 1 "gone or was replaced" \
        ctl join nopins -t net -- true
check_run "release nopins" 0 ctl release nopins
check_true "its state file went with it" test ! -e "$RUNDIR/state/nopins"
check_run "the good set is still there" 0 ctl join good -t net -- true
check_fails "the damaged one is not listed" 1 "not found" ctl show broken
check_true "the damaged file is left alone" test -f "$RUNDIR/state/broken"
check_fails "its name cannot be reused over the evidence" 1 "left over" ctl create broken -t net
check_run "release good" 0 ctl release good
rm -f "$RUNDIR/state/broken" "$RUNDIR/state/nopins"

stop_daemon
done_testing
