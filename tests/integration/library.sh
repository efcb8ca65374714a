#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libnskeeper as another program sees it: installed (make install into a
# scratch DESTDIR), found with pkg-config, exporting only the API of
# nskeeper.h, and the README's example built against it and run against a
# real daemon.
. "$(dirname "$0")/lib.sh"
require_ns net uts
for tool in cc pkg-config nm make; do
        command -v "$tool" >/dev/null || skip "needs $tool"
done

DEST=$T/inst
check_run "make install DESTDIR=..." 0 make -s -C "$NSK_BUILDDIR" install DESTDIR="$DEST"
pc=$(find "$DEST" -name nskeeper.pc | head -n 1)
check_true "nskeeper.pc is installed" test -n "$pc"
hdr=$(find "$DEST" -name nskeeper.h | head -n 1)
check_true "nskeeper.h is installed" test -n "$hdr"
# The man pages send readers to PROTOCOL.md and README.md: installed.
for doc in PROTOCOL.md README.md; do
        check_true "$doc is installed with the documentation" \
                test -n "$(find "$DEST" -path "*/share/doc/nskeeper/$doc")"
done
for page in nskeeperd.8 nskeeperctl.1 libnskeeper.3; do
        check_nomatch "$page sends no reader to the source tree alone" "in the source tree\." \
                "$(find "$DEST" -name "$page" -exec cat {} + | tr -s ' \n' '  ')"
done
so=$(find "$DEST" -name 'libnskeeper.so.0' | head -n 1)
check_true "libnskeeper.so.0 (a versioned soname) is installed" test -n "$so"
check_eq "its soname" "libnskeeper.so.0" "$(objdump -p "$so" 2>/dev/null | awk '$1 == "SONAME" {print $2}')"
check_eq "it exports nsk_* symbols only" "" \
        "$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^nsk_' | grep -v '^NSKEEPER_')"
check_true "it exports the API (nsk_connect, nsk_get_fds, nsk_join_fds)" \
        sh -c "nm -D --defined-only '$so' | grep -q ' nsk_connect' &&
               nm -D --defined-only '$so' | grep -q ' nsk_get_fds' &&
               nm -D --defined-only '$so' | grep -q ' nsk_join_fds'"

# nskeeper.h must stand alone, in C and C++ (if there is a C++ compiler).
printf '#include <nskeeper.h>\nint main(void) { return NSK_TYPE_MAX; }\n' >"$T/alone.c"
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$DEST
flags=$(pkg-config --cflags --libs nskeeper)
# An ASan build's library needs the sanitizer runtime in the program.
[ "$NSK_ASAN" = 1 ] && flags="-fsanitize=address,undefined $flags"
check_true "pkg-config knows nskeeper" test -n "$flags"
check_run "nskeeper.h compiles on its own" 0 cc -Wall -Werror -o "$T/alone" "$T/alone.c" $flags
if command -v c++ >/dev/null; then
        check_run "... and in C++" 0 c++ -Wall -Werror -x c++ -o "$T/alone++" "$T/alone.c" $flags
fi

awk '/<!-- example: libnskeeper -->/ {on = 1; next} on && /^```c/ {code = 1; next}
        code && /^```/ {exit} code {print}' "$NSK_SRCDIR/README.md" >"$T/example.c"
check_true "the README has the example" test -s "$T/example.c"
check_run "the README example builds with pkg-config" 0 \
        cc -Wall -Wextra -Werror -o "$T/example" "$T/example.c" $flags

start_daemon || die "no daemon"
libdir=$(dirname "$so")
check_run "the example runs against the daemon" 0 \
        env LD_LIBRARY_PATH="$libdir" NSKEEPER_SOCKET="$SOCK" "$T/example" libex
check_match "it printed the set's net namespace" "^libex: net namespace [0-9]+" "$OUT"
check_match "ip ran inside it: a fresh loopback" "lo:" "$OUT"
check_eq "the example used the installed library" "$libdir/libnskeeper.so.0" \
        "$(LD_LIBRARY_PATH=$libdir ldd "$T/example" | awk '$1 == "libnskeeper.so.0" {print $3}')"
check_fails "the set was released by the example" 1 "not found" ctl show libex
# A failed request leaves ret_set empty, even if it held garbage: freeing
# it afterwards is safe (it once freed the garbage).
cat >"$T/notfound.c" <<'C'
#include <nskeeper.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
        struct nsk_client *c = NULL;
        struct nsk_set_info set;
        int fds[NSK_TYPE_MAX], r;

        memset(&set, 0xa5, sizeof(set));
        if (nsk_connect(NULL, &c) < 0)
                return 2;
        r = nsk_get_fds(c, "nosuch", 0, fds, &set);
        printf("%d %s\n", r, nsk_client_error(c));
        nsk_set_info_done(&set);
        memset(&set, 0xa5, sizeof(set));
        r = nsk_show(c, "nosuch", &set);
        nsk_set_info_done(&set);
        nsk_client_free(c);
        return r == -ENOENT ? 0 : 1;
}
C
check_run "build a program that asks for a set that does not exist" 0 \
        cc -Wall -Werror -o "$T/notfound" "$T/notfound.c" $flags
check_run "the failed requests leave nothing to free" 0 \
        env LD_LIBRARY_PATH="$libdir" NSKEEPER_SOCKET="$SOCK" "$T/notfound"
check_match "... and say why" "not found" "$OUT"
check_run "an error comes back as words" 1 \
        env LD_LIBRARY_PATH="$libdir" NSKEEPER_SOCKET="$T/nonexistent" "$T/example" libex
check_match "... naming the reason" "cannot reach nskeeperd" "$ERR"

stop_daemon
done_testing
