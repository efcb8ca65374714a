#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# nskeeper-pinns as CRI-O's pinns_path, against a real daemon, replaying
# what CRI-O's namespace manager (internal/config/nsmgr) does for a pod:
# the namespaces directory and its TYPEns directories; for a pod with a
# user namespace, each pin file made and chowned to the pod's root first;
# the argument vector it builds (sysctls, --TYPE, --TYPE=host, the
# mappings); the check it makes of each pin (a namespace of that type);
# and its cleanup, umount2(MNT_DETACH) then the file, which must release
# the set with nothing left. Between the two, a daemon restart changes
# nothing, and runc starts a container joining the pod's namespaces.
. "$(dirname "$0")/lib.sh"
require_ns net uts ipc user
command -v python3 >/dev/null || skip "needs python3 (the pins' checks use ioctl)"
command -v runc >/dev/null || skip "needs runc (package runc) to start containers in the pods"
[ -x /bin/busybox ] || skip "needs /bin/busybox (package busybox-static) for a container's root"

PINNS=$NSK_BUILDDIR/client/nskeeper-pinns
[ -x "$PINNS" ] || hard_error "$PINNS not built"
export NSKEEPER_SOCKET=$SOCK
NSDIR=$T/crio-ns # CRI-O's namespaces_dir

# CRI-O's GetNamespace: a namespace file of the type it asked for.
# nstype PATH: "net", "uts", ... as NS_GET_NSTYPE says.
nstype() {
        python3 - "$1" <<'EOF'
import fcntl, os, sys
NS_GET_NSTYPE = 0xb703
names = {0x40000000: "net", 0x04000000: "uts", 0x08000000: "ipc", 0x10000000: "user",
         0x02000000: "cgroup", 0x00020000: "mnt", 0x20000000: "pid"}
fd = os.open(sys.argv[1], os.O_RDONLY)
print(names.get(fcntl.ioctl(fd, NS_GET_NSTYPE), "?"))
EOF
}
# owner PATH: the inode of the user namespace that owns the namespace at PATH.
owner() {
        python3 - "$1" <<'EOF'
import fcntl, os, sys
NS_GET_USERNS = 0xb701
fd = os.open(sys.argv[1], os.O_RDONLY)
print(os.fstat(fcntl.ioctl(fd, NS_GET_USERNS)).st_ino)
EOF
}
inode() {
        stat -L -c %i "$1"
}
pin() { # TYPE ID: where CRI-O expects it
        echo "$NSDIR/$1ns/$2"
}
# CRI-O's Namespace.Remove for each pin of a pod.
crio_cleanup() {
        local id=$1 t
        shift
        for t in "$@"; do
                umount -l "$(pin "$t" "$id")" 2>/dev/null
                rm -f "$(pin "$t" "$id")"
        done
}
set_gone() {
        ! in_list "$1"
}

start_daemon || die "no daemon"

# nsmgr.Initialize: the directory and one per type it pins.
mkdir -p "$NSDIR"
for t in ipc net user uts; do
        mkdir -p "$NSDIR/${t}ns"
done

echo "# --- a pod without a user namespace, with sysctls ---"
A=0e8a1c2c-6d4f-4a55-9f00-1b2c3d4e5f60
check_run "pinns -d DIR -f ID -s ... --ipc --uts --net" 0 "$PINNS" -d "$NSDIR" -f "$A" \
        -s net.ipv4.ip_unprivileged_port_start=0 -s kernel.shm_rmid_forced=1 --ipc --uts --net
check_eq "it prints nothing" "" "$OUT$ERR"
for t in ipc uts net; do
        check_eq "$t: a $t namespace at $(pin "$t" "$A")" "$t" "$(nstype "$(pin "$t" "$A")")"
        check_eq "$t: the one set crio-$A lists" "$(ns_inode_of "crio-$A" "$t")" \
                "$(inode "$(pin "$t" "$A")")"
done
check_eq "the sysctls, inside (net)" 0 \
        "$(nsenter --net="$(pin net "$A")" cat /proc/sys/net/ipv4/ip_unprivileged_port_start)"
check_eq "the sysctls, inside (ipc)" 1 \
        "$(nsenter --ipc="$(pin ipc "$A")" cat /proc/sys/kernel/shm_rmid_forced)"
check_eq "loopback left down, as pinns leaves it" DOWN \
        "$(nsenter --net="$(pin net "$A")" ip -o link show lo | grep -o 'state [A-Z]*' | cut -d' ' -f2)"
check_eq "owned by the host's user namespace" "$(inode /proc/self/ns/user)" \
        "$(owner "$(pin net "$A")")"

echo "# --- a pod with a user namespace: pin files made and chowned first ---"
B=11111111-2222-3333-4444-555555555555
for t in ipc uts user net; do
        : >"$(pin "$t" "$B")"
        chown 100000:100000 "$(pin "$t" "$B")"
