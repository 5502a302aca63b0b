#!/bin/bash
# Cost of running a command in a running container, side by side, against the same container:
#   berth exec -p PROJECT NAME -- true   vs   runc exec ID true   (what berth execs into)
# and berth exec NAME -- true from the manifest's directory (the project named by berth.yaml, read each time),
# and berth --version: what any berth process costs before it does anything (the floor of berth's share).
# Medians of N interleaved runs, in ms of wall time. Target: berth exec <= 1.3x runc exec.
# Run by hand as root: benchmarks/services.sh [ROUNDS] [--berth PATH]   (not part of `make test`)
#   --berth   use this berth binary instead of building .build-release/release/berth (its berth-monitor beside it)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=50 berth=''
while [ $# -gt 0 ]; do
    case "$1" in
        --berth) berth=$(realpath "${2:?--berth needs a path}"); shift 2 ;;
        [0-9]*) rounds=$1; shift ;;
        *) echo "usage: benchmarks/services.sh [ROUNDS] [--berth PATH]" >&2; exit 2 ;;
    esac
done
work=$(mktemp -d /tmp/berth-services.XXXXXX)
cleanup() {
    for manifest in berth.yaml health.yaml; do
        [ -n "$berth" ] && [ -f "$work/svc/$manifest" ] && "$berth" down --state-root "$work/state" -f "$work/svc/$manifest" -t 1 >/dev/null 2>&1 || true
    done
    grep " $work" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l || true
    rm -rf "$work"
}
trap cleanup EXIT

for p in runc busybox-static; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; fi
# As Berth is meant to be installed (see start.sh): statically linked Swift runtime.
if [ -z "$berth" ]; then
    make -s release >/dev/null
    berth=$PWD/.build-release/release/berth
fi

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1e6}'; }

examples/images/busybox-rootfs.sh "$work/rootfs"
"$berth" image import --state-root "$work/state" --rootfs "$work/rootfs" --tag berth.local/busybox:bench >/dev/null
mkdir -p "$work/svc"
cat > "$work/svc/berth.yaml" <<'YAML'
version: 1
name: bench-svc
containers:
  web:
    image: berth.local/busybox:bench
    args: ["sleep", "600"]
    net-none: true
YAML
"$berth" apply --state-root "$work/state" -f "$work/svc/berth.yaml" >/dev/null 2>&1
runtime_root="$work/state/runtime"
id=bench-svc.web
# Warm-up: page cache for both binaries.
"$berth" exec --state-root "$work/state" -p bench-svc web -- true
runc --root "$runtime_root" exec "$id" true

: > "$work/berth.ms"; : > "$work/runc.ms"; : > "$work/lookup.ms"; : > "$work/version.ms"
for _ in $(seq "$rounds"); do   # interleaved
    t0=$(now); "$berth" exec --state-root "$work/state" -p bench-svc web -- true; t1=$(now)
    echo $((t1 - t0)) >> "$work/berth.ms"
    t0=$(now); runc --root "$runtime_root" exec "$id" true; t1=$(now)
    echo $((t1 - t0)) >> "$work/runc.ms"
    t0=$(now); (cd "$work/svc" && "$berth" exec --state-root "$work/state" web -- true); t1=$(now)
    echo $((t1 - t0)) >> "$work/lookup.ms"
    t0=$(now); "$berth" --version >/dev/null; t1=$(now)
    echo $((t1 - t0)) >> "$work/version.ms"
done
b=$(median < "$work/berth.ms"); r=$(median < "$work/runc.ms"); l=$(median < "$work/lookup.ms"); v=$(median < "$work/version.ms")

printf '\n%-48s %10s\n' "exec of true in a running container (median of $rounds)" "ms"
printf '%-48s %10s\n' "berth exec -p PROJECT NAME -- true" "$b"
printf '%-48s %10s\n' "berth exec NAME -- true (project from berth.yaml)" "$l"
printf '%-48s %10s\n' "runc exec ID true" "$r"
printf '%-48s %10s\n' "berth --version (a berth process, doing nothing)" "$v"
awk -v b="$b" -v r="$r" -v l="$l" 'BEGIN { printf "%-48s %10.2f   (target <= 1.30)\n%-48s %10.2f\n", "berth exec -p / runc exec", b / r, "berth exec (berth.yaml) / runc exec", l / r }'

# A monitor's own memory while its container's health check runs every 200 ms (target: RssAnon <= 4 MiB).
cat > "$work/svc/health.yaml" <<'YAML'
version: 1
name: bench-health
containers:
  checked:
    image: berth.local/busybox:bench
    args: ["sleep", "600"]
    net-none: true
    init: true
    restart: always
    healthcheck:
      test: ["CMD", "true"]
      interval: 200ms
YAML
"$berth" apply --state-root "$work/state" -f "$work/svc/health.yaml" >/dev/null 2>&1
sleep 5
monitor=$("$berth" ps --state-root "$work/state" -p bench-health --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["monitorPid"])')
health=$("$berth" ps --state-root "$work/state" -p bench-health --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("health"))')
anon=$(awk '/^RssAnon/ {print $2}' "/proc/$monitor/status")
printf '\n%-48s %10s\n' "monitor of a health-checked container ($health)" "KiB"
printf '%-48s %10s   (target <= 4096)\n' "berth monitor RssAnon" "$anon"
if command -v conmon >/dev/null 2>&1 && command -v podman >/dev/null 2>&1; then
    # The same busybox rootfs, imported locally (no registry needed).
    tar -C "$work/rootfs" -c . | podman import -q - localhost/berth-bench-busybox >/dev/null
    if podman run -d --name berth-bench-conmon --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --health-cmd true --health-interval 1s \
        localhost/berth-bench-busybox sleep 600 >/dev/null; then
        sleep 5
        cpid=$(pgrep -f 'conmon.*berth-bench-conmon' | head -1)
        printf '%-48s %10s\n' "conmon RssAnon (podman; its checks need systemd timers)" "$(awk '/^RssAnon/ {print $2}' "/proc/$cpid/status")"
    else
        printf '%-48s %10s\n' "conmon RssAnon" "n/a (podman run failed)"
    fi
    podman rm -f berth-bench-conmon >/dev/null 2>&1 || true
    podman rmi -f localhost/berth-bench-busybox >/dev/null 2>&1 || true
else
    printf '%-48s %10s\n' "conmon RssAnon" "n/a (podman is not installed here)"
fi
