#!/bin/bash
# The linker of `make release` (clang --ld-path): gold, with SQLite and the C++ runtime taken from their static
# archives when they are installed (libsqlite3-dev, libstdc++-12-dev). Each shared library costs every process its
# symbol bindings at start: libsqlite3 and libstdc++ were 3,338 of the 3,784 a `berth plan` made, about 1 ms of
# CPU per berth and berth-monitor process. Without the archives the link is made as it was asked.
# clang passes a long command line as a response file (@FILE, quoted words); it is rewritten into a copy.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
static=()
for arg in "$@"; do
    case "$arg" in
        -lsqlite3) static+=(-l:libsqlite3.a); arg=-lm ;;  # the archive needs libm after it
        -lstdc++) arg=-l:libstdc++.a ;;
        @*)
            sed -e 's/"-lsqlite3"/"-l:libsqlite3.a" "-lm"/g' -e 's/"-lstdc++"/"-l:libstdc++.a"/g' "${arg#@}" > "$work/args.rsp" || exit 1
            arg=@$work/args.rsp
            ;;
    esac
    static+=("$arg")
done
if ld.gold "${static[@]}" 2> "$work/errors"; then
    cat "$work/errors" >&2  # warnings
    exit 0
fi
if grep -qE "cannot find (-l:)?lib(sqlite3|stdc\+\+)\.a" "$work/errors"; then
    ld.gold "$@"
    exit
fi
cat "$work/errors" >&2
exit 1
