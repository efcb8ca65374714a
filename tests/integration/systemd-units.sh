#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The units as built: @sbindir@ filled in, `systemd-analyze verify` silent,
# no option that would give the service a mount namespace of its own (its
# bind pins must be visible on the host), and the exposure score of
# `systemd-analyze security --offline=yes`, printed and held in bounds.
. "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null 2>&1 || skip "needs systemd-analyze (package systemd)"

service=$NSK_BUILDDIR/systemd/nskeeperd.service
socket=$NSK_SRCDIR/systemd/nskeeperd.socket
[ -f "$service" ] || hard_error "$service not built (make builds it)"

sbindir=$(sed -n 's/^sbindir = //p' "$NSK_BUILDDIR/Makefile")
prefix=$(sed -n 's/^prefix = //p' "$NSK_BUILDDIR/Makefile")
exec_prefix=$(sed -n 's/^exec_prefix = //p' "$NSK_BUILDDIR/Makefile")
exec_prefix=${exec_prefix//\$\{prefix\}/$prefix}
sbindir=${sbindir//\$\{exec_prefix\}/$exec_prefix}
check_eq "ExecStart= is \$(sbindir)/nskeeperd" "ExecStart=$sbindir/nskeeperd" \
        "$(grep '^ExecStart=' "$service")"
check_eq "nothing left to substitute" "" "$(grep -h '@[a-z_]*@' "$service" "$socket")"

# verify wants the binary to exist: copies that run the one just built.
mkdir -p "$T/units"
sed "s|^ExecStart=.*|ExecStart=$NSKEEPERD|" "$service" >"$T/units/nskeeperd.service"
cp "$socket" "$T/units/nskeeperd.socket"
# --man=no: the man page is only there once installed.
run systemd-analyze verify --man=no "$T/units/nskeeperd.socket" "$T/units/nskeeperd.service"
check_eq "systemd-analyze verify: exit status 0" 0 "$RC"
check_eq "systemd-analyze verify: says nothing" "" "$OUT$ERR"

for opt in ProtectSystem ProtectHome PrivateTmp PrivateDevices ProtectKernelTunables \
        ProtectKernelModules ProtectKernelLogs ProtectControlGroups ProtectProc ProcSubset \
        ReadWritePaths ReadOnlyPaths InaccessiblePaths ExecPaths NoExecPaths BindPaths \
        BindReadOnlyPaths TemporaryFileSystem RootDirectory RootImage MountImages \
        ExtensionImages DynamicUser LogNamespace PrivateIPC RuntimeDirectory \
        RestrictNamespaces PrivateUsers ProtectHostname ProtectClock; do
        check_eq "no $opt= in the service" "" "$(grep -E "^$opt=" "$service")"
done
# PrivateNetwork= would bring a mount namespace unless PrivateMounts=no.
check_eq "PrivateMounts=no (PrivateNetwork= implies a mount namespace otherwise)" \
        "PrivateMounts=no" "$(grep -E '^PrivateMounts=' "$service")"
check_eq "no RuntimeDirectory= in the socket (systemd would remove /run/nskeeper)" "" \
        "$(grep -E '^RuntimeDirectory=' "$socket")"
for want in Type=notify KillMode=process ListenSequentialPacket=/run/nskeeper/control \
        SocketMode=0600; do
        check_eq "$want" 1 "$(cat "$service" "$socket" | grep -cxF "$want")"
done

# The drop-in for networks (installed inactive) verifies too, and undoes
# exactly what plugins need undone.
dropin=$NSK_SRCDIR/systemd/nskeeperd-networks.conf
mkdir -p "$T/units-net/nskeeperd.service.d"
cp "$T/units/nskeeperd.service" "$T/units/nskeeperd.socket" "$T/units-net/"
cp "$dropin" "$T/units-net/nskeeperd.service.d/networks.conf"
run systemd-analyze verify --man=no "$T/units-net/nskeeperd.socket" \
        "$T/units-net/nskeeperd.service"
check_eq "with the networks drop-in: verify says nothing" "0" "$RC$OUT$ERR"
check_eq "the drop-in sets only PrivateNetwork, RestrictAddressFamilies, CapabilityBoundingSet" \
        "CapabilityBoundingSet PrivateNetwork RestrictAddressFamilies" \
        "$(grep -E '^[A-Za-z]+=' "$dropin" | cut -d= -f1 | sort | paste -sd' ')"

run systemd-analyze security --offline=yes --no-pager "$T/units/nskeeperd.service"
score=$(sed -n 's/.*Overall exposure level for nskeeperd.service: \([0-9.]*\).*/\1/p' <<<"$OUT")
echo "# systemd-analyze security --offline=yes: $(grep 'Overall exposure' <<<"$OUT")"
# What stays exposed ("✗", or "x" in the C locale).
grep -E '^(✗|x) ' <<<"$OUT" | sed 's/^/#   /'
check_match "a score is printed" '^[0-9]+\.[0-9]$' "$score"
# A root daemon that must mount and create namespaces stays exposed; the
# README explains each point. This catches hardening that goes missing.
check_true "the score is at most 5.0 ($score)" awk -v s="$score" 'BEGIN { exit !(s <= 5.0) }'
done_testing
