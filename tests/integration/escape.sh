#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 12, item 1 (and item 7's cwd and 0-2): a process inside a set may
# do no more than the set's namespaces allow. The set's root attacks the
# keeper (PID 1 of the set) with tests/nsk-escape: ptrace it and make it
# create a file in a root-only directory, follow its /proc/1/root and cwd
# (the daemon was started in a directory reachable only through a
# root-only one), read its environ and fds. Every attack must fail, and
# the keeper, the helper, the spawner and its waiting helpers must hold
# no more than they need.
. "$(dirname "$0")/lib.sh"
require_ns user pid mnt net uts ipc

ESCAPE=$NSK_BUILDDIR/tests/nsk-escape
[ -x "$ESCAPE" ] || hard_error "$ESCAPE not built (make check builds it)"
command -v setpriv >/dev/null 2>&1 || skip "needs setpriv (util-linux)"

# The set's root is host uid 500000: it must reach the copy of the
# program, wherever the build tree is.
chmod 0711 "$T"
install -d -m 0755 "$T/bin"
install -m 0755 "$ESCAPE" "$T/bin/"
PROG=$T/bin/nsk-escape
# A directory only host root may enter, with a readable secret, and the
# daemon's start directory below it: reachable from the set only through
# a process whose cwd it is.
ROOTONLY=$T/rootonly
install -d -m 0700 "$ROOTONLY"
install -d -m 0755 "$ROOTONLY/start"
echo root-secret >"$ROOTONLY/secret"
echo cwd-secret >"$ROOTONLY/start/secret"
chmod 0644 "$ROOTONLY/secret" "$ROOTONLY/start/secret"
OVERFLOW_UID=$(cat /proc/sys/kernel/overflowuid)
OVERFLOW_GID=$(cat /proc/sys/kernel/overflowgid)
ZERO=0000000000000000

# The first helper stops before it replies, to be looked at; it is the
# set's root by then, and must be able to say so.
chmod 0777 "$NSK_FAULT_DIR"
cd "$ROOTONLY/start" || die "cd"
NSK_FAULTS="helper-before-reply=stop" start_daemon || die "no daemon"
cd / || die "cd /"

check_eq "daemon: cwd is /" / "$(readlink "/proc/$DAEMON_PID/cwd")"

# status_field PID FIELD: the value(s) of a /proc/PID/status line, tabs
# squeezed to spaces.
status_field() {
        sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null | tr -s '\t ' '  '
}

# check_fd012_null WHO PID: 0-2 are /dev/null, not the daemon's log.
check_fd012_null() {
        local fd
        for fd in 0 1 2; do
                check_eq "$1: fd $fd is /dev/null" /dev/null "$(readlink "/proc/$2/fd/$fd" 2>&1)"
        done
}

# check_not_dumpable WHO PID: a process that is not dumpable has its
# /proc/PID files owned by root (proc(5), /proc/pid), whatever its uid.
check_not_dumpable() {
        check_eq "$1: not dumpable (its /proc files are root's)" 0 "$(stat -c %u "/proc/$2/environ")"
}