done
check_run "pinns ... --ipc --uts --user --net --uid-mapping= --gid-mapping=" 0 "$PINNS" \
        -d "$NSDIR" -f "$B" --ipc --uts --user --net \
        --uid-mapping=0-100000-65536@ --gid-mapping=0-100000-65536@65536-2000-1@
for t in ipc uts user net; do
        check_eq "$t: a $t namespace at the chowned file" "$t" "$(nstype "$(pin "$t" "$B")")"
done
userns=$(inode "$(pin user "$B")")
for t in ipc uts net; do
        check_eq "$t: owned by the pod's user namespace" "$userns" "$(owner "$(pin "$t" "$B")")"
done
check_eq "the uid map" "0 100000 65536" \
        "$(nsenter --user="$(pin user "$B")" cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')"
check_eq "the gid map, two lines" "0 100000 65536;65536 2000 1" \
        "$(nsenter --user="$(pin user "$B")" cat /proc/self/gid_map | tr -s ' ' |
                sed 's/^ //' | paste -sd';')"

echo "# --- a host-network pod, and the older one-argument sysctls ---"
C=33333333-2222-3333-4444-555555555555
check_run "pinns ... -s 'K=V'+'K=V' --ipc --uts --net=host" 0 "$PINNS" -d "$NSDIR" -f "$C" \
        -s "'kernel.msgmax=16384'+'kernel.shm_rmid_forced=1'" --ipc --uts --net=host
check_eq "net: the caller's own at the pin" "$(inode /proc/self/ns/net)" \
        "$(inode "$(pin net "$C")")"
check_eq "the set has ipc and uts only" "ipc uts" "$(set_types "crio-$C")"
check_eq "both sysctls, inside" "16384 1" \
        "$(nsenter --ipc="$(pin ipc "$C")" cat /proc/sys/kernel/msgmax /proc/sys/kernel/shm_rmid_forced | paste -sd' ')"

echo "# --- older callers: cgroup and mnt ---"
M=66666666-2222-3333-4444-555555555555
check_run "pinns ... --cgroup --mnt --uts" 0 "$PINNS" -d "$NSDIR" -f "$M" --cgroup --mnt --uts
check_true "DIR/mntns is an unbindable mount (a mount namespace pins only there)" \
        grep -q " $NSDIR/mntns .* unbindable " /proc/self/mountinfo
for t in cgroup mnt uts; do
        check_eq "$t: a $t namespace at $(pin "$t" "$M")" "$t" "$(nstype "$(pin "$t" "$M")")"
done
crio_cleanup "$M" cgroup mnt uts
await "... released by the cleanup" 10 set_gone "crio-$M"
umount -l "$NSDIR/mntns" 2>/dev/null

echo "# --- what pinns refuses ---"
D=44444444-2222-3333-4444-555555555555
check_fails "a net sysctl for the host's network" 1 "needs a new net namespace" \
        "$PINNS" -d "$NSDIR" -f "$D" --ipc --net=host -s net.ipv4.ip_forward=1
check_true "... leaves no pin of the host's network" test ! -e "$(pin net "$D")"
check_fails "... and no set" 1 "not found" ctl show "crio-$D"
: >"$(pin net "$D")"
check_fails "the same where CRI-O made the file" 1 "needs a new net namespace" \
        "$PINNS" -d "$NSDIR" -f "$D" --ipc --net=host -s net.ipv4.ip_forward=1
check_true "... leaves its file, unmounted" \
        sh -c '[ -f "$1" ] && ! mountpoint -q "$1"' _ "$(pin net "$D")"
rm -f "$(pin net "$D")"
check_fails "a user namespace without mappings" 1 "mappings not specified" \
        "$PINNS" -d "$NSDIR" -f "$D" --user --net
check_fails "mappings without a user namespace" 1 "without creating a new user namespace" \
        "$PINNS" -d "$NSDIR" -f "$D" --net --uid-mapping=0-1-1@ --gid-mapping=0-1-1@
check_fails "no namespace" 1 "No namespace specified" "$PINNS" -d "$NSDIR" -f "$D"
check_fails "no directory" 1 "Path for pinning namespaces not specified" "$PINNS" -f "$D" --net
check_fails "a relative directory" 1 "absolute directory" "$PINNS" -d crio-rel -f "$D" --net
check_true "... made nothing" test ! -e crio-rel
check_fails "sysctls with every namespace the host's" 1 "every one asked for is the host's" \
        "$PINNS" -d "$NSDIR" -f "$D" --net=host -s net.ipv4.ip_forward=1
