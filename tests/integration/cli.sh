#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command-line surface: --help and --version of both programs (and
# nskeeper-pinns --help), list in text and JSON, show in text and JSON,
# the socket from $NSKEEPER_SOCKET.
. "$(dirname "$0")/lib.sh"
require_ns net uts ipc

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$NSK_BUILDDIR/config.h" 2>/dev/null)
[ -n "$version" ] ||
        version=$(sed -n 's/^AC_INIT(\[nskeeper\], *\[\([^]]*\)\].*/\1/p' "$NSK_SRCDIR/configure.ac")

# help_options: the long options a --help on stdin describes (lines that
# start with one), one per line.
help_options() {
        grep -oE -- '^ +(-[a-zA-Z], +)?--[a-z][a-z-]+' | grep -oE -- '--[a-z-]+' | sort -u
}

echo "# --- nskeeperd --help / --version ---"
# Always with a private --runtime-dir and --socket: should --help ever start
# a daemon, it must not be on the real /run/nskeeper.
# shellcheck disable=SC2317  # called through check_run
nskd() {
        timeout -k 2 5 "$NSKEEPERD" --socket "$SOCK" --runtime-dir "$RUNDIR" --spawner "$NSK_SPAWNER" "$@"
}
check_run "nskeeperd --help exits 0" 0 nskd --help
check_ne "nskeeperd --help prints to stdout" "" "$OUT"
for opt in --socket --runtime-dir --log-level --version --help; do
        check_match "nskeeperd --help mentions $opt" "(^|[^a-z-])$opt([^a-z-]|$)" "$OUT"
done
# Every long option --help names is in the man page's SYNOPSIS.
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$NSK_SRCDIR/daemon/nskeeperd.8" | sed 's/\\-/-/g')
opts=$(help_options <<<"$OUT")
check_true "nskeeperd --help describes 15 long options or more" test "$(wc -w <<<"$opts")" -ge 15
for opt in $opts; do
        check_match "nskeeperd(8) SYNOPSIS has $opt" "(^|[^a-z-])$opt([^a-z-]|$)" "$synopsis"
done
check_run "nskeeperd --version exits 0" 0 nskd --version
check_match "nskeeperd --version prints $version" "(^|[^0-9.])${version//./\\.}([^0-9.]|$)" "$OUT"
check_true "nskeeperd --help and --version made no runtime dir" test ! -e "$RUNDIR"
run nskd --no-such-option
check_ne "nskeeperd --no-such-option fails" 0 "$RC"
check_ne "nskeeperd --no-such-option says why on stderr" "" "$ERR"

echo "# --- nskeeper-pinns --help ---"
check_run "nskeeper-pinns --help exits 0" 0 "$NSK_BUILDDIR/client/nskeeper-pinns" --help
# Every option it describes is in its man page.
page=$(sed 's/\\-/-/g' "$NSK_SRCDIR/client/nskeeper-pinns.8")
opts=$(help_options <<<"$OUT")
check_true "nskeeper-pinns --help describes 10 long options or more" test "$(wc -w <<<"$opts")" -ge 10
for opt in $opts; do
        check_match "nskeeper-pinns(8) describes $opt" "^\.B[IR]? \"?(-[a-zA-Z], )?$opt([^a-z-]|$)" "$page"
done

echo "# --- nskeeperctl --help / --version ---"
check_run "nskeeperctl --help exits 0" 0 "$NSKEEPERCTL" --help
check_ne "nskeeperctl --help prints to stdout" "" "$OUT"
help=$OUT
for cmd in create join list show release check path; do
        check_match "nskeeperctl --help mentions the command $cmd" "(^|[^a-z-])$cmd([^a-z-]|$)" "$help"
done
for opt in --socket --type --pin --json; do
        check_match "nskeeperctl --help mentions $opt" "(^|[^a-z-])$opt([^a-z-]|$)" "$help"
done
check_match "nskeeperctl --help mentions -t" "(^|[^a-z-])-t([^a-z-]|$)" "$help"
# Every command --help lists has its line in the man page's SYNOPSIS.
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$NSK_SRCDIR/client/nskeeperctl.1")
cmds=$(sed -n '/^Commands:/,/^$/p' <<<"$help" | grep -oE '^  [a-z]+' | tr -d ' ')
check_true "nskeeperctl --help lists 10 commands or more" test "$(wc -w <<<"$cmds")" -ge 10
for cmd in $cmds; do
        check_match "nskeeperctl(1) SYNOPSIS has the command $cmd" "^\.SY \"nskeeperctl $cmd\"" "$synopsis"
