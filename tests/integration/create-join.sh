#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# create -> show -> join -> release for every type and both pin kinds: the
# joined process really is in the set's namespace (inode equal to show's,
# different from the host's), the namespace keeps state between joins, and
# release really removes the pin.
. "$(dirname "$0")/lib.sh"
require_ns $ALL_TYPES

nsenter_opt() {
        case "$1" in
        mnt) echo --mount ;;
        *) echo "--$1" ;;
        esac
}

# A per-namespace setting written in one join and read back in the next:
# shows the namespace lives on between joins and is not the host's.
# Prints "FILE VALUE" for types that have one.
probe_for() {
        case "$1" in
        net) echo /proc/sys/net/ipv4/ip_default_ttl 99 ;;
        ipc) echo /proc/sys/kernel/msgmax 12345 ;;
        uts) echo /proc/sys/kernel/hostname nsk-probe ;;
        esac
}

check_state_kept() {
        local name=$1 type=$2 file value host_before
        read -r file value <<<"$(probe_for "$type")"
        [ -n "$file" ] || return 0
        if ! [ -w "$file" ]; then
                ok "$name: $file not writable here, state check skipped"
                return 0
        fi
        host_before=$(cat "$file")
        check_run "$name: join -t $type writes $file" 0 \
                ctl join "$name" -t "$type" -- sh -c "echo $value > $file"
        check_eq "$name: a second join -t $type sees $file = $value" "$value" \
                "$(ctl join "$name" -t "$type" -- cat "$file" 2>&1)"
        check_eq "$name: host's $file unchanged" "$host_before" "$(cat "$file")"
}

check_gone() {
        local name=$1
        shift
        local p
        if in_list "$name"; then
                fail "$name: not listed after release" "list --json: $(ctl list --json 2>&1)"
        else
                ok "$name: not listed after release"
        fi
        check_fails "$name: show after release" 1 "not found" ctl show "$name"
        check_match "$name: the message names the set" "$name" "$ERR"
        check_fails "$name: path after release" 1 "not found" ctl path "$name" net
        check_fails "$name: join after release" 1 "not found" ctl join "$name" -- true
        for p in "$@"; do
                [ "$p" = null ] && continue
                check_true "$name: pin $p removed" test ! -e "$p"
                check_eq "$name: nothing mounted on $p" 0 "$(mount_count_at "$p")"
        done
}

start_daemon || exit 1

