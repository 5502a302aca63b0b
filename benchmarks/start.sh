#!/bin/bash
# Start-up cost of one container running `true`, side by side, from the same rootfs:
#   berth apply --wait (unpacked image)  vs  runc run (prepared bundle)  vs  ctr run --rm (containerd)
# then apply of 50 containers and a no-op re-apply of those 50; then, as whole processes (median CPU and wall
# time): `berth --version` beside `runc --version`/`ctr version`, `berth plan` of one container, `berth ps` of
# the 50 beside `runc list`; and the monitors' memory with those 50 running (RssAnon and PSS per monitor),
# beside podman's conmon with 50 containers when --podman is given.
# Run by hand as root: benchmarks/start.sh [ROUNDS] [--berth PATH] [--podman]   (not part of `make test`)
#   --berth   use this berth binary instead of building .build-release/release/berth (its berth-monitor beside it)
#   --podman  also run 50 podman containers (installs podman and conmon with apt-get when missing) for conmon
# containerd comes from Debian's package, started on a private socket and stopped at the end; podman runs with
# a private root and run root under the scratch directory, without network.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=20 berth='' podman=''
while [ $# -gt 0 ]; do
    case "$1" in
        --berth) berth=$(realpath "${2:?--berth needs a path}"); shift 2 ;;
        --podman) podman=1; shift ;;
        [0-9]*) rounds=$1; shift ;;
        *) echo "usage: benchmarks/start.sh [ROUNDS] [--berth PATH] [--podman]" >&2; exit 2 ;;
    esac
done
work=$(mktemp -d /tmp/berth-start.XXXXXX)
ctrd_pid=
cleanup() {
    for i in $(seq "$rounds"); do
        "$berth" down --state-root "$work/state" -f "$work/one/berth.yaml" -p "bench-one-$i" -t 1 >/dev/null 2>&1 || true
    done
    "$berth" down --state-root "$work/state" -f "$work/fifty/berth.yaml" -t 1 >/dev/null 2>&1 || true
    if [ -n "$ctrd_pid" ]; then kill "$ctrd_pid" 2>/dev/null || true; wait "$ctrd_pid" 2>/dev/null || true; fi
    if [ -n "$podman" ] && [ -d "$work/podman" ]; then
        pod rm -f -t 0 -a >/dev/null 2>&1 || true
        pod system reset -f >/dev/null 2>&1 || true
    fi
    grep " $work" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l || true
    rm -rf "$work"
}
trap cleanup EXIT

for p in runc containerd busybox-static; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; fi
if [ -n "$podman" ]; then
    for p in podman conmon; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || pmissing="${pmissing:-} $p"
    done
    if [ -n "${pmissing:-}" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pmissing; fi
fi
# `make release`: as Berth is meant to be installed (statically linked Swift runtime: a Swift process then starts in
# about a third of the time; see the Makefile for its other flags).
if [ -z "$berth" ]; then
    make -s release >/dev/null
    berth=$PWD/.build-release/release/berth
fi
proctime() { python3 benchmarks/lib/proctime.py "$@"; }
pod() { command podman --root "$work/podman/root" --runroot "$work/podman/run" --cgroup-manager cgroupfs --events-backend none "$@"; }

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1e6}'; }

# The same rootfs for everyone.
examples/images/busybox-rootfs.sh "$work/rootfs"
"$berth" image import --state-root "$work/state" --rootfs "$work/rootfs" --tag berth.local/busybox:bench >/dev/null
mkdir -p "$work/one"
# `net-none: true` on every container here: `runc run` and ctr run have no network, and since issue #15 a container
# joins its project's default network (a CNI ADD chain, 60-115 ms here) unless it says otherwise, so without it
# these figures would no longer compare like with like (benchmarks/network.sh times the network). It also keeps
# the runc bundle below runnable: `berth spec` of a networked container names a netns file and binds /etc/hosts
# and /etc/resolv.conf files that only an apply makes, and runc run would fail (quickly, and be timed).
cat > "$work/one/berth.yaml" <<'YAML'
version: 1
name: bench-one
containers:
  t:
    image: berth.local/busybox:bench
    args: ["true"]
    net-none: true
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
  for i in $(seq -w 1 50); do printf '  c%s:\n    image: berth.local/busybox:bench\n    args: ["sleep", "600"]\n    net-none: true\n' "$i"; done
} > "$work/fifty/berth.yaml"
t0=$(now); "$berth" apply --state-root "$work/state" -f "$work/fifty/berth.yaml" >/dev/null 2>&1; t1=$(now)
fifty=$(( (t1 - t0) / 1000000 ))
t0=$(now); "$berth" apply --state-root "$work/state" -f "$work/fifty/berth.yaml" >/dev/null 2>&1; t1=$(now)
noop=$(( (t1 - t0) / 1000000 ))
t0=$(now); for i in $(seq 50); do runc --root "$work/runc" run --bundle "$work/bundle" "seq-$i" >/dev/null 2>&1; done; t1=$(now)
runc50=$(( (t1 - t0) / 1000000 ))

