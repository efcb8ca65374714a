#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bind-pinned sets survive a daemon restart (SIGTERM, start again on the
# same runtime directory): same inodes, same state inside, joinable, and
# the restart adds no mounts. fd-pinned sets end with the daemon. A daemon
# killed with SIGKILL (a crash) is recovered from the same way.
. "$(dirname "$0")/lib.sh"
require_ns $ALL_TYPES

BIND_SETS="r-bind-default r-bind-all r-bind-mnt"
FD_SETS="r-fd-default r-fd-mnt"
declare -A INODE PATHS CREATED

start_daemon || exit 1
check_run "create r-bind-default" 0 ctl create r-bind-default
check_run "create r-bind-all (all types, bind)" 0 ctl create r-bind-all -t net,uts,ipc,mnt,cgroup
check_run "create r-bind-mnt (mnt only, bind)" 0 ctl create r-bind-mnt -t mnt --pin bind
check_run "create r-fd-default (fd)" 0 ctl create r-fd-default --pin fd
check_run "create r-fd-mnt (mnt, fd)" 0 ctl create r-fd-mnt -t mnt,net --pin fd
check_eq "five sets listed" "r-bind-all r-bind-default r-bind-mnt r-fd-default r-fd-mnt" "$(list_names)"

for name in $BIND_SETS $FD_SETS; do
        for type in $ALL_TYPES; do
                INODE[$name.$type]=$(set_inode "$name" "$type")
                PATHS[$name.$type]=$(set_pin_path "$name" "$type")
        done
        CREATED[$name]=$(set_json "$name" | jq -r .created)
done
check_run "set a hostname inside r-bind-default" 0 \
        ctl join r-bind-default -t uts -- sh -c 'echo nsk-restart > /proc/sys/kernel/hostname'
mounts_before=$(mount_count_under "$T")

# Compares every bind set with what it was before the restart.
check_bind_sets_back() {
        local when=$1 name type want inside
        check_eq "$when: exactly the bind sets are listed" "r-bind-all r-bind-default r-bind-mnt" \
                "$(list_names)"
        for name in $BIND_SETS; do
                check_eq "$when: $name still has pin bind" bind "$(set_json "$name" | jq -r .pin)"
                check_eq "$when: $name keeps its creation time" "${CREATED[$name]}" \
                        "$(set_json "$name" | jq -r .created)"
                inside=$(ns_inodes_inside "$name")
                for type in $ALL_TYPES; do
                        want=${INODE[$name.$type]}
                        [ -n "$want" ] || continue
                        check_inode_eq "$when: $name $type inode unchanged" "$want" "$(set_inode "$name" "$type")"
                        check_inode_eq "$when: $name $type joined, inode inside unchanged" "$want" \
                                "$(pick "$type" "$inside")"
                        check_eq "$when: $name $type pin path unchanged" "${PATHS[$name.$type]}" \
                                "$(ctl path "$name" "$type" 2>&1)"
                done
        done
        check_eq "$when: hostname set inside r-bind-default is still there" nsk-restart \
                "$(ctl join r-bind-default -t uts -- uname -n 2>&1)"
        for name in $FD_SETS; do
                check_fails "$when: fd set $name is gone (show)" 1 "not found" ctl show "$name"
        done
}

echo "# --- SIGTERM ---"
stop_daemon
for name in $BIND_SETS; do
        for type in $ALL_TYPES; do
                p=${PATHS[$name.$type]}
                [ -n "$p" ] || continue
                check_eq "daemon stopped: $name $type pin still mounted" 1 "$(mount_count_at "$p")"
        done
done
check_inode_eq "daemon stopped: r-bind-default net is usable through its pin (nsenter)" \
        "${INODE[r-bind-default.net]}" \
        "$(nsenter --net="${PATHS[r-bind-default.net]}" readlink /proc/self/ns/net | inode_of_link)"
check_fails "daemon stopped: list" 1 "cannot reach nskeeperd" ctl list

start_daemon || exit 1
check_bind_sets_back "after restart"
check_mounts "after restart: no more and no fewer mounts under the test dir" "$mounts_before" "$T"
check_fails "after restart: an adopted set's name is still taken" 1 "already exists" \
        ctl create r-bind-default --pin fd
check_run "after restart: the name of a vanished fd set can be used again" 0 \
        ctl create r-fd-default --pin fd
check_run "release it" 0 ctl release r-fd-default

echo "# --- SIGTERM twice more ---"
stop_daemon
start_daemon || exit 1
stop_daemon
start_daemon || exit 1
check_bind_sets_back "after two more restarts"
check_mounts "after two more restarts: mounts not multiplied" "$mounts_before" "$T"

echo "# --- SIGKILL (crash) ---"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
start_daemon || exit 1
check_bind_sets_back "after SIGKILL and start"
check_mounts "after SIGKILL and start: mounts not multiplied" "$mounts_before" "$T"

echo "# --- release after restart ---"
for name in $BIND_SETS; do
        check_run "release $name" 0 ctl release "$name"
        for type in $ALL_TYPES; do
                p=${PATHS[$name.$type]}
                [ -n "$p" ] || continue
                check_true "$name $type pin removed" test ! -e "$p"
                check_eq "$name $type pin unmounted" 0 "$(mount_count_at "$p")"
        done
done
check_eq "list --json is [] at the end" "[]" "$(ctl list --json | jq -c .)"
stop_daemon
start_daemon || exit 1
check_eq "released sets do not come back after a restart" "[]" "$(ctl list --json | jq -c .)"
stop_daemon
done_testing
