#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Networked sets (create --network, release, check, restart) with the real
# plugins of Debian's containernetworking-plugins: two sets on one bridge
# network with host-local IPAM ping each other, a bind set and an fd-pinned
# one; what show and list say is what the kernel has; a failing chain, a
# failing second network and an unknown one leave no interface, lease, pin
# or state; release DELs; a restart keeps the results and check runs
# CHECK; a crash between ADD and the saved result comes back dead and its
# release undoes the ADD; a plugin that does not answer stalls no other
# client. The daemon runs in a net namespace of the test's own, so the
# bridge never reaches the machine's.
CNI_BIN=/usr/lib/cni
if [ -z "${NSK_PRIVATE_NET:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "SKIP: ${0##*/}: needs root" >&2; exit 77; }
        for p in bridge host-local tuning; do
                [ -x "$CNI_BIN/$p" ] || {
                        echo "SKIP: ${0##*/}: no $CNI_BIN/$p (package containernetworking-plugins)" >&2
                        exit 77
                }
        done
        for tool in ip ping jq mkfifo; do
                command -v "$tool" >/dev/null || { echo "SKIP: ${0##*/}: needs $tool" >&2; exit 77; }
        done
        exec unshare --mount --net --propagation private env NSK_PRIVATE_NET=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require_ns net uts

BR=nsknet$$
CONF=$T/conf
IPAM=$T/ipam
PLUGINS=$T/plugins

end() {
        # A plugin that was made to wait is let go, whatever happened.
        [ -p "$T/gate" ] && { timeout 5 sh -c 'echo go >"$1"' _ "$T/gate" & } 2>/dev/null
        # The process the lingering plugin left, were it still there.
        [ -s "$T/linger.pid" ] && kill "$(cat "$T/linger.pid")" 2>/dev/null
        ip link del "$BR" 2>/dev/null
        cleanup "$1"
}
trap 'end $?' EXIT

ip link set lo up
mkdir -p "$CONF" "$IPAM" "$PLUGINS"

# bridge + host-local, then tuning (given the bridge's result); "broken"
# has a tuning plugin that fails, after the bridge made its veth and lease.
conflist() {
        local name=$1 tuning=$2
        cat <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$name",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BR",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "dataDir": "$IPAM",
        "ranges": [[{ "subnet": "192.0.2.0/24" }]],
        "routes": [{ "dst": "198.51.100.0/24", "gw": "192.0.2.1" }]
      },
      "dns": { "nameservers": ["192.0.2.53"] }
    },
    { "type": "tuning"$tuning }
  ]
}
EOF
}
conflist lab "" >"$CONF/10-lab.conflist"
conflist broken ', "sysctl": { "net.ipv4.conf.IFNAME.no_such_knob": "1" }' |
        sed 's/IFNAME/eth0/' >"$CONF/20-broken.conflist"
conflist slowdel "" | sed 's/"type": "tuning"/"type": "deldoor"/' >"$CONF/25-slowdel.conflist"
# A plugin that waits at its gate (a fifo) until the test opens it.
cat >"$PLUGINS/gated" <<'EOF'
#!/bin/sh
conf=$(cat)
gate=$(printf '%s' "$conf" | jq -r .gate)
[ "$CNI_COMMAND" = ADD ] && read -r _ <"$gate"
printf '{"cniVersion":"1.0.0","interfaces":[],"ips":[]}\n'
EOF
chmod 0755 "$PLUGINS/gated"
# One whose DEL and CHECK say they started, then wait at their gates
# (while there are some); its ADD passes the result before it on.
cat >"$PLUGINS/deldoor" <<EOF
#!/bin/sh
conf=\$(cat)
case "\$CNI_COMMAND" in
DEL)
        touch "$T/deldoor-del"
        [ -p "$T/delgate" ] && read -r _ <"$T/delgate"
        exit 0 ;;
CHECK)
        touch "$T/deldoor-check"
        [ -p "$T/checkgate" ] && read -r _ <"$T/checkgate"
        exit 0 ;;
