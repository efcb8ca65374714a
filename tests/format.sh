#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The C sources are as `make format` (clang-format with .clang-format)
# leaves them: a change that is not fails here, naming the files.
set -u
src=${NSK_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
command -v clang-format >/dev/null || { echo "SKIP: no clang-format (apt-get install clang-format)"; exit 77; }
cd "$src" || exit 1
bad=()
files=(common/*.[ch] daemon/*.[ch] client/*.[ch] tests/*.[ch] tests/fuzz/*.[ch] tests/bench/*.[ch])
for f in "${files[@]}"; do
        clang-format --style=file "$f" | cmp -s - "$f" || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
        echo "not formatted (run 'make format', then look at the diff):"
        printf '  %s\n' "${bad[@]}"
        exit 1
fi
echo "format: ${#files[@]} files as clang-format leaves them"
