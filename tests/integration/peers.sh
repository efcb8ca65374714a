#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Members cannot multiply their quotas or lock root out: a subordinate uid
# of a member (keeping the member's groups, so it can still connect)
# counts for that member, in sets, namespaces, connections and monitors;
# past --max-clients only root gets in, and is served. Only members and
# their subordinate uids are served at all.
# In a mount namespace of its own: the test's users are added to copies
# of /etc/passwd and /etc/group mounted there (etc_users).
if [ -z "${NSK_PRIVATE_MNT:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
        exec unshare --mount --propagation private env NSK_PRIVATE_MNT=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require_ns user net
command -v setpriv >/dev/null || skip "needs setpriv(1) (util-linux)"
setpriv --reuid 4242 --regid 4242 --clear-groups unshare --user true 2>/dev/null ||
        skip "unprivileged users cannot create user namespaces here"

GID=4242
ALICE=4242   # a member by her primary gid
SUB1=100005  # subordinate uids of alice's, keeping her group
SUB2=100006
EVE=4444     # not a member
printf '4242:100000:65536\n' >"$T/subuid"
printf '4242:100000:65536\n' >"$T/subgid"
etc_users "nsk-alice:x:$ALICE:$GID::/:/bin/sh
nsk-eve:x:$EVE:$EVE::/:/bin/sh" "nsk-members:x:$GID:"
CTL=$(world_copy "$NSKEEPERCTL") || hard_error "cannot copy nskeeperctl"
RAW=$(world_copy "$NSK_BUILDDIR/tests/nsk-raw") || hard_error "cannot copy nsk-raw"

as() {
        local uid=$1
        shift
        if [ "$uid" = "$ALICE" ]; then
                set -- setpriv --reuid "$uid" --regid "$GID" --clear-groups "$@"
        else
                set -- setpriv --reuid "$uid" --regid "$uid" --groups "$GID" "$@"
        fi
        timeout -k 5 "$NSK_TIMEOUT" "$@"
}
actl() {
        local uid=$1
        shift
        as "$uid" "$CTL" --socket "$SOCK" "$@"
}
# held UID ARGS...: a connection of UID's kept open in the background by
# nsk-raw (ARGS, then a long sleep); its pid in $HELD.
held() {
        local uid=$1
        shift
        as "$uid" "$RAW" "$SOCK" "$@" sleep 120000 >>"$T/held.out" 2>&1 &
        HELD=$!
        EXTRA_PIDS+=("$HELD")
}
log_count() {
        grep -c -- "$1" "$T/daemon.log"
}
# log_has N ERE: the daemon's log has N lines matching ERE, at least.
log_has() {
        [ "$(grep -cE -- "$2" "$T/daemon.log")" -ge "$1" ]
}
ucreate() {
        local uid=$1 name=$2
        actl "$uid" create "$name" -t user,net -r --setgroups deny
}

start_daemon --group "$GID" --subuid-file "$T/subuid" --subgid-file "$T/subgid" \
        --max-sets-per-user 1 --max-clients-per-user 3 || die "no daemon"

echo "# --- only members and their subordinate uids are served ---"
# A member may give anyone a setgid program of the group (its own files
# are the group's): the socket's mode then lets them in, the daemon not.
install -m 2755 -o "$ALICE" -g "$GID" "$CTL" "$T/bin/ctl-sgid"
install -m 2755 -o "$ALICE" -g "$GID" "$(command -v id)" "$T/bin/id-sgid"
if [ "$(setpriv --reuid "$EVE" --regid "$EVE" --clear-groups "$T/bin/id-sgid" -g)" = "$GID" ]; then
        run setpriv --reuid "$EVE" --regid "$EVE" --clear-groups "$T/bin/ctl-sgid" --socket "$SOCK" \
                create e1 -t user,net --map-root-user --setgroups deny
        check_eq "a non-member with the group's egid is refused" 1 "$RC"
        check_match "the daemon says why" \
                "uid $EVE is neither a member of the daemon's group nor in a member's subordinate range" \
                "$(cat "$T/daemon.log")"
        check_fails "nothing was made" 1 "not found" ctl show "$EVE/e1"
else
        echo "# skipped: a non-member with the group's egid (setgid does not work in $T)"
fi
rm -f "$T/bin/ctl-sgid" "$T/bin/id-sgid"

echo "# --- quotas count subordinate uids for their owner ---"
run ucreate "$ALICE" a1
check_eq "alice makes her one set" 0 "$RC"
run ucreate "$SUB1" s1
check_eq "her subordinate uid cannot make another" 1 "$RC"
check_match "... and is told whose quota it is" \
        "quota exceeded: uid $ALICE \(whose subordinate uid $SUB1 is\) has 1 sets" "$ERR"
check_fails "nor can a second one" 1 "quota exceeded: uid $ALICE" ucreate "$SUB2" s2
check_eq "only alice's set exists" "a1" "$(list_names)"
check_run "release a1" 0 actl "$ALICE" release a1
check_run "now the subordinate uid may make one" 0 ucreate "$SUB1" s1
check_fails "... which counts for alice" 1 "quota exceeded: uid $ALICE has 1 sets" \
        ucreate "$ALICE" a2
check_run "release s1" 0 actl "$SUB1" release s1

echo "# --- connections count for the owner too ---"
before=$(log_count "uid $ALICE: connected")
before_sub=$(log_count "uid $SUB1: connected")
held "$ALICE"
held "$ALICE"
held "$SUB1"
await "three connections of alice's are open" 20 log_has $((before + 2)) "uid $ALICE: connected"
await "... and one of her subordinate uid's" 20 log_has $((before_sub + 1)) "uid $SUB1: connected"
check_fails "a fourth, from another subordinate uid, is refused" 1 "." actl "$SUB2" list
check_match "the daemon says whose connections they are" \
        "uid $ALICE has 3 connections \(at most 3\); refusing pid [0-9]+ \(uid $SUB2\)" \
        "$(cat "$T/daemon.log")"
check_run "root is served meanwhile" 0 ctl list
for p in "${EXTRA_PIDS[@]}"; do kill_pid "$p"; done
EXTRA_PIDS=()
stop_daemon

echo "# --- past --max-clients, root still gets in ---"
start_daemon --group "$GID" --subuid-file "$T/subuid" --subgid-file "$T/subgid" \
        --max-clients 3 --max-clients-per-user 10 || die "no daemon"
# MONITOR (command 6): connections that never time out.
: >"$T/held.out"
before=$(log_count "monitoring")
for uid in $SUB1 $SUB2 $((SUB2 + 1)); do
        held "$uid" hdr 1 6 1 0 send recv
done
await "three monitors of subordinate uids are subscribed" 20 log_has $((before + 3)) "monitoring"
check_run "root can still list" 0 ctl list
check_run "... and create" 0 ctl create rootset -t net
check_fails "a member's fourth connection is refused" 1 "." actl "$ALICE" list
check_match "the daemon says why" "3 connections \(at most 3 but root's\); refusing pid [0-9]+ \(uid $ALICE\)" \
        "$(cat "$T/daemon.log")"
check_run "release rootset" 0 ctl release rootset
for p in "${EXTRA_PIDS[@]}"; do kill_pid "$p"; done
EXTRA_PIDS=()
stop_daemon

echo "# --- monitors are bounded per user ---"
start_daemon --group "$GID" --subuid-file "$T/subuid" --subgid-file "$T/subgid" || die "no daemon"
: >"$T/held.out"
# The log goes on from the daemons before: count only this one's lines.
before=$(log_count "monitoring")
for uid in $ALICE $ALICE $SUB1 $SUB2; do
        held "$uid" hdr 1 6 1 0 send recv
done
await "four monitors of alice's are subscribed" 20 log_has $((before + 4)) "monitoring"
out=$(as "$SUB1" "$RAW" "$SOCK" hdr 1 6 1 0 send recv 2>&1)
check_match "a fifth, from her subordinate uid, is refused (EDQUOT)" "errno=122 .*too many monitors" "$out"
out=$("$NSK_BUILDDIR/tests/nsk-raw" "$SOCK" hdr 1 6 1 0 send recv 2>&1)
check_match "root's monitor is not counted" "reply cmd=6 id=1 .*errno=0" "$out"
for p in "${EXTRA_PIDS[@]}"; do kill_pid "$p"; done
EXTRA_PIDS=()
stop_daemon

echo "# --- each user's set names are its own; root names others' UID/NAME ---"
start_daemon --group "$GID" --subuid-file "$T/subuid" --subgid-file "$T/subgid" || die "no daemon"
check_run "alice makes web first" 0 ucreate "$ALICE" web
check_run "root's create web still works" 0 ctl create web -t net
rootino=$(set_inode web net)
aliceino=$(set_inode "$ALICE/web" net)
check_inode_ne "root's web and alice's are two sets" "$rootino" "$aliceino"
check_inode_eq "root's join web enters root's" "$rootino" "$(ns_inode_of web net)"
check_eq "show web gives root's set to root" 0 "$(set_json web | jq .owner)"
check_eq "show web gives her own set to alice" "$ALICE" \
        "$(actl "$ALICE" show web --json | jq .owner)"
check_ne "root's path web net is not alice's pin" "$(ctl path "$ALICE/web" net)" "$(ctl path web net)"
check_eq "list --json: name, full name and owner of each" \
        "web $ALICE/web $ALICE,web web 0" \
        "$(ctl list --json | jq -r '[.[] | "\(.name) \(.full_name) \(.owner)"] | sort | join(",")')"
check_match "list shows alice's as $ALICE/web" "^$ALICE/web " "$(ctl list --noheadings -o name,owner)"
check_fails "a set cannot be made in another's name space" 1 "own name space" \
        ctl create "$ALICE/x" -t net
check_fails "... not even one's own, by UID/NAME" 1 "own name space" \
        actl "$ALICE" create "$ALICE/x" -t user,net -r --setgroups deny
check_fails "0/NAME is no name" 1 "invalid set name" ctl show 0/web
check_run "restart" 0 stop_daemon
start_daemon --group "$GID" --subuid-file "$T/subuid" --subgid-file "$T/subgid" || die "no daemon"
check_inode_eq "after a restart root's web is root's" "$rootino" "$(set_inode web net)"
check_inode_eq "... and alice's is hers" "$aliceino" "$(set_inode "$ALICE/web" net)"
check_run "alice releases her web" 0 actl "$ALICE" release web
check_inode_eq "root's web is still there" "$rootino" "$(ns_inode_of web net)"
check_run "alice makes web again" 0 ucreate "$ALICE" web
check_run "root may release it as $ALICE/web" 0 ctl release "$ALICE/web"
check_run "release web" 0 ctl release web
check_eq "nothing is left" "" "$(list_names)"
stop_daemon

echo "# --- others see that a set is dead, not why ---"
# release-after-keeper fails the release after the keeper is gone: the
# set is dead, with a reason.
NSK_FAULTS="release-after-keeper=fail:EIO" start_daemon --group "$GID" \
        --subuid-file "$T/subuid" --subgid-file "$T/subgid" || die "no daemon"
check_run "root creates r1" 0 ctl create r1 -t pid,net
check_fails "its release fails" 1 "cannot remove its state file" ctl release r1
check_match "root sees why it is dead" "cannot remove its state file" \
        "$(ctl list --json | jq -r '.[] | select(.name == "r1") | .state_reason')"
check_eq "alice sees that it is dead" dead \
        "$(actl "$ALICE" list --json | jq -r '.[] | select(.name == "r1") | .state')"
check_eq "... but not why" null \
        "$(actl "$ALICE" list --json | jq -r '.[] | select(.name == "r1") | .state_reason')"
check_run "release r1" 0 ctl release r1
stop_daemon

done_testing
