# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2034  # variables are used by the scripts that source this
# Shared helpers for the integration tests: sourced (bash) by every
# tests/integration/*.sh. Each test gets a private scratch directory, its own
# daemon on its own runtime directory and socket, and a trap that always
# removes every mount under that directory, pass or fail.
#
# Conventions: every check prints "ok - ..." or "FAIL - ..." (with expected
# and actual values); the script calls done_testing at the end and exits 1
# if any check failed. Exit 77 means skipped (the reason is on stderr).

set -u
umask 022
export LC_ALL=C
# A test run from a service must not talk to that service's manager: no
# notifications, no fd store, no socket or fds handed down to the daemon.
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID LISTEN_FDS LISTEN_PID LISTEN_FDNAMES

NSK_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${NSK_BUILDDIR:=$(cd "$NSK_LIB_DIR/../.." && pwd)}"
: "${NSK_SRCDIR:=$(cd "$NSK_LIB_DIR/../.." && pwd)}"
: "${NSK_TIMEOUT:=30}"       # seconds any single client call may take
: "${NSK_LOG_LEVEL:=debug}"  # daemon --log-level in tests
# The test build of the daemon and its spawner: the same sources as
# daemon/, with the fault points of daemon/fault.h (see fault_arm below).
NSKEEPERD=$NSK_BUILDDIR/tests/fault/nskeeperd
# Every daemon a test starts runs the spawner of this build, never an
# installed one; NSK_SPAWNER=none runs the tests with helpers forked by the
# daemon itself.
: "${NSK_SPAWNER:=$NSK_BUILDDIR/tests/fault/nskeeper-spawn}"
# NSK_VALGRIND=1: every daemon started by start_daemon runs under
# valgrind; stop_daemon then checks its report. Helpers and keepers are
# forked copies: silent. tests/valgrind-pidfd.c supplies the system
# calls valgrind lacks. Timeouts that wait for the daemon grow by NSK_SLOW.
VALGRIND=()
: "${NSK_SLOW:=1}"
if [ "${NSK_VALGRIND:-}" = 1 ]; then
        command -v valgrind >/dev/null 2>&1 || { echo "ERROR: NSK_VALGRIND=1 but no valgrind" >&2; exit 99; }
        [ -f "$NSK_BUILDDIR/tests/.libs/valgrind-pidfd.so" ] ||
                { echo "ERROR: tests/valgrind-pidfd.la not built" >&2; exit 99; }
        VALGRIND=(env "LD_PRELOAD=$NSK_BUILDDIR/tests/.libs/valgrind-pidfd.so"
                valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
                --show-leak-kinds=definite --track-fds=yes --child-silent-after-fork=yes
                --suppressions="$NSK_SRCDIR/tests/valgrind.supp")
        NSK_SLOW=6
fi
NSKEEPERCTL=$NSK_BUILDDIR/client/nskeeperctl
# A build with AddressSanitizer (the CI's second build): its runtime does
# things of its own in every program, and programs linked with our
# libraries need it too.
NSK_ASAN=0
ldd "$NSKEEPERCTL" 2>/dev/null | grep -q 'libasan' && NSK_ASAN=1
# Built with AddressSanitizer, a client that joined a pid or time
# namespace hangs at exit in LeakSanitizer (its tracer is born in the new
# namespace and never reports back). Leak checks stay on for the daemon
# started by start_daemon, off for every other program.
NSK_DAEMON_ASAN_OPTIONS=${ASAN_OPTIONS:-}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
ALL_TYPES="net uts ipc mnt cgroup"

FAILS=0
CHECKS=0
FAILED=() # what failed, said again at the end where a log's tail shows it
DONE_TESTING=0
DAEMON_PID=
EXTRA_PIDS=()
T=

skip() {
        echo "SKIP: ${0##*/}: $*" >&2
        exit 77
}

# A broken setup (not a failed check): automake's "hard error".
hard_error() {
        echo "ERROR: ${0##*/}: $*" >&2
        exit 99
}

# --- can this machine run the tests at all? ---

[ "$(id -u)" = 0 ] || skip "needs root (creates namespaces and bind mounts)"
for tool in jq unshare nsenter timeout mktemp umount stat readlink; do
        command -v "$tool" >/dev/null 2>&1 || skip "needs '$tool' in PATH"