esac
printf '%s' "\$conf" | jq -c .prevResult
EOF
chmod 0755 "$PLUGINS/deldoor"
# A plugin whose result holds what is no address (a line of its own, for
# a monitor's reader); its DEL leaves a mark.
cat >"$PLUGINS/liar" <<EOF
#!/bin/sh
cat >/dev/null
[ "\$CNI_COMMAND" = DEL ] && { touch "$T/liar-del"; exit 0; }
printf '%s\n' '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"address":"10.0.0.2/24\\n2099-01-01T00:00:00Z released victim","interface":0}]}'
EOF
# A plugin that fails with control characters in its words.
cat >"$PLUGINS/noisy" <<'EOF'
#!/bin/sh
cat >/dev/null
[ "$CNI_COMMAND" = DEL ] && exit 0
printf '%s\n' '{"cniVersion":"1.0.0","code":100,"msg":"bad\u001b[31m\nreleased victim","details":"x\ry"}'
exit 1
EOF
# A plugin that leaves a process behind.
cat >"$PLUGINS/lingering" <<EOF
#!/bin/bash
cat >/dev/null
if [ "\$CNI_COMMAND" = ADD ]; then
        (exec -a nsk-linger-$$ sleep 1000) >/dev/null 2>&1 &
        echo \$! >"$T/linger.pid"
fi
printf '%s\n' '{"cniVersion":"1.0.0"}'
EOF
# A plugin whose DEL fails.
cat >"$PLUGINS/stubborn" <<'EOF'
#!/bin/sh
cat >/dev/null
if [ "$CNI_COMMAND" = DEL ]; then
        printf '%s\n' '{"cniVersion":"1.0.0","code":100,"msg":"will not go"}'
        exit 1
fi
printf '%s\n' '{"cniVersion":"1.0.0"}'
EOF
chmod 0755 "$PLUGINS/liar" "$PLUGINS/noisy" "$PLUGINS/lingering" "$PLUGINS/stubborn"
for p in liar noisy lingering stubborn; do
        printf '{ "cniVersion": "1.0.0", "name": "%s", "type": "%s" }\n' "$p" "$p" \
                >"$CONF/40-$p.conf"
done
cat >"$CONF/30-gated.conf" <<EOF
{ "cniVersion": "1.0.0", "name": "gated", "type": "gated", "gate": "$T/gate" }
EOF

leases() {
        find "$IPAM" -type f -name '192.0.2.*' -printf '%f\n' | sort | tr '\n' ' '
}
veths() {
        ip -o link show type veth | awk -F': ' '{ print $2 }' | sed 's/@.*//' | tr '\n' ' '
}
net_json() { # SET: its networks as JSON
        ctl show "$1" --json | jq -c .networks
}
inside() { # SET CMD...: CMD in the set's net namespace
        local s=$1
        shift
        ctl join "$s" -t net -- "$@"
}
no_veth() {
        [ -z "$(veths)" ]
}
nothing_left() { # WHEN: no lease, veth, pin or state file
        check_eq "$1: no lease left" "" "$(leases)"
        # A veth can outlive its namespace's last pin by a moment: the
        # kernel tears net namespaces down in a work queue of its own.
        await "$1: no veth left" 10 no_veth
        check_eq "$1: no pin left" "" "$(pins)"
        check_eq "$1: no state file left" "" "$(ls -A "$RUNDIR/state")"
}

start_daemon --cni-conf-dir "$CONF" --cni-path "$PLUGINS:$CNI_BIN" || die "no daemon"

