#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every way a request can go wrong gives the documented exit status and a
# message naming the set and the reason, and leaves nothing behind.
. "$(dirname "$0")/lib.sh"
require_ns net uts ipc mnt

# Nothing was created: no set listed, no state file, no pin, no extra mount.
check_nothing_created() {
        local what=$1
        check_eq "$what: no set listed" "[]" "$(ctl list --json 2>&1 | jq -c . 2>&1)"
        check_eq "$what: no state or pin files" "" \
                "$(find "$RUNDIR" -mindepth 2 \( -path "$RUNDIR/state/*" -o -path "$RUNDIR/ns/*" \
                        -o -path "$RUNDIR/mnt/*" \) 2>/dev/null)"
        check_mounts "$what: no extra mounts" "$BASE_MOUNTS" "$T"
}

start_daemon || exit 1
# The self-bind mounts of ns/ and mnt/ may be made lazily: make sure they
# exist before counting.
ctl create warmup -t net,mnt >/dev/null 2>&1 && ctl release warmup >/dev/null 2>&1
BASE_MOUNTS=$(mount_count_under "$T")

echo "# --- duplicate name ---"
check_run "create dup" 0 ctl create dup -t net,uts,mnt
# nprocs is left out: the helper that made the set may still be exiting.
before=$(set_json dup | jq -c 'del(.nprocs, .namespaces[].nprocs)')
mounts=$(mount_count_under "$T")
check_fails "create dup again" 1 "already exists" ctl create dup -t net,uts,mnt
check_match "create dup again: the hint says release it or choose another" \
        "choose another name, or release that set first" "$ERR"
check_match "duplicate: the message names the set" "'?dup'?" "$ERR"
check_fails "create dup again, other types and pin" 1 "already exists" ctl create dup -t ipc --pin fd
check_eq "duplicate: the original set is unchanged (show --json)" "$before" \
        "$(set_json dup | jq -c 'del(.nprocs, .namespaces[].nprocs)')"
check_mounts "duplicate: no mounts added" "$mounts" "$T"
check_eq "duplicate: still exactly one set" "dup" "$(list_names)"
check_inode_eq "duplicate: the original net namespace is still the one joined" \
        "$(jq -r '.namespaces[] | select(.type == "net") | .inode' <<<"$before")" \
        "$(ns_inode_of dup net)"
check_run "release dup" 0 ctl release dup
check_fails "release dup twice" 1 "not found" ctl release dup
check_nothing_created "after releasing dup"

echo "# --- invalid set names ---"
long65=$(printf 'a%.0s' $(seq 65))
long64=$(printf 'b%.0s' $(seq 64))
for bad in .. a/b "$long65" "" .x "x*" "a b" "a:b" "ä" "a\\b" /abs; do
        check_fails "create '$bad'" 1 "invalid set name" ctl create "$bad"
done
check_fails "create -- -x" 1 "invalid set name" ctl create -- -x
check_fails "show 0/web: root's sets take no UID/" 1 "root's sets take no UID/" ctl show 0/web
check_fails "show a/b: UID is a number" 1 "a number of 1 or more" ctl show a/b
run ctl create -x
case "$RC" in
1 | 2) ok "create -x: refused (exit $RC)" ;;
*) fail "create -x: refused with exit 1 or 2" "actual: $RC" "stderr: $ERR" ;;
esac
check_nothing_created "after invalid names"
for bad in .. a/b "$long65"; do
        run ctl show "$bad"
        check_eq "show '$bad': exit status 1" 1 "$RC"
        check_match "show '$bad': says invalid set name or not found" "invalid set name|not found" "$ERR"
done

echo "# --- edge-case names that are valid ---"
for good in "$long64" A_b.c-9 a..b x; do
        check_run "create '$good' (valid)" 0 ctl create "$good" -t uts
        check_run "release '$good'" 0 ctl release "$good"
done
check_nothing_created "after valid edge-case names"

echo "# --- unknown namespace types ---"
for types in foo net,foo; do
        check_fails "create bad-type -t '$types'" 1 "unknown namespace type" ctl create bad-type -t "$types"
done
check_nothing_created "after unknown types"
check_run "create typed -t net" 0 ctl create typed -t net
check_fails "path typed foo" 1 "unknown namespace type" ctl path typed foo
run ctl path typed mnt
check_eq "path typed mnt (type not in the set): exit status 1" 1 "$RC"
run ctl join typed -t mnt -- echo RAN
check_eq "join typed -t mnt (type not in the set): exit status 1" 1 "$RC"
check_nomatch "join typed -t mnt: the command did not run" RAN "$OUT"
check_fails "join typed -t foo" 1 "unknown namespace type" ctl join typed -t foo -- true
# "all" inside a list is every type the kernel has: with another type, twice.
check_fails "join typed -t net,all" 1 "given twice" ctl join typed -t net,all -- true
check_fails "join typed -t all,net" 1 "given twice" ctl join typed -t all,net -- true
check_fails "join typed -t net,alll" 1 "unknown namespace type" ctl join typed -t net,alll -- true
check_fails "create twice -t uts,all" 1 "given twice" ctl create twice -t uts,all
check_run "release typed" 0 ctl release typed

echo "# --- unknown set ---"
check_fails "show nosuch" 1 "not found" ctl show nosuch
check_match "show nosuch: the hint names list" "'nskeeperctl list' shows the sets" "$ERR"
check_match "show nosuch: the message names the set" nosuch "$ERR"
check_fails "show nosuch --json" 1 "not found" ctl show nosuch --json
check_fails "join nosuch" 1 "not found" ctl join nosuch -- echo RAN
check_nomatch "join nosuch: the command did not run" RAN "$OUT"
check_match "join nosuch: the message names the set" nosuch "$ERR"
check_fails "release nosuch" 1 "not found" ctl release nosuch
check_match "release nosuch: the message names the set" nosuch "$ERR"
check_fails "path nosuch net" 1 "not found" ctl path nosuch net
check_match "path nosuch: the message names the set" nosuch "$ERR"

echo "# --- fd pins have no path ---"
check_run "create fdset --pin fd" 0 ctl create fdset --pin fd
run ctl path fdset net
check_eq "path fdset net (fd pin): exit status 1" 1 "$RC"
check_eq "path fdset net: prints nothing on stdout" "" "$OUT"
check_match "path fdset net: the message names the set" fdset "$ERR"

echo "# --- join: the command's own exit status ---"
check_run "join fdset -- sh -c 'exit 7' exits 7" 7 ctl join fdset -- sh -c 'exit 7'
check_run "join fdset -- true exits 0" 0 ctl join fdset -- true
check_run "join a command that does not exist exits 127" 127 ctl join fdset -- /nonexistent/nsk-no-such-cmd
check_run "join a command not in PATH exits 127" 127 ctl join fdset -- nsk-no-such-command-xyz
printf '#!/bin/sh\nexit 0\n' >"$T/noexec"
chmod 0644 "$T/noexec"
check_run "join a file that is not executable exits 126" 126 ctl join fdset -- "$T/noexec"
check_run "join passes arguments through" 0 ctl join fdset -- printf '%s|' a 'b c' -- -t
check_eq "join passes arguments through unchanged" "a|b c|--|-t|" "$OUT"
check_run "release fdset" 0 ctl release fdset

echo "# --- daemon not running ---"
nosock=$T/nonexistent/control
for args in list "show x" "create x" "release x" "path x net" "join x -- true"; do
        # shellcheck disable=SC2086
        check_fails "--socket to nowhere: $args" 1 "cannot reach nskeeperd" \
                timeout -k 5 "$NSK_TIMEOUT" "$NSKEEPERCTL" --socket "$nosock" $args
done
check_fails "NSKEEPER_SOCKET to nowhere: list" 1 "cannot reach nskeeperd" \
        env NSKEEPER_SOCKET="$nosock" timeout -k 5 "$NSK_TIMEOUT" "$NSKEEPERCTL" list
: >"$T/not-a-socket"
check_fails "--socket to a regular file: list" 1 "cannot reach nskeeperd" \
        timeout -k 5 "$NSK_TIMEOUT" "$NSKEEPERCTL" --socket "$T/not-a-socket" list
check_match "a regular file: says it is not a socket" "not a socket" "$ERR"
check_fails "--socket to a directory: not a socket" 1 "$T: not a socket" \
        timeout -k 5 "$NSK_TIMEOUT" "$NSKEEPERCTL" --socket "$T" list

# Hints follow the reason, not the errno alone.
run timeout -k 5 "$NSK_TIMEOUT" "$NSKEEPERCTL" --socket "$nosock" list
check_match "no daemon: asks whether it is running" "is it running" "$ERR"
check_nomatch "no daemon: no hint about sets" "shows the sets" "$ERR"
check_fails "a missing sysctl key" 1 "no_such_key" ctl create x -t net --sysctl net.ipv4.no_such_key=1
check_nomatch "a missing sysctl key: no hint about sets" "shows the sets" "$ERR"
# A copy any uid can run, wherever the clone lives (lib.sh).
CTL_ANY=$(world_copy "$NSKEEPERCTL") || hard_error "cannot copy nskeeperctl"
mkdir -m 0700 "$T/private"
ln -s "$SOCK" "$T/private/control"
check_fails "a socket nobody may reach" 1 "Permission denied" \
        setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL_ANY" --socket "$T/private/control" list
check_match "permission denied: the hint names root and --group" "as root, or as a member" "$ERR"
check_nomatch "permission denied: not 'is it running'" "is it running" "$ERR"

echo "# --- usage errors (exit 2) ---"
check_fails "run NAME sh -c: -c is taken for run's" 2 "after --" ctl run web sh -c true
check_fails "join NAME -x: the hint says where a command's options go" 2 "after --" ctl join web -x
check_run "no command" 2 ctl
check_run "unknown command" 2 ctl frobnicate
check_run "unknown option" 2 ctl --bogus-option list
for cmd in create show join release path pids; do
        check_run "$cmd without NAME" 2 ctl "$cmd"
done
check_run "path with an argument after TYPE" 2 ctl path somename net extra
check_run "create with a bad --pin value" 2 ctl create x --pin glue
check_run "create with --pin but no value" 2 ctl create x --pin
check_run "create with -t but no value" 2 ctl create x -t
check_run "list with an unknown option" 2 ctl list --bogus
check_nothing_created "after usage errors"

stop_daemon
done_testing