for pin in bind fd; do
        for type in $ALL_TYPES; do
                name=cj-$type-$pin
                echo "# --- $name ---"
                mounts_before=$(mount_count_under "$RUNDIR")
                check_run "create $name -t $type --pin $pin" 0 \
                        ctl create "$name" -t "$type" --pin "$pin"
                [ "$RC" = 0 ] || continue
                json=$(set_json "$name")
                check_eq "$name: show --json .name" "$name" "$(jq -r .name <<<"$json")"
                check_eq "$name: show --json .pin" "$pin" "$(jq -r .pin <<<"$json")"
                check_eq "$name: show --json has exactly the type $type" "$type" "$(set_types "$name")"
                inode=$(set_inode "$name" "$type")
                check_uint "$name: show --json inode of $type" "$inode"

                inside=$(ns_inode_of "$name" "$type")
                check_inode_eq "$name: inode inside join -t $type equals show's" "$inode" "$inside"
                check_inode_ne "$name: inode inside differs from the host's" "$(host_inode "$type")" "$inside"
                check_inode_eq "$name: join without -t enters it too" "$inode" \
                        "$(ctl join "$name" -- readlink "/proc/self/ns/$type" 2>/dev/null | inode_of_link)"

                path=$(set_pin_path "$name" "$type")
                if [ "$pin" = bind ]; then
                        case "$path" in
                        "$RUNDIR"/*) ok "$name: pin path $path is under the runtime dir" ;;
                        *) fail "$name: pin path is under the runtime dir" \
                                "expected: $RUNDIR/..." "actual: $path" ;;
                        esac
                        check_run "$name: path $name $type" 0 ctl path "$name" "$type"
                        check_eq "$name: path prints show's path" "$path" "$OUT"
                        check_eq "$name: exactly one mount on the pin" 1 "$(mount_count_at "$path")"
                        check_inode_eq "$name: pin's inode (stat) equals show's" "$inode" \
                                "$(stat -L -c %i "$path" 2>&1)"
                        check_inode_eq "$name: nsenter $(nsenter_opt "$type")=PIN enters the same namespace" \
                                "$inode" "$(nsenter "$(nsenter_opt "$type")=$path" \
                                readlink "/proc/self/ns/$type" | inode_of_link)"
                else
                        check_eq "$name: fd pin has path null" null "$path"
                        check_mounts "$name: fd pin adds no mount" "$mounts_before" "$RUNDIR"
                fi

                check_state_kept "$name" "$type"

                check_run "release $name" 0 ctl release "$name"
                check_gone "$name" "$path"
        done
done

echo "# --- default types (net,uts,ipc), joined all at once ---"
check_run "create cj-default (no -t)" 0 ctl create cj-default
check_eq "cj-default: default types are net,uts,ipc" "ipc net uts" "$(set_types cj-default)"
check_eq "cj-default: default pin is bind" bind "$(set_json cj-default | jq -r .pin)"
inside=$(ns_inodes_inside cj-default)
for type in net uts ipc; do
        check_inode_eq "cj-default: $type inside equals show" "$(set_inode cj-default "$type")" \
                "$(pick "$type" "$inside")"
        check_inode_ne "cj-default: $type inside differs from host" "$(host_inode "$type")" \
                "$(pick "$type" "$inside")"
done
check_inode_eq "cj-default: cgroup inside is the host's (not in the set)" "$(host_inode cgroup)" \
        "$(pick cgroup "$inside")"
# net without mnt: a mount namespace of the command's own (join-netns.sh).
check_inode_ne "cj-default: mnt inside is the command's own, not the host's" \
        "$(host_inode mnt)" "$(pick mnt "$inside")"
check_inode_eq "cj-default: join --no-netns-mounts: mnt inside is the host's" "$(host_inode mnt)" \
        "$(pick mnt "$(ns_inodes_inside cj-default --no-netns-mounts)")"
check_inode_eq "cj-default: join without COMMAND runs \$SHELL" "$(set_inode cj-default net)" \
        "$(echo 'readlink /proc/self/ns/net' | SHELL=/bin/sh ctl join cj-default 2>/dev/null | inode_of_link)"
paths=$(for type in net uts ipc; do set_pin_path cj-default "$type"; done)
check_run "release cj-default" 0 ctl release cj-default
# shellcheck disable=SC2086
check_gone cj-default $paths

for pin in bind fd; do
        name=cj-all-$pin
        echo "# --- $name: all five types ---"
        check_run "create $name -t net,uts,ipc,mnt,cgroup --pin $pin" 0 \
                ctl create "$name" -t net,uts,ipc,mnt,cgroup --pin "$pin"
        check_eq "$name: has all five types" "cgroup ipc mnt net uts" "$(set_types "$name")"
        inside=$(ns_inodes_inside "$name")
        for type in $ALL_TYPES; do
                check_inode_eq "$name: join (all): $type inside equals show" \
                        "$(set_inode "$name" "$type")" "$(pick "$type" "$inside")"
                check_inode_ne "$name: join (all): $type inside differs from host" \
                        "$(host_inode "$type")" "$(pick "$type" "$inside")"
        done
        inside=$(ns_inodes_inside "$name" -t net,uts)
        for type in net uts; do
                check_inode_eq "$name: join -t net,uts: $type inside equals show" \
                        "$(set_inode "$name" "$type")" "$(pick "$type" "$inside")"
        done
        for type in ipc cgroup; do
                check_inode_eq "$name: join -t net,uts: $type inside is still the host's" \
                        "$(host_inode "$type")" "$(pick "$type" "$inside")"
        done
        check_inode_ne "$name: join -t net,uts: mnt inside is not the set's" \
                "$(set_inode "$name" mnt)" "$(pick mnt "$inside")"
        inside=$(ns_inodes_inside "$name" -t net,uts --no-netns-mounts)
        check_inode_eq "$name: join -t net,uts --no-netns-mounts: mnt inside is still the host's" \
                "$(host_inode mnt)" "$(pick mnt "$inside")"
done
for type in $ALL_TYPES; do
        check_inode_ne "cj-all-bind and cj-all-fd have different $type namespaces" \
                "$(set_inode cj-all-bind "$type")" "$(set_inode cj-all-fd "$type")"
done
for pin in bind fd; do
        name=cj-all-$pin
        paths=$(for type in $ALL_TYPES; do set_pin_path "$name" "$type"; done)
        check_run "release $name" 0 ctl release "$name"
        # shellcheck disable=SC2086
        check_gone "$name" $paths
done

check_eq "list --json is [] again" "[]" "$(ctl list --json | jq -c .)"
stop_daemon
done_testing