echo "# --- a bind set and an fd-pinned set on one network ---"
start_monitors
check_run "create a on lab" 0 ctl create a -t net,uts --network lab
check_run "create b, fd-pinned, on lab as lan0" 0 ctl create b --pin fd --network lab:lan0
check_eq "a: one network, lab as eth0" "lab eth0" "$(net_json a | jq -r '.[] | "\(.name) \(.ifname)"')"
check_eq "b: lab as lan0" "lab lan0" "$(net_json b | jq -r '.[] | "\(.name) \(.ifname)"')"
addr_a=$(net_json a | jq -r '.[0].addresses[0]')
addr_b=$(net_json b | jq -r '.[0].addresses[0]')
check_match "a has an address in 192.0.2.0/24" '^192\.0\.2\.[0-9]+/24$' "$addr_a"
check_match "b too" '^192\.0\.2\.[0-9]+/24$' "$addr_b"
check_ne "two addresses" "$addr_a" "$addr_b"
check_eq "a: the gateway, route and nameserver of the result" \
        '["192.0.2.1"] [{"dst":"198.51.100.0/24","gw":"192.0.2.1"}] ["192.0.2.53"]' \
        "$(net_json a | jq -c '.[0] | .gateways, .routes, .nameservers' | paste -sd' ')"
# What show says is what the kernel has, in the namespace list names.
check_match "the kernel: eth0 in a's net namespace has that address" "inet $addr_a " \
        "$(nsenter --net="$(set_pin_path a net)" ip -o -4 addr show dev eth0)"
check_match "the kernel: ... and that MAC" "link/ether $(net_json a | jq -r '.[0].mac') " \
        "$(nsenter --net="$(set_pin_path a net)" ip -o link show dev eth0)"
check_match "the kernel: lan0 in b's (joined through the daemon) has b's" "inet $addr_b " \
        "$(inside b ip -o -4 addr show dev lan0)"
check_eq "joined, b's net namespace is the one list reports" "$(ns_inode_of b net)" \
        "$(inside b readlink /proc/self/ns/net | tr -dc 0-9)"
check_match "the kernel: the route of the result" "198\.51\.100\.0/24 via 192\.0\.2\.1" \
        "$(inside a ip -4 route show)"
check_eq "two leases" 2 "$(leases | wc -w)"
check_eq "list -o NETWORKS" "a lab:eth0=$addr_a b lab:lan0=$addr_b" \
        "$(ctl list -n -o NAME,NETWORKS | paste -sd' ' | tr -s ' ')"