# Whole processes: start-up, plan of one container, ps of the 50 (the 50 still run).
read -r _ vcpu vwall < <(proctime "$rounds" berth "$berth" --version)
read -r _ rcpu rwall < <(proctime "$rounds" runc runc --version)
read -r _ ccpu cwall < <(proctime "$rounds" ctr "$(command -v ctr)" --address "$work/ctrd/sock" version)
read -r _ pcpu pwall < <(proctime "$rounds" plan "$berth" plan --state-root "$work/state" -f "$work/one/berth.yaml" -p bench-plan)
read -r _ scpu swall < <(proctime "$rounds" ps "$berth" ps --state-root "$work/state")
read -r _ lcpu lwall < <(proctime "$rounds" list runc --root "$work/state/runtime" list)

# Memory of the 50 monitors (each supervises one `sleep`): RssAnon and PSS, median per process, in KiB.
memory() {   # pids on stdin → "anon_median pss_median count"
    while read -r pid; do
        anon=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
        pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null) || continue
        [ -n "$anon" ] && [ -n "$pss" ] && echo "$anon $pss"
    done | python3 -c 'import sys, statistics as s
rows = [tuple(map(int, l.split())) for l in sys.stdin]
print(s.median(r[0] for r in rows), s.median(r[1] for r in rows), len(rows)) if rows else print("- - 0")'
}
read -r manon mpss mcount < <("$berth" ps --state-root "$work/state" --format json | python3 -c '
import json, sys
for row in json.load(sys.stdin):
    if row.get("monitorPid"): print(row["monitorPid"])' | memory)
conmon="- - 0"
if [ -n "$podman" ]; then
    mkdir -p "$work/podman"
    tar -C "$work/rootfs" -c . | pod import - localhost/berth-bench:latest >/dev/null
    # Small explicit limits: podman's defaults (nofile, nproc) can exceed the hard limits a sandbox allows.
    for i in $(seq 50); do
        pod run -d --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --name "bench-$i" localhost/berth-bench:latest sleep 600 >/dev/null \
            || { echo "podman run failed: no conmon figures" >&2; break; }
    done
    conmon=$({ pgrep -x conmon || true; } | while read -r pid; do
        grep -q -- "$work/podman" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"; done | memory)
fi
read -r canon cpss ccount <<<"$conmon"

printf '\n%-44s %10s\n' "one container running true (median of $rounds)" "ms"
printf '%-44s %10s\n' "berth apply --wait" "$b"
printf '%-44s %10s\n' "runc run (prepared bundle)" "$r"
printf '%-44s %10s\n' "ctr run --rm (containerd)" "$c"
awk -v b="$b" -v r="$r" -v c="$c" 'BEGIN { printf "%-44s %10.2f   (target <= 1.30)\n%-44s %10.2f   (target <= 0.50)\n", "berth / runc", b / r, "berth / ctr", b / c }'
printf '\n%-44s %10s\n' "50 containers" "ms"
printf '%-44s %10s\n' "berth apply (50 new)" "$fifty"
printf '%-44s %10s\n' "50 sequential runc run of true" "$runc50"
printf '%-44s %10s   (target < 300)\n' "berth apply (50 unchanged, no-op)" "$noop"
printf '\n%-44s %10s %10s\n' "whole process (median of $rounds)" "CPU ms" "wall ms"
printf '%-44s %10s %10s   (target: CPU <= 3)\n' "berth --version" "$vcpu" "$vwall"
printf '%-44s %10s %10s\n' "runc --version" "$rcpu" "$rwall"
printf '%-44s %10s %10s\n' "ctr version (containerd answering)" "$ccpu" "$cwall"
printf '%-44s %10s %10s   (target: wall <= 8)\n' "berth plan (one new container)" "$pcpu" "$pwall"
printf '%-44s %10s %10s   (target: wall <= 15)\n' "berth ps (50 running containers)" "$scpu" "$swall"
printf '%-44s %10s %10s\n' "runc list (the same 50)" "$lcpu" "$lwall"
printf '\n%-44s %10s %10s %6s\n' "per-container supervisor, 50 running" "RssAnon KiB" "PSS KiB" "count"
printf '%-44s %10s %10s %6s   (target: RssAnon <= 2048)\n' "berth monitor (median)" "$manon" "$mpss" "$mcount"
printf '%-44s %10s %10s %6s\n' "podman conmon (median; --podman)" "$canon" "$cpss" "$ccount"