done
unshare --net true 2>/dev/null || skip "cannot create a network namespace here (unshare --net true failed)"
unshare --mount true 2>/dev/null || skip "cannot create a mount namespace here (unshare --mount true failed)"
nsenter --net=/proc/self/ns/net true 2>/dev/null || skip "setns() is not possible here (nsenter --net failed)"
[ -x "$NSKEEPERD" ] || hard_error "$NSKEEPERD not built (run make first, or set NSK_BUILDDIR)"
[ -x "$NSKEEPERCTL" ] || hard_error "$NSKEEPERCTL not built (run make first, or set NSK_BUILDDIR)"

# Skip the whole script if the kernel lacks a namespace type it needs.
require_ns() {
        local t
        for t in "$@"; do
                [ -e "/proc/self/ns/$t" ] || skip "kernel has no $t namespaces"
        done
}

# --- scratch space and cleanup ---

T=$(mktemp -d /tmp/nsk-test.XXXXXX) || hard_error "mktemp failed"
RUNDIR=$T/run
# In the environment of every daemon, and so of its spawner, helpers
# and keepers: how a test tells its own processes from others.
export NSK_TEST_DIR=$T
# Fault points fire into this directory (daemon/fault.c); none is armed
# unless a test sets NSK_FAULTS for a daemon it starts.
export NSK_FAULT_DIR=$T/faults
mkdir -p "$NSK_FAULT_DIR"
unset NSK_FAULTS
SOCK=$RUNDIR/control
export NSKEEPER_SOCKET=$SOCK # belt and braces: never the default socket
[ "${#SOCK}" -lt 108 ] || hard_error "socket path too long: $SOCK"

# Mount points under a directory (the directory itself included), one per
# line, deepest first; the same path appears once per stacked mount.
# mountinfo field 5 escapes space, tab, newline and backslash as \ooo; they
# are decoded after sorting so a line stays a line.
mounts_under() {
        local dir=$1 id parent devs root mp rest n=0 depth tmp
        mountinfo_snapshot
        while read -r id parent devs root mp rest; do
                n=$((n + 1))
                case "$(unescape_mountinfo "$mp")" in
                "$dir" | "$dir"/*) ;;
                *) continue ;;
                esac
                tmp=${mp//[!\/]/}
                depth=${#tmp}
                printf '%d\t%d\t%s\n' "$depth" "$n" "$mp"
        done <<<"$MOUNTINFO" | sort -t "$(printf '\t')" -k1,1nr -k2,2nr |
                while IFS="$(printf '\t')" read -r depth n mp; do
                        printf '%s\n' "$(unescape_mountinfo "$mp")"
                done
}

# Reads /proc/self/mountinfo in one sequential pass into $MOUNTINFO. Never
# parse it with `while read ... </proc/self/mountinfo`: bash seeks back
# after each line, and a seek in that file re-counts bytes from the start,
# so lines are skipped or repeated while other processes mount or unmount.
mountinfo_snapshot() {
        MOUNTINFO=$(cat /proc/self/mountinfo)
}

unescape_mountinfo() {
        local s=$1
        s=${s//\\040/ }
        s=${s//\\011/$'\t'}
        s=${s//\\012/$'\n'}
        s=${s//\\134/\\}
        printf '%s' "$s"
}

mount_count_under() {
        mounts_under "$1" | grep -c . || true
}

# check_mounts DESC EXPECTED DIR: the number of mounts under DIR; lists
# them when the count is wrong.
check_mounts() {
        local list n
        list=$(mounts_under "$3")
        n=$(printf '%s' "$list" | grep -c . || true)
        if [ "$n" = "$2" ]; then
                ok "$1"
        else
                fail "$1" "expected $2 mounts under $3, found $n:" \
                        "$(printf '%s\n' "$list" | sed 's/^/  /')"
        fi
}

# How many mounts sit exactly on PATH.
mount_count_at() {
        mounts_under "$1" | grep -cxF -- "$1" || true
}

# The optional fields (shared:N, master:N, ...) of the topmost mount on PATH.
mount_optional_fields() {
        local want=$1 id parent devs root mp opts rest last=
        mountinfo_snapshot
        while read -r id parent devs root mp opts rest; do
                [ "$(unescape_mountinfo "$mp")" = "$want" ] || continue
                last=${rest%% - *}
                [ "$last" = "$rest" ] && last=${rest%%- *}
        done <<<"$MOUNTINFO"
        printf '%s\n' "$last"
}

# Kill what we started, unmount everything under $T, remove $T. Runs on
# every exit; it never touches anything outside $T.
cleanup() {
        local rc=$1 pid i mp left
        trap - EXIT INT TERM
        set +e
        if [ "$rc" = 0 ] && [ "$DONE_TESTING" != 1 ]; then
                echo "FAIL - ${0##*/} ended before done_testing (a command aborted the script?)"
                rc=1
        fi
        for pid in $DAEMON_PID "${EXTRA_PIDS[@]}"; do
                kill_pid "$pid"
        done
        # Keepers of pid sets the test left behind live on their own; the
        # state files say which they are.
        if [ -n "$T" ] && [ -d "$T/run/state" ]; then
                for pid in $(awk '$1 == "keeper" {print $2}' "$T"/run/state/* 2>/dev/null); do
                        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = nskeeper-init ] && kill -KILL "$pid"
                done
        fi
        if [ -n "$T" ] && [ -d "$T" ]; then
                if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -s "$T/daemon.log" ]; then
                        echo "# --- last 40 lines of $T/daemon.log ---"
                        tail -n 40 "$T/daemon.log" | sed 's/^/#   /'
                fi
                for i in 1 2 3 4 5; do
                        left=$(mounts_under "$T")
                        [ -z "$left" ] && break
                        while IFS= read -r mp; do
                                umount -l "$mp" 2>/dev/null
                        done <<<"$left"
                done
                left=$(mounts_under "$T")
                if [ -z "$left" ]; then
                        echo "ok - cleanup: nothing left mounted under $T"
                        rm -rf --one-file-system -- "$T" ||
                                { echo "FAIL - cleanup: could not remove $T"; rc=1; }
                else
                        # Never rm -rf across a mount we could not remove.
                        echo "FAIL - cleanup: still mounted under $T (left in place):"
                        printf '%s\n' "$left" | sed 's/^/#   /'
                        [ "$rc" = 77 ] || rc=1
                fi
        fi
        for i in "${FAILED[@]}"; do
                echo "# failed: $i"
        done
        exit "$rc"
}
trap 'cleanup $?' EXIT
trap 'exit 130' INT
# make check bounds every test (NSK_TEST_TIMEOUT, Makefile.am): a test
# that hangs ends here, says so, and cleanup shows the daemon's log.
trap 'echo "FAIL - ${0##*/}: stopped by SIGTERM (hung past its time bound?)"; exit 143' TERM

