#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The fd store: every namespace of an fd-pinned set goes to the service
# manager (FDSTORE=1, FDNAME=SET.TYPE, FDPOLL=0) as a real nsfs fd with the
# set's inode, and leaves it on release. A restart with the stored fds
# passed as systemd passes them (LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES)
# brings the sets back with the same inodes, joinable; a pid set keeps its
# keeper through it. Entries no set claims are removed; without its fds
# an fd set ends, as documented.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/systemd-lib.sh"
require_ns net uts ipc mnt cgroup pid
[ "${NSK_HAVE_SYSTEMD:-}" = no ] && skip "built --without-systemd (no fd store; systemd-notify.sh checks that nothing is sent)"

keeper_of() {
        ctl show "$1" --json 2>/dev/null | jq -r '.keeper_pid // empty' 2>/dev/null
}

# Hand-made state files for sets that were never created, to be matched
# against fds injected into the store: one whose stored fd is of the wrong
# type, one whose inode differs.
mkdir -p "$RUNDIR/state"
host_net=$(host_inode net)
printf 'version 1\npin fd\ncreated 1\nowner 0\nns net %s\n' "$host_net" >"$RUNDIR/state/wrongtype"
printf 'version 1\npin fd\ncreated 1\nowner 0\nns net %s\n' 12345 >"$RUNDIR/state/wronginode"

echo "# --- first start, with junk in the store ---"
start_managed --store junk.net=/dev/null --store ghost.net=/proc/self/ns/net \
        --store wrongtype.net=/proc/self/ns/uts --store wronginode.net=/proc/self/ns/net \
        --store nonsense=/proc/self/ns/ipc || exit 1
check_log "the daemon got 5 fds from the store" '^START pid=[0-9]+ fds=5$'
for name in junk.net ghost.net wrongtype.net wronginode.net nonsense; do
        check_log "$name removed from the store" "^REMOVED ${name//./\\.}\$"
done
check_eq "the store is empty" "" "$(store_dump)"
check_true "wrongtype: state file removed" test ! -e "$RUNDIR/state/wrongtype"
check_true "wronginode: state file removed" test ! -e "$RUNDIR/state/wronginode"
check_match "wrongtype: the log says why" "wrongtype.net' is a namespace of type uts" \
        "$(cat "$T/daemon.log")"
check_match "wronginode: the log says why" "wronginode.net' is namespace $host_net, the state file says 12345" \
        "$(cat "$T/daemon.log")"
check_eq "no set adopted" "" "$(list_names)"

echo "# --- create: into the store ---"
check_run "create f1 --pin fd (net,uts,ipc,mnt,cgroup)" 0 ctl create f1 --pin fd -t net,uts,ipc,mnt,cgroup
check_run "create fp --pin fd (pid,net)" 0 ctl create fp --pin fd -t pid,net
check_run "create b1 (bind)" 0 ctl create b1 -t net,uts
check_run "create gone --pin fd" 0 ctl create gone --pin fd -t net
declare -A INO
for t in net uts ipc mnt cgroup; do
        INO[f1.$t]=$(set_inode f1 "$t")
        check_log "FDSTORE=1 for f1.$t" "FDNAME=f1\\.$t\$"
        check_eq "f1.$t stored as a $t namespace with the set's inode" "f1.$t $t ${INO[f1.$t]}" \
                "$(grep -E "^FD f1\\.$t " "$NOTIFY_LOG" | cut -d' ' -f2-)"
done
for t in pid net; do
        INO[fp.$t]=$(set_inode fp "$t")
        check_eq "fp.$t stored with the set's inode" "fp.$t $t ${INO[fp.$t]}" \
                "$(grep -E "^FD fp\\.$t " "$NOTIFY_LOG" | cut -d' ' -f2-)"
done
check_match "fp's keeper lifeline stored (a pipe)" "^FD fp\\.lifeline pipe [0-9]+$" \
        "$(grep -E '^FD fp\.lifeline ' "$NOTIFY_LOG")"
check_eq "FDPOLL=0 with each namespace" 8 "$(log_count 'main=yes FDPOLL=0$')"
check_eq "nothing of the bind set b1 stored" 0 "$(log_count 'FDNAME=b1\.')"
check_true "f1 has a state file" test -f "$RUNDIR/state/f1"
check_match "f1's state file says pin fd" "^pin fd$" "$(cat "$RUNDIR/state/f1")"
keeper=$(keeper_of fp)
check_uint "fp has a keeper" "$keeper"

