#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon works only in directories that are root's all the way down:
# a runtime directory, socket directory or --netns-dir below a directory
# another user owns or may write to, or reached through a symbolic link,
# is refused at start, before anything is mounted. (Such a user could
# swap a component for a symlink and turn the daemon's mounts, unmounts
# and the paths it hands to clients towards anything.)
. "$(dirname "$0")/lib.sh"

# nskd DIR [ARGS...]: a daemon on runtime directory DIR that must refuse
# to start; its output in $OUT/$ERR, status in $RC.
nskd() {
        local dir=$1
        shift
        run timeout -k 2 "$((10 * NSK_SLOW))" "$NSKEEPERD" --runtime-dir "$dir" \
                --spawner "$NSK_SPAWNER" "$@"
}
refused() {
        local desc=$1 re=$2
        shift 2
        nskd "$@"
        check_eq "$desc: the daemon does not start" 1 "$RC"
        check_match "$desc: it says why" "$re" "$ERR"
}

install -d -m 0755 -o 4242 -g 4242 "$T/alice"
install -d -m 0755 "$T/real" "$T/gw" "$T/sticky" "$T/ok"
chmod 0775 "$T/gw"
chmod 1777 "$T/sticky"
ln -s "$T/real" "$T/link"

refused "runtime dir below a user's directory" "'alice' on the way is owned by uid 4242" \
        "$T/alice/run" --socket "$T/ok/s1"
refused "runtime dir through a symlink" "'link' on the way is a symbolic link" \
        "$T/link/run" --socket "$T/ok/s2"
refused "runtime dir below a group-writable directory" "'gw' on the way is writable by others" \
        "$T/gw/run" --socket "$T/ok/s3"
refused "a world-writable runtime dir, sticky or not" "'sticky' on the way is writable by others" \
        "$T/sticky" --socket "$T/ok/s4"
refused "a socket in a user's directory" "'alice' on the way is owned by uid 4242" \
        "$T/ok/run1" --socket "$T/alice/control"
refused "--netns-dir below a user's directory" "'alice' on the way is owned by uid 4242" \
        "$T/ok/run2" --socket "$T/ok/s5" --netns-dir "$T/alice/netns"
nskd "$T/ok/run3" --socket "$T/ok/s6" --netns-dir netns
check_eq "a relative --netns-dir is a usage error" 2 "$RC"
check_match "... that says so" "absolute path" "$ERR"
check_eq "nothing was mounted by the refused daemons" "" "$(mounts_under "$T")"

# What is missing of a --netns-dir is made root's at start, so no one can
# put a symlink on the way before the first --ip-netns create.
start_daemon --netns-dir "$T/ok/later/netns" || die "no daemon with a --netns-dir still to make"
check_eq "the --netns-dir was made at start, root's" "0 755 0 755" \
        "$(stat -c '%u %a' "$T/ok/later" "$T/ok/later/netns" | tr '\n' ' ' | sed 's/ $//')"
stop_daemon
check_eq "nor made in the user's directory" "" "$(ls -A "$T/alice")"

# A sticky world-writable directory on the way (as /tmp) is fine: no one
# else can replace root's entries in it.
RUNDIR=$T/sticky/run
SOCK=$RUNDIR/control
start_daemon || die "a runtime dir below a sticky directory was refused"
check_run "it serves" 0 ctl create p1 -t net
check_run "and releases" 0 ctl release p1

echo "# --- adopt --from-path opens only namespaces ---"
# A writer blocks in open(2) of a FIFO until a reader opens it: had the
# daemon opened the path to look at it, the writer would have been woken
# (before the daemon answered) to go on, and would never wait there again.
mkfifo "$T/fifo"
(exec 3>"$T/fifo" && echo opened >"$T/opened") &
writer=$!
EXTRA_PIDS+=("$writer")
# The writer sleeps in open(2) of the FIFO, waiting for a reader.
writer_waits() {
        sleeps_in "$writer" wait_for_partner fifo_open
}
await "the writer waits for a reader of the FIFO" 5 writer_waits
check_fails "adopt --from-path of a FIFO" 1 "is not a namespace" ctl adopt f --from-path "$T/fifo"
if ! writer_waits || [ -e "$T/opened" ]; then
        fail "the daemon did not open the FIFO" "a writer waiting on it went on"
else
        ok "the daemon did not open the FIFO (its writer still waits)"
fi
check_fails "adopt --from-path of a device" 1 "is not a namespace" ctl adopt f --from-path /dev/null
check_fails "adopt --from-path of nothing" 1 "cannot open .*No such file" \
        ctl adopt f --from-path "$T/nothing"
check_run "adopt --from-path of a namespace still works" 0 \
        ctl adopt f --from-path /proc/self/ns/net -t net
check_run "release f" 0 ctl release f
kill_pid "$writer"

echo "# --- pins are public, like /run/netns: what that gives another user ---"
# Any local user may open a pin (nskeeperd(8), SECURITY): it learns the
# namespace's identity and owner, but entering it takes privilege over
# the namespace's user namespace, which another user does not have.
command -v setpriv >/dev/null || skip "needs setpriv(1) (util-linux)"
NSINFO=$(world_copy "$NSK_BUILDDIR/tests/nsk-nsinfo") || hard_error "cannot copy nsk-nsinfo"
chmod 0711 "$T/sticky" "$RUNDIR"
check_run "root creates pub" 0 ctl create pub -t net,uts,mnt
for t in net uts mnt; do
        pin=$(ctl path pub "$t")
        opt=--$t
        [ "$t" = mnt ] && opt=--mount
        check_match "another user can open the $t pin (it is public)" "^$t [0-9]+ " \
                "$(setpriv --reuid 4444 --regid 4444 --clear-groups "$NSINFO" "$pin" 2>&1)"
        check_fails "... but cannot enter it" 1 "Operation not permitted" \
                setpriv --reuid 4444 --regid 4444 --clear-groups nsenter "$opt=$pin" true
done
check_run "release pub" 0 ctl release pub
stop_daemon

done_testing
