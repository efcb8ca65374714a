#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The module graph of common/ and daemon/ has no cycle, and no module
# uses one of a layer above it (HACKING.md, "Layers"). A module is a
# file stem (daemon/keeper.c + daemon/keeper.h); A uses B when a file of
# A includes "B.h" or A's object refers to a symbol B's object defines.
set -eu -o pipefail
src=${NSK_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${NSK_BUILDDIR:-$src}

# Bottom up. A module may use its own layer and those below; within a
# layer the graph must still be acyclic. Every module must be listed,
# so a new file is placed on purpose.
layers='
0 util nskeeper log nstype name parse sysctl fdpass
1 attr
2 settings
3 proto
4 libnskeeper
10 config fault pidfd-util safepath subid rundir pin ipnetns notify
10 helper-proto spawn-proto proctitle cni-exec cni-result
20 set registry
30 state fdstore keeper spawner helper-steps maker-child helper-child launch maker helper
30 reaper adopt access mountwatch cni cni-run cni-child network extpin
40 lifecycle recover
50 server monitor status commands
60 main options spawn-main
'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "$layers" | awk 'NF { for (i = 2; i <= NF; i++) print $i, $1 }' >"$tmp/layer"

# Edges from quoted includes.
for f in "$src"/common/*.[ch] "$src"/daemon/*.[ch]; do
        m=$(basename "$f"); m=${m%.[ch]}
        sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)\.h".*/\1/p' "$f" |
                while read -r h; do
                        h=$(basename "$h")
                        [ "$h" = "$m" ] || echo "$m $h include"
                done
done >"$tmp/edges"

# Edges from symbols: the objects as the build made them.
objs=()
for a in libnskcommon.a libnskclient.a libnskd.a; do
        [ -f "$build/.libs/$a" ] || { echo "layers: $build/.libs/$a is missing (build first)"; exit 1; }
        objs+=("$build/.libs/$a")
done
for o in daemon/daemon_nskeeperd-main.o daemon/daemon_nskeeperd-options.o daemon/spawn-main.o; do
        [ -f "$build/$o" ] || { echo "layers: $build/$o is missing (build first)"; exit 1; }
        objs+=("$build/$o")
done
nm -A "${objs[@]}" 2>/dev/null | awk '
        {
                n = split($1, p, ":"); obj = p[n - 1]
                if (obj ~ /\.a$/ || obj == "") obj = p[n - 2]
                sub(/.*\//, "", obj); sub(/^lib[a-z]*_la-/, "", obj); sub(/\.o$/, "", obj)
                sub(/^daemon_nskeeperd-/, "", obj)
                if ($2 == "U") use[++nu] = obj " " $3
                else if (NF == 3 && $2 ~ /^[TDBRCGS]$/) def[$3] = obj
        }
        END {
                for (i = 1; i <= nu; i++) {
                        split(use[i], u, " ")
                        if ((u[2] in def) && def[u[2]] != u[1])
                                print u[1], def[u[2]], "calls " u[2]
                }
        }' >>"$tmp/edges"

fail=0
# Without call edges (no nm, objects without symbols) only the includes
# would be checked: that is no pass.
if ! grep -q ' calls ' "$tmp/edges"; then
        echo "layers: no calls found in the objects (is nm there? were they built?)"
        exit 1
fi
# Every module placed.
for m in $(awk '{ print $1; print $2 }' "$tmp/edges" | sort -u); do
        grep -q "^$m " "$tmp/layer" || { echo "layers: module '$m' has no layer (tests/layers.sh)"; fail=1; }
done
# Never upward.
while read -r a b how sym; do
        la=$(awk -v m="$a" '$1 == m { print $2 }' "$tmp/layer")
        lb=$(awk -v m="$b" '$1 == m { print $2 }' "$tmp/layer")
        [ -n "$la" ] && [ -n "$lb" ] || continue
        if [ "$la" -lt "$lb" ]; then
                echo "layers: $a (layer $la) uses $b (layer $lb), a layer above it: $how${sym:+ $sym}"
                fail=1
        fi
done < <(sort -u "$tmp/edges")
# No cycle.
awk '{ print $1, $2 }' "$tmp/edges" | sort -u >"$tmp/pairs"
if ! tsort "$tmp/pairs" >/dev/null 2>"$tmp/tsort"; then
        echo "layers: the module graph has a cycle:"
        sed -n 's/^tsort: //p' "$tmp/tsort" | grep -v 'input contains a loop' | sort -u |
                while read -r m; do
                        echo "  $m -> $(awk -v m="$m" '$1 == m { printf "%s ", $2 }' "$tmp/pairs")"
                done
        fail=1
fi
[ "$fail" = 0 ] && echo "layers: $(sort -u "$tmp/pairs" | wc -l) uses among $(cut -d' ' -f1 "$tmp/layer" | sort -u | wc -l) modules, no cycle, none upward"
exit "$fail"
