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

# complete_words "WORD|WORD|...": the same, with the words as bash splits
# the line itself, at a colon too ("net|:|/run" for net:/run).
complete_words() {
        PATH="$NSK_BUILDDIR/client:$PATH" bash -c '
                . "$1"
                . "$2/completion/nskeeperctl"
                IFS="|" read -r -a COMP_WORDS <<<"$3"
                case "$3" in *"|") COMP_WORDS+=("") ;; esac
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMP_LINE=${3//|/ }
                COMP_LINE=${COMP_LINE// : /:}
                COMP_POINT=${#COMP_LINE}
                _nskeeperctl
                printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "
        ' _ "$BC" "$NSK_SRCDIR" "$1"
}

check_eq "commands" "release run" "$(complete_line "nskeeperctl r")"
check_eq "commands: check" "check" "$(complete_line "nskeeperctl ch")"
check_eq "create options" "--type" "$(complete_line "nskeeperctl create x --ty")"
check_eq "create options: --network" "--network" "$(complete_line "nskeeperctl create x --netw")"
check_eq "join options" "--no-netns-mounts" "$(complete_line "nskeeperctl join x --no-n")"
check_eq "types after -t" "mnt" "$(complete_line "nskeeperctl create x -t m")"
check_eq "types in a comma list" "net,uts" "$(complete_line "nskeeperctl create x -t net,ut")"
check_eq "pin kinds" "bind" "$(complete_line "nskeeperctl create x --pin b")"
check_eq "set names for join" "alpha" "$(complete_line "nskeeperctl --socket $SOCK join al")"
check_eq "set names for release" "alpha beta" "$(complete_line "nskeeperctl --socket $SOCK release ")"
check_eq "a type after path NAME" "net" "$(complete_line "nskeeperctl --socket $SOCK path alpha ne")"
check_run "create gamma (uts, ipc)" 0 ctl create gamma -t uts,ipc
check_eq "after path NAME: only the types it has pins of" "ipc uts" \
        "$(complete_line "nskeeperctl --socket $SOCK path gamma ")"
# What join or run starts completes as that command would (its own
# completion, through bash-completion's _command_offset).
check_eq "join NAME ip ad: ip's own completion" "address addrlabel" \
        "$(complete_line "nskeeperctl --socket $SOCK join alpha ip addr" | tr ' ' '\n' | grep -x 'address\|addrlabel' | paste -sd' ')"
check_eq "join NAME -- ls -: ls's options, not join's" "" \
        "$(complete_line "nskeeperctl --socket $SOCK join alpha -- ls --" | tr ' ' '\n' | grep -x -- '--preserve-credentials')"
check_eq "exec NAME cmd: a command name" "true" \
        "$(complete_line "nskeeperctl --socket $SOCK exec alpha tru" | tr ' ' '\n' | grep -x true | sort -u)"
check_eq "short options too" "-p -r -t" \
        "$(complete_line "nskeeperctl create x -" | tr ' ' '\n' | grep -xE -- '-[tpr]' | paste -sd' ')"
check_eq "short options of join" "-h -t" "$(complete_line "nskeeperctl join x -" | tr ' ' '\n' | grep -xE -- '-[a-z]' | paste -sd' ')"
check_eq "set names for release, after a first one" "beta" \
        "$(complete_line "nskeeperctl --socket $SOCK release alpha b")"
check_eq "--socket after the command" "alpha" "$(complete_line "nskeeperctl release --socket $SOCK al")"
check_eq "set names for exec and pids" "alpha:alpha" \
        "$(complete_line "nskeeperctl --socket $SOCK exec al"):$(complete_line "nskeeperctl --socket $SOCK pids al")"
check_eq "release options" "--all" "$(complete_line "nskeeperctl release --a")"
check_eq "set names for check, more than one" "alpha beta gamma:beta" \
        "$(complete_line "nskeeperctl --socket $SOCK check "):$(complete_line "nskeeperctl --socket $SOCK check alpha b")"
check_eq "after --network NAME, the set's options again" "--no-loopback" \
        "$(complete_line "nskeeperctl create x --network lab --no-l")"
check_eq "create options: --pin-at" "--pin-at" "$(complete_line "nskeeperctl create x --pin-a")"
check_eq "create options: --release-with-pins" "--release-with-pins" \
        "$(complete_line "nskeeperctl create x --rel")"
check_eq "a type after --pin-at, with its colon" "net:" \
        "$(complete_line "nskeeperctl create x --pin-at n")"
check_eq "no 'all' after --pin-at" "" "$(complete_line "nskeeperctl create x --pin-at al")"
mkdir -p "$T/pindir"
# Bash replaces what follows the colon: the path alone is offered.
check_eq "a path after --pin-at TYPE:" "$T/pindir/" \
        "$(complete_line "nskeeperctl create x --pin-at net:$T/pind")"
check_eq "... as bash splits the words at the colon" "$T/pindir/" \
        "$(complete_words "nskeeperctl|create|x|--pin-at|net|:|$T/pind")"
check_eq "after --pin-at TYPE:PATH, the set's options again" "--no-loopback" \
        "$(complete_words "nskeeperctl|create|x|--pin-at|net|:|/run/x|--no-l")"
check_eq "commands after help" "identify" "$(complete_line "nskeeperctl help id")"
check_eq "list columns" "NAME,NPROCS" "$(complete_line "nskeeperctl list -o NAME,NP")"
check_eq "list columns in lower case" "name,nprocs" "$(complete_line "nskeeperctl list -o name,np")"
check_eq "list columns in mixed case" "nprocs" "$(complete_line "nskeeperctl list -o nP")"
check_eq "list columns after +" "+keeper" "$(complete_line "nskeeperctl list -o +ke")"
check_eq "list options" "--output --output-all" "$(complete_line "nskeeperctl list --out")"
check_eq "set names for list, more than one" "alpha" \
        "$(complete_line "nskeeperctl --socket $SOCK list beta al")"

for n in alpha beta; do check_run "release $n" 0 ctl release "$n"; done
stop_daemon
done_testing
