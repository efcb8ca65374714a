#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Create and adopt publish a set the same way (daemon/lifecycle.h): its
# name is taken first, then come its keeper, pins, state file and fd-store
# entries. So when the name cannot be taken (fault point registry-add),
# nothing has been made: no pin, no state file, nothing in the fd store,
# no set listed, and the name is free for the next try. An ADOPT that
# pinned first and registered after left the state file and fd-store
# entries of an fd-pinned set behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/systemd-lib.sh"
require_ns net uts
managed=yes
[ "${NSK_HAVE_SYSTEMD:-}" = no ] && managed=no

# Whatever of set NAME the runtime directory, the fd store and the list hold.
leftovers() {
        ls -A "$RUNDIR/state" "$RUNDIR/ns" "$RUNDIR/mnt" 2>/dev/null | grep -xE "\\.?$1(\\.tmp)?" || true
        [ "$managed" = no ] || store_dump | grep "^$1\\." || true
        in_list "$1" && echo "listed: $1"
}

# The fault stays disarmed (its token is there) until the step to break.
echo disarmed >"$NSK_FAULT_DIR/registry-add"
if [ "$managed" = yes ]; then
        NSK_FAULTS="registry-add=fail:ENOMEM" start_managed || die "no daemon"
else
        NSK_FAULTS="registry-add=fail:ENOMEM" start_daemon || die "no daemon"
fi
check_run "create src (a namespace to adopt)" 0 ctl create src -t net,uts
src_net=$(set_inode src net)
src_path=$(ctl path src net)

for pin in fd bind; do
        echo "# --- adopt --pin $pin, its name cannot be taken ---"
        fault_rearm registry-add
        check_fails "adopt --pin $pin fails" 1 "Cannot allocate memory" \
                ctl adopt "a$pin" --pin "$pin" --from-path "$src_path" -t net
        check_eq "adopt --pin $pin: nothing of it is left" "" "$(leftovers "a$pin")"
        [ "$managed" = no ] ||
                check_eq "adopt --pin $pin: nothing of it went to the fd store" 0 \
                        "$(log_count "FDNAME=a$pin\\.")"
        check_run "adopt --pin $pin again: the name is free" 0 \
                ctl adopt "a$pin" --pin "$pin" --from-path "$src_path" -t net
        check_eq "adopt --pin $pin: the namespace adopted" "$src_net" "$(set_inode "a$pin" net)"

        echo "# --- create --pin $pin, its name cannot be taken ---"
        fault_rearm registry-add
        check_fails "create --pin $pin fails" 1 "Cannot allocate memory" \
                ctl create "c$pin" --pin "$pin" -t net,uts
        check_eq "create --pin $pin: nothing of it is left" "" "$(leftovers "c$pin")"
        check_run "create --pin $pin again" 0 ctl create "c$pin" --pin "$pin" -t net,uts
done

echo "# --- all of it goes on release ---"
for n in afd abind cfd cbind src; do
        check_run "release $n" 0 ctl release "$n"
        check_eq "$n: nothing left" "" "$(leftovers "$n")"
done
if [ "$managed" = yes ]; then
        check_eq "the fd store is empty" "" "$(store_dump)"
        stop_managed
else
        stop_daemon
fi
done_testing
