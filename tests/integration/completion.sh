#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bash completion: commands, options, types (in comma lists) and the names
# of the sets the daemon has.
. "$(dirname "$0")/lib.sh"
BC=/usr/share/bash-completion/bash_completion
[ -r "$BC" ] || skip "needs the bash-completion package ($BC)"

start_daemon || die "no daemon"
check_run "create alpha" 0 ctl create alpha -t net
check_run "create beta" 0 ctl create beta -t net

# complete_line "nskeeperctl ... CUR": what completion offers for the last word.
complete_line() {
        PATH="$NSK_BUILDDIR/client:$PATH" bash -c '
                . "$1"
                . "$2/completion/nskeeperctl"
                read -r -a COMP_WORDS <<<"$3"
                case "$3" in *" ") COMP_WORDS+=("") ;; esac
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMP_LINE=$3
                COMP_POINT=${#COMP_LINE}
                _nskeeperctl
                printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "
        ' _ "$BC" "$NSK_SRCDIR" "$1"
}

check_eq "commands" "release run" "$(complete_line "nskeeperctl r")"
check_eq "create options" "--type" "$(complete_line "nskeeperctl create x --ty")"
check_eq "join options" "--no-netns-mounts" "$(complete_line "nskeeperctl join x --no-n")"
check_eq "types after -t" "mnt" "$(complete_line "nskeeperctl create x -t m")"
check_eq "types in a comma list" "net,uts" "$(complete_line "nskeeperctl create x -t net,ut")"
check_eq "pin kinds" "bind" "$(complete_line "nskeeperctl create x --pin b")"
check_eq "set names for join" "alpha" "$(complete_line "nskeeperctl --socket $SOCK join al")"
check_eq "set names for release" "alpha beta" "$(complete_line "nskeeperctl --socket $SOCK release ")"
check_eq "a type after path NAME" "net" "$(complete_line "nskeeperctl --socket $SOCK path alpha ne")"
check_eq "list columns" "NAME,NPROCS" "$(complete_line "nskeeperctl list -o NAME,NP")"

for n in alpha beta; do check_run "release $n" 0 ctl release "$n"; done
stop_daemon
done_testing
