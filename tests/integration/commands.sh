#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The ip-netns-like commands: identify and pids checked against /proc,
# release of several sets, --all and --ignore-missing with their exit
# statuses, exec as join, path NAME listing every pin, --socket after the
# command, help COMMAND; and what a member (--group) sees of them.
# In a mount namespace of its own, for the member's /etc/passwd entry
# (etc_users).
if [ -z "${NSK_PRIVATE_MNT:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
        exec unshare --mount --propagation private env NSK_PRIVATE_MNT=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require_ns net uts pid

ALICE=4242
etc_users "nsk-alice:x:$ALICE:$ALICE::/:/bin/sh" "nsk-members:x:$ALICE:"
chmod 755 "$T"

start_daemon --group "$ALICE" || die "no daemon"

# The pids of the processes whose namespace of one of the TYPEs is set
# NAME's, as /proc says, sorted (what pids NAME -t TYPES must print).
procs_in() {
        local name=$1 t p ino
        shift
        for t in "$@"; do
                ino=$(set_inode "$name" "$t")
                [ -n "$ino" ] || continue
                for p in /proc/[0-9]*; do
                        [ "$(readlink "$p/ns/$t" 2>/dev/null)" = "$t:[$ino]" ] && echo "${p#/proc/}"
                done
        done | sort -nu
}

# start_in VAR CMD...: CMD in the background (a child of this shell, so
# cleanup ends it); its pid in VAR once it has become sleep.
start_in() {
        local var=$1
        shift
        "$@" &
        printf -v "$var" '%s' "$!"
        EXTRA_PIDS+=("$!")
        await "$* runs" 10 is_sleep "$!"
}
is_sleep() {
        [ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ]
}

sorted() {
        printf '%s\n' "$@" | sed '/^$/d' | sort | paste -sd' '
}

echo "# --- processes in sets ---"
check_run "create web (net,uts)" 0 ctl create web -t net,uts
check_run "create db (net)" 0 ctl create db -t net
check_run "create box (pid,uts, a keeper)" 0 ctl create box -t pid,uts
check_run "create mem (net, fd pin)" 0 ctl create mem -t net --pin fd
# join without pid or time runs the command in its own place: $! is it.
start_in p_web "$NSKEEPERCTL" --socket "$SOCK" join web -- sleep 600
start_in p_uts "$NSKEEPERCTL" --socket "$SOCK" join web -t uts -- sleep 600
start_in p_db nsenter --net="$(ctl path db net)" sleep 600
start_in p_none unshare --net sleep 600
check_inode_eq "the first process is in web's net namespace" "$(set_inode web net)" \
        "$(readlink "/proc/$p_web/ns/net" | inode_of_link)"
check_inode_eq "the second is in web's uts namespace" "$(set_inode web uts)" \
        "$(readlink "/proc/$p_uts/ns/uts" | inode_of_link)"

echo "# --- pids ---"
check_run "pids web" 0 ctl pids web
check_eq "pids web: every process /proc shows in web's namespaces" \
        "$(procs_in web net uts | paste -sd' ')" "$(paste -sd' ' <<<"$OUT")"
check_eq "pids web: both processes" 2 "$(grep -cxE "$p_web|$p_uts" <<<"$OUT")"
check_run "pids web -t net" 0 ctl pids web -t net
check_eq "pids web -t net: only the process in web's net" "$p_web" "$OUT"
check_eq "pids web -t uts: both" "$(procs_in web uts | paste -sd' ')" \
        "$(ctl pids web -t uts | paste -sd' ')"
check_eq "pids web -t all: as without -t" "$(procs_in web net uts | paste -sd' ')" \
        "$(ctl pids web -t all | paste -sd' ')"
check_eq "pids db: the process nsenter started" "$p_db" "$(ctl pids db)"
keeper=$(set_json box | jq -r .keeper_pid)
check_uint "box has a keeper" "$keeper"
check_eq "pids box: its keeper" "$keeper" "$(ctl pids box)"
check_run "pids of a set no process is in" 0 ctl pids mem
check_eq "pids mem: nothing" "" "$OUT"
check_fails "pids -t of a type the set lacks" 1 "pids 'web': the set has no pid namespace" \
        ctl pids web -t pid
check_fails "pids of an unknown set" 1 "pids 'nosuch': not found" ctl pids nosuch
check_fails "pids without NAME" 2 "missing set NAME" ctl pids
check_fails "pids with an unknown type" 1 "unknown namespace type 'bogus'" ctl pids web -t bogus

echo "# --- identify ---"
check_run "identify (in web's net and uts)" 0 ctl identify "$p_web"
check_eq "identify: web" web "$OUT"
check_eq "identify --json: web, net and uts" '[{"name":"web","full_name":"web","owner":0,"types":["net","uts"]}]' \
        "$(ctl identify "$p_web" --json | jq -c 'map(.types |= sort)')"
check_eq "identify -J as --json (lsns's short option)" "$(ctl identify "$p_web" --json)" \
        "$(ctl identify -J "$p_web")"
check_eq "show -J as --json" "$(ctl show web --json | jq -c 'del(.nprocs, .namespaces[].nprocs)')" \
        "$(ctl show -J web | jq -c 'del(.nprocs, .namespaces[].nprocs)')"
check_fails "path -J: no JSON there" 2 "unknown option '-J'" ctl path -J web
check_eq "identify --json of the uts-only process: uts" '["uts"]' \
        "$(ctl identify --json "$p_uts" | jq -c '.[0].types')"
check_eq "identify (nsenter into db's pin): db" db "$(ctl identify "$p_db")"
check_eq "identify the keeper: box" box "$(ctl identify "$keeper")"
# Inside a pid namespace whose /proc is the host's, our own pid names
# another process there: identify without PID looks at /proc/self.
check_eq "identify without PID, run inside box's pid namespace: box" box \
        "$(ctl join box -- "$NSKEEPERCTL" --socket "$SOCK" identify 2>&1)"
check_run "identify a process in no set" 0 ctl identify "$p_none"
check_eq "identify a process in no set: nothing" "" "$OUT$ERR"
check_eq "identify --json of a process in no set: []" "[]" "$(ctl identify --json "$p_none")"
check_eq "identify without PID, run inside web: web" web \
        "$(ctl join web -- "$NSKEEPERCTL" --socket "$SOCK" identify)"
check_eq "identify without PID, here: nothing" "" "$(ctl identify)"
# A namespace in two sets: identify names both.
check_run "adopt db's net as dbcopy" 0 ctl adopt dbcopy --from-path "$(ctl path db net)" -t net
check_eq "identify: both sets that hold the namespace" "db dbcopy" "$(sorted "$(ctl identify "$p_db")")"
check_eq "list counts the process for both" "1 1" \
        "$(ctl list --json | jq -r '[.[] | select(.name == "db" or .name == "dbcopy") | .nprocs] | join(" ")')"
check_fails "identify a pid that does not exist" 1 "no process" ctl identify 2147483647
check_fails "identify a word" 2 "invalid process id 'abc'" ctl identify abc
check_fails "identify 0" 2 "invalid process id '0'" ctl identify 0
check_fails "identify two pids" 2 "unexpected argument" ctl identify 1 2

echo "# --- path NAME ---"
check_run "path web" 0 ctl path web
check_eq "path web: TYPE PATH of each pin, as show --json" \
        "$(set_json web | jq -r '.namespaces[] | "\(.type) \(.path)"')" "$OUT"
while read -r type path; do
        check_inode_eq "path web: the $type pin is the set's namespace" "$(set_inode web "$type")" \
                "$(stat -L -c %i "$path")"
done <<<"$OUT"
check_eq "path web net: one path still" "$(set_pin_path web net)" "$(ctl path web net)"
check_fails "path of an fd set" 1 "pinned by fd" ctl path mem
check_fails "path with three arguments" 2 "unexpected argument 'x'" ctl path web net x

echo "# --- exec is join ---"
check_inode_eq "exec NAME -- CMD runs in the set's net" "$(set_inode web net)" \
        "$(ctl exec web -- readlink /proc/self/ns/net | inode_of_link)"
check_inode_eq "exec NAME CMD (as ip netns exec) runs in the set's uts" "$(set_inode web uts)" \
        "$(ctl exec web readlink /proc/self/ns/uts | inode_of_link)"
check_run "exec returns the command's status" 7 ctl exec web -- sh -c 'exit 7'
check_match "--help names exec" "also: exec" "$("$NSKEEPERCTL" --help)"

echo "# --- --socket after the command ---"
nowhere=(env NSKEEPER_SOCKET="$T/nowhere" timeout 10 "$NSKEEPERCTL")
check_fails "without --socket the client misses the daemon" 1 "cannot reach" "${nowhere[@]}" list
check_run "list --socket PATH" 0 "${nowhere[@]}" list --socket "$SOCK" -o name -n
check_eq "list --socket PATH lists the sets" "box db dbcopy mem web" "$(sorted "$OUT")"
check_eq "show NAME --socket=PATH --json" web "$("${nowhere[@]}" show web --socket="$SOCK" --json | jq -r .name)"
check_inode_eq "join NAME -t net --socket PATH -- CMD" "$(set_inode web net)" \
        "$("${nowhere[@]}" join web -t net --socket "$SOCK" -- readlink /proc/self/ns/net | inode_of_link)"
check_eq "the command's own --socket is left to it" "--socket x" \
        "$("${nowhere[@]}" --socket "$SOCK" join web -t uts echo --socket x)"
check_eq "... and after --" "--socket y" "$("${nowhere[@]}" exec web --socket "$SOCK" -- echo --socket y)"
check_fails "--socket without PATH" 2 "needs a PATH" "${nowhere[@]}" list --socket

echo "# --- help COMMAND ---"
for cmd in create join exec run list show release path adopt monitor identify pids help; do
        run "$NSKEEPERCTL" "$cmd" --help
        want="$RC:$OUT"
        run "$NSKEEPERCTL" help "$cmd"
        check_eq "help $cmd is $cmd --help" "$want" "$RC:$OUT"
done
check_eq "help is --help" "$("$NSKEEPERCTL" --help)" "$("$NSKEEPERCTL" help)"
check_fails "help of an unknown command" 2 "unknown command 'nosuch'" "$NSKEEPERCTL" help nosuch

echo "# --- a member sees only her own ---"
# A copy any uid can run, wherever the clone lives (lib.sh).
CTL_ANY=$(world_copy "$NSKEEPERCTL") || hard_error "cannot copy nskeeperctl"
actl() {
        timeout -k 5 "$NSK_TIMEOUT" setpriv --reuid "$ALICE" --regid "$ALICE" --clear-groups \
                "$CTL_ANY" --socket "$SOCK" "$@"
}
if setpriv --reuid "$ALICE" --regid "$ALICE" --clear-groups unshare --user true 2>/dev/null; then
        check_run "alice creates mine" 0 actl create mine -t user,net,uts -r --setgroups deny
        start_in p_alice setpriv --reuid "$ALICE" --regid "$ALICE" --clear-groups \
                "$CTL_ANY" --socket "$SOCK" join mine -- sleep 600
        check_run "alice: identify her process" 0 actl identify "$p_alice"
        check_eq "alice: identify names her set as list does" "$ALICE/mine" "$OUT"
        check_match "alice: identify says root's sets were not compared" \
                "5 set\(s\) of other users not compared" "$ERR"
        check_eq "root: identify names alice's set UID/NAME" "$ALICE/mine" "$(ctl identify "$p_alice")"
        check_fails "alice: identify root's process" 1 \
                "cannot read the namespaces of process $p_web: permission denied" actl identify "$p_web"
        check_eq "alice: pids mine" "$(procs_in "$ALICE/mine" user net uts | paste -sd' ')" \
                "$(actl pids mine | paste -sd' ')"
        check_fails "alice: pids web is her own web, which does not exist" 1 "pids 'web': not found" \
                actl pids web
        check_run "alice: release --all" 0 actl release --all
        check_fails "alice's set is gone" 1 "not found" ctl show "$ALICE/mine"
        check_eq "root's sets are still there" "box db dbcopy mem web" "$(list_names)"
        check_run "alice creates mine again" 0 actl create mine -t user
else
        echo "# unprivileged users cannot create user namespaces here: no member checks"
fi

echo "# --- release several, --ignore-missing, --all ---"
for n in r1 r2 r3 r4; do check_run "create $n" 0 ctl create "$n" -t uts; done
check_fails "release r1 missing r2: one failure" 1 "release 'missing': not found" \
        ctl release r1 missing r2
check_eq "... r1 and r2 are released all the same" "" \
        "$(list_names | tr ' ' '\n' | grep -xE 'r1|r2')"
check_true "... and their pins are gone" test ! -e "$RUNDIR/ns/r1/uts" -a ! -e "$RUNDIR/ns/r2/uts"
check_fails "release of an invalid name and r3" 1 "invalid set name" ctl release 'bad name' r3
check_fails "... r3 is released" 1 "not found" ctl show r3
check_run "release --ignore-missing r4 missing" 0 ctl release --ignore-missing r4 missing
check_eq "... says nothing" "" "$ERR"
check_fails "... r4 is released" 1 "not found" ctl show r4
check_run "release --ignore-missing of a set that is not there" 0 ctl release gone --ignore-missing
check_fails "release of a missing set without it" 1 "not found" ctl release gone
check_fails "release --all with a NAME" 2 "--all takes no NAME" ctl release --all web
check_fails "release without NAME" 2 "missing set NAME" ctl release
check_run "release --all" 0 ctl release --all
check_eq "release --all: no set left" "[]" "$(ctl list --json | jq -c .)"
check_eq "release --all: no pin left" "" "$(ls -A "$RUNDIR/ns")"
check_true "release --all ended the keeper" wait_until 10 pid_gone "$keeper"
check_run "release --all with no set" 0 ctl release --all

stop_daemon
done_testing