# Is PID a live child of this shell? (Guards against signalling a pid that
# was reaped and reused by someone else.)
is_our_child() {
        local st
        [ -n "$1" ] || return 1
        st=$(cat "/proc/$1/status" 2>/dev/null) || return 1
        grep -q '^State:[[:space:]]*Z' <<<"$st" && return 1
        [ "$(sed -n 's/^PPid:[[:space:]]*//p' <<<"$st")" = "$$" ]
}

# SIGTERM, then SIGKILL after 5 s; reaps it. Only ever signals our children.
kill_pid() {
        local pid=$1
        [ -n "$pid" ] || return 0
        is_our_child "$pid" || { wait "$pid" 2>/dev/null; return 0; }
        kill -TERM "$pid" 2>/dev/null
        wait_until -x -q 5 pid_reaped "$pid"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        return 0
}

# wait_exit PID SECONDS: 0 (and $EXIT_STATUS) once our child PID has
# exited, 1 if it is still running after SECONDS.
wait_exit() {
        local pid=$1
        wait_until -x -q "$2" not is_our_child "$pid" || return 1
        wait "$pid"
        EXIT_STATUS=$?
        return 0
}

# --- awaiting events, never sleeping for them ---

# wait_until [-x] [-q] SECONDS CMD...: 0 as soon as CMD succeeds, 1 if
# it still fails after SECONDS times NSK_SLOW (-x: SECONDS as given, for
# a caller that scaled them already). Polls every 20 ms. Out of time, it
# says on stderr what it waited for (-q: not, the caller says it).
wait_until() {
        local slow=$NSK_SLOW quiet='' limit i
        while :; do
                case "$1" in
                -x) slow=1 ;;
                -q) quiet=1 ;;
                *) break ;;
                esac
                shift
        done
        limit=$(($1 * 50 * slow))
        shift
        for ((i = 0; i < limit; i++)); do
                "$@" && return 0
                sleep 0.02
        done
        "$@" && return 0
        [ -n "$quiet" ] || echo "# wait_until: still not true after $((limit / 50)) s: $*" >&2
        return 1
}