# check_keeper NAME UID GID: the keeper's credentials, cwd and fds.
check_keeper() {
        local n=$1 k fds bad f
        k=$(jq -r .keeper_pid <<<"$(set_json "$n")")
        check_uint "$n: show reports the keeper" "$k"
        check_eq "$n: keeper Uid" "$2 $2 $2 $2" "$(status_field "$k" Uid)"
        check_eq "$n: keeper Gid" "$3 $3 $3 $3" "$(status_field "$k" Gid)"
        check_eq "$n: keeper has no supplementary groups" "" "$(status_field "$k" Groups)"
        for f in CapInh CapPrm CapEff CapBnd CapAmb; do
                check_eq "$n: keeper $f" "$ZERO" "$(status_field "$k" "$f")"
        done
        check_eq "$n: keeper NoNewPrivs" 1 "$(status_field "$k" NoNewPrivs)"
        check_not_dumpable "$n: keeper" "$k"
        check_eq "$n: keeper cwd is /" / "$(readlink "/proc/$k/cwd")"
        check_eq "$n: keeper cwd is its own root directory" \
                "$(stat -L -c %d:%i "/proc/$k/root/")" "$(stat -L -c %d:%i "/proc/$k/cwd")"
        check_fd012_null "$n: keeper" "$k"
        # Besides 0-2: its signalfd, and the lifeline while the set is
        # not for good (fd sets: as long as the daemon runs).
        fds=$(for f in /proc/"$k"/fd/*; do readlink "$f"; done)
        bad=$(grep -vxE '/dev/null|anon_inode:\[signalfd\]|pipe:\[[0-9]+\]' <<<"$fds")
        check_eq "$n: keeper holds only /dev/null, its signalfd and its lifeline" "" "$bad"
        check_true "$n: keeper holds at most 5 fds ($(wc -l <<<"$fds"))" \
                test "$(wc -l <<<"$fds")" -le 5
}

# check_attacks NAME PID CMD...: runs CMD nsk-escape PID ROOTONLY; every
# attack must be denied and nothing appear in ROOTONLY.
check_attacks() {
        local n=$1 pid=$2 a
        shift 2
        run "$@" "$PROG" "$pid" "$ROOTONLY"
        for a in ptrace root cwd environ fd root-secret cwd-secret; do
                check_match "$n: attack '$a' is denied" "^$a denied " \
                        "$(grep -E "^$a " <<<"$OUT" || echo "no line for $a; stderr: $ERR")"
        done
        check_eq "$n: nsk-escape reports no attack that worked" 0 "$RC"
        check_eq "$n: nothing appeared in the root-only directory" "secret start" \
                "$(ls "$ROOTONLY" | tr '\n' ' ' | sed 's/ $//')"
        rm -f "$ROOTONLY/pwned"
}

USER_SET=(-t user,pid,mnt,net,uts,ipc --uid-map '0 500000 65536' --gid-map '0 500000 65536')

echo "# --- a helper, stopped before it replies ---"
ctl create rctr "${USER_SET[@]}" >"$T/create.out" 2>&1 &
cpid=$!
if wait_fault helper-before-reply; then
        h=$FAULT_PID
        check_eq "helper: Uid is the set's root" "500000 500000 500000 500000" "$(status_field "$h" Uid)"
        check_eq "helper: Gid is the set's root" "500000 500000 500000 500000" "$(status_field "$h" Gid)"
        check_eq "helper: no supplementary groups" "" "$(status_field "$h" Groups)"
        check_eq "helper: NoNewPrivs" 1 "$(status_field "$h" NoNewPrivs)"
        check_not_dumpable "helper" "$h"
        check_eq "helper: cwd is /" / "$(readlink "/proc/$h/cwd")"
        check_fd012_null "helper" "$h"
        kill -CONT "$h"
fi
if wait_exit "$cpid" 20; then
        check_eq "rctr: create (user, pid, mnt, net, uts, ipc; 0 -> 500000)" 0 "$EXIT_STATUS"
else
        fail "rctr: create did not finish"
        kill -KILL "$cpid" 2>/dev/null
fi

echo "# --- the spawner and its waiting helpers ---"
if [ -n "$(children_named nskeeper-spawn)" ]; then
        daemon_steady || fail "daemon not steady"
        for p in $(children_named nskeeper-spawn) $(children_named nskeeper-ready); do
                c=$(cat "/proc/$p/comm")
                check_eq "$c ($p): cwd is /" / "$(readlink "/proc/$p/cwd")"
                check_fd012_null "$c ($p)" "$p"
                check_not_dumpable "$c ($p)" "$p"
                check_eq "$c ($p): NoNewPrivs" 1 "$(status_field "$p" NoNewPrivs)"
        done
else
        echo "# no spawner (NSK_SPAWNER=$NSK_SPAWNER)"
fi

echo "# --- container layout, bind pins ---"
check_keeper rctr 500000 500000
check_attacks rctr 1 ctl join rctr --
check_eq "rctr: the attack ran as the set's root (uid 0 there, 500000 on the host)" \
        "0 0 500000 65536" "$(ctl join rctr -- sh -c 'id -u; cat /proc/self/uid_map' 2>&1 | tr -s '\n ' '  ' | sed 's/^ //; s/ $//')"

echo "# --- container layout, fd pins ---"
check_run "rfd: create --pin fd" 0 ctl create rfd "${USER_SET[@]}" --pin fd
check_keeper rfd 500000 500000
check_attacks rfd 1 ctl join rfd --

echo "# --- user namespace without 0 mapped ---"
check_run "r1000: create --uid-map '1000 501000 1000'" 0 ctl create r1000 -t user,pid,mnt \
        --uid-map '1000 501000 1000' --gid-map '1000 501000 1000'
check_keeper r1000 501000 501000
# A process of the set with the keeper's own ids, seen from the host
# (join cannot become an unmapped uid 0 there).
check_attacks r1000 "$(jq -r .keeper_pid <<<"$(set_json r1000)")" \
        setpriv --reuid 501000 --regid 501000 --clear-groups

echo "# --- no user namespace: pid, mnt, net ---"
check_run "plain: create -t pid,mnt,net" 0 ctl create plain -t pid,mnt,net
# Uid 0 with no capability: any other uid would let every process of that
# uid kill it, and so the whole pid namespace.
check_keeper plain 0 0
# The set's root is host root; its unprivileged processes must not reach it.
check_attacks plain 1 ctl join plain -- setpriv --reuid "$OVERFLOW_UID" --regid "$OVERFLOW_GID" --clear-groups
check_attacks plain 1 ctl join plain -- setpriv --reuid 12345 --regid 12345 --clear-groups
plainkeeper=$(set_json plain | jq -r .keeper_pid)
check_fails "plain: nobody on the host cannot kill the keeper" 1 "not permitted" \
        setpriv --reuid "$OVERFLOW_UID" --regid "$OVERFLOW_GID" --clear-groups kill -KILL "$plainkeeper"
check_eq "plain: the set is still ready" ready "$(set_json plain | jq -r .state)"

echo "# --- the maker: root's sets of net, uts, ipc and mnt ---"
# Made in place by the maker, a long-lived host root process that no
# process of a set may reach, though it made the set.
check_run "mk: create -t net,uts,ipc,mnt --pin fd" 0 ctl create mk -t net,uts,ipc,mnt --pin fd
mk=$(children_named nskeeper-maker | head -n 1)
check_uint "mk: a maker runs" "$mk"
if [ -n "$mk" ]; then
        check_eq "maker: cwd is /" / "$(readlink "/proc/$mk/cwd")"
        check_fd012_null "maker" "$mk"
        check_not_dumpable "maker" "$mk"
        check_eq "maker: NoNewPrivs" 1 "$(status_field "$mk" NoNewPrivs)"
        check_eq "maker: no supplementary groups" "" "$(status_field "$mk" Groups)"
        check_attacks mk "$mk" ctl join mk -- setpriv --reuid "$OVERFLOW_UID" --regid "$OVERFLOW_GID" \
                --clear-groups
        check_attacks mk "$mk" ctl join mk -- setpriv --reuid 12345 --regid 12345 --clear-groups
fi
check_run "mk: release" 0 ctl release mk

echo "# --- the keeper still does its job ---"
check_run "rctr: leave an orphan behind" 0 ctl join rctr -- sh -c 'sleep 0.3 & exit 0'
await "rctr: the keeper reaps the orphan" 5 sh -c \
        "[ \"\$($NSKEEPERCTL --socket $SOCK join rctr -- sh -c 'cat /proc/[0-9]*/stat' 2>/dev/null | awk '\$3 == \"Z\"' | wc -l)\" = 0 ]"
check_eq "rctr: still ready" ready "$(jq -r .state <<<"$(set_json rctr)")"
for n in rctr rfd r1000 plain; do
        k=$(jq -r .keeper_pid <<<"$(set_json "$n")")
        check_run "$n: release" 0 ctl release "$n"
        await "$n: release ends the keeper" 5 pid_gone "$k"
done

stop_daemon
done_testing
