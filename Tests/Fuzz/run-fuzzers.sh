#!/bin/bash
# Builds the libFuzzer targets (Package.swift declares them only with BERTH_FUZZ set) with AddressSanitizer and
# runs each for FUZZ_SECONDS from a throw-away copy of its seed corpus (Tests/Fuzz/corpus/<target>, never grown).
# Prints per target the executions run and any crash file; exits non-zero when a target crashed.
# Usage: Tests/Fuzz/run-fuzzers.sh [target…]   (default: every target under Tests/Fuzz/corpus)
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-60}
scratch=${FUZZ_SCRATCH:-.build-fuzz}
findings=${FUZZ_FINDINGS:-$scratch/findings}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for dir in Tests/Fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

# SwiftPM passes `-sanitize=fuzzer -sanitize=address` to swiftc, which keeps only the last one: Swift code would get
# AddressSanitizer but no coverage (libFuzzer then finds nothing new). The combined flag after them restores both.
build=(swift build --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address --scratch-path "$scratch")
for target in "${targets[@]}"; do
    BERTH_FUZZ=1 "${build[@]}" --product "$target" || { echo "fuzz: building $target failed" >&2; exit 2; }
done
bin=$(BERTH_FUZZ=1 "${build[@]}" --show-bin-path)

work=$(mktemp -d /tmp/berth-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
rm -rf "$findings"
mkdir -p "$findings"
# Leak checks off: the Swift runtime and Foundation keep caches that LeakSanitizer reports once per process.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
# A trap goes straight to libFuzzer's handler (Swift's own backtracer can stall on a sanitized process).
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
summary=()
failed=0
for target in "${targets[@]}"; do
    cp -r "Tests/Fuzz/corpus/$target" "$work/$target"
    dict=()
    [ -f "Tests/Fuzz/dict/$target.dict" ] && dict=(-dict="Tests/Fuzz/dict/$target.dict")
    log="$findings/$target.log"
    echo "fuzz: $target for ${seconds}s (log $log)"
    "$bin/$target" "$work/$target" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=4096 -artifact_prefix="$findings/$target-" >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    crashes=$(find "$findings" -maxdepth 1 -name "$target-*" ! -name '*.log' | sort)
    if [ $status -ne 0 ] || [ -n "$crashes" ]; then
        failed=1
        summary+=("$target: ${runs:-?} executions, FAILED (exit $status): ${crashes:-no crash file, see $log}")
        grep -m3 -E 'invariant violated|ERROR: (AddressSanitizer|libFuzzer)|Fatal error' "$log" | sed 's/^/    /' >&2
    else
        summary+=("$target: ${runs:-?} executions, no finding")
    fi
done
echo
echo "fuzz summary (${seconds}s each):"
printf '  %s\n' "${summary[@]}"
exit $failed