# not CMD...: succeeds when CMD fails (to await the end of something).
not() {
        ! "$@"
}

# await DESC SECONDS CMD...: wait_until, as a check: ok DESC once CMD
# succeeds, a failed check naming DESC when the time runs out.
await() {
        local desc=$1 secs=$2
        shift 2
        wait_until -q "$secs" "$@" && { ok "$desc"; return 0; }
        fail "$desc: did not happen within $((secs * NSK_SLOW)) s" "waited for: $*"
        return 1
}

# Is PID stopped (state T)?
pid_stopped() {
        [ -n "$1" ] && grep -q '^State:[[:space:]]*T' "/proc/$1/status" 2>/dev/null
}

# Is PID gone (or a zombie)?
pid_gone() {
        [ -n "$1" ] || return 0
        ! grep -q '^State:[[:space:]]*[^Z]' "/proc/$1/status" 2>/dev/null
}

# sleeps_in PID FUNCTION...: PID sleeps (state S) in the kernel, in one
# of the FUNCTIONs (its wchan starts with one of them): waits there for
# something that has not happened.
sleeps_in() {
        local pid=$1 wchan f
        shift
        grep -q '^State:[[:space:]]*S' "/proc/$pid/status" 2>/dev/null || return 1
        wchan=$(cat "/proc/$pid/wchan" 2>/dev/null)
        for f in "$@"; do
                [[ $wchan == "$f"* ]] && return 0
        done
        return 1
}

# Is there no process PID, not even a zombie? (bash reaps a child of its
# own as soon as it ends.)
pid_reaped() {
        ! kill -0 "$1" 2>/dev/null
}

# running_in NAME TYPE COMM: a process called COMM runs in the set's
# namespace of TYPE (to await a command started with join).
running_in() {
        local ino p
        ino=$(set_inode "$1" "$2")
        [ -n "$ino" ] || return 1
        for p in /proc/[0-9]*; do
                [ "$(cat "$p/comm" 2>/dev/null)" = "$3" ] &&
                        [ "$(readlink "$p/ns/$2" 2>/dev/null | tr -dc 0-9)" = "$ino" ] && return 0
        done
        return 1
}

# The pid a fault point wrote when it fired (daemon/fault.c), or nothing.
fault_pid() {
        local f=$NSK_FAULT_DIR/$1
        [ -f "$f" ] && grep -x '[0-9][0-9]*' "$f"
}

# wait_fault POINT [SECONDS]: waits until the process that reached POINT
# (armed with "stop") has stopped there; its pid in $FAULT_PID.
wait_fault() {
        local point=$1 secs=${2:-20}
        FAULT_PID=
        if ! wait_until -q "$secs" fault_fired_stopped "$point"; then
                fail "fault point $point: no process stopped there within $((secs * NSK_SLOW)) s"
                return 1
        fi
        FAULT_PID=$(fault_pid "$point")
}
fault_fired_stopped() {
        pid_stopped "$(fault_pid "$1")"
}

# fault_rearm POINT...: the points may fire again.
fault_rearm() {
        local p
        for p in "$@"; do
                rm -f -- "${NSK_FAULT_DIR:?}/$p"
        done
}

# --- users ---

# etc_users PASSWD-LINES GROUP-LINES: the test's users and groups, added
# to copies of /etc/passwd and /etc/group that are mounted over them in
# the test's own mount namespace (the script re-execs itself in one, see
# access.sh): the daemon looks members up by name, and the machine's
# files are never touched.
etc_users() {
        [ -n "${NSK_PRIVATE_MNT:-}" ] || hard_error "etc_users needs a private mount namespace"
        { cat /etc/passwd && printf '%s\n' "$1"; } >"$T/passwd" &&
                { cat /etc/group && printf '%s\n' "$2"; } >"$T/group" &&
                chmod 0644 "$T/passwd" "$T/group" &&
                mount --bind "$T/passwd" /etc/passwd && mount --bind "$T/group" /etc/group ||
                hard_error "cannot mount the test's /etc/passwd and /etc/group"
}

