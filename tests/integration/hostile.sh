#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hostile and broken input against the real daemon (issue 5). tests/nsk-raw
# sends what a well-behaved client never would; after every case the
# daemon still answers, holds no more fds than before (the fds a client
# pushed at it included), has no extra mounts or helper processes, and a
# second client that stays connected throughout still gets its answers.
# The daemon's state is awaited (daemon_at_rest, a bound that grows with
# NSK_SLOW), never slept for; clients that must be silent or not read
# are stepped by the test, so it decides how long they stay so.
. "$(dirname "$0")/lib.sh"
require_ns net uts
RAW=$NSK_BUILDDIR/tests/nsk-raw
[ -x "$RAW" ] || hard_error "$RAW not built (make check builds it)"
command -v ps >/dev/null 2>&1 || skip "needs ps(1) (procps)"

# Wire numbers (common/PROTOCOL.md).
CREATE=1 GET=2 LIST=3 SHOW=4 RELEASE=5 ADOPT=7
A_NAME=1 A_TYPES=2 A_PIN=3 A_ADOPT_PATH=28
CLONE_NEWNET=$((0x40000000)) CLONE_NEWUTS=$((0x04000000))
EBADMSG=74 EPROTO=71 EOPNOTSUPP=95 EINVAL=22 ENAMETOOLONG=36 EEXIST=17

raw() {
        timeout -k 5 "$NSK_TIMEOUT" "$RAW" "$SOCK" "$@"
}

