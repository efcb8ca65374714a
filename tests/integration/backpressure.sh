#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Back-pressure: a client that sends requests faster than it reads the
# replies makes the daemon hold no more than about one reply for it. While
# a reply waits in its queue the daemon reads no further request of that
# client (the socket's own buffer holds them), and a LIST too long for the
# socket goes out one reply at a time as the client reads. Pipelining
# clients once took the daemon from 3.5 to 120 MB.
. "$(dirname "$0")/lib.sh"
require_ns uts
RAW=$NSK_BUILDDIR/tests/nsk-raw
LIST=3
NSETS=150
CLIENTS=4

rss_kb() {
        awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status"
}
flooded_all() {
        [ "$(cat "$T"/flood.*.out 2>/dev/null | grep -c '^flooded')" -ge $((2 * CLIENTS)) ]
}

start_daemon || die "no daemon"
# Long names make a LIST of them long (about 50 KB).
long=$(printf 'x%.0s' $(seq 56))
for i in $(seq "$NSETS"); do
        ctl create "s$i" -t uts --hostname "h$i-$long" --domainname "d$i-$long" >/dev/null 2>&1 ||
                fail "create s$i"
done
check_eq "$NSETS sets" "$NSETS" "$(ctl list --json | jq length)"
daemon_steady || fail "the daemon did not settle"
rss0=$(rss_kb)

# Each client sends LISTs until its socket takes no more, gives the
# daemon a moment to read more (part of the attack: an old daemon read on
# and queued every reply), tries again, then holds its replies unread
# for a while before it reads them all.
for c in $(seq "$CLIENTS"); do
        "$RAW" "$SOCK" hdr 1 $LIST 7 0 flood 100000 sleep 300 flood 100000 sleep 2000 \
                drain $((10000 * NSK_SLOW)) >"$T/flood.$c.out" 2>&1 &
        EXTRA_PIDS+=("$!")
done
await "every client flooded twice" 30 flooded_all
rss1=$(rss_kb)
check_true "the daemon grew by less than 8 MiB ($((rss1 - rss0)) KiB) while $CLIENTS clients left their replies unread" \
        test $((rss1 - rss0)) -lt 8192
check_run "another client is served meanwhile" 0 ctl show s1
for c in $(seq "$CLIENTS"); do
        wait_exit "${EXTRA_PIDS[$((c - 1))]}" $((120 * NSK_SLOW)) || fail "client $c did not finish"
        out=$(cat "$T/flood.$c.out")
        k1=$(sed -n 1p <<<"$out" | sed -n 's/^flooded //p')
        k2=$(sed -n 2p <<<"$out" | sed -n 's/^flooded //p')
        check_uint "client $c: its socket took some requests ($k1)" "$k1"
        check_true "client $c: then the daemon read no more than a few of them (${k2:-?} more fit)" \
                test "${k2:-999999}" -le 8
        check_eq "client $c: when it reads, every LIST is answered in full" \
                "drained replies=$(sed -n 3p <<<"$out" | sed -n 's/^drained replies=\([0-9]*\).*/\1/p') final=$((k1 + k2))" \
                "$(sed -n 3p <<<"$out")"
done
EXTRA_PIDS=()
check_nomatch "no client was dropped" "does not read its replies|has not read" "$(cat "$T/daemon.log")"

echo "# --- a client gone while its LIST waits to go on ---"
# The daemon stops where a paused LIST goes on (once its client read a
# reply); the client is killed there; the daemon then finds it gone in
# the middle of that LIST. (list-pause only marks when a LIST paused.)
stop_daemon
NSK_FAULTS="list-pause=delay:0 list-resume=stop" start_daemon || die "no daemon"
# A LIST longer than the socket's buffer pauses in the middle.
MORE=850
for i in $(seq "$MORE"); do
        ctl create "t$i" -t uts --hostname "h$i-$long" --domainname "d$i-$long" >/dev/null 2>&1 ||
                fail "create t$i"
done
n=$("$RAW" "$SOCK" hdr 1 $LIST 1 0 send replies | grep -c '^reply')
check_true "a LIST now takes more replies than the socket holds ($n)" test "$n" -ge 4
mkfifo "$T/lister.in"
"$RAW" "$SOCK" - <"$T/lister.in" >"$T/lister.out" 2>&1 &
lister=$!
exec {LISTER_IN}>"$T/lister.in"
printf 'hdr 1 %s 7 0 flood 100\n' $LIST >&"$LISTER_IN"
await "the lister sent its LISTs" 10 grep -q '^flooded' "$T/lister.out"
await "a LIST stopped for the lister to read" 30 test -s "$NSK_FAULT_DIR/list-pause"
# Nothing more comes until the lister has read what the kernel holds
# (at most max_dgram_qlen datagrams; a unix socket is writable again only
# when its buffer is three quarters empty): then what waits goes out, and
# the LIST goes on. Reads past that block until the daemon goes on.
for i in $(seq 12); do printf 'recv\n'; done >&"$LISTER_IN"
wait_fault list-resume
check_eq "the daemon stopped where a LIST goes on" "$DAEMON_PID" "$FAULT_PID"
kill -KILL "$lister"
wait "$lister" 2>/dev/null
exec {LISTER_IN}>&-
kill -CONT "$DAEMON_PID"
check_run "the daemon goes on and serves others" 0 ctl show s1
check_true "it is alive" kill -0 "$DAEMON_PID"
for i in $(seq "$MORE"); do
        ctl release "t$i" >/dev/null 2>&1 || fail "release t$i"
done

echo "# --- a monitor that never reads, while sets come and go ---"
"$RAW" "$SOCK" hdr 1 6 1 0 send sleep 600000 >/dev/null 2>&1 &
EXTRA_PIDS+=("$!")
await "the monitor is subscribed" 10 log_has "monitoring"
dropped() {
        log_has "does not read its replies"
}
for i in $(seq 3000); do
        dropped && break
        ctl create churn -t uts >/dev/null 2>&1 && ctl release churn >/dev/null 2>&1
done
check_true "the monitor that does not read is dropped" dropped
check_run "the daemon still answers" 0 ctl show s1
check_true "it is alive" kill -0 "$DAEMON_PID"

for i in $(seq "$NSETS"); do
        ctl release "s$i" >/dev/null 2>&1 || fail "release s$i"
done
stop_daemon
done_testing