# --- programs ---

# world_copy PROG: a copy of PROG that any uid can run, printed. A set's
# root is an unprivileged uid on the host, and the build tree may sit
# where others cannot enter (/root, a mktemp -d directory): programs it
# runs inside a set come from $T/bin.
world_copy() {
        chmod go+x "$T" && install -d -m 0755 "$T/bin" &&
                install -m 0755 "$1" "$T/bin/" && echo "$T/bin/${1##*/}"
}

ctl() {
        timeout -k 5 "$NSK_TIMEOUT" "$NSKEEPERCTL" --socket "$SOCK" "$@"
}

# run CMD...: runs it, keeping stdout in $OUT, stderr in $ERR, status in $RC.
run() {
        "$@" >"$T/run.out" 2>"$T/run.err"
        RC=$?
        OUT=$(cat "$T/run.out")
        ERR=$(cat "$T/run.err")
        return 0
}

# Does the daemon answer on $SOCK?
ctl_answers() {
        ctl list >/dev/null 2>&1
}

# The daemon answers, or it is gone (start_daemon says which).
answers_or_ended() {
        pid_reaped "$DAEMON_PID" || { [ -S "$SOCK" ] && ctl_answers; }
}

# start_daemon [EXTRA ARGS...]: a daemon on $RUNDIR/$SOCK in the background,
# logging to $T/daemon.log; returns once `nskeeperctl list` answers (5 s).
start_daemon() {
        local wrap=()
        if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
                fail "start_daemon: a daemon (pid $DAEMON_PID) is already running"
                return 1
        fi
        echo "# --- starting nskeeperd $(date +%T.%N) ---" >>"$T/daemon.log"
        [ ${#VALGRIND[@]} -gt 0 ] && wrap=("${VALGRIND[@]}" --log-file="$T/valgrind.%p.log")
        ASAN_OPTIONS=$NSK_DAEMON_ASAN_OPTIONS "${wrap[@]}" "$NSKEEPERD" \
                --socket "$SOCK" --runtime-dir "$RUNDIR" --log-level "$NSK_LOG_LEVEL" \
                --spawner "$NSK_SPAWNER" "$@" \
                </dev/null >>"$T/daemon.log" 2>&1 &
        DAEMON_PID=$!
        # Succeeds for a daemon that is not gone only if it answered.
        wait_until -q 5 answers_or_ended && ! pid_reaped "$DAEMON_PID" && return 0
        if pid_reaped "$DAEMON_PID"; then
                wait "$DAEMON_PID"
                fail "start_daemon: nskeeperd exited with status $? during startup" \
                        "$(sed 's/^/log: /' "$T/daemon.log")"
                DAEMON_PID=
                return 1
        fi
        fail "start_daemon: nskeeperd did not answer on $SOCK within $((5 * NSK_SLOW)) s" \
                "$(sed 's/^/log: /' "$T/daemon.log")"
        return 1
}

# stop_daemon: SIGTERM, wait (10 s at most), check it exited with 0 (and,
# under valgrind, that it reported no error and left no fd open).
stop_daemon() {
        local rc pid=$DAEMON_PID
        if [ -z "$DAEMON_PID" ]; then
                fail "stop_daemon: no daemon running"
                return 1
        fi
        kill -TERM "$DAEMON_PID"
        if ! wait_until -q 10 pid_reaped "$DAEMON_PID"; then
                kill -KILL "$DAEMON_PID"
                wait "$DAEMON_PID"
                DAEMON_PID=
                fail "stop_daemon: nskeeperd still running $((10 * NSK_SLOW)) s after SIGTERM (killed)"
                return 1
        fi
        wait "$DAEMON_PID"
        rc=$?
        DAEMON_PID=
        check_eq "nskeeperd exits with status 0 on SIGTERM" 0 "$rc"
        [ ${#VALGRIND[@]} -gt 0 ] && check_valgrind_log "$pid"
        return 0
}

# check_valgrind_log PID: valgrind found no error in the daemon PID and no
# fd it opened was still open at exit (inherited ones do not count).
check_valgrind_log() {
        local log=$T/valgrind.$1.log leaked
        if [ ! -s "$log" ]; then
                fail "valgrind: no log $log"
                return
        fi
        if grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
                ok "valgrind: no errors in nskeeperd"
        else
                fail "valgrind: no errors in nskeeperd" "$(sed 's/^/  /' "$log")"
        fi
        # Each open fd is followed by where it was opened, or "<inherited
        # from parent>".
        leaked=$(awk '/== Open / { fd = $0; next }
                fd != "" && /inherited from parent/ { fd = ""; next }
                fd != "" && /(at|by) 0x/ { print fd; fd = "" }' "$log")
        check_eq "valgrind: no fd left open at exit" "" "$leaked"
}

# Abort the script (cleanup still runs) when continuing makes no sense.
die() {
        fail "$@"
        exit 1
}

# --- checks ---

ok() {
        CHECKS=$((CHECKS + 1))
        echo "ok - $1"
}

# fail DESC [DETAIL...]
fail() {
        local d
        CHECKS=$((CHECKS + 1))
        FAILS=$((FAILS + 1))
        FAILED+=("$1")
        echo "FAIL - $1"
        shift
        for d in "$@"; do
                printf '%s\n' "$d" | sed 's/^/#   /'
        done
        return 0
}

check_eq() {
        if [ "$2" = "$3" ]; then
                ok "$1"
        else
                fail "$1" "expected: '$2'" "actual:   '$3'"
        fi
}

check_ne() {
        if [ "$2" != "$3" ]; then
                ok "$1"
        else
                fail "$1" "expected something other than '$2'" "actual: '$3'"
        fi
}

# check_inode_eq / check_inode_ne DESC A B: like check_eq/check_ne, but both
# must be inode numbers, so two empty results never count as "equal".
check_inode_eq() {
        if ! [[ "$2" =~ ^[1-9][0-9]*$ && "$3" =~ ^[1-9][0-9]*$ ]]; then
                fail "$1" "expected two inode numbers" "got: '$2' and '$3'"
        else
                check_eq "$@"
        fi
}

check_inode_ne() {
        if ! [[ "$2" =~ ^[1-9][0-9]*$ && "$3" =~ ^[1-9][0-9]*$ ]]; then
                fail "$1" "expected two inode numbers" "got: '$2' and '$3'"
        else
                check_ne "$@"
        fi
}

# check_match DESC ERE TEXT (case-insensitive)
check_match() {
        if printf '%s\n' "$3" | grep -qiE -- "$2"; then
                ok "$1"
        else
                fail "$1" "expected to match /$2/ (ignoring case)" "actual: '$3'"
        fi
}

check_nomatch() {
        if printf '%s\n' "$3" | grep -qiE -- "$2"; then
                fail "$1" "expected not to match /$2/" "actual: '$3'"
        else
                ok "$1"
        fi
}

# check_uint DESC VALUE: a non-zero decimal integer
check_uint() {
        if [[ "$2" =~ ^[1-9][0-9]*$ ]]; then
                ok "$1"
        else
                fail "$1" "expected a positive integer" "actual: '$2'"
        fi
}

# check_run DESC EXPECTED_RC CMD...: runs CMD via run(), checks its status.
check_run() {
        local desc=$1 want=$2
        shift 2
        run "$@"
        if [ "$RC" = "$want" ]; then
                ok "$desc"
        else
                fail "$desc" "command: $*" "expected exit status: $want" "actual:   $RC" \
                        "stdout: $OUT" "stderr: $ERR"
        fi
}

# check_fails DESC EXPECTED_RC ERE CMD...: exit status and a stderr phrase.
check_fails() {
        local desc=$1 want=$2 re=$3
        shift 3
        check_run "$desc: exit status $want" "$want" "$@"
        check_match "$desc: stderr says /$re/" "$re" "$ERR"
}

check_true() {
        local desc=$1
        shift
        if "$@"; then
                ok "$desc"
        else
                fail "$desc" "command failed: $*"
        fi
}

done_testing() {
        DONE_TESTING=1
        echo "# ${0##*/}: $CHECKS checks, $FAILS failed"
        [ "$FAILS" = 0 ] && exit 0
        exit 1
}

# The daemon's children but its spawner (nskeeper-spawn), the helpers
# waiting for the next creates (nskeeper-ready) and the maker
# (nskeeper-maker), as long as they live: helpers at work, keepers and
# zombies, one pid per line. More than two waiting helpers or more
# makers than CPUs count too: they would be a leak.
daemon_children() {
        local c ready=0 makers=0
        for c in $(ps --ppid "$DAEMON_PID" -o pid= 2>/dev/null); do
                if grep -q '^State:[[:space:]]*[RSDTt]' "/proc/$c/status" 2>/dev/null; then
                        case "$(cat "/proc/$c/comm" 2>/dev/null)" in
                        nskeeper-spawn) continue ;;
                        nskeeper-ready)
                                ready=$((ready + 1))
                                [ "$ready" -le 2 ] && continue
                                ;;
                        nskeeper-maker)
                                makers=$((makers + 1))
                                [ "$makers" -le "$(nproc)" ] && continue
                                ;;
                        esac
                fi
                echo "$c"
        done
}

# The daemon's children named $1 (comm), one pid per line.
children_named() {
        local c
        for c in $(ps --ppid "$DAEMON_PID" -o pid= 2>/dev/null); do
                [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$1" ] && echo "$c"
        done
}

# The fds the daemon holds, but the two of each maker (its pidfd and
# socket): a maker lives on after the request that started it, as the
# spawner does, and more start while creates come in parallel.
daemon_fds() {
        local all makers
        all=$(ls "/proc/$DAEMON_PID/fd" 2>/dev/null | wc -l)
        makers=$(children_named nskeeper-maker | grep -c .)
        echo $((all - 2 * makers))
}

# --- a daemon at rest: conditions to await, not a quiet moment to hope for ---

# Connections the daemon has accepted on $SOCK and not yet closed (a
# connection still in the listen backlog does not count).
daemon_connections() {
        local inodes
        inodes=$(find "/proc/$DAEMON_PID/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
                tr -dc '0-9\n' | tr '\n' ' ')
        awk -v sock="$SOCK" -v inodes="$inodes" '
                BEGIN { n = split(inodes, a, " "); for (i = 1; i <= n; i++) ours[a[i]] = 1 }
                $6 == "03" && $8 == sock && ($7 in ours) { c++ }
                END { print c + 0 }' /proc/net/unix
}

# daemon_connections_are N: the daemon holds exactly N connections.
daemon_connections_are() {
        [ "$(daemon_connections)" = "$1" ]
}

# The pids the daemon holds pidfds of, one per line; -1 for a process
# that is gone (reaped) while the daemon still holds its pidfd.
daemon_pidfd_pids() {
        grep -h '^Pid:' "/proc/$DAEMON_PID"/fdinfo/* 2>/dev/null | awk '{ print $2 }'
}

# The daemon runs no spawner, or its spawner's two waiting helpers are
# handed over to it (it holds a pidfd of each).
spawner_ready() {
        local pids w ready
        [ -n "$(children_named nskeeper-spawn)" ] || return 0
        ready=$(children_named nskeeper-ready)
        [ "$(grep -c . <<<"$ready")" = 2 ] || return 1
        pids=" $(daemon_pidfd_pids | tr '\n' ' ')"
        for w in $ready; do
                [[ $pids == *" $w "* ]] || return 1
        done
}

# daemon_settled [N]: the daemon is alive and has nothing in flight that
# a pid set does not keep: of its children (daemon_children) only
# keepers, alive; its spawner ready (spawner_ready); exactly N client
# connections (0 if not given).
daemon_settled() {
        local c
        kill -0 "$DAEMON_PID" 2>/dev/null || return 1
        for c in $(daemon_children); do
                [ "$(cat "/proc/$c/comm" 2>/dev/null)" = nskeeper-init ] &&
                        ! pid_gone "$c" || return 1
        done
        spawner_ready && daemon_connections_are "${1:-0}"
}

# Waits (5 s at most, more under valgrind) until the daemon is settled
# (no client connected); 1 if it is not by then.
daemon_steady() {
        wait_until 5 daemon_settled
}

# daemon_at_rest [N]: the daemon has nothing in flight: no helper at work
# and no zombie child (daemon_children), its spawner's (if it runs one)
# two waiting helpers handed over to it (spawner_ready), no pidfd of a
# process already reaped (so not for a test with a dead pid set: its
# keeper's may be one), and exactly N client connections (0 if not
# given). Its fd count is then its count at rest: await this, then take
# or compare the count.
daemon_at_rest() {
        kill -0 "$DAEMON_PID" 2>/dev/null || return 1
        [ -z "$(daemon_children)" ] || return 1
        [[ " $(daemon_pidfd_pids | tr '\n' ' ')" == *" -1 "* ]] && return 1
        spawner_ready && daemon_connections_are "${1:-0}"
}

# log_has ERE: $T/daemon.log has a line matching ERE (to await one).
log_has() {
        grep -qE -- "$1" "$T/daemon.log" 2>/dev/null
}

# start_monitors: `monitor` writing to $T/monitor.txt and `monitor --json`
# to $T/monitor.json, both subscribed when it returns; their pids are in
# MONITOR_PIDS (and EXTRA_PIDS, for the cleanup).
start_monitors() {
        ctl monitor >"$T/monitor.txt" 2>&1 &
        MONITOR_PIDS=($!)
        ctl monitor --json >"$T/monitor.json" 2>&1 &
        MONITOR_PIDS+=($!)
        EXTRA_PIDS+=("${MONITOR_PIDS[@]}")
        await "both monitors are subscribed" 10 log_has_n 2 'monitoring'
}

# log_has_n N ERE: at least N lines of the daemon's log match.
log_has_n() {
        [ "$(grep -cE -- "$2" "$T/daemon.log" 2>/dev/null)" -ge "$1" ]
}

# --- JSON and namespace helpers ---

# set_json NAME: `show NAME --json`, compacted; empty on failure.
set_json() {
        ctl show "$1" --json 2>/dev/null | jq -c . 2>/dev/null
}

# set_inode NAME TYPE: the inode `show --json` reports.
set_inode() {
        ctl show "$1" --json 2>/dev/null |
                jq -r --arg t "$2" '.namespaces[] | select(.type == $t) | .inode' 2>/dev/null
}

# set_pin_path NAME TYPE: the path `show --json` reports ("null" if none).
set_pin_path() {
        ctl show "$1" --json 2>/dev/null |
                jq -r --arg t "$2" '.namespaces[] | select(.type == $t) | .path' 2>/dev/null
}

# set_types NAME: the set's types, sorted, space separated.
set_types() {
        ctl show "$1" --json 2>/dev/null |
                jq -r '[.namespaces[].type] | sort | join(" ")' 2>/dev/null
}

# list_names: names `list --json` reports, sorted, space separated.
list_names() {
        ctl list --json 2>/dev/null | jq -r '[.[].name] | sort | join(" ")' 2>/dev/null
}

in_list() {
        ctl list --json 2>/dev/null | jq -e --arg n "$1" 'any(.[]; .name == $n)' >/dev/null 2>&1
}

# The daemon's pins in the runtime directory (ns/NAME/TYPE, mnt/...), sorted.
pins() {
        (cd "$RUNDIR" && find ns mnt -mindepth 1 -maxdepth 2 ! -type d 2>/dev/null | sort)
}

# 'net:[4026531992]' -> 4026531992
inode_of_link() {
        sed -n 's/^[a-z_]*:\[\([0-9]*\)\]$/\1/p'
}

# host_inode TYPE: the test's own namespace of that type.
host_inode() {
        readlink "/proc/self/ns/$1" | inode_of_link
}

# ns_inode_of NAME TYPE [JOIN OPTIONS...]: join the set (only TYPE unless
# options are given) and report the inode the joined process sees.
ns_inode_of() {
        local name=$1 type=$2
        shift 2
        [ $# -gt 0 ] || set -- -t "$type"
        ctl join "$name" "$@" -- readlink "/proc/self/ns/$type" 2>/dev/null | inode_of_link
}

# ns_inodes_inside NAME [JOIN OPTIONS...]: "type=inode ..." for every type
# in ALL_TYPES, seen from one process inside the join.
ns_inodes_inside() {
        local name=$1
        shift
        # shellcheck disable=SC2016
        ctl join "$name" "$@" -- sh -c '
                for t in '"$ALL_TYPES"'; do
                        [ -e /proc/self/ns/$t ] || continue
                        readlink /proc/self/ns/$t | sed "s/^[a-z_]*:\\[\\([0-9]*\\)\\]\$/$t=\\1/"
                done' 2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}

# pick TYPE=INODE out of a ns_inodes_inside string
pick() {
        local kv
        for kv in $2; do
                [ "${kv%%=*}" = "$1" ] && { echo "${kv#*=}"; return; }
        done
}
