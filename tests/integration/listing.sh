#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# list as lsns(8) users type it: NAME and -t filters, -o +COL,
# --output-all, --raw, lsns's column names, -o choosing --json's members,
# names in any case, nprocs null for a set the caller may not look into;
# and the time on each monitor event.
# In a mount namespace of its own, for the member's /etc/passwd line.
if [ -z "${NSK_PRIVATE_MNT:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
        exec unshare --mount --propagation private env NSK_PRIVATE_MNT=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require_ns user net uts ipc pid
command -v jq >/dev/null || skip "needs jq"
command -v setpriv >/dev/null || skip "needs setpriv(1) (util-linux)"
setpriv --reuid 4242 --regid 4242 --clear-groups unshare --user true 2>/dev/null ||
        skip "unprivileged users cannot create user namespaces here"

ALICE=4242
etc_users "nsk-alice:x:$ALICE:$ALICE::/:/bin/sh" "nsk-members:x:$ALICE:"
chmod 755 "$T"
# A copy any uid can run, wherever the clone lives (lib.sh).
CTL_ANY=$(world_copy "$NSKEEPERCTL") || hard_error "cannot copy nskeeperctl"
actl() {
        timeout -k 5 "$NSK_TIMEOUT" setpriv --reuid "$ALICE" --regid "$ALICE" --clear-groups \
                "$CTL_ANY" --socket "$SOCK" "$@"
}

start_daemon --group "$ALICE" || die "no daemon"

check_run "create web (net,uts)" 0 ctl create web -t net,uts
check_run "create box (pid)" 0 ctl create box -t pid
check_run "create calc (ipc, fd pin)" 0 ctl create calc -t ipc --pin fd
check_run "alice creates her own (user,net)" 0 actl create mine -t user,net -r --setgroups deny
ctl join web -t net -- sleep 60 &
joined=$!
EXTRA_PIDS+=("$joined")
await "a process is in web's net namespace" 10 running_in web net sleep
# The net namespace the kernel shows for that process (a child of ctl's
# timeout), not what the daemon says.
joined_net=$(for p in $(pgrep -x -P "$(pgrep -P "$joined" | paste -sd,),$joined" sleep); do
        readlink "/proc/$p/ns/net" | inode_of_link; done | head -1)
check_inode_ne "the process in web is not in our net namespace" "$(host_inode net)" "$joined_net"

names() { ctl list -n -o name "$@" | paste -sd' '; }

echo "# --- list NAME... ---"
check_eq "list NAME: only the sets named, in name order" "box web" "$(names web box)"
check_eq "list UID/NAME: another user's set" "$ALICE/mine" "$(names "$ALICE/mine")"
check_fails "list of a name that does not exist" 1 "list 'nosuch': not found" ctl list web nosuch
check_eq "... still lists the ones that do" "web" "$(awk 'NR > 1 {print $1}' <<<"$OUT")"
check_fails "list of an invalid name" 1 "invalid set name" ctl list .bad
check_eq "alice's NAME alone is her own set" "$ALICE/mine" \
        "$(actl list -n -o name mine | paste -sd' ')"

echo "# --- -t TYPES: sets with a namespace of one of them, as lsns -t ---"
check_eq "-t net" "web $ALICE/mine" "$(names -t net)"
check_eq "-t pid" "box" "$(names -t pid)"
check_eq "-t ipc,pid (any of them)" "box calc" "$(names -t ipc,pid)"
check_eq "-t ipc -t pid (repeated, as lsns)" "box calc" "$(names -t ipc -t pid)"
check_eq "-t NET: type names in any case" "web $ALICE/mine" "$(names -t NET)"
check_eq "-t all: every set" "box calc web $ALICE/mine" "$(names -t all)"
check_eq "-t and NAME together" "web" "$(names -t net web box)"
check_run "... a named set left out by -t is no error" 0 ctl list -t net web box
check_fails "-t with an unknown type" 2 "unknown namespace type 'bogus'" ctl list -t bogus

echo "# --- columns: +COL, --output-all, lsns's names, case ---"
check_eq "-o +KEEPER: the default columns, then KEEPER" \
        "NAME STATE PIN OWNER CREATED TYPES NPROCS KEEPER" \
        "$(ctl list -o +KEEPER | head -1 | tr -s ' ')"
check_eq "-o +keeper: box's keeper, as show says" "$(set_json box | jq .keeper_pid)" \
        "$(ctl list -n -o +keeper box | awk '{print $NF}')"
all_cols=$(ctl list --help | sed -n '/^Columns/,/^Default/p' | awk '/^  [A-Z]/ {print $1}' |
        paste -sd' ')
check_eq "--output-all: every column of list --help, in its order" "$all_cols" \
        "$(ctl list --output-all | head -1 | tr -s ' ')"
check_inode_eq "--output-all: web's NET is the net namespace of the process in it" "$joined_net" \
        "$(ctl list --output-all web | awk 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "NET") c = i}
                NR == 2 {print $c}')"
check_eq "lsns names: TYPE and UID are TYPES and OWNER" "$(ctl list -o NAME,TYPES,OWNER)" \
        "$(ctl list -o name,type,uid)"
check_eq "column names in any case" "$(ctl list -o NAME,NPROCS)" "$(ctl list -o nAmE,nprocs)"
check_eq "-o NAME,NET: the inode lsns shows for the process" "web $joined_net" \
        "$(ctl list -n -o NAME,NET web | tr -s ' ')"
check_eq "NPROCS counts the process" "web 1" "$(ctl list -n -o name,nprocs web | tr -s ' ')"
check_fails "--output-all with -o" 2 "do not go together" ctl list --output-all -o name
# More columns than the table has: widths are kept per column given.
many=$(printf 'name,%.0s' {1..40})nprocs
check_eq "-o with 41 columns (names repeat)" "$(printf 'web %.0s' {1..40})1" \
        "$(ctl list -n -o "$many" web | tr -s ' ')"

echo "# --- --raw ---"
keeper=$(set_json box | jq .keeper_pid)
kill -KILL "$keeper"
box_dead() { [ "$(set_json box | jq -r .state)" = dead ]; }
await "box is dead once its keeper is killed" 10 box_dead
check_eq "--raw: one space between headings" "NAME STATE REASON" \
        "$(ctl list --raw -o name,state,reason | head -1)"
raw=$(ctl list --raw -n -o name,reason,state box)
check_eq "--raw: a cell with spaces stays one word" "3" "$(awk '{print NF}' <<<"$raw")"
check_eq "--raw: its spaces as \\x20" \
        "$(set_json box | jq -r .state_reason | sed 's/ /\\x20/g')" "$(awk '{print $2}' <<<"$raw")"
check_eq "--raw: no padding" "web 1" "$(ctl list --raw -n -o name,nprocs web)"
check_fails "--raw with --json" 2 "do not go together" ctl list --raw --json

echo "# --- -o picks the members of --json ---"
check_eq "--json -o name,nprocs: those members only" '["full_name","name","nprocs"]' \
        "$(ctl list --json -o name,nprocs web | jq -c '.[0] | keys')"
check_eq "... with their values" '{"name":"web","full_name":"web","nprocs":1}' \
        "$(ctl list --json -o name,nprocs web | jq -c '.[0]')"
check_inode_eq "--json -o net: the inode of the process's net namespace" "$joined_net" \
        "$(ctl list --json -o net web | jq '.[0].net')"
check_eq "--json -o net-path: the pin, as path says" "$(ctl path web net)" \
        "$(ctl list --json -o NET-PATH web | jq -r '.[0].net_path')"
check_eq "--json -o types,uid (lsns names)" '{"owner":0,"types":["uts","net"]}' \
        "$(ctl list --json -o types,uid web | jq -cS '.[0]')"
check_eq "--json -o +net: every member, and net" "true true" \
        "$(ctl list --json -o +net web | jq -r '.[0] | "\(has("namespaces")) \(.net == '"$joined_net"')"')"
check_eq "--json alone: the members of nskeeperctl(1), nothing added" \
        "$(ctl show web --json | jq -c 'keys')" "$(ctl list --json web | jq -c '.[0] | keys')"
check_eq "--json --output-all: the full object and every column's member" "true true true" \
        "$(ctl list --json --output-all web |
                jq -r '.[0] | "\(has("sysctls")) \(has("time_path")) \(.types == ["uts", "net"])"')"