check_match "show names the network" "network: +lab, interface eth0" "$(ctl show a)"
monitor_says_a() {
        grep -q "created a uts,net networks lab:eth0=$addr_a\$" "$T/monitor.txt" &&
                grep -q '"event":"created".*"name":"a".*"networks":\[{"name":"lab","ifname":"eth0"' \
                        "$T/monitor.json"
}
await "monitors: the created event names a's network and address" 10 monitor_says_a
check_run "a pings b" 0 inside a ping -c 1 -W 10 "${addr_b%/*}"
check_run "b pings a" 0 inside b ping -c 1 -W 10 "${addr_a%/*}"
id_a="nskeeper-a-$(ns_inode_of a net)"
check_eq "host-local's lease of a is keyed on its container ID" "$id_a" \
        "$(head -n 1 "$IPAM/lab/${addr_a%/*}" | tr -d '\r')"
# Of b: a Linux bridge takes the lowest of its ports' MACs, so a's result
# may name a bridge MAC that changed once b was attached (plugins 1.1.1).
check_run "check b: CHECK passes" 0 ctl check b
check_run "check of a set without networks" 0 ctl create plain -t uts
check_run "... passes" 0 ctl check plain
check_run "release plain" 0 ctl release plain

echo "# --- the state file keeps the results; a restart keeps them ---"
check_match "a's state file has lab with its result" "^network lab eth0 \{.*\"$addr_a\"" \
        "$(grep '^network ' "$RUNDIR/state/a")"
before=$(net_json a)
# b is fd-pinned and there is no fd store: it ends with the daemon, and
# its network is DELeted first, so its lease does not outlive it.
stop_daemon
check_eq "b's lease went with it, a's stays" "${addr_a%/*} " "$(leases)"
start_daemon --cni-conf-dir "$CONF" --cni-path "$PLUGINS:$CNI_BIN" || die "no daemon after restart"
check_eq "a comes back with its network as it was" "$before" "$(net_json a)"
check_run "a: CHECK after the restart" 0 ctl check a
check_run "a still answers on the bridge" 0 ping -c 1 -W 10 "${addr_a%/*}"
check_fails "b ended with the daemon" 1 "not found" ctl show b

echo "# --- check finds what changed ---"
inside a ip link set eth0 down
inside a ip addr flush dev eth0
check_fails "check a, its address removed from inside" 1 "network lab \(eth0\): plugin" ctl check a

echo "# --- release DELs ---"
check_run "release a" 0 ctl release a
check_eq "release said nothing more" "" "$ERR"
nothing_left "after release"

echo "# --- failures leave nothing ---"
check_fails "a chain whose second plugin fails" 1 \
        "network broken \(eth0\): plugin tuning: .*no_such_knob" ctl create bad -t net --network broken
check_fails "the set does not exist" 1 "not found" ctl show bad
nothing_left "failed chain"
check_fails "a second network that fails" 1 "network broken \(eth1\): plugin tuning" \
        ctl create two -t net --network lab --network broken:eth1
nothing_left "failed second network (the first was DELeted)"
check_fails "an unknown network" 1 "network nope \(eth0\): no network 'nope' in $CONF" \
        ctl create bad -t net --network nope
nothing_left "unknown network"
check_fails "a network needs a net namespace" 1 "a network needs a new net namespace" \
        ctl create bad -t uts --network lab
check_fails "two networks on one interface" 1 "both name interface eth0" \
        ctl create bad -t net --network lab:eth0 --network lab:eth0
check_run "a network without IFNAME gets the first ethN no other one names" 0 \
        ctl create two -t net --network lab --network lab:eth0
check_eq "... eth1, then eth0" "eth1 eth0" "$(net_json two | jq -r '.[].ifname' | paste -sd' ')"
check_run "release two" 0 ctl release two
check_fails "an invalid network name" 2 "invalid network name" \
        ctl create bad -t net --network -lab
check_fails "an invalid interface name" 2 "invalid interface name" \
        ctl create bad -t net --network lab:a/b
check_fails "nine networks" 2 "at most 8 networks" ctl create bad -t net \
        --network lab:i1 --network lab:i2 --network lab:i3 --network lab:i4 --network lab:i5 \
        --network lab:i6 --network lab:i7 --network lab:i8 --network lab:i9
check_run "the name can be used" 0 ctl create bad -t net --network lab
check_run "release it" 0 ctl release bad
nothing_left "after that"

echo "# --- what plugins say is checked ---"
check_fails "a result with what is no address" 1 "network liar \(eth0\): its plugins' result is none" \
        ctl create bad -t net --network liar
check_true "... its ADD is undone: its DEL ran" test -e "$T/liar-del"
nothing_left "a result not kept"
run ctl create bad -t net --network noisy
check_eq "a plugin's failure fails the create" 1 "$RC"
check_match "... in its words" "plugin noisy: bad.\[31m.released victim" "$ERR"
check_eq "... on one line" 1 "$(printf '%s\n' "$ERR" | wc -l)"
check_eq "... without a control character" 0 \
        "$(printf '%s' "$ERR" | LC_ALL=C grep -c '[[:cntrl:]]')"
check_eq "the daemon's log has no escape of its" 0 \
        "$(LC_ALL=C grep -c $'\x1b' "$T/daemon.log")"
check_run "a plugin that leaves a process behind" 0 ctl create linger -t net --network lingering
check_true "... which did leave one" test -s "$T/linger.pid"
await "... which ended with the plugin" 10 pid_gone "$(cat "$T/linger.pid")"
check_run "release linger" 0 ctl release linger

echo "# --- a DEL that fails does not keep the set ---"
check_run "create d on stubborn" 0 ctl create d -t net --network stubborn
check_run "release d, whose DEL fails" 0 ctl release d
check_match "release says the DEL failed" \
        "released, but network stubborn \(eth0\): plugin stubborn: will not go" "$ERR"
check_fails "d is gone" 1 "not found" ctl show d
nothing_left "after the failed DEL"

echo "# --- DEL and CHECK use the configuration of the ADD ---"
check_run "create e on lab" 0 ctl create e -t net --network lab
mv "$CONF/10-lab.conflist" "$T/lab.moved"
printf '{"name":' >"$CONF/05-broken.conflist"
check_run "check e, lab's file gone" 0 ctl check e
check_run "release e, lab's file gone" 0 ctl release e
check_eq "... said nothing more: its DEL ran" "" "$ERR"
nothing_left "after a DEL with the saved configuration"
mv "$T/lab.moved" "$CONF/10-lab.conflist"
check_run "a broken file before lab's is skipped" 0 ctl create e -t net --network lab
check_fails "... and said when a network is not found" 1 "no network 'nope'.*skipped .*05-broken" \
        ctl create bad -t net --network nope
rm -f "$CONF/05-broken.conflist"

echo "# --- a set whose net pin was removed from outside ---"
umount "$(set_pin_path e net)"
check_run "release e at once: its DEL runs without a namespace" 0 ctl release e
check_eq "... said nothing more" "" "$ERR"
nothing_left "after the release of a set without its net pin"
check_run "create e2 on lab" 0 ctl create e2 -t net --network lab
umount "$(set_pin_path e2 net)"
is_damaged() {
        [ "$(set_json e2 | jq -r .state)" = damaged ]
}
await "e2 is found damaged" 10 is_damaged
check_fails "check e2 says why it cannot" 1 "net pin was removed from outside" ctl check e2
check_run "release e2" 0 ctl release e2
nothing_left "after e2"
check_fails "lo is not an interface for a network" 1 "lo is the namespace's loopback" \
        ctl create bad -t net --network lab:lo

echo "# --- a plugin that does not answer stalls no other client ---"
mkfifo "$T/gate"
ctl create slow -t net --network gated >"$T/slow.out" 2>&1 &
SLOW=$!
gated_running() {
        pgrep -f "$PLUGINS/gated" >/dev/null
}
await "the gated plugin runs" 10 gated_running
check_run "list answers meanwhile" 0 ctl list
check_run "another create works meanwhile" 0 ctl create other -t net --network lab
check_fails "release of the set at work is refused... it is not listed yet" 1 \
        "still being created" ctl release slow
check_fails "a second create of its name says it is at work" 1 \
        "a create of that name is still at work" ctl create slow -t net
check_true "the slow create still waits" kill -0 "$SLOW"
check_run "the gated plugin is let go" 0 timeout 10 sh -c 'echo go >"$1"' _ "$T/gate"
wait "$SLOW"
check_eq "then the slow create is done" 0 "$?"
check_run "release slow" 0 ctl release slow
check_run "release other" 0 ctl release other
rm -f "$T/gate"

echo "# --- a failed create whose state file cannot be removed is dead, not stuck ---"
# release-after-keeper fails (once) the removal of the state file when
# the create on broken is withdrawn.
stop_daemon
rm -f -- "$NSK_FAULT_DIR"/*
NSK_FAULTS="release-after-keeper=fail:EIO" start_daemon --cni-conf-dir "$CONF" \
        --cni-path "$PLUGINS:$CNI_BIN" || die "no daemon"
check_fails "a create on broken fails" 1 "network broken \(eth0\): plugin tuning" \
        ctl create w -t net --network broken
check_eq "w is listed, dead" dead "$(ctl list --json | jq -r '.[] | select(.name == "w") | .state')"
check_match "... saying why" "cannot remove its state file" \
        "$(ctl list --json | jq -r '.[] | select(.name == "w") | .state_reason')"
check_run "release w" 0 ctl release w
nothing_left "after w"

echo "# --- a stop during the DEL that undoes an unsaved ADD keeps the set for the next start ---"
# create-after-networks fails the save of the results: the ADD is undone
# by a DEL, which waits at its gate while the daemon is stopped.
stop_daemon
rm -f -- "$NSK_FAULT_DIR"/* "$T/deldoor-del"
mkfifo "$T/delgate"
NSK_FAULTS="create-after-networks=fail:EIO" start_daemon --cni-conf-dir "$CONF" \
        --cni-path "$PLUGINS:$CNI_BIN" || die "no daemon"
ctl create u -t net --network slowdel >"$T/u.out" 2>&1 &
U=$!
await "the DEL undoing its ADD waits" 10 test -e "$T/deldoor-del"
stop_daemon
wait "$U"
check_eq "that create failed" 1 "$?"
rm -f "$T/delgate"
start_daemon --cni-conf-dir "$CONF" --cni-path "$PLUGINS:$CNI_BIN" || die "no daemon"
check_eq "u is back, dead" dead "$(ctl list --json | jq -r '.[] | select(.name == "u") | .state')"
check_run "release u: its DEL runs now" 0 ctl release u
nothing_left "after u"

echo "# --- the daemon killed between the ADD and its saved result ---"
stop_daemon
rm -f -- "$NSK_FAULT_DIR"/*
NSK_FAULTS="create-after-networks=stop" start_daemon --cni-conf-dir "$CONF" \
        --cni-path "$PLUGINS:$CNI_BIN" || die "no daemon"
ctl create cut -t net --network lab >"$T/cut.out" 2>&1 &
CUT=$!
wait_fault create-after-networks
check_eq "the daemon stopped there" "$DAEMON_PID" "$FAULT_PID"
check_eq "the ADD made its lease" 1 "$(leases | wc -w)"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
wait "$CUT"
check_ne "the create got no answer" 0 "$?"
start_daemon --cni-conf-dir "$CONF" --cni-path "$PLUGINS:$CNI_BIN" || die "no daemon after the crash"
check_eq "the set comes back dead" dead "$(set_json cut | jq -r .state)"
check_match "... and says why" "cut short while its networks were attached" \
        "$(set_json cut | jq -r .state_reason)"
check_run "its release runs the DEL" 0 ctl release cut
nothing_left "after the crash and the release"

echo "# --- an fd-pinned set whose daemon was killed ---"
check_run "create f, fd-pinned, on lab" 0 ctl create f --pin fd --network lab
check_eq "its lease" 1 "$(leases | wc -w)"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
start_daemon --cni-conf-dir "$CONF" --cni-path "$PLUGINS:$CNI_BIN" || die "no daemon after SIGKILL"
check_eq "its namespace ended, but it comes back dead" dead "$(set_json f | jq -r .state)"
check_match "... and says why" "ended with the last daemon; release it to undo its networks" \
        "$(set_json f | jq -r .state_reason)"
check_eq "its lease outlived it" 1 "$(leases | wc -w)"
check_run "its release runs the DEL without a namespace" 0 ctl release f
nothing_left "after the fd set's release"

echo "# --- a stop during an fd-pinned set's CHECK still DELs its networks ---"
rm -f "$T/deldoor-check"
mkfifo "$T/checkgate"
check_run "create g, fd-pinned, on slowdel" 0 ctl create g --pin fd --network slowdel
check_eq "its lease" 1 "$(leases | wc -w)"
ctl check g >"$T/g.out" 2>&1 &
G=$!
await "its CHECK waits" 10 test -e "$T/deldoor-check"
stop_daemon
wait "$G"
check_match "the check was told the daemon stopped" "stopping" "$(cat "$T/g.out")"
rm -f "$T/checkgate"
check_eq "the stop DELeted its network: no lease left" "" "$(leases)"
start_daemon --cni-conf-dir "$CONF" --cni-path "$PLUGINS:$CNI_BIN" || die "no daemon"
check_fails "g ended with the daemon" 1 "not found" ctl show g
nothing_left "after g"

stop_daemon
ip link del "$BR" 2>/dev/null
done_testing
