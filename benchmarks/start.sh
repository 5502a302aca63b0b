#!/bin/bash
# Start-up cost of one container running `true`, side by side, from the same rootfs:
#   berth apply --wait (unpacked image)  vs  runc run (prepared bundle)  vs  ctr run --rm (containerd)
# and apply of 50 containers, then a no-op re-apply of those 50.
# Run by hand as root: benchmarks/start.sh [ROUNDS]   (not part of `make test`)
# containerd comes from Debian's package, started on a private socket and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
work=$(mktemp -d /tmp/berth-start.XXXXXX)
berth=$PWD/.build-release/release/berth
ctrd_pid=
cleanup() {
    for i in $(seq "$rounds"); do
        "$berth" down --state-root "$work/state" -f "$work/one/berth.yaml" -p "bench-one-$i" -t 1 >/dev/null 2>&1 || true
    done
    "$berth" down --state-root "$work/state" -f "$work/fifty/berth.yaml" -t 1 >/dev/null 2>&1 || true
    if [ -n "$ctrd_pid" ]; then kill "$ctrd_pid" 2>/dev/null || true; wait "$ctrd_pid" 2>/dev/null || true; fi
    grep " $work" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l || true
    rm -rf "$work"
}
trap cleanup EXIT

for p in runc containerd busybox-static; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; fi
# Statically linked Swift runtime, as Berth is meant to be installed: a Swift process then starts in about
# a third of the time (no dynamic loading of the Swift and Foundation libraries).
swift build -c release --static-swift-stdlib --scratch-path .build-release --product berth >/dev/null

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1e6}'; }

# The same rootfs for everyone.
examples/images/busybox-rootfs.sh "$work/rootfs"
"$berth" image import --state-root "$work/state" --rootfs "$work/rootfs" --tag berth.local/busybox:bench >/dev/null
mkdir -p "$work/one"
cat > "$work/one/berth.yaml" <<'YAML'
version: 1
name: bench-one
containers:
  t:
    image: berth.local/busybox:bench
    args: ["true"]
YAML
"$berth" image unpack --state-root "$work/state" berth.local/busybox:bench >/dev/null

# runc: a prepared bundle with the spec Berth generates.
mkdir -p "$work/bundle"
cp -a "$work/rootfs" "$work/bundle/rootfs"
"$berth" spec --state-root "$work/state" -f "$work/one/berth.yaml" t > "$work/bundle/config.json"

# containerd on a private socket.
mkdir -p "$work/ctrd"
containerd --root "$work/ctrd/root" --state "$work/ctrd/state" --address "$work/ctrd/sock" >"$work/ctrd/log" 2>&1 &
ctrd_pid=$!
for _ in $(seq 50); do [ -S "$work/ctrd/sock" ] && break; sleep 0.1; done
ctr() { command ctr --address "$work/ctrd/sock" "$@"; }
"$berth" image export --state-root "$work/state" berth.local/busybox:bench -o "$work/image.tar"
ctr images import --base-name berth.local/busybox "$work/image.tar" >/dev/null
ctr run --rm berth.local/busybox:bench warmup true

: > "$work/berth.ms"; : > "$work/runc.ms"; : > "$work/ctr.ms"
for i in $(seq "$rounds"); do   # interleaved
    # A new project each round: the cost of creating and running one container, no replacement.
    t0=$(now); "$berth" apply --state-root "$work/state" -f "$work/one/berth.yaml" -p "bench-one-$i" --wait >/dev/null 2>&1; t1=$(now)
    echo $((t1 - t0)) >> "$work/berth.ms"
    t0=$(now); runc --root "$work/runc" run --bundle "$work/bundle" "bench-$i" >/dev/null 2>&1; t1=$(now)
    echo $((t1 - t0)) >> "$work/runc.ms"
    t0=$(now); ctr run --rm berth.local/busybox:bench "bench-$i" true >/dev/null 2>&1; t1=$(now)
    echo $((t1 - t0)) >> "$work/ctr.ms"
done
b=$(median < "$work/berth.ms"); r=$(median < "$work/runc.ms"); c=$(median < "$work/ctr.ms")

# 50 containers, then a no-op re-apply.
mkdir -p "$work/fifty"
{ echo "version: 1"; echo "name: bench-fifty"; echo "containers:"
  for i in $(seq -w 1 50); do printf '  c%s:\n    image: berth.local/busybox:bench\n    args: ["sleep", "600"]\n' "$i"; done
} > "$work/fifty/berth.yaml"
t0=$(now); "$berth" apply --state-root "$work/state" -f "$work/fifty/berth.yaml" >/dev/null 2>&1; t1=$(now)
fifty=$(( (t1 - t0) / 1000000 ))
t0=$(now); "$berth" apply --state-root "$work/state" -f "$work/fifty/berth.yaml" >/dev/null 2>&1; t1=$(now)
noop=$(( (t1 - t0) / 1000000 ))
t0=$(now); for i in $(seq 50); do runc --root "$work/runc" run --bundle "$work/bundle" "seq-$i" >/dev/null 2>&1; done; t1=$(now)
runc50=$(( (t1 - t0) / 1000000 ))

printf '\n%-44s %10s\n' "one container running true (median of $rounds)" "ms"
printf '%-44s %10s\n' "berth apply --wait" "$b"
printf '%-44s %10s\n' "runc run (prepared bundle)" "$r"
printf '%-44s %10s\n' "ctr run --rm (containerd)" "$c"
awk -v b="$b" -v r="$r" -v c="$c" 'BEGIN { printf "%-44s %10.2f   (target <= 1.30)\n%-44s %10.2f   (target <= 0.50)\n", "berth / runc", b / r, "berth / ctr", b / c }'
printf '\n%-44s %10s\n' "50 containers" "ms"
printf '%-44s %10s\n' "berth apply (50 new)" "$fifty"
printf '%-44s %10s\n' "50 sequential runc run of true" "$runc50"
printf '%-44s %10s   (target < 300)\n' "berth apply (50 unchanged, no-op)" "$noop"