echo "# --- another user's set: nprocs is null where the table shows - ---"
check_eq "alice's table: - for root's web" "web -" \
        "$(actl list -n -o name,nprocs web | tr -s ' ')"
check_eq "alice's JSON: null for root's web, not 0" "null" \
        "$(actl list --json web | jq '.[0].nprocs')"
check_eq "alice's JSON: a number for her own set" "0" \
        "$(actl list --json mine | jq '.[0].nprocs')"
check_eq "alice's JSON -o types: null for root's web" "null" \
        "$(actl list --json -o types web | jq '.[0].types')"
check_eq "root's JSON: a count for alice's set" "0" \
        "$(ctl list --json "$ALICE/mine" | jq '.[0].nprocs')"

echo "# --- monitor: each event with its time ---"
start_monitors
before=$(date +%s)
check_run "create ev" 0 ctl create ev -t net
after=$(date +%s)
events_in() { grep -q ' ev ' "$T/monitor.txt" && grep -q '"ev"' "$T/monitor.json"; }
await "both monitors have the event" 10 events_in
line=$(grep ' ev ' "$T/monitor.txt")
check_match "monitor: the line starts with the UTC time, microseconds" \
        '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z created ev net$' "$line"
stamp=$(date -u -d "$(cut -d' ' -f1 <<<"$line" | sed 's/T/ /; s/Z$//')" +%s)
check_true "monitor: the time is when ev was created ($before <= $stamp <= $after)" \
        test "$before" -le "$stamp" -a "$stamp" -le "$after"
ev=$(grep '"ev"' "$T/monitor.json")
check_true "monitor --json: time, in seconds, is when ev was created" \
        jq -e --argjson b "$before" --argjson a "$after" '(.time | floor) as $t | $t >= $b and $t <= $a' \
        <<<"$ev"
check_eq "monitor --json: time_utc is the same time" "true" \
        "$(jq '(.time_utc | sub("\\.[0-9]+Z$"; "Z")) == (.time | floor | todate)' <<<"$ev")"
check_eq "monitor --json: the event and the set are still there" "created ev" \
        "$(jq -r '"\(.event) \(.set.name)"' <<<"$ev")"
kill "${MONITOR_PIDS[@]}" "$joined"
wait "${MONITOR_PIDS[@]}" "$joined" 2>/dev/null

for n in web box calc ev; do check_run "release $n" 0 ctl release "$n"; done
check_run "alice releases hers" 0 actl release mine
stop_daemon
done_testing
