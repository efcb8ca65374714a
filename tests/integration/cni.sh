#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# CNI with the real plugins of Debian's containernetworking-plugins,
# through tests/nsk-cni (daemon/cni-child.c, as the daemon will run it):
# two net namespaces on one bridge network with host-local IPAM ping each
# other; CHECK passes; DEL leaves no veth and no lease; a chain whose
# second plugin fails leaves nothing behind. The host side is a net
# namespace of the test's own, so no bridge ever reaches the machine's.
CNI_BIN=/usr/lib/cni
if [ -z "${NSK_PRIVATE_NET:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "SKIP: ${0##*/}: needs root" >&2; exit 77; }
        for p in bridge host-local tuning; do
                [ -x "$CNI_BIN/$p" ] || {
                        echo "SKIP: ${0##*/}: no $CNI_BIN/$p (package containernetworking-plugins)" >&2
                        exit 77
                }
        done
        for tool in ip ping; do
                command -v "$tool" >/dev/null || { echo "SKIP: ${0##*/}: needs $tool" >&2; exit 77; }
        done
        exec unshare --mount --net --propagation private env NSK_PRIVATE_NET=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require_ns net

NSKCNI=$NSK_BUILDDIR/tests/nsk-cni
[ -x "$NSKCNI" ] || hard_error "$NSKCNI not built"
BR=nskcni$$
NET=nsk-test-lab
CONF=$T/conf
IPAM=$T/ipam

# The bridge dies with this net namespace anyway; removed on every exit
# all the same, before lib.sh's cleanup unmounts the pins.
end() {
        ip link del "$BR" 2>/dev/null
        cleanup "$1"
}
trap 'end $?' EXIT

ip link set lo up
mkdir -p "$CONF" "$IPAM" "$T/ns"
mount -t tmpfs -o mode=755 nsk-cni-ns "$T/ns" || die "cannot mount a tmpfs for the pins"
for n in a b; do
        touch "$T/ns/$n"
        unshare --net="$T/ns/$n" true || die "cannot pin a net namespace at $T/ns/$n"
done

# bridge, then tuning, which needs the bridge's result as prevResult.
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
      "isGateway": false,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "dataDir": "$IPAM",
        "ranges": [[{ "subnet": "192.0.2.0/24" }]]
      }
    },
    { "type": "tuning"$tuning }
  ]
}
EOF
}
conflist "$NET" "" >"$CONF/10-lab.conflist"
conflist nsk-test-broken ', "sysctl": { "net.ipv4.conf.eth1.no_such_knob": "1" }' \
        >"$CONF/20-broken.conflist"

leases() {
        find "$IPAM" -type f -name '192.0.2.*' -printf '%f\n' | sort | tr '\n' ' '
}
has_link() {
        ip link show "$1" >/dev/null 2>&1
}
veths() {
        ip -o link show type veth | awk -F': ' '{ print $2 }' | tr '\n' ' '
}

echo "# --- ADD ---"
for n in a b; do
        check_run "$n: ADD" 0 "$NSKCNI" add "$T/ns/$n" "$CONF" "$NET" eth1
        printf '%s\n' "$OUT" >"$T/$n.json"
        check_match "$n: the result has an address in 192.0.2.0/24" '^192\.0\.2\.[0-9]+/24$' \
                "$(jq -r '.ips[0].address' "$T/$n.json")"
        check_eq "$n: and names eth1 in the namespace" eth1 \
                "$(jq -r '.interfaces[.ips[0].interface].name' "$T/$n.json")"
        check_match "$n: eth1 is there" "192\.0\.2\." \
                "$(nsenter --net="$T/ns/$n" ip -o -4 addr show dev eth1)"
done
ip_a=$(jq -r '.ips[0].address' "$T/a.json" | cut -d/ -f1)
ip_b=$(jq -r '.ips[0].address' "$T/b.json" | cut -d/ -f1)
check_ne "two addresses" "$ip_a" "$ip_b"
check_eq "two leases" 2 "$(leases | wc -w)"
check_true "the bridge is there" has_link "$BR"
check_run "a pings b" 0 nsenter --net="$T/ns/a" ping -c 1 -W 10 "$ip_b"
check_run "b pings a" 0 nsenter --net="$T/ns/b" ping -c 1 -W 10 "$ip_a"

echo "# --- CHECK ---"
# Of b: the bridge plugin's CHECK compares the bridge's MAC with the one
# in the result, and a Linux bridge takes the lowest of its ports' MACs,
# so a's result may be stale once b is attached (plugins 1.1.1).
check_run "b: CHECK" 0 "$NSKCNI" check "$T/ns/b" "$CONF" "$NET" eth1 "$T/b.json"

echo "# --- DEL ---"
for n in a b; do
        check_run "$n: DEL" 0 "$NSKCNI" del "$T/ns/$n" "$CONF" "$NET" eth1 "$T/$n.json"
        check_fails "$n: no eth1 left in the namespace" 1 "" \
                nsenter --net="$T/ns/$n" ip link show eth1
done
check_eq "no veth left" "" "$(veths)"
check_eq "no lease left" "" "$(leases)"
check_run "DEL again is no error (the spec)" 0 "$NSKCNI" del "$T/ns/a" "$CONF" "$NET" eth1 \
        "$T/a.json"

echo "# --- a chain that fails ---"
check_fails "ADD with a failing tuning plugin" 1 "plugin tuning: .*no_such_knob" \
        "$NSKCNI" add "$T/ns/a" "$CONF" nsk-test-broken eth1
check_fails "no eth1 left in the namespace" 1 "" nsenter --net="$T/ns/a" ip link show eth1
check_eq "no veth left" "" "$(veths)"
check_eq "no lease left" "" "$(leases)"

echo "# --- lookup ---"
check_fails "an unknown network" 1 "no network 'nope' in $CONF" \
        "$NSKCNI" add "$T/ns/a" "$CONF" nope eth1

ip link del "$BR"
check_fails "the bridge is gone" 1 "" ip link show "$BR"
done_testing