check_fails "an unknown option: one line" 1 "^nskeeper-pinns: unknown option or missing argument: '--bogus'" \
        "$PINNS" -d "$NSDIR" -f "$D" --net --bogus
check_fails "a pod ID in use" 1 "crio-$A: already exists" "$PINNS" -d "$NSDIR" -f "$A" --net
E=55555555-2222-3333-4444-555555555555
: >"$(pin net "$E")"
mount --bind /proc/self/ns/net "$(pin net "$E")"
check_fails "a pin file with a namespace in it already" 1 "mounted there already" \
        "$PINNS" -d "$NSDIR" -f "$E" --net
check_eq "... which stays as it was" "$(inode /proc/self/ns/net)" "$(inode "$(pin net "$E")")"
check_fails "a second pin refused so" 1 "mounted there already" \
        ctl create e2 -t ipc,net --pin-at "ipc:$T/e2-ipc" --pin-at "net:$(pin net "$E")"
check_true "... takes the first, and the file it made for it, away" test ! -e "$T/e2-ipc"
crio_cleanup "$E" net
check_eq "nothing made by the refusals" "crio-$A crio-$B crio-$C" "$(list_names)"

echo "# --- attacks on the pins' paths ---"
F=77777777-2222-3333-4444-555555555555
mkfifo "$(pin net "$F")"
check_fails "a FIFO where a pin goes: refused, not waited on" 1 "is not a regular file" \
        "$PINNS" -d "$NSDIR" -f "$F" --net
check_run "... and the daemon answers" 0 ctl list
rm -f "$(pin net "$F")"
install -d -o nobody "$T/nobodys"
check_fails "a directory on the way that is another user's" 1 "$T/nobodys is not root's alone" \
        "$PINNS" -d "$T/nobodys/ns" -f "$F" --net
ln -s "$NSDIR" "$T/link"
chown -h nobody "$T/link"
check_fails "a symlink on the way that is another user's" 1 "$T/link is not root's alone" \
        "$PINNS" -d "$T/link" -f "$F" --net
ln -s "$NSDIR" "$T/ulink"
chown -h nobody "$T/ulink"
ln -s "$T/ulink" "$T/rlink"
check_fails "root's symlink through another user's symlink" 1 "$T/ulink is not root's alone" \
        "$PINNS" -d "$T/rlink" -f "$F" --net
check_eq "... nothing made by them" "crio-$A crio-$B crio-$C" "$(list_names)"
# A mount over a creator's pin stays there: the set's own pin is apart.
: >"$T/empty"
mount --bind "$T/empty" "$(pin net "$A")"
check_eq "a mount over pod A's net pin does not reach the set's own" \
        "$(ns_inode_of "crio-$A" net)" "$(inode "$(set_pin_path "crio-$A" net)")"
umount "$(pin net "$A")"
# What was mounted at a path before a pin went on top is not the set's.
G=88888888-2222-3333-4444-555555555555
: >"$(pin uts "$G")"
mount --bind "$T/empty" "$(pin uts "$G")"
check_run "pinns over a bind mount of an empty file" 0 "$PINNS" -d "$NSDIR" -f "$G" --uts
check_run "release it (not CRI-O's cleanup)" 0 ctl release "crio-$G"
check_true "... the mount under its pin stays" mountpoint -q "$(pin uts "$G")"
check_eq "... and is no namespace" "$(inode "$T/empty")" "$(inode "$(pin uts "$G")")"
umount "$(pin uts "$G")"
rm -f "$(pin uts "$G")"
# An fd set's pins at its creator's paths end with it when the daemon is
# killed: the next start removes them with its state file.
check_run "an fd set pinned at a creator's path" 0 ctl create fdp -t uts --pin fd \
        --pin-at "uts:$T/fdpin"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
start_daemon || die "no daemon after SIGKILL"
check_fails "... gone after the restart" 1 "not found" ctl show fdp
check_ne "... and so is its pin (the file stays, no namespace)" "$(stat -c %d /proc/self/ns/net)" \
        "$(stat -c %d "$T/fdpin")"

