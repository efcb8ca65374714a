#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Per-set settings: hostname and domainname (uts), sysctls (net, ipc),
# loopback up by default, "-t all"; each visible inside only, each refused
# with a clear error when it does not fit, both pin kinds.
. "$(dirname "$0")/lib.sh"
require_ns net uts ipc
command -v ip >/dev/null || skip "needs ip(8) (iproute2)"

start_daemon || die "no daemon"
host_name=$(hostname)
host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
host_shm=$(cat /proc/sys/kernel/shmmax)

for pin in bind fd; do
        n=set-$pin
        echo "# --- $n ---"
        check_run "$n: create with hostname, domainname and sysctls" 0 \
                ctl create "$n" -t net,uts,ipc --pin "$pin" --hostname "box-$pin" \
                --domainname example.test --sysctl net.ipv4.ip_forward=1 \
                --sysctl net/ipv4/conf/lo/forwarding=1 --sysctl kernel.shmmax=12345678
        check_eq "$n: hostname inside" "box-$pin" "$(ctl join "$n" -- hostname 2>&1)"
        check_eq "$n: domainname inside" example.test "$(ctl join "$n" -- cat /proc/sys/kernel/domainname 2>&1)"
        check_eq "$n: host's hostname unchanged" "$host_name" "$(hostname)"
        check_eq "$n: net.ipv4.ip_forward inside" 1 \
                "$(ctl join "$n" -- cat /proc/sys/net/ipv4/ip_forward 2>&1)"
        check_eq "$n: slash-form key inside" 1 \
                "$(ctl join "$n" -- cat /proc/sys/net/ipv4/conf/lo/forwarding 2>&1)"
        check_eq "$n: kernel.shmmax inside (ipc)" 12345678 \
                "$(ctl join "$n" -- cat /proc/sys/kernel/shmmax 2>&1)"
        check_eq "$n: host's ip_forward unchanged" "$host_fwd" "$(cat /proc/sys/net/ipv4/ip_forward)"
        check_eq "$n: host's shmmax unchanged" "$host_shm" "$(cat /proc/sys/kernel/shmmax)"
        # ip(8) asks the joined net namespace (netlink); /sys would show
        # the namespace of whoever mounted it.
        check_match "$n: loopback is up by default" "<[^>]*,UP[,>]" \
                "$(ctl join "$n" -- ip -o link show lo 2>&1)"
        j=$(set_json "$n")
        check_eq "$n: show reports the hostname" "box-$pin" "$(jq -r .hostname <<<"$j")"
        check_eq "$n: show reports the sysctls" 1 "$(jq -r '.sysctls["net.ipv4.ip_forward"]' <<<"$j")"
        check_eq "$n: show reports loopback up" true "$(jq -r .loopback <<<"$j")"
        check_run "$n: release" 0 ctl release "$n"

        check_run "$n: create --no-loopback" 0 ctl create "lo-$pin" -t net --no-loopback --pin "$pin"
        check_match "$n: loopback stays down with --no-loopback" "<LOOPBACK>" \
                "$(ctl join "lo-$pin" -- ip -o link show lo 2>&1)"
        check_run "$n: release lo-$pin" 0 ctl release "lo-$pin"
done

echo "# --- refused settings ---"
check_fails "hostname without uts" 1 "needs a new uts namespace" ctl create x -t net --hostname a
check_fails "invalid hostname" 1 "invalid hostname" ctl create x -t uts --hostname 'a b'
check_fails "sysctl without its namespace" 1 "needs a new net namespace" \
        ctl create x -t uts --sysctl net.ipv4.ip_forward=1
check_fails "sysctl of no namespace" 1 "belongs to no namespace" \
        ctl create x -t net,uts,ipc --sysctl kernel.hostname=x
check_fails "sysctl with .." 1 "invalid sysctl" ctl create x -t net --sysctl 'net.ipv4/../../x=1'
check_fails "sysctl with a slash path escaping" 1 "invalid sysctl" ctl create x -t net --sysctl 'net/../../etc=1'
check_fails "sysctl without =" 1 "invalid sysctl" ctl create x -t net --sysctl net.ipv4.ip_forward
check_fails "sysctl the kernel refuses: the message names it" 1 "net.ipv4.no_such_key" \
        ctl create x -t net --sysctl net.ipv4.no_such_key=1
check_fails "--no-loopback without net" 1 "needs a new net namespace" ctl create x -t uts --no-loopback
check_fails "nothing was created" 1 "not found" ctl show x
check_eq "no set left behind" 0 "$(ctl list --json | jq length)"
check_eq "no helper left behind" "" "$(daemon_children)"

echo "# --- all ---"
# Without a uid map, all is every type but user: a user namespace that
# maps nobody would own the rest and leave a joiner without privileges.
check_run "create -t all" 0 ctl create everything -t all
want=$(for t in cgroup ipc uts net pid mnt time; do
        [ -e "/proc/self/ns/$t" ] && echo "$t"
done | sort | paste -sd' ')
check_eq "all without a uid map: every type the kernel has but user" "$want" \
        "$(set_types everything)"
for t in $want; do
        check_inode_eq "all: join sees the set's $t" "$(set_inode everything "$t")" \
                "$(ctl join everything -- readlink "/proc/self/ns/$t" 2>&1 | tr -dc 0-9)"
done
check_eq "all without a uid map: a joiner is root with its privileges (sethostname)" "0 box" \
        "$(ctl join everything -- sh -c 'hostname box && echo "$(id -u) $(hostname)"' 2>&1)"
check_run "release everything" 0 ctl release everything
# With one (-r: root inside is the caller), user too, and root inside
# is privileged in the set's namespaces.
check_run "create -t all -r" 0 ctl create mapped -t all -r
want_user=$(for t in user cgroup ipc uts net pid mnt time; do
        [ -e "/proc/self/ns/$t" ] && echo "$t"
done | sort | paste -sd' ')
check_eq "all with a uid map: every type the kernel has" "$want_user" "$(set_types mapped)"
check_eq "all -r: a joiner is root inside, with its privileges (sethostname)" "0 inner" \
        "$(ctl join mapped -- sh -c 'hostname inner && echo "$(id -u) $(hostname)"' 2>&1)"
check_eq "all -r: in the set's user namespace" "$(set_inode mapped user)" \
        "$(ctl join mapped -- readlink /proc/self/ns/user | tr -dc 0-9)"
check_run "release mapped" 0 ctl release mapped

stop_daemon
done_testing
