#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What others do to a set from outside: a bind pin unmounted, the ip
# netns entry deleted (as `ip netns delete` does it, in the --netns-dir
# of this test). The daemon sees it in the mount table on its own, shows
# the set damaged in show --json and sends pin-missing to monitors, and
# its own creates and releases send no such event. Also what ps and
# pgrep show of a keeper, and what a refused start leaves behind.
. "$(dirname "$0")/lib.sh"
require_ns net
require_ns uts
require_ns pid
command -v jq >/dev/null || skip "needs jq"

NETNS=$T/netns
start_daemon --netns-dir "$NETNS" || die "no daemon"

ctl monitor --json >"$T/monitor.json" 2>&1 &
mon=$!
EXTRA_PIDS+=("$mon")
await "the monitor is subscribed" 10 log_has "monitoring"

# The number of mount table reads so far, and a wait for one more: a
# read after a change is what would raise a false alarm.
scans() {
        grep -c "mount table read" "$T/daemon.log"
}
scans_above() {
        [ "$(scans)" -gt "$1" ]
}

echo "# --- the daemon's own pins and unpins ---"
n=$(scans)
check_run "create own (bind pins, ip netns)" 0 ctl create own -t net,uts --ip-netns
await "the mount table was read after the create" 10 scans_above "$n"
n=$(scans)
check_run "release own" 0 ctl release own
await "the mount table was read after the release" 10 scans_above "$n"
released_own() {
        jq -r 'select(.event == "released") | .set.name' "$T/monitor.json" | grep -qx own
}
await "monitor: released own" 10 released_own
check_eq "create and release: no pin-missing event" "created own|released own" \
        "$(jq -r '.event + " " + .set.name' "$T/monitor.json" | paste -sd'|')"

echo "# --- a pin unmounted from outside ---"
check_run "create web" 0 ctl create web -t net,uts --ip-netns
check_eq "web is ready" ready "$(set_json web | jq -r .state)"
uts_pin=$(ctl path web uts)
check_run "umount its uts pin from outside" 0 umount "$uts_pin"
state_is() {
        [ "$(set_json "$1" | jq -r .state)" = "$2" ]
}
await "show --json says damaged" 10 state_is web damaged
check_eq "the uts namespace is missing, net is not" "uts:true net:false" \
        "$(set_json web | jq -r '[.namespaces[] | "\(.type):\(.missing)"] | sort | reverse | join(" ")')"
check_match "the reason names the pin" "uts pin removed from outside" \
        "$(set_json web | jq -r .state_reason)"
check_match "list says damaged" "^web .*damaged" "$(ctl list)"
pin_missing_events() {
        [ "$(jq -r 'select(.event == "pin-missing") | .set.name' "$T/monitor.json" | grep -c "^$1$")" -ge "$2" ]
}
await "monitor: a pin-missing event for web" 10 pin_missing_events web 1
check_eq "the event shows which" true \
        "$(jq -r 'select(.event == "pin-missing") | .set.namespaces[] | select(.type == "uts") | .missing' "$T/monitor.json" | head -n1)"
check_inode_eq "its net namespace can still be joined" "$(set_inode web net)" \
        "$(ctl join web -t net -- readlink /proc/self/ns/net | tr -dc 0-9)"
check_fails "the uts namespace cannot" 1 "gone or was replaced" ctl join web -t uts -- true
check_fails "path of the removed pin fails, naming why" 1 "removed from outside" ctl path web uts
check_eq "path of every pin leaves it out" "net" "$(ctl path web | cut -d' ' -f1 | paste -sd' ')"

echo "# --- its ip netns entry deleted ---"
check_eq "not missing yet" false "$(set_json web | jq .ip_netns_missing)"
# What ip netns delete does (ip/ipnetns.c): detach, then unlink.
check_run "umount and remove $NETNS/web" 0 sh -c "umount -l '$NETNS/web' && rm '$NETNS/web'"
netns_missing() {
        [ "$(set_json web | jq .ip_netns_missing)" = true ]
}
await "show --json: ip_netns_missing" 10 netns_missing
check_match "the reason names the entry" "ip netns entry $NETNS/web removed" \
        "$(set_json web | jq -r .state_reason)"
await "monitor: a second pin-missing event" 10 pin_missing_events web 2
check_run "release web" 0 ctl release web
released_web() {
        jq -r .event "$T/monitor.json" | grep -q released &&
                [ "$(jq -r 'select(.event == "released") | .set.name' "$T/monitor.json" | tail -n1)" = web ]
}
await "monitor: released web" 10 released_web
check_eq "events: nothing but these" \
        "created own|released own|created web|pin-missing web|pin-missing web|released web" \
        "$(jq -r '.event + " " + .set.name' "$T/monitor.json" | paste -sd'|')"