echo "# --- runc starts containers in the pods' namespaces ---"
{
        # The container's root runs as 100000 in pod B: the way to the
        # bundle must be open to it.
        chmod go+x "$T"
        mkdir -p "$T/bundle/rootfs/bin" "$T/bundle/rootfs/proc" "$T/bundle/rootfs/dev" \
                "$T/bundle/rootfs/sys"
        cp /bin/busybox "$T/bundle/rootfs/bin/"
        ln -s busybox "$T/bundle/rootfs/bin/sh"
        ln -s busybox "$T/bundle/rootfs/bin/readlink"
        (cd "$T/bundle" && runc spec) || hard_error "runc spec failed"
        mv "$T/bundle/config.json" "$T/spec.json"
        # bundle ID NSJSON [MAPPINGS]: a config whose process prints its
        # namespaces, joining those NSJSON names.
        bundle() {
                jq --argjson ns "$2" --argjson maps "${3:-null}" '
                        .process.terminal = false |
                        .process.args = ["/bin/sh", "-c",
                                "for t in user net ipc uts; do readlink /proc/self/ns/$t; done"] |
                        .linux.namespaces = ([{"type": "pid"}, {"type": "mount"}] + $ns) |
                        del(.hostname) |
                        if $maps then .linux.uidMappings = $maps | .linux.gidMappings = $maps
                        else . end' "$T/spec.json" >"$T/bundle/config.json"
        }
        ns_a=$(jq -n --arg n "$(pin net "$A")" --arg i "$(pin ipc "$A")" --arg u "$(pin uts "$A")" \
                '[{"type":"network","path":$n},{"type":"ipc","path":$i},{"type":"uts","path":$u}]')
        bundle "$A" "$ns_a"
        run runc --root "$T/runc" run --bundle "$T/bundle" "nsk-a-$$"
        check_eq "runc: the container of pod A ran" 0 "$RC"
        check_eq "... in pod A's net, ipc and uts namespaces" \
                "$(for t in net ipc uts; do ns_inode_of "crio-$A" "$t"; done | paste -sd' ')" \
                "$(printf '%s\n' "$OUT" | sed -n '2,4p' | tr -dc '0-9\n' | paste -sd' ')"
        chown -R 100000:100000 "$T/bundle/rootfs"
        ns_b=$(jq -n --arg U "$(pin user "$B")" --arg n "$(pin net "$B")" \
                --arg i "$(pin ipc "$B")" --arg u "$(pin uts "$B")" \
                '[{"type":"user","path":$U},{"type":"network","path":$n},{"type":"ipc","path":$i},{"type":"uts","path":$u}]')
        bundle "$B" "$ns_b" '[{"containerID":0,"hostID":100000,"size":65536}]'
        run runc --root "$T/runc" run --bundle "$T/bundle" "nsk-b-$$"
        check_eq "runc: the container of pod B ran" 0 "$RC"
        check_eq "... in pod B's user, net, ipc and uts namespaces" \
                "$(for t in user net ipc uts; do ns_inode_of "crio-$B" "$t"; done | paste -sd' ')" \
                "$(printf '%s\n' "$OUT" | sed -n '1,4p' | tr -dc '0-9\n' | paste -sd' ')"
}

echo "# --- a daemon restart in between changes nothing ---"
before=$(ctl list --json | jq -c '[.[] | {name, namespaces: [.namespaces[] | .inode]}]')
stop_daemon
start_daemon || die "no daemon after restart"
check_eq "the same sets with the same namespaces" "$before" \
        "$(ctl list --json | jq -c '[.[] | {name, namespaces: [.namespaces[] | .inode]}]')"
for t in ipc uts net; do
        check_eq "$t: pod A's pin is still its namespace" "$(ns_inode_of "crio-$A" "$t")" \
                "$(inode "$(pin "$t" "$A")")"
done
# scan_seen: a scan of the mount table is seen to happen after what was
# unmounted before: a probe set whose pin goes is released by one (which
# reads the whole table, so it also sees what went before the probe's).
scan_seen() {
        check_run "create probe, released with its pin" 0 ctl create probe -t uts \
                --pin-at "uts:$T/probe" --release-with-pins
        umount -l "$T/probe" && rm -f "$T/probe"
        await "probe: released by a scan of the mount table" 10 set_gone probe
}
# The pods' sets must not be released by it.
scan_seen
check_eq "after that scan, the pods' sets are as they were" "$before" \
        "$(ctl list --json | jq -c '[.[] | {name, namespaces: [.namespaces[] | .inode]}]')"

echo "# --- CRI-O's cleanup releases each set ---"
crio_cleanup "$A" ipc uts
scan_seen
check_true "pod A with one pin left is still there" in_list "crio-$A"
crio_cleanup "$A" net
await "pod A: released once its last pin is gone" 10 set_gone "crio-$A"
crio_cleanup "$B" ipc uts user net
await "pod B: released" 10 set_gone "crio-$B"
crio_cleanup "$C" ipc uts net
await "pod C: released" 10 set_gone "crio-$C"
check_eq "nothing listed" "[]" "$(ctl list --json | jq -c .)"
check_eq "no pin of the daemon's left" "" "$(pins)"
check_eq "no state file left" "" "$(ls -A "$RUNDIR/state")"
check_eq "no pin file of CRI-O's left" "" "$(find "$NSDIR" -type f)"
check_match "the log says why" "its pins at its creator's paths are gone; releasing it" \
        "$(cat "$T/daemon.log")"

stop_daemon
done_testing
