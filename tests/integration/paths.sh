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
refused "a relative socket path" "not an absolute path" "$T/ok/run3" --socket control
check_eq "nothing was mounted by the refused daemons" "" "$(mounts_under "$T")"
check_eq "nor made in the user's directory" "" "$(ls -A "$T/alice")"

# A sticky world-writable directory on the way (as /tmp) is fine: no one
# else can replace root's entries in it.
RUNDIR=$T/sticky/run
SOCK=$RUNDIR/control
start_daemon || die "a runtime dir below a sticky directory was refused"
check_run "it serves" 0 ctl create p1 -t net
check_run "and releases" 0 ctl release p1
stop_daemon

done_testing