# The daemon's fds that point at $MARKER (fds a client sent it).
marker_fds() {
        local fd n=0
        for fd in /proc/"$DAEMON_PID"/fd/*; do
                [ "$(readlink "$fd" 2>/dev/null)" = "$MARKER" ] && n=$((n + 1))
        done
        echo "$n"
}

# --- the second client, connected from start to end ---
witness_start() {
        local line
        coproc WITNESS { exec "$RAW" "$SOCK" -; }
        EXTRA_PIDS+=("$WITNESS_PID")
        WITNESS_IN=${WITNESS[1]}
        WITNESS_OUT=${WITNESS[0]}
        read -r -t $((5 * NSK_SLOW)) line <&"$WITNESS_OUT"
        [ "$line" = ready ] || die "the witness client did not connect: '$line'"
}

WITNESS_ID=1000
# witness_check DESC: a LIST on the witness's own connection is answered.
witness_check() {
        local line out=
        WITNESS_ID=$((WITNESS_ID + 1))
        echo "hdr 1 $LIST $WITNESS_ID 0 send replies" >&"$WITNESS_IN"
        while read -r -t "$NSK_TIMEOUT" line <&"$WITNESS_OUT"; do
                [ "$line" = ready ] && break
                out+="$line"$'\n'
        done
        check_match "$1: the other client still gets its answers" \
                "^reply cmd=$LIST id=$WITNESS_ID flags=0x1 errno=0 " "$out"
}

# Is the daemon at rest, the witness its one connection, with its
# baseline of fds?
back_to_base() {
        daemon_at_rest 1 && [ "$(daemon_fds)" = "${BASE_FDS:-}" ]
}

# Waits (10 s at most, more under valgrind) until the daemon is back to
# its baseline; check_healthy then says what differs if it is not.
settle() {
        wait_until 10 back_to_base
}

# The daemon's fd count from now on, taken at rest.
rebase() {
        await "the daemon at rest (the witness its one connection)" 10 daemon_at_rest 1
        BASE_FDS=$(daemon_fds)
}

# check_healthy DESC: the daemon survived the case unharmed.
check_healthy() {
        local desc=$1 n
        settle
        if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
                die "$desc: nskeeperd is gone"
        fi
        n=$(daemon_fds)
        if [ "$n" = "$BASE_FDS" ]; then
                ok "$desc: the daemon holds no extra fds ($n)"
        else
                fail "$desc: the daemon holds no extra fds" "expected $BASE_FDS, found $n:" \
                        "$(ls -l "/proc/$DAEMON_PID/fd" | sed 's/^/  /')"
        fi
        check_eq "$desc: no fd of what the client sent is held" 0 "$(marker_fds)"
        check_eq "$desc: no helper processes" "" "$(daemon_children)"
        check_mounts "$desc: no extra mounts" "$BASE_MOUNTS" "$T"
        check_run "$desc: nskeeperctl list still works" 0 ctl list
        witness_check "$desc"
}

# raw_case DESC ERE OP...: sends OPs, checks the output (kept in
# $RAW_OUT), then the daemon.
raw_case() {
        local desc=$1 re=$2
        shift 2
        run raw "$@"
        RAW_OUT=$OUT
        check_match "$desc: answer /$re/" "$re" "$RAW_OUT"
        check_healthy "$desc"
}

# refused DESC ERRNO MESSAGE-ERE OP...: the request gets one reply with
# that errno and the request's own command and id.
refused() {
        local desc=$1 errno=$2 re=$3
        shift 3
        raw_case "$desc" "^reply cmd=[0-9]+ id=[0-9]+ flags=0x1 errno=$errno sets=0 fds=0 message=($re)$" "$@"
        check_eq "$desc: exactly one reply" 1 "$(grep -c '^reply' <<<"$RAW_OUT")"
}

# dropped DESC OP...: the daemon ends the connection without a reply.
dropped() {
        local desc=$1
        shift
        raw_case "$desc" "^eof$" "$@"
        check_nomatch "$desc: no reply" "^reply" "$RAW_OUT"
}

check_nothing_created() {
        check_eq "$1: no set listed" "" "$(list_names)"
        check_eq "$1: no state or pin files" "" \
                "$(find "$RUNDIR/state" "$RUNDIR/ns" "$RUNDIR/mnt" -mindepth 1 2>/dev/null)"
}

start_daemon || exit 1
# Whatever the daemon sets up on first use exists before counting.
ctl create warmup -t net,uts >/dev/null 2>&1 && ctl release warmup >/dev/null 2>&1
BASE_MOUNTS=$(mount_count_under "$T")
MARKER=$T/marker
: >"$MARKER"
witness_start
rebase
INITIAL_FDS=$BASE_FDS
witness_check "at the start"

echo "# --- headers ---"
refused "truncated header (4 bytes)" $EBADMSG "malformed request" raw 01000300 send recv
check_match "truncated header: answered with command 0 and id 0" "^reply cmd=0 id=0 " "$RAW_OUT"
refused "truncated header (15 bytes)" $EBADMSG "malformed request" \
        raw 010003000700000000000000100000 send recv
dropped "zero-length datagram (end of stream to SEQPACKET)" raw - send recv
refused "largest message (65536 bytes)" $EBADMSG "malformed request" \
        hdr 1 $LIST 7 0 fill $((65536 - 16)) send recv
dropped "oversized datagram (65537 bytes)" hdr 1 $LIST 7 0 fill $((65536 - 16 + 1)) send recv
dropped "oversized datagram (200000 bytes)" hdr 1 $LIST 7 0 fill 200000 send recv
refused "wrong version 2" $EPROTO "unsupported protocol version" hdr 2 $LIST 7 0 send recv
check_match "wrong version: the id is echoed" "^reply cmd=$LIST id=7 " "$RAW_OUT"
refused "wrong version 0" $EPROTO "unsupported protocol version" hdr 0 $LIST 7 0 send recv
refused "wrong version 65535" $EPROTO "unsupported protocol version" hdr 65535 $LIST 7 0 send recv
refused "unknown command 99" $EOPNOTSUPP "unknown command" hdr 1 99 7 0 send recv
refused "command 0" $EOPNOTSUPP "unknown command" hdr 1 0 7 0 send recv
refused "command 65535" $EOPNOTSUPP "unknown command" hdr 1 65535 7 0 send recv
refused "flags set in a request" $EBADMSG "malformed request" hdr 1 $LIST 7 1 send recv

echo "# --- lengths that lie ---"
refused "header length 100 > datagram" $EBADMSG "malformed request" hdr 1 $LIST 7 0 len 100 send recv
refused "header length 8 < datagram" $EBADMSG "malformed request" hdr 1 $LIST 7 0 len 8 send recv
refused "header length 0" $EBADMSG "malformed request" hdr 1 $LIST 7 0 len 0 send recv
refused "header length 0xFFFFFFFF" $EBADMSG "malformed request" \
        hdr 1 $LIST 7 0 len 4294967295 send recv
refused "attribute length past the end" $EBADMSG "malformed request" \
        hdr 1 $SHOW 7 0 attr $A_NAME 200 77656200 send recv
refused "attribute length 0xFFFF" $EBADMSG "malformed request" \
        hdr 1 $SHOW 7 0 attr $A_NAME 65535 77656200 send recv
refused "attribute header cut short (2 of 4 bytes)" $EBADMSG "malformed request" \
        hdr 1 $SHOW 7 0 str $A_NAME web bytes 0100 send recv
refused "last attribute unpadded (string without terminator or padding)" $EBADMSG \
        "malformed request" hdr 1 $SHOW 7 0 attr $A_NAME 3 776562 send recv
refused "u32 of 2 bytes" $EBADMSG "malformed request" \
        hdr 1 $CREATE 7 0 str $A_NAME x hex $A_TYPES 0040 send recv
refused "u32 of 8 bytes" $EBADMSG "malformed request" \
        hdr 1 $CREATE 7 0 str $A_NAME x hex $A_TYPES 0000004000000000 send recv

echo "# --- attributes ---"
refused "unknown attribute 99" $EBADMSG "malformed request" \
        hdr 1 $SHOW 7 0 str $A_NAME web u32 99 1 send recv
refused "unknown attribute 65535" $EBADMSG "malformed request" \
        hdr 1 $SHOW 7 0 u32 65535 1 str $A_NAME web send recv
refused "attribute 0" $EBADMSG "malformed request" hdr 1 $LIST 7 0 u32 0 1 send recv
refused "reply-only attribute (ERRNO) in a request" $EBADMSG "malformed request" \
        hdr 1 $LIST 7 0 u32 4 0 send recv
refused "duplicate NAME" $EBADMSG "malformed request" \
        hdr 1 $SHOW 7 0 str $A_NAME web str $A_NAME web send recv
refused "duplicate TYPES" $EBADMSG "malformed request" \
        hdr 1 $CREATE 7 0 str $A_NAME x u32 $A_TYPES $CLONE_NEWNET u32 $A_TYPES $CLONE_NEWNET send recv
refused "an attribute the command does not take (SHOW with TYPES)" $EINVAL \
        "request lacks or has extra attributes" \
        hdr 1 $SHOW 7 0 str $A_NAME web u32 $A_TYPES $CLONE_NEWNET send recv
refused "a required attribute missing (SHOW without NAME)" $EINVAL \
        "request lacks or has extra attributes" hdr 1 $SHOW 7 0 send recv
refused "PIN 2" $EINVAL "invalid value" \
        hdr 1 $CREATE 7 0 str $A_NAME x u32 $A_PIN 2 send recv
check_nothing_created "after malformed requests"

echo "# --- names ---"
refused "name '..'" $EINVAL "invalid set name" hdr 1 $CREATE 7 0 str $A_NAME .. send recv
refused "name 'a/b'" $EINVAL "invalid set name" hdr 1 $CREATE 7 0 str $A_NAME a/b send recv
refused "name '../../etc'" $EINVAL "invalid set name" \
        hdr 1 $CREATE 7 0 str $A_NAME ../../etc send recv
refused "name with NUL" $EBADMSG "malformed request" hdr 1 $CREATE 7 0 hex $A_NAME 610062 send recv
refused "name ending in NUL" $EBADMSG "malformed request" \
        hdr 1 $CREATE 7 0 hex $A_NAME 6100 send recv
refused "name with newline" $EINVAL "invalid set name" \
        hdr 1 $CREATE 7 0 str $A_NAME $'a\nb' send recv
refused "empty name" $EINVAL "invalid set name" hdr 1 $CREATE 7 0 hex $A_NAME - send recv
# 65 characters fit the field (a request may name UID/NAME), but are no name.
refused "name of 65 characters" $EINVAL "invalid set name" \
        hdr 1 $CREATE 7 0 long $A_NAME 65 send recv
refused "name of 76 characters (longer than UID/NAME can be)" $ENAMETOOLONG \
        "invalid set name \\(too long\\)" hdr 1 $CREATE 7 0 long $A_NAME 76 send recv
refused "SHOW 0/web (no user is 0/)" $EINVAL "invalid set name" \
        hdr 1 $SHOW 7 0 str $A_NAME 0/web send recv
refused "CREATE 4242/web (only in one's own name space)" $EINVAL ".*own name space.*" \
        hdr 1 $CREATE 7 0 str $A_NAME 4242/web send recv
refused "name of 4 KiB" $ENAMETOOLONG "invalid set name \\(too long\\)" \
        hdr 1 $CREATE 7 0 long $A_NAME 4096 send recv
refused "SHOW '..'" $EINVAL "invalid set name" hdr 1 $SHOW 7 0 str $A_NAME .. send recv
refused "RELEASE 'a/b'" $EINVAL "invalid set name" hdr 1 $RELEASE 7 0 str $A_NAME a/b send recv
refused "GET '..'" $EINVAL "invalid set name" hdr 1 $GET 7 0 str $A_NAME .. send recv
long4k=$(printf 'a%.0s' $(seq 4096))
for bad in a/b $'a\nb' "$long4k"; do
        check_fails "nskeeperctl create '${bad:0:8}' (${#bad} chars)" 1 "invalid set name" ctl create "$bad"
done
check_nothing_created "after bad names"

echo "# --- types ---"
refused "TYPES with a flag that is no namespace" $EINVAL "invalid value" \
        hdr 1 $CREATE 7 0 str $A_NAME x u32 $A_TYPES 1 send recv
refused "TYPES 0xFFFFFFFF" $EINVAL "invalid value" \
        hdr 1 $CREATE 7 0 str $A_NAME x u32 $A_TYPES 4294967295 send recv
refused "TYPES 0" $EINVAL "no namespace types given" \
        hdr 1 $CREATE 7 0 str $A_NAME x u32 $A_TYPES 0 send recv
run ctl create x -t net,net
check_ne "nskeeperctl create -t net,net: refused" 0 "$RC"
check_match "nskeeperctl create -t net,net: says why" "twice|duplicate|more than once|net" "$ERR"
check_fails "nskeeperctl create -t net,bogus" 1 "unknown namespace type" ctl create x -t net,bogus
check_nothing_created "after bad types"

echo "# --- ADOPT of what is no namespace ---"
# The daemon opens these paths as root: none may block it, be kept open
# or end up as a pin.
mkfifo "$T/fifo"
mkdir "$T/dir"
ln -s /dev/null "$T/link"
for path in /dev/null "$T/fifo" "$T/dir" "$T/link" "$SOCK" "$T/nonexistent" /proc/self/fd/0; do
        raw_case "ADOPT $path" "^reply cmd=$ADOPT id=7 flags=0x1 errno=[1-9][0-9]* sets=0 fds=0" \
                hdr 1 $ADOPT 7 0 str $A_NAME adopted u32 $A_PIN 1 str $A_ADOPT_PATH "$path" send recv
done
check_nothing_created "after ADOPT of what is no namespace"

echo "# --- file descriptors from a client ---"
dropped "3 fds with a valid request" hdr 1 $LIST 7 0 fds 3 "$MARKER" send recv
dropped "16 fds (the most a reply may carry)" hdr 1 $LIST 7 0 fds 16 "$MARKER" send recv
dropped "253 fds in one message (SCM_MAX_FD)" hdr 1 $LIST 7 0 fds 253 "$MARKER" send recv
dropped "40 fds in 5 control messages (MSG_CTRUNC)" hdr 1 $LIST 7 0 fds 40 "$MARKER" 8 send recv
dropped "250 fds in 250 control messages (MSG_CTRUNC)" \
        hdr 1 $LIST 7 0 fds 250 "$MARKER" 1 send recv
dropped "fds with an empty datagram" raw - fds 2 "$MARKER" send recv
dropped "fds with a malformed request" raw 0100 fds 5 "$MARKER" send recv
# Many clients at once, each pushing a full load of fds.
pids=()
for i in $(seq 20); do
        "$RAW" "$SOCK" hdr 1 $LIST 7 0 fds 253 "$MARKER" 1 send recv >/dev/null 2>&1 &
        pids+=($!)
done
wait "${pids[@]}"
check_healthy "20 clients with 253 fds each, at once"

echo "# --- clients that do not play along ---"
# (The daemon closes idle connections after a while: not that long.)
"$RAW" "$SOCK" sleep 600000 >/dev/null 2>&1 &
idle=$!
EXTRA_PIDS+=("$idle")
check_true "a client that sends nothing is connected (with the witness: 2)" \
        wait_until 5 daemon_connections_are 2
check_run "a client that connects and sends nothing: others are served" 0 ctl list
witness_check "while a client idles"
kill_pid "$idle"
check_healthy "a client that connected, sent nothing and went away"

for i in $(seq 20); do
        raw hdr 1 $LIST 7 0 repeat 10 >/dev/null 2>&1
done
check_healthy "clients that exit before their replies (20 x 10 LISTs)"
check_true "the daemon was not killed by SIGPIPE" kill -0 "$DAEMON_PID"

raw hdr 1 $CREATE 7 0 str $A_NAME early u32 $A_TYPES $CLONE_NEWUTS u32 $A_PIN 1 send >/dev/null
# The set was made for a client that is gone; it exists like any other.
check_true "a create whose client left before the reply: the set exists" wait_until 5 in_list early
check_run "... and can be released" 0 ctl release early
check_healthy "a create whose client left before the reply"

echo "# --- 100 concurrent creates, two of the same name ---"
# Long names make the list replies below large.
prefix=$(printf 'n%.0s' $(seq 56))
names=()
for i in $(seq -w 1 98); do
        names+=("$prefix-$i")
done
pids=()
for n in "${names[@]}" twin twin; do
        ctl create "$n" -t net --pin fd >"$T/create-$n-${#pids[@]}.out" 2>&1 &
        pids+=($!)
done
others_ok=0 twin_ok=0 twin_exists=0 bad=()
for i in "${!pids[@]}"; do
        wait "${pids[$i]}"
        rc=$?
        if [ "$i" -lt 98 ]; then
                if [ "$rc" = 0 ]; then others_ok=$((others_ok + 1)); else bad+=("$(cat "$T"/create-*-"$i".out)"); fi
        elif [ "$rc" = 0 ]; then
                twin_ok=$((twin_ok + 1))
        elif grep -qE "already exists|a create of that name is still at work" \
                "$T/create-twin-$i.out"; then
                twin_exists=$((twin_exists + 1))
        else
                bad+=("$(cat "$T/create-twin-$i.out")")
        fi
done
check_eq "all 98 creates of distinct names succeed" 98 "$others_ok"
check_eq "exactly one of the two creates of 'twin' succeeds" 1 "$twin_ok"
check_eq "the other one fails: 'already exists' or 'still at work'" 1 "$twin_exists"
[ "${#bad[@]}" = 0 ] || fail "unexpected create failures" "${bad[@]}"
expected=$(printf '%s\n' "${names[@]}" twin | sort | tr '\n' ' ' | sed 's/ $//')
check_eq "list shows exactly the winners" "$expected" "$(list_names)"
check_eq "list shows 99 sets" 99 "$(ctl list --json | jq length)"
rebase
check_eq "the daemon holds one more fd per fd-pinned set" $((INITIAL_FDS + 99)) "$BASE_FDS"
check_healthy "after the concurrent creates"
refused "GET with TYPES the set lacks" 2 "the set has no uts namespace" \
        hdr 1 $GET 7 0 str $A_NAME twin u32 $A_TYPES $CLONE_NEWUTS send recv

echo "# --- a client that sends and never reads ---"
# Each LIST reply is ~11 KB: a few fill the client's socket, and while a
# reply then waits in its queue the daemon reads no further request of it
# (back-pressure; backpressure.sh measures what it holds). The client
# sends as many LISTs as its socket takes without blocking, and takes one
# line of operations at a time from the test: it does not read until the
# test tells it to.
mkfifo "$T/stall.in"
"$RAW" "$SOCK" - <"$T/stall.in" >"$T/stall.out" 2>&1 &
stall=$!
EXTRA_PIDS+=("$stall")
exec {STALL_IN}>"$T/stall.in"
# "ready" once connected, and again once a line's operations are done.
stall_readies() {
        [ "$(grep -cx ready "$T/stall.out")" -ge "$1" ]
}
# stall_tell OPS: one line for the client (in a subshell: should the
# client be gone, SIGPIPE ends that, not the test).
stall_tell() {
        (printf '%s\n' "$1" >&"$STALL_IN") 2>/dev/null ||
                fail "the client that does not read is gone before '$1'" "$(cat "$T/stall.out")"
}
stall_tell "hdr 1 $LIST 7 0 flood 300"
check_true "a client sends LISTs until its socket is full and reads nothing" \
        wait_until 10 stall_readies 2
sent=$(sed -n 's/^flooded //p' "$T/stall.out")
check_uint "... it sent some ($sent)" "$sent"
start=$(date +%s%N)
check_run "while a client does not read: list works" 0 ctl list
elapsed=$((($(date +%s%N) - start) / 1000000))
check_true "... and answers within $((5 * NSK_SLOW)) s ($elapsed ms)" test "$elapsed" -lt $((5000 * NSK_SLOW))
witness_check "while a client does not read"
check_true "... which is still connected" kill -0 "$stall"
stall_tell "drain 3000"
exec {STALL_IN}>&-
wait_exit "$stall" $((60 * NSK_SLOW)) || fail "the stalled client did not finish"
check_eq "when it reads at last, all $sent LISTs are answered" \
        "drained replies=$sent final=$sent" "$(grep '^drained' "$T/stall.out")"
check_healthy "a client that read its replies late"

# One that leaves after sending 3,500 LISTs (those its socket took)
# without reading one.
raw hdr 1 $LIST 7 0 flood 3500 >/dev/null 2>&1
check_healthy "a client that left its LISTs unread"

# GET replies carry fds; the queued ones must be closed when the client goes.
raw hdr 1 $GET 7 0 str $A_NAME twin repeat 200 >/dev/null 2>&1
check_healthy "a client that left 200 GET replies (with fds) unread"

echo "# --- release ---"
for n in "${names[@]}" twin; do
        ctl release "$n" >/dev/null 2>&1 || fail "release $n"
done
check_eq "every set released" "" "$(list_names)"
BASE_FDS=$INITIAL_FDS
check_healthy "after releasing everything"

stop_daemon
done_testing
