#!/bin/sh
# Times rootfs import, layer unpack (overlayfs in parallel, native in sequence) and the pending-layer
# check against a real directory tree, and compares with plain `tar` on the same data.
# Usage: benchmarks/unpack.sh [ROOTFS_DIR]   (default: a copy of /usr/lib and /usr/bin; run as root)
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=${1:-}
if [ -z "$rootfs" ]; then
    rootfs=$work/rootfs
    mkdir -p "$rootfs/usr"
    cp -a /usr/lib /usr/bin "$rootfs/usr/"
fi
echo "rootfs: $rootfs ($(du -sh "$rootfs" | cut -f1), $(find "$rootfs" | wc -l) entries)"

start=$(date +%s.%N)
tar -C "$rootfs" -czf "$work/baseline.tar.gz" .
mid=$(date +%s.%N)
mkdir "$work/baseline" && tar -C "$work/baseline" -xzf "$work/baseline.tar.gz"
end=$(date +%s.%N)
awk -v s="$start" -v m="$mid" -v e="$end" 'BEGIN { printf "baseline tar_czf_seconds=%.3f tar_xzf_seconds=%.3f\n", m - s, e - m }'
rm -rf "$work/baseline" "$work/baseline.tar.gz"

BERTH_BENCH_ROOTFS=$rootfs swift test -c release --filter 'UnpackBenchmarkTests' 2>&1 | grep -E '^bench |✘|passed|failed'