kill "$mon"
wait "$mon" 2>/dev/null

echo "# --- a pin mounted over, twice ---"
check_run "create stack" 0 ctl create stack -t net,uts
stack_dir=$(dirname "$(ctl path stack uts)")
: >"$T/cover"
check_run "mount a file over its uts pin" 0 mount --bind "$T/cover" "$stack_dir/uts"
check_run "and another over that" 0 mount --bind "$T/cover" "$stack_dir/uts"
check_eq "three mounts on the uts pin" 3 "$(mounts_under "$stack_dir/uts" | wc -l)"
check_run "release stack" 0 ctl release stack
check_eq "no mount is left on its pins" "" "$(mounts_under "$stack_dir")"
check_true "its pin directory is gone" test ! -e "$stack_dir"

echo "# --- a keeper's command line ---"
check_run "create box -t pid" 0 ctl create box -t pid,uts
keeper=$(set_json box | jq .keeper_pid)
check_eq "its comm" nskeeper-init "$(cat "/proc/$keeper/comm")"
check_eq "its command line names the set" "nskeeper-init box" \
        "$(tr '\0' '\n' <"/proc/$keeper/cmdline" | grep . | paste -sd' ')"
# (Tests running beside this one may have keepers of a set named box too.)
check_true "pgrep -f finds it by the set's name" grep -qx "$keeper" <<<"$(pgrep -fx 'nskeeper-init box')"
check_eq "ps shows it" "nskeeper-init box" "$(ps -o args= -p "$keeper")"
spawner_pids=$(pgrep -f "^nskeeper-spawn [0-9]+ $DAEMON_PID" | paste -sd' ')
check_nomatch "a match of the spawner's command line is not the keeper" "(^| )$keeper( |$)" \
        "$spawner_pids"
check_run "release box" 0 ctl release box

echo "# --- an adopted pid namespace whose own init dies ---"
# unshare's child is pid 1 of a new pid namespace: the init, not ours.
unshare --pid --fork --kill-child sleep 1000 &
holder=$!
EXTRA_PIDS+=("$holder")
init_of_holder() {
        init=$(pgrep -P "$holder" -x sleep)
        [ -n "$init" ]
}
await "the foreign init runs" 10 init_of_holder
check_run "adopt its pid namespace" 0 ctl adopt apid --from-pid "$init" -t pid
check_run "adopt it twice (released below)" 0 ctl adopt apid2 --from-pid "$init" -t pid
check_eq "adopted: ready" ready "$(set_json apid | jq -r .state)"
check_eq "its init is no keeper of ours (no keeper_pid)" null "$(set_json apid | jq .keeper_pid)"
check_run "release one of them" 0 ctl release apid2
check_true "releasing it leaves the foreign init alive" kill -0 "$init"
check_run "its init is killed from outside" 0 kill -9 "$init"
await "the set is marked dead" 10 state_is apid dead
check_match "the reason names the init" "init \\(pid $init\\)" "$(set_json apid | jq -r .state_reason)"
dead_events() {
        jq -r 'select(.event == "dead") | .set.name' "$T/monitor.json" | grep -qx apid
}
await "monitor: a dead event" 10 dead_events
check_run "release it" 0 ctl release apid
wait "$holder" 2>/dev/null
# Across a restart the daemon finds the init again.
unshare --pid --fork --kill-child sleep 1000 &
holder=$!
EXTRA_PIDS+=("$holder")
await "another foreign init runs" 10 init_of_holder
check_run "adopt its pid namespace" 0 ctl adopt apid3 --from-pid "$init" -t pid
stop_daemon
start_daemon || die "no daemon after the restart"
check_eq "after a restart: ready" ready "$(set_json apid3 | jq -r .state)"
check_run "its init is killed" 0 kill -9 "$init"
await "after a restart too, the set is marked dead" 10 state_is apid3 dead
check_run "release it" 0 ctl release apid3
wait "$holder" 2>/dev/null

echo "# --- a start refused: the socket is in use ---"
check_fails "a second daemon on the same socket" 1 "listening on" \
        "$NSKEEPERD" --socket "$SOCK" --runtime-dir "$T/other" --spawner "$NSK_SPAWNER"
check_true "it left no runtime directory" test ! -e "$T/other"
mkdir -m 755 "$T/kept"
check_fails "again, on a directory that exists" 1 "listening on" \
        "$NSKEEPERD" --socket "$SOCK" --runtime-dir "$T/kept" --spawner "$NSK_SPAWNER"
check_eq "the directory stays, empty (no lock)" "" "$(ls -A "$T/kept")"

stop_daemon
done_testing
