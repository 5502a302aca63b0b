#!/bin/bash
# `berth plan` of a 20-service compose file (images present), release build: target < 100 ms.
# Beside it, the same file read by `docker compose config` when the compose plugin is installed.
# Run by hand as root: benchmarks/compose.sh [ROUNDS] [--berth PATH]   (not part of `make test`)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=20 berth=''
while [ $# -gt 0 ]; do
    case "$1" in
        --berth) berth=$(realpath "${2:?--berth needs a path}"); shift 2 ;;
        [0-9]*) rounds=$1; shift ;;
        *) echo "usage: benchmarks/compose.sh [ROUNDS] [--berth PATH]" >&2; exit 2 ;;
    esac
done
work=$(mktemp -d /tmp/berth-compose.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ -z "$berth" ]; then
    make -s release >/dev/null
    berth=$PWD/.build-release/release/berth
fi
examples/images/busybox-rootfs.sh "$work/rootfs" >/dev/null
"$berth" image import --state-root "$work/state" --rootfs "$work/rootfs" --tag berth.local/busybox:bench >/dev/null
mkdir -p "$work/stack"
{
    echo "name: bench-compose"
    echo "services:"
    for i in $(seq 1 20); do
        cat <<YAML
  svc$i:
    image: berth.local/busybox:bench
    command: ["sh", "-c", "sleep 600"]
    environment: {INDEX: "$i", MODE: bench}
    ports: ["$((20000 + i)):80"]
    healthcheck: {test: ["CMD", "true"], interval: 5s}
    restart: unless-stopped
    depends_on: [svc$(( i > 1 ? i - 1 : 20 ))]
YAML
    done
} > "$work/stack/compose.yaml"
# svc1 depends on svc20 would be a cycle: break it.
sed -i '0,/depends_on: \[svc20\]/s//depends_on: []/' "$work/stack/compose.yaml"

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1e6}'; }
"$berth" plan --state-root "$work/state" -f "$work/stack/compose.yaml" >/dev/null
: > "$work/berth.ms"; : > "$work/docker.ms"
for _ in $(seq "$rounds"); do
    t0=$(now); "$berth" plan --state-root "$work/state" -f "$work/stack/compose.yaml" >/dev/null; t1=$(now)
    echo $((t1 - t0)) >> "$work/berth.ms"
    if docker compose version >/dev/null 2>&1; then
        t0=$(now); docker compose -f "$work/stack/compose.yaml" config >/dev/null; t1=$(now)
        echo $((t1 - t0)) >> "$work/docker.ms"
    fi
done
printf '\n%-52s %10s\n' "20-service compose file (median of $rounds)" "ms"
printf '%-52s %10s   (target < 100)\n' "berth plan -f compose.yaml" "$(median < "$work/berth.ms")"
if [ -s "$work/docker.ms" ]; then
    printf '%-52s %10s\n' "docker compose config" "$(median < "$work/docker.ms")"
else
    printf '%-52s %10s\n' "docker compose config" "n/a (the compose plugin is not installed)"
fi