done
for word in bind fd net uts ipc mnt cgroup NSKEEPER_SOCKET; do
        check_match "nskeeperctl --help mentions $word" "(^|[^a-z_])$word([^a-z_]|$)" "$help"
done
check_match "nskeeperctl --help says fd pins end with the daemon" \
        "fd[^.]*(daemon|restart|stop|exit)|(daemon|restart|stop|exit)[^.]*fd" "$help"
check_run "nskeeperctl create --help exits 0" 0 "$NSKEEPERCTL" create --help
for opt in --type --pin bind fd; do
        check_match "nskeeperctl create --help mentions $opt" "(^|[^a-z-])$opt([^a-z-]|$)" "$OUT"
done
# Every option create --help describes is in the man page.
page=$(sed 's/\\-/-/g' "$NSK_SRCDIR/client/nskeeperctl.1")
opts=$(help_options <<<"$OUT")
check_true "nskeeperctl create --help describes 15 long options or more" test "$(wc -w <<<"$opts")" -ge 15
for opt in $opts; do
        check_match "nskeeperctl(1) describes create $opt" "^\.B[IR]? \"?(-[a-z], )?$opt([^a-z-]|$)" "$page"
done
check_run "nskeeperctl join --help exits 0" 0 "$NSKEEPERCTL" join --help
check_match "nskeeperctl join --help mentions --type" "(^|[^a-z-])--type([^a-z-]|$)" "$OUT"
for cmd in list show; do
        check_run "nskeeperctl $cmd --help exits 0" 0 "$NSKEEPERCTL" "$cmd" --help
        check_match "nskeeperctl $cmd --help mentions --json" "(^|[^a-z-])--json([^a-z-]|$)" "$OUT"
done
for cmd in release path; do
        check_run "nskeeperctl $cmd --help exits 0" 0 "$NSKEEPERCTL" "$cmd" --help
done
check_match "release --help says a pid set's processes end with it" \
        "kills its keeper, and with it every process" "$(tr -s ' \n' '  ' <<<"$("$NSKEEPERCTL" release --help)")"
check_match "nskeeperctl --help: run exits with its command's status too" \
        "join and run.*exit with their command's status" "$(tr -s ' \n' '  ' <<<"$help")"
# Every command's help has one form: the usage, then what it does as a
# sentence, then -h, --help in the options.
for cmd in create join exec run list show release check path adopt monitor identify pids; do
        out=$("$NSKEEPERCTL" "$cmd" --help)
        check_match "$cmd --help: a usage line" "^Usage: nskeeperctl " "$(sed -n 1p <<<"$out")"
        check_true "$cmd --help: what it does, as a sentence (upper case first)" \
                grep -q '^[A-Z]' <<<"$(grep -v '^ ' <<<"$out" | sed -n 2p)"
        check_match "$cmd --help: -h, --help" "^  -h, --help +show this help$" "$out"
        # Every option the help describes is in its usage lines too (its
        # short or long form).
        usage=$(sed -n '/^Usage:/,/^[^ U]/p' <<<"$out")
        missing=
        while read -r opt long; do
                [ -n "$long" ] || long=$opt
                case "$cmd $long" in
                # create has too many: its usage names them [OPTION...].
                "create "* | *" --help") continue ;;
                esac
                grep -qE -- "(^|[^a-z-])($opt|$long)([^a-z-]|$)" <<<"$usage" && continue
                missing+=" $long"
        done < <(grep -oE -- '^ +(-[a-zA-Z], +)?--[a-z][a-z-]+' <<<"$out" | tr -d ',')
        check_eq "$cmd --help: every option it describes is in the usage" "" "$missing"
done
check_run "nskeeperctl --version exits 0" 0 "$NSKEEPERCTL" --version
check_match "nskeeperctl --version prints $version" "(^|[^0-9.])${version//./\\.}([^0-9.]|$)" "$OUT"

start_daemon || exit 1

echo "# --- empty list ---"
check_run "list (no sets) exits 0" 0 ctl list
check_nomatch "list (no sets) shows no set" "cli-" "$OUT"
check_run "list --json (no sets) exits 0" 0 ctl list --json
check_eq "list --json with no sets is []" "[]" "$(jq -c . <<<"$OUT" 2>&1)"