echo "# --- release: out of the store ---"
check_run "release gone" 0 ctl release gone
check_log "FDSTOREREMOVE=1 on release" 'main=yes FDSTOREREMOVE=1$'
check_log "gone.net removed from the store" '^REMOVED gone\.net$'
check_true "gone's state file removed" test ! -e "$RUNDIR/state/gone"
expected_store=$(for t in net uts ipc mnt cgroup; do echo "f1.$t $t ${INO[f1.$t]}"; done
        for t in pid net; do echo "fp.$t $t ${INO[fp.$t]}"; done)
store=$(store_dump)
check_eq "the store holds exactly f1's and fp's namespaces" "$(sort <<<"$expected_store")" \
        "$(grep -v lifeline <<<"$store")"
check_eq "and fp's lifeline" 1 "$(grep -c '^fp\.lifeline pipe ' <<<"$store")"

check_sets_back() {
        local when=$1 t
        for t in net uts ipc mnt cgroup; do
                check_inode_eq "$when: f1 $t has the same inode" "${INO[f1.$t]}" "$(set_inode f1 "$t")"
        done
        check_inode_eq "$when: f1 joinable (net)" "${INO[f1.net]}" "$(ns_inode_of f1 net)"
        check_inode_eq "$when: f1 joinable (mnt)" "${INO[f1.mnt]}" "$(ns_inode_of f1 mnt)"
        check_inode_eq "$when: fp pid has the same inode" "${INO[fp.pid]}" "$(set_inode fp pid)"
        check_eq "$when: fp is ready" ready "$(ctl show fp --json | jq -r .state)"
        check_eq "$when: fp has the same keeper" "$keeper" "$(keeper_of fp)"
        check_true "$when: the keeper is alive" alive "$keeper"
        run ctl join fp -t pid -- sh -c 'echo $$'
        check_true "$when: joined fp's pid namespace: a small pid ($OUT)" test "${OUT:-999}" -lt 10
        check_inode_eq "$when: b1 (bind) still there" "$b1_net" "$(set_inode b1 net)"
        check_eq "$when: the store holds the same entries" "$store" "$(store_dump)"
}
b1_net=$(set_inode b1 net)

echo "# --- restart (systemctl restart) ---"
restart_managed || exit 1
check_log "restarted with the 8 stored fds" '^START pid=[0-9]+ fds=8$'
check_match "the daemon says so" "passed 8 fd\\(s\\) from its fd store" "$(cat "$T/daemon.log")"
check_eq "nothing removed from the store at the start" 0 \
        "$(sed -n '/^START pid=[0-9]* fds=8$/,$p' "$NOTIFY_LOG" | grep -c '^REMOVED ')"
check_eq "nothing stored again" 1 "$(log_count '^STORED f1\.net$')"
check_sets_back "after restart"

echo "# --- crash (SIGKILL) and start ---"
kill -KILL "$(managed_pid)"
check_log "the daemon died" '^EXIT pid=[0-9]+ signal=9$'
# The dead daemon's fds were closed before it could be reaped (EXIT): had
# that ended the lifeline, the keeper would have woken to exit and never
# wait in poll(2) again. Waiting there now, it has a lifeline still.
await "the keeper waits in poll(2) with no daemon" 5 \
        sleeps_in "$keeper" poll_schedule_timeout do_poll do_sys_poll
check_true "the keeper lives on while no daemon runs (the store holds its lifeline)" alive "$keeper"
restart_managed || exit 1
check_sets_back "after SIGKILL and start"

echo "# --- release after restart ---"
check_run "release f1" 0 ctl release f1
for t in net uts ipc mnt cgroup; do
        check_log "f1.$t removed from the store" "^REMOVED f1\\.$t\$"
done

echo "# --- stop for good: the store is closed, fd sets end ---"
check_run "create f2 --pin fd" 0 ctl create f2 --pin fd -t net
check_run "create fn --pin fd --ip-netns" 0 ctl create fn --pin fd -t net --ip-netns
check_true "fn is in ip netns" test -e "$T/netns/fn"
stop_managed
wait_until 5 dead "$keeper"
check_true "fp's keeper exited when the store closed its lifeline" dead "$keeper"
start_managed || exit 1
check_eq "only the bind set is back" "b1" "$(list_names)"
check_true "f2's state file removed" test ! -e "$RUNDIR/state/f2"
check_true "fp's state file removed" test ! -e "$RUNDIR/state/fp"
check_true "fn's ip netns entry removed with it" test ! -e "$T/netns/fn"
check_match "the log says why" "set 'f2': was pinned by fd and its fds did not come back" \
        "$(cat "$T/daemon.log")"
check_run "the name f2 is free again" 0 ctl create f2 --pin fd -t net
check_run "release f2" 0 ctl release f2
check_run "release b1" 0 ctl release b1
stop_managed
done_testing
