#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# user sets: maps written exactly as asked, the other namespaces of the set
# owned by its user namespace (NS_GET_USERNS), setgroups, joining all or
# only some types, both pin kinds.
. "$(dirname "$0")/lib.sh"
require_ns user net uts ipc mnt
NSINFO=$NSK_BUILDDIR/tests/nsk-nsinfo
[ -x "$NSINFO" ] || hard_error "$NSINFO not built (make check builds it)"
# Run as the sets' root, host uid 100000.
NSINFO=$(world_copy "$NSINFO") || hard_error "cannot copy nsk-nsinfo into $T/bin"

start_daemon || die "no daemon"

for pin in bind fd; do
        n=user-$pin
        echo "# --- $n ---"
        check_run "$n: create with two uid and gid map lines" 0 \
                ctl create "$n" -t user,net,uts,ipc,mnt --pin "$pin" \
                --uid-map "0 100000 1000" --uid-map "1000 200000 10" \
                --gid-map "0 100000 1000" --setgroups deny
        j=$(set_json "$n")
        check_eq "$n: show lists the uid map" '[[0,100000,1000],[1000,200000,10]]' \
                "$(jq -c '[.uid_map[] | [.inside, .outside, .count]]' <<<"$j")"
        check_eq "$n: show lists the gid map" '[[0,100000,1000]]' \
                "$(jq -c '[.gid_map[] | [.inside, .outside, .count]]' <<<"$j")"
        check_eq "$n: show says setgroups deny" deny "$(jq -r .setgroups <<<"$j")"

        inside=$(ctl join "$n" -- cat /proc/self/uid_map 2>&1 | awk '{print $1, $2, $3}' | paste -sd,)
        check_eq "$n: uid_map inside is exactly what was asked" "0 100000 1000,1000 200000 10" "$inside"
        inside=$(ctl join "$n" -- cat /proc/self/gid_map 2>&1 | awk '{print $1, $2, $3}' | paste -sd,)
        check_eq "$n: gid_map inside is exactly what was asked" "0 100000 1000" "$inside"
        check_eq "$n: setgroups inside" deny "$(ctl join "$n" -- cat /proc/self/setgroups 2>&1)"
        check_eq "$n: joined as root of the user namespace" "0 0" \
                "$(ctl join "$n" -- sh -c 'echo $(id -u) $(id -g)' 2>&1)"
        check_eq "$n: --preserve-credentials keeps host root, unmapped inside" "65534" \
                "$(ctl join "$n" --preserve-credentials -- id -u 2>&1)"

        userns=$(set_inode "$n" user)
        check_inode_ne "$n: a new user namespace" "$userns" "$(readlink /proc/self/ns/user | tr -dc 0-9)"
        for t in net uts ipc mnt; do
                # Seen from inside, where the owner is visible: "TYPE INODE OWNER".
                info=$(ctl join "$n" -- "$NSINFO" "/proc/self/ns/$t" 2>&1)
                check_eq "$n: $t is owned by the set's user namespace" \
                        "$t $(set_inode "$n" "$t") $userns" "$info"
        done
        if [ "$pin" = bind ]; then
                info=$("$NSINFO" "$(set_pin_path "$n" user)" 2>&1)
                check_eq "$n: the user namespace was made by uid 0 (NS_GET_OWNER_UID)" \
                        "user $userns $(readlink /proc/self/ns/user | tr -dc 0-9) 0" "$info"
        fi

        # Only some types: net alone, without entering the user namespace.
        check_inode_eq "$n: join -t net alone" "$(set_inode "$n" net)" \
                "$(ctl join "$n" -t net -- readlink /proc/self/ns/net 2>&1 | tr -dc 0-9)"
        check_inode_eq "$n: join -t net leaves the user namespace alone" \
                "$(readlink /proc/self/ns/user | tr -dc 0-9)" \
                "$(ctl join "$n" -t net -- readlink /proc/self/ns/user 2>&1 | tr -dc 0-9)"
        check_inode_eq "$n: join -t user,uts" "$(set_inode "$n" uts)" \
                "$(ctl join "$n" -t user,uts -- readlink /proc/self/ns/uts 2>&1 | tr -dc 0-9)"
        check_run "$n: release" 0 ctl release "$n"
done

echo "# --- map shortcuts and checks ---"
check_run "create -r (map root user)" 0 ctl create rootmap -t user -r
check_eq "--map-root-user maps root to the caller" "0 $(id -u) 1" \
        "$(ctl join rootmap -- cat /proc/self/uid_map 2>&1 | awk '{print $1, $2, $3}')"
check_run "release rootmap" 0 ctl release rootmap
check_run "create --map-user 1000 --map-group 1000" 0 ctl create mapuser -t user \
        --map-user 1000 --map-group 1000
check_eq "--map-user maps the uid given to the caller" "1000 $(id -u) 1" \
        "$(ctl join mapuser -- cat /proc/self/uid_map 2>&1 | awk '{print $1, $2, $3}')"
check_eq "inside, the caller is uid 1000" 1000 "$(ctl join mapuser -- id -u 2>&1)"
check_run "release mapuser" 0 ctl release mapuser

check_fails "a map without user" 1 "needs a new user namespace" ctl create nouser -t net -r
check_fails "a malformed map line" 2 "INSIDE OUTSIDE COUNT" ctl create bad -t user --uid-map "0 1"
check_fails "a range past the last id" 1 "not a valid range" \
        ctl create bad -t user --uid-map "4294967290 0 100"
check_fails "overlapping lines: the kernel refuses, create says which file" 1 "uid_map" \
        ctl create bad -t user --uid-map "0 1000 10" --uid-map "5 2000 10"
check_fails "nothing was created" 1 "not found" ctl show bad
check_eq "no set left behind" 0 "$(ctl list --json | jq length)"

stop_daemon
done_testing
