#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Faults: a helper killed between unshare and pin, the daemon killed with
# SIGKILL in the middle of a stream of creates and releases, a damaged
# state file. Afterwards every set a client was told exists is listed and
# joinable, and nothing exists that is not part of a listed set.
. "$(dirname "$0")/lib.sh"
require_ns net pid
command -v strace >/dev/null || skip "needs strace(1) to hold a helper in place"

# Processes whose parent is pid $1 (direct children).
children_of() {
        local p
        for p in /proc/[0-9]*; do
                [ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
        done
}
# strace -f attached where helpers come from: the spawner, and the
# helpers it made ahead of time (already there, so -f would miss them);
# the daemon itself without a spawner (NSK_SPAWNER=none). Run it with &:
# it execs, so that $! is strace's own pid.
strace_helpers() {
        local c args=()
        for c in $(children_of "$DAEMON_PID"); do
                case "$(cat "/proc/$c/comm" 2>/dev/null)" in
                nskeeper-spawn | nskeeper-ready) args+=(-p "$c") ;;
                esac
        done
        [ ${#args[@]} -gt 0 ] || args=(-p "$DAEMON_PID")
        exec strace -f -qq -o /dev/null "$@" "${args[@]}"
}

# Everything under $RUNDIR that is a pin, and every state file.
pins() {
        (cd "$RUNDIR" && find ns mnt -mindepth 1 -maxdepth 2 ! -type d 2>/dev/null | sort)
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
listed_keepers() {
        ctl list --json | jq -r '.[].name' | while read -r n; do
                ctl show "$n" --json | jq -r 'select(.keeper_pid != null) | .keeper_pid'
        done | sort
}

start_daemon || die "no daemon"

echo "# --- a helper killed between unshare and pin ---"
# strace holds every helper's unshare() for 3 s; the test kills the helper
# then. Nothing the daemon does is changed for the test.
strace_helpers -e trace=unshare -e inject=unshare:delay_exit=3000000 &
STRACE=$!
EXTRA_PIDS+=("$STRACE")
sleep 1
ctl create victim -t net,pid >"$T/victim.out" 2>&1 &
CREATE=$!
helper=
for i in $(seq 30); do
        helper=$(daemon_children | head -n 1)
        [ -n "$helper" ] && break
        sleep 0.1
done
check_true "the helper was found" test -n "$helper"
[ -n "$helper" ] && kill -KILL "$helper"
wait "$CREATE"
check_eq "create fails when its helper is killed" 1 "$?"
check_match "the error says the helper was killed" "killed by signal 9" "$(cat "$T/victim.out")"
kill "$STRACE" 2>/dev/null
wait "$STRACE" 2>/dev/null
check_fails "the set does not exist" 1 "not found" ctl show victim
check_eq "no pin left" "" "$(pins)"
check_eq "no state left" "" "$(ls "$RUNDIR/state")"
check_eq "no helper left" "" "$(daemon_children)"
check_run "the name can be used again" 0 ctl create victim -t net,pid
check_run "release victim" 0 ctl release victim

echo "# --- a helper killed after it started a keeper ---"
# The helper's recv() of the keeper's first word (only helpers call
# recvfrom) is held 3 s; the keeper exists by then.
strace_helpers -e trace=recvfrom -e inject=recvfrom:delay_exit=3000000 &
STRACE=$!
EXTRA_PIDS+=("$STRACE")
sleep 1
ctl create orphan -t net,pid >"$T/orphan.out" 2>&1 &
CREATE=$!
helper=
for i in $(seq 30); do
        helper=$(daemon_children | head -n 1)
        [ -n "$helper" ] && [ -n "$(children_of "$helper")" ] && break
        sleep 0.1
done
keeper=$(children_of "$helper" | head -n 1)
check_true "the helper and its keeper were found" test -n "$helper" -a -n "$keeper"
[ -n "$helper" ] && kill -KILL "$helper"
wait "$CREATE"
check_eq "create fails when its helper is killed" 1 "$?"
kill "$STRACE" 2>/dev/null
wait "$STRACE" 2>/dev/null
sleep 1
state=$(awk '{print $3}' "/proc/$keeper/stat" 2>/dev/null)
check_eq "the orphaned keeper is gone, not a zombie of the daemon" "" "$state"
check_eq "no child of the daemon is left" "" "$(daemon_children)"
check_fails "the set does not exist" 1 "not found" ctl show orphan

echo "# --- the daemon killed between writing a state file and renaming it ---"
# The keeper is made permanent in between (set.c): the next start must end
# it, with the pins, as if the create had never been.
strace -qq -o /dev/null -e trace=renameat,renameat2 -e inject=renameat,renameat2:signal=KILL \
        -p "$DAEMON_PID" &
STRACE=$!
EXTRA_PIDS+=("$STRACE")
sleep 1
run ctl create cutshort -t net,pid
check_eq "the create gets no answer" 1 "$RC"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
kill "$STRACE" 2>/dev/null
wait "$STRACE" 2>/dev/null
check_true "the state file was written, not renamed" test -e "$RUNDIR/state/.cutshort.tmp"
stray=$(keepers_alive)
check_uint "its keeper outlived the daemon (permanent already)" "$stray"
start_daemon || die "no daemon after the cut-short create"
check_match "the next start ends that keeper" \
        "set 'cutshort': ended the keeper \(pid [0-9]+\) of a create cut short" "$(cat "$T/daemon.log")"
keeper_gone() {
        [ -z "$(keepers_alive)" ]
}
check_true "no keeper is left" keeper_gone
check_fails "the set does not exist" 1 "not found" ctl show cutshort
check_eq "no pin left" "" "$(pins)"
check_eq "no state left" "" "$(ls -A "$RUNDIR/state")"
check_run "the name can be used again" 0 ctl create cutshort -t net,pid
check_run "release cutshort" 0 ctl release cutshort

echo "# --- a release that cannot remove the state file ---"
if command -v chattr >/dev/null && ctl create stuck -t pid >/dev/null 2>&1 &&
        chattr +i "$RUNDIR/state/stuck" 2>/dev/null; then
        keeper=$(set_json stuck | jq .keeper_pid)
        run ctl release stuck
        chattr -i "$RUNDIR/state/stuck"
        check_eq "the release fails" 1 "$RC"
        check_eq "the set is then dead, never handed out with its keeper gone" dead \
                "$(set_json stuck | jq -r .state)"
        check_fails "joining it is refused" 1 "dead" ctl join stuck -- true
        check_run "a second release works" 0 ctl release stuck
else
        ok "a release that cannot remove the state file: skipped (no chattr +i here)"
        ctl release stuck >/dev/null 2>&1
fi

echo "# --- SIGKILL during a stream of creates and releases ---"
told=$T/told # "+ NAME": create succeeded; "- NAME": a release was asked for
: >"$told"
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
        sleep "0.$((RANDOM % 7 + 3))"
        kill -KILL "$DAEMON_PID"
        wait "$DAEMON_PID" 2>/dev/null
        DAEMON_PID=
        kill "$stream" 2>/dev/null
        wait "$stream" 2>/dev/null
        start_daemon || die "no daemon after SIGKILL"

        missing=
        while read -r op n; do
                [ "$op" = + ] || continue
                grep -qx -- "- $n" "$told" && continue
                in_list "$n" || missing="$missing $n"
        done <"$told"
        check_eq "round $round: every set a client was told exists is listed" "" "$missing"
        bad=
        for n in $(ctl list --json | jq -r '.[] | select(.state == "ready") | .name'); do
                ctl join "$n" -t net -- true >/dev/null 2>&1 || bad="$bad $n"
        done
        check_eq "round $round: every ready set can be joined" "" "$bad"
        check_eq "round $round: no set is dead" "" \
                "$(ctl list --json | jq -r '.[] | select(.state != "ready") | .name')"
        listed=$(ctl list --json | jq -r '.[] | .name as $n | .namespaces[] |
                select(.path != null) | .path' | sed "s|^$RUNDIR/||" | sort)
        check_eq "round $round: every pin belongs to a listed set" "$listed" "$(pins)"
        check_eq "round $round: every state file belongs to a listed set" \
                "$(ctl list --json | jq -r '.[].name' | sort)" "$(ls "$RUNDIR/state" | sort)"
        check_eq "round $round: every live keeper belongs to a listed set" \
                "$(listed_keepers)" "$(keepers_alive)"
        check_eq "round $round: no helper left" "" "$(daemon_children | while read -r c; do
                [ "$(cat "/proc/$c/comm" 2>/dev/null)" = nskeeper-init ] || echo "$c"; done)"
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
check_run "the good set is still there" 0 ctl join good -t net -- true
check_fails "the damaged one is not listed" 1 "not found" ctl show broken
check_true "the damaged file is left alone" test -f "$RUNDIR/state/broken"
check_fails "its name cannot be reused over the evidence" 1 "left over" ctl create broken -t net
check_run "release good" 0 ctl release good
rm -f "$RUNDIR/state/broken" "$RUNDIR/state/nopins"

stop_daemon
done_testing
