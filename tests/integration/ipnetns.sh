#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --ip-netns: the set's net namespace also shows in /run/netns, so ip netns
# list/exec and ip -n work, release removes it, and an ip netns name in
# use is never taken over. Runs in a private mount namespace with its own
# /run/netns, so the host's is never touched.
if [ -z "${NSK_PRIVATE_MNT:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
        command -v ip >/dev/null || { echo "SKIP: needs ip(8)" >&2; exit 77; }
        exec unshare --mount --propagation private env NSK_PRIVATE_MNT=1 bash "$0" "$@"
fi
mount -t tmpfs -o mode=755 nsk-test-run /run || { echo "ERROR: cannot mount a private /run" >&2; exit 99; }
. "$(dirname "$0")/lib.sh"
require_ns net

start_daemon || die "no daemon"

for pin in bind fd; do
        n=web-$pin
        echo "# --- $n ---"
        check_run "$n: create --ip-netns" 0 ctl create "$n" -t net,uts --ip-netns --pin "$pin"
        check_eq "$n: show says so" true "$(set_json "$n" | jq .ip_netns)"
        check_match "$n: show's text names the directory that decides, not ip -n alone" \
                "ip netns: +yes, as $n in nskeeperd's --netns-dir" "$(ctl show "$n")"
        check_match "$n: ip netns list shows it" "^$n( |$)" "$(ip netns list)"
        check_inode_eq "$n: ip netns exec enters the set's net namespace" "$(set_inode "$n" net)" \
                "$(ip netns exec "$n" readlink /proc/self/ns/net | tr -dc 0-9)"
        check_match "$n: ip -n sees its loopback" "lo:" "$(ip -n "$n" -o link show lo)"
        check_run "$n: release" 0 ctl release "$n"
        check_nomatch "$n: gone from ip netns after release" "^$n( |$)" "$(ip netns list)"
        check_true "$n: no file left in /run/netns" test ! -e "/run/netns/$n"
done

echo "# --- names in use ---"
check_run "ip netns add taken" 0 ip netns add taken
check_fails "create --ip-netns over an ip netns name" 1 "ip netns has a namespace of that name" \
        ctl create taken -t net --ip-netns
check_match "the hint names ip netns delete, not release" "ip netns delete" "$ERR"
check_nomatch "and not 'release that set first'" "release that set first" "$ERR"
check_fails "nothing was created" 1 "not found" ctl show taken
check_true "ip's namespace is still there" test -e /run/netns/taken
before=$(stat -L -c %i /run/netns/taken)
check_run "adopt it from its path" 0 ctl adopt taken --from-path /run/netns/taken
check_inode_eq "adopted: the same net namespace" "$before" "$(set_inode taken net)"
check_run "release the adopted set" 0 ctl release taken
check_true "release leaves ip's own entry alone" test -e /run/netns/taken
check_run "ip netns delete taken" 0 ip netns delete taken

echo "# --- ip netns delete under our feet ---"
check_run "create gone --ip-netns" 0 ctl create gone -t net --ip-netns
check_run "ip netns delete gone" 0 ip netns delete gone
entry_missing() {
        [ "$(set_json gone | jq -c '[.state, .ip_netns_missing]')" = '["damaged",true]' ]
}
await "show: damaged, its ip netns entry missing" 10 entry_missing
check_run "the set still works through its own pin" 0 ctl join gone -- true
check_run "release gone" 0 ctl release gone

echo "# --- a symlink put where the entry was ---"
# Even one to the set's own pin (same namespace) is not the daemon's to
# remove: it was not made by it.
check_run "create swap --ip-netns" 0 ctl create swap -t net --ip-netns
umount /run/netns/swap && rm /run/netns/swap
ln -s "$(ctl path swap net)" /run/netns/swap
check_run "release swap" 0 ctl release swap
check_true "release leaves the symlink alone" test -L /run/netns/swap
rm -f /run/netns/swap

echo "# --- restart ---"
check_run "create kept --ip-netns" 0 ctl create kept -t net --ip-netns
check_run "create ends --ip-netns --pin fd" 0 ctl create ends -t net --ip-netns --pin fd
stop_daemon
check_true "an fd set's ip netns entry ends with the daemon" test ! -e /run/netns/ends
check_true "a bind set's stays" test -e /run/netns/kept
start_daemon || die "no daemon after restart"
check_eq "restart: still marked for ip netns" true "$(set_json kept | jq .ip_netns)"
check_run "restart: release" 0 ctl release kept
check_true "restart: release removes the ip netns entry" test ! -e /run/netns/kept

stop_daemon
done_testing
