#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Who may do what: with --group, members may connect; a uid other than
# root may create only sets with a user namespace, map only its own ids
# and its subuid/subgid ranges, is held to a quota, and may see, join and
# release only its own sets. Root may do everything.
# In a mount namespace of its own: the test's users are added to copies
# of /etc/passwd and /etc/group mounted there (etc_users).
if [ -z "${NSK_PRIVATE_MNT:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
        exec unshare --mount --propagation private env NSK_PRIVATE_MNT=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require_ns user net uts
command -v setpriv >/dev/null || skip "needs setpriv(1) (util-linux)"
setpriv --reuid 4242 --regid 4242 --clear-groups unshare --user true 2>/dev/null ||
        skip "unprivileged users cannot create user namespaces here"

GID=4242
ALICE=4242 # in the group by her primary gid
BOB=4343   # in the group as a supplementary group
EVE=4444   # not in the group
CAROL=4545 # in the group by her primary gid, which is not her uid
printf '4242:100000:65536\n' >"$T/subuid"
printf '4242:100000:65536\n' >"$T/subgid"
etc_users "nsk-alice:x:$ALICE:$GID::/:/bin/sh
nsk-bob:x:$BOB:$BOB::/:/bin/sh
nsk-eve:x:$EVE:$EVE::/:/bin/sh
nsk-carol:x:$CAROL:$GID::/:/bin/sh" "nsk-members:x:$GID:nsk-bob"
# The test dir must be reachable for the users.
chmod 755 "$T"

# A copy any uid can run, wherever the clone lives (lib.sh).
CTL_ANY=$(world_copy "$NSKEEPERCTL") || hard_error "cannot copy nskeeperctl"
as() {
        local uid=$1
        shift
        case "$uid" in
        "$ALICE") set -- setpriv --reuid "$uid" --regid "$GID" --clear-groups "$@" ;;
        "$BOB") set -- setpriv --reuid "$uid" --regid "$uid" --groups "$GID" "$@" ;;
        "$CAROL") set -- setpriv --reuid "$uid" --regid "$GID" --clear-groups "$@" ;;
        *) set -- setpriv --reuid "$uid" --regid "$uid" --clear-groups "$@" ;;
        esac
        timeout -k 5 "$NSK_TIMEOUT" "$@"
}
actl() {
        local uid=$1
        shift
        as "$uid" "$CTL_ANY" --socket "$SOCK" "$@"
}

start_daemon --group "$GID" --subuid-file "$T/subuid" --subgid-file "$T/subgid" \
        --max-sets-per-user 3 --max-namespaces-per-user 100 || die "no daemon"

check_eq "socket is 0660 root:$GID" "660 0:$GID" "$(stat -c '%a %u:%g' "$SOCK")"
check_fails "a user outside the group cannot connect" 1 "permission denied" actl "$EVE" list
check_run "a group member can list" 0 actl "$ALICE" list

echo "# --- what a member may create ---"
check_fails "no user namespace: refused" 1 "only root may create a set without a user namespace" \
        actl "$ALICE" create a0 -t net
check_fails "own gid mapped without setgroups deny: refused" 1 "setgroups deny" \
        actl "$ALICE" create a0 -t user,net -r
check_run "own uid and gid, setgroups deny" 0 actl "$ALICE" create a1 -t user,net,uts -r --setgroups deny
check_eq "the set is owned by alice" "$ALICE" "$(ctl show "$ALICE/a1" --json | jq .owner)"
check_fails "someone else's uid: refused" 1 "not yours" \
        actl "$ALICE" create a0 -t user --uid-map "0 0 1"
check_nomatch "a member refused by policy is not told to be root or a member" \
        "as root, or as a member" "$ERR"
check_run "a subuid/subgid range" 0 actl "$ALICE" create a2 -t user,net \
        --uid-map "0 100000 65536" --gid-map "0 100000 65536"
check_fails "beyond the range: refused" 1 "not yours" \
        actl "$ALICE" create a0 -t user --uid-map "0 100000 65537"
check_fails "a range not granted: refused" 1 "not yours" \
        actl "$ALICE" create a0 -t user --uid-map "0 300000 10"
check_run "no maps at all" 0 actl "$ALICE" create a3 -t user
check_fails "quota: a fourth set" 1 "quota exceeded" actl "$ALICE" create a4 -t user
check_fails "nothing of the refused ones was created" 1 "not found" ctl show "$ALICE/a0"
check_eq "root sees alice's three sets, as UID/NAME" "$ALICE/a1 $ALICE/a2 $ALICE/a3" \
        "$(ctl list --json | jq -r '[.[].full_name] | join(" ")')"