echo "# --- list and show ---"
check_run "create cli-one" 0 ctl create cli-one
check_run "create cli-two --type net --pin fd (long options)" 0 ctl create cli-two --type net --pin fd
check_run "create cli-three --type=uts,ipc --pin=bind" 0 ctl create cli-three --type=uts,ipc --pin=bind
check_run "list" 0 ctl list
for name in cli-one cli-two cli-three; do
        check_match "list shows $name" "(^|[^a-z-])$name([^a-z-]|$)" "$OUT"
done
check_run "list --json" 0 ctl list --json
json=$OUT
check_eq "list --json is an array of 3" 3 "$(jq 'length' <<<"$json" 2>&1)"
check_eq "list --json names" "cli-one cli-three cli-two" "$(jq -r '[.[].name] | sort | join(" ")' <<<"$json" 2>&1)"
check_eq "list --json: each set has name, pin, created, owner, namespaces" true \
        "$(jq 'all(.[]; (.name|type) == "string" and (.pin == "bind" or .pin == "fd")
                and (.created|type) == "number" and (.owner|type) == "number"
                and (.namespaces|type) == "array")' <<<"$json" 2>&1)"
check_eq "list --json: each namespace has type, inode and path" true \
        "$(jq 'all(.[].namespaces[]; (.type|type) == "string" and (.inode|type) == "number"
                and ((.path|type) == "string" or .path == null))' <<<"$json" 2>&1)"
check_eq "list --json: pins of cli-one cli-two cli-three" "bind fd bind" \
        "$(jq -r 'map({(.name): .pin}) | add | "\(.["cli-one"]) \(.["cli-two"]) \(.["cli-three"])"' \
                <<<"$json" 2>&1)"
check_eq "list --json: owner is root" 0 "$(jq '.[0].owner' <<<"$json" 2>&1)"
now=$(date +%s)
created=$(jq '.[0].created' <<<"$json" 2>&1)
if [[ "$created" =~ ^[0-9]+$ ]] && [ $((now - created)) -ge 0 ] && [ $((now - created)) -lt 300 ]; then
        ok "list --json: created is a recent Unix time ($created)"
else
        fail "list --json: created is a recent Unix time" "now: $now" "created: $created"
fi
# Process counts may change between the two calls (a helper exiting).
check_eq "list --json agrees with show --json for cli-one" \
        "$(jq -c '.[] | select(.name == "cli-one") | del(.nprocs, .namespaces[].nprocs)' <<<"$json")" \
        "$(set_json cli-one | jq -c 'del(.nprocs, .namespaces[].nprocs)')"

check_run "show cli-one (text)" 0 ctl show cli-one
check_match "show (text) names the set" "cli-one" "$OUT"
for type in net uts ipc; do
        check_match "show (text) lists $type" "(^|[^a-z])$type([^a-z]|$)" "$OUT"
        check_match "show (text) gives the $type inode" "$(set_inode cli-one "$type")" "$OUT"
done
check_match "show (text) gives the pin kind" "bind" "$OUT"
check_run "show cli-one --json" 0 ctl show cli-one --json
check_eq "show --json is one object" object "$(jq -r type <<<"$OUT" 2>&1)"
check_run "show cli-two --json (fd pin)" 0 ctl show cli-two --json
check_eq "show --json of an fd set: path is null" null \
        "$(jq -r '.namespaces[0].path' <<<"$OUT" 2>&1)"

echo "# --- the socket from \$NSKEEPER_SOCKET ---"
run env NSKEEPER_SOCKET="$SOCK" timeout 10 "$NSKEEPERCTL" list --json
check_eq "NSKEEPER_SOCKET is used when --socket is not given" 3 "$(jq length <<<"$OUT" 2>&1)"
run env NSKEEPER_SOCKET="$T/nowhere" timeout 10 "$NSKEEPERCTL" --socket "$SOCK" list --json
check_eq "--socket wins over NSKEEPER_SOCKET" 3 "$(jq length <<<"$OUT" 2>&1)"

for name in cli-one cli-two cli-three; do
        check_run "release $name" 0 ctl release "$name"
done
check_eq "list --json is [] after releasing everything" "[]" "$(ctl list --json | jq -c .)"
stop_daemon
done_testing