# Subordinate ids belong to users: carol's gid is 4242, but the subgid
# line for 4242 is alice's (uid 4242), not carol's.
check_fails "carol may not map alice's subgid range" 1 "not yours" \
        actl "$CAROL" create c0 -t user --gid-map "0 100000 10" --setgroups deny
check_run "carol may map her own gid" 0 \
        actl "$CAROL" create c1 -t user --map-group 0 --setgroups deny
check_eq "... which is her gid, not her uid" "0 $GID 1" \
        "$(ctl show "$CAROL/c1" --json | jq -r '.gid_map[0] | "\(.inside) \(.outside) \(.count)"')"
check_run "release c1" 0 ctl release "$CAROL/c1"
check_fails "a member may not add to ip netns" 1 "only root may add sets to ip netns" \
        actl "$ALICE" create a0 -t user,net --ip-netns
# CNI plugins run with all of the host's privileges: root's alone.
check_fails "a member may not attach networks" 1 "only root may attach networks" \
        actl "$ALICE" create a0 -t user,net -r --network lab
check_fails "... nothing was made" 1 "not found" ctl show "$ALICE/a0"
check_fails "a member may not pin at paths of her choice" 1 "only root may pin a set at paths" \
        actl "$ALICE" create a0 -t user -r --pin-at "user:$T/alice-pin"
check_true "... nothing is there" test ! -e "$T/alice-pin"

echo "# --- alice uses her sets, unprivileged ---"
userns=$(ctl show "$ALICE/a1" --json | jq -r '.namespaces[] | select(.type == "user") | .inode')
check_inode_eq "alice joins her set: user namespace" "$userns" \
        "$(actl "$ALICE" join a1 -- readlink /proc/self/ns/user 2>&1 | tr -dc 0-9)"
check_inode_eq "alice joins her set: net namespace" "$(set_inode "$ALICE/a1" net)" \
        "$(actl "$ALICE" join a1 -- readlink /proc/self/ns/net 2>&1 | tr -dc 0-9)"
check_eq "alice is root inside" 0 "$(actl "$ALICE" join a1 -- id -u 2>&1)"
check_eq "alice's set has its own hostname space" ok \
        "$(actl "$ALICE" join a1 -- sh -c 'hostname inside && echo ok' 2>&1)"
check_eq "alice can read her set" a1 "$(actl "$ALICE" show a1 --json | jq -r .name)"

check_run "alice releases a3 to make room" 0 actl "$ALICE" release a3
check_run "alice creates every type, with a keeper and time offsets" 0 \
        actl "$ALICE" create a3 -t all -r --setgroups deny --hostname alice --boottime 1000 --pin fd
check_eq "alice's pid namespace: she is a small pid" 2 \
        "$(actl "$ALICE" join a3 -- sh -c 'echo $$' 2>&1)"
check_eq "alice's keeper runs as alice" "$ALICE" \
        "$(stat -c %u "/proc/$(ctl show "$ALICE/a3" --json | jq .keeper_pid)")"
check_eq "alice's time offsets" "boottime 1000 0" \
        "$(actl "$ALICE" join a3 -- cat /proc/self/timens_offsets 2>&1 | awk '/boottime/ {print $1, $2, $3}')"

echo "# --- bob may not touch alice's sets ---"
check_eq "bob lists every set" "a1 a2 a3" \
        "$(actl "$BOB" list --json | jq -r '[.[].name] | join(" ")')"
check_eq "bob sees no namespaces of alice's sets" 0 \
        "$(actl "$BOB" list --json | jq '[.[].namespaces | length] | add')"
check_fails "bob's a1 is his own name, not alice's" 1 "not found" actl "$BOB" show a1
check_fails "bob cannot show alice's set" 1 "belongs to uid $ALICE" actl "$BOB" show "$ALICE/a1"
check_fails "bob cannot join alice's set" 1 "belongs to uid $ALICE" \
        actl "$BOB" join "$ALICE/a1" -- true
check_fails "bob cannot release alice's set" 1 "belongs to uid $ALICE" \
        actl "$BOB" release "$ALICE/a1"
check_run "alice's set is still there" 0 ctl show "$ALICE/a1"

echo "# --- release ---"
check_run "alice releases her set" 0 actl "$ALICE" release a1
check_run "root releases alice's set" 0 ctl release "$ALICE/a2"
check_run "alice releases the last" 0 actl "$ALICE" release a3
check_eq "nothing left" 0 "$(ctl list --json | jq length)"

stop_daemon
done_testing
