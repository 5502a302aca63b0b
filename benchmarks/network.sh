#!/bin/bash
# What networking (issue #15: CNI bridge + host-local, portmap, firewall from /usr/lib/cni) adds to Berth, beside
# the CNI chain's own time measured alone in the same run:
#   1. one container with a published port (`ports: ["18080:80"]`), `berth apply --wait` of `true`, against the
#      same apply with `net-none: true`; the difference against one ADD chain run alone (target: difference <= chain)
#      and beside `podman run --rm -p` (and `--network none`) of the same image with --podman;
#   2. 20 containers on one network: one apply against the sum of 20 single-container applies (target <= 0.5x);
#   3. `down` of those 20 against 20 DEL chains run in parallel (target <=), and a leak check: iptables-save lines
#      naming the project or its subnet, the project's bridge and its veths, netns mounts and IPAM leases under the
#      state root, before the apply, while the 20 run, and after down.
#   For 2. and 3. it also prints the CPU time the machine was busy (all cores, /proc/stat) during the singles, the
#   apply of 20, the down and the DEL chains: divided by the core count, the shortest wall time the work allows.
# The chain alone is benchmarks/lib/cni-chain.py: `ip netns add`, then each plugin run by hand as a runtime would
# (CNI_COMMAND=ADD … /usr/lib/cni/bridge < config, prevResult chained to portmap and firewall; DEL in reverse with
# the cached result), with the conflist Berth generates (NetworkSpec.configList) on its own bridge and subnet.
# Run by hand as root: benchmarks/network.sh [ROUNDS [ROUNDS20]] [--berth PATH] [--podman]   (not part of `make test`)
#   ROUNDS    rounds of 1. (default 10); ROUNDS20 rounds of 2. and 3. (default 3); medians are printed
#   --berth   use this berth binary instead of building .build-release/release/berth (its berth-monitor beside it)
#   --podman  also time podman (installs podman with apt-get when missing; private root, CNI network backend)
# One run at a time per host: host port 18080-18082, the chain's bridge berthbench0 and 10.89.254.0/24 are fixed.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
rounds='' rounds20='' berth='' podman=''
while [ $# -gt 0 ]; do
    case "$1" in
        --berth) berth=$(realpath "${2:?--berth needs a path}"); shift 2 ;;
        --podman) podman=1; shift ;;
        [0-9]*) if [ -z "$rounds" ]; then rounds=$1; else rounds20=$1; fi; shift ;;
        *) echo "usage: benchmarks/network.sh [ROUNDS [ROUNDS20]] [--berth PATH] [--podman]" >&2; exit 2 ;;
    esac
done
rounds=${rounds:-10} rounds20=${rounds20:-3} many=20
podman_bridge=$(ip -o link show cni-podman0 2>/dev/null || true)   # left alone at the end when it was there
work=$(mktemp -d /tmp/berth-net.XXXXXX)
state=$work/state
cleanup() {
    local rc=$?
    set +e
    if [ "$rc" -ne 0 ] && [ -s "$work/berth.log" ]; then echo "failed; berth's last messages:" >&2; tail -20 "$work/berth.log" >&2; fi
    for p in $(sort -u "$work/projects" 2>/dev/null); do
        "$berth" down --state-root "$state" -f "$work/none.yaml" -p "$p" -t 1 >/dev/null 2>&1
    done
    if [ -n "$podman" ] && [ -d "$work/podman" ]; then
        pod rm -f -t 0 -a >/dev/null 2>&1
        pod system reset -f >/dev/null 2>&1
        # podman's CNI bridge stays after its last container (the bridge plugin never deletes one).
        [ -n "$podman_bridge" ] || ip link del cni-podman0 2>/dev/null
    fi
    grep " $work" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l
    rm -rf "$work"
}
trap cleanup EXIT

for p in runc busybox-static containernetworking-plugins iptables iproute2 python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
[ -z "$podman" ] || dpkg-query -W -f='${Status}' podman 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} podman"
if [ -n "${missing:-}" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; fi
# As benchmarks/start.sh: release build, Swift runtime linked statically, as Berth is meant to be installed.
if [ -z "$berth" ]; then
    make -s release >/dev/null
    berth=$PWD/.build-release/release/berth
fi
pod() { command podman --root "$work/podman/root" --runroot "$work/podman/run" --cgroup-manager cgroupfs --events-backend none "$@"; }
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000 )) | awk '{printf "%.1f", $1 / 1000}'; }
median() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m}'; }
b() { "$berth" "$@" --state-root "$state"; }
apply() { echo "$2" >> "$work/projects"; b apply -f "$1" -p "$2" "${@:3}" >/dev/null 2>>"$work/berth.log"; }
down() { b down -f "$work/none.yaml" -p "$1" -t 1 >/dev/null 2>>"$work/berth.log"; }
timed() { local t0 t1; t0=$(now); "$@"; t1=$(now); ms "$t0" "$t1"; }
# CPU time the machine has been busy, all cores summed (as benchmarks/lib/cni-chain.py reports it), in ms: with
# many things at once on few cores, the wall time cannot go below this divided by the core count.
busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / {printf "%.0f", ($2 + $3 + $4 + $7 + $8 + $9) * 1000 / hz}' /proc/stat; }
cores=$(nproc)

examples/images/busybox-rootfs.sh "$work/rootfs"
b image import --rootfs "$work/rootfs" --tag berth.local/busybox:bench >/dev/null
b image unpack berth.local/busybox:bench >/dev/null
manifest() {   # NAME EXTRA-LINES ARGS-JSON [COUNT]: COUNT containers c01.. (or one container t)
    { echo "version: 1"; echo "name: bench"; echo "containers:"
      if [ -z "${4:-}" ]; then names=t; else names=$(seq -f 'c%02g' 1 "$4"); fi
      for n in $names; do
          printf '  %s:\n    image: berth.local/busybox:bench\n    args: %s\n' "$n" "$3"
          [ -z "$2" ] || printf '    %s\n' "$2"
      done
    } > "$work/$1.yaml"
}
manifest net 'ports: ["18080:80"]' '["true"]'
manifest none 'net-none: true' '["true"]'
# 2./3.: long-running containers that end on down's SIGTERM (runc kill --all: sleep dies, so wait returns in PID 1).
serve='["sh", "-c", "sleep 600 & wait"]'
manifest solo '' "$serve"
manifest many '' "$serve" "$many"

# The chain alone: the conflist Berth writes (Sources/Network/NetworkSpec.swift), on a bridge and subnet of its own.
chain_conf() {   # FILE IPAM-DIR
    cat > "$1" <<EOF
{"cniVersion": "1.0.0", "name": "berthbench_chain", "plugins": [
 {"type": "bridge", "bridge": "berthbench0", "isGateway": true, "ipMasq": true, "hairpinMode": true, "capabilities": {"ips": true},
  "ipam": {"type": "host-local", "dataDir": "$2", "ranges": [[{"subnet": "10.89.254.0/24", "gateway": "10.89.254.1"}]],
           "routes": [{"dst": "0.0.0.0/0"}]}},
 {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true},
 {"type": "firewall", "backend": "iptables"}]}
EOF
}
chain_conf "$work/chain.conflist" "$work/chain-ipam"
chain() { python3 benchmarks/lib/cni-chain.py "$work/chain.conflist" "$@"; }

if [ -n "$podman" ]; then
    mkdir -p "$work/podman"
    tar -C "$work/rootfs" -c . | pod import - localhost/berth-bench:latest >/dev/null 2>&1
    prun() { pod run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@" localhost/berth-bench:latest true >/dev/null; }
    prun -p 18082:80; prun --network none   # warm-up (podman makes its default network on first use)
fi

# 1. One container, interleaved; one warm-up round first, not counted.
: > "$work/net.ms"; : > "$work/none.ms"; : > "$work/add.ms"; : > "$work/del.ms"; : > "$work/down1.ms"
: > "$work/podnet.ms"; : > "$work/podnone.ms"
# Each timed step starts on a settled host: the kernel frees a deleted network namespace later, on a
# worker that holds locks a new namespace needs. Right after the chain's cleanup (`ip netns del`), Berth's
# namespace took 15-26 ms to make instead of 1 (perf probe, 2026-12-05), a cost of the step before it.
settle() { sleep 0.3; }
for i in $(seq 0 "$rounds"); do
    settle; n=$(timed apply "$work/net.yaml" "bench-net-$i" --wait)
    settle; d=$(timed down "bench-net-$i")
    settle; o=$(timed apply "$work/none.yaml" "bench-none-$i" --wait)
    down "bench-none-$i"
    settle; read -r a e _ _ < <(chain 1 "berthbench-$i" 18081:80)
    if [ -n "$podman" ]; then
        settle; pn=$(timed prun -p 18082:80); settle; po=$(timed prun --network none)
    fi
    [ "$i" -gt 0 ] || continue
    echo "$n" >> "$work/net.ms"; echo "$o" >> "$work/none.ms"; echo "$d" >> "$work/down1.ms"
    echo "$a" >> "$work/add.ms"; echo "$e" >> "$work/del.ms"
    if [ -n "$podman" ]; then echo "$pn" >> "$work/podnet.ms"; echo "$po" >> "$work/podnone.ms"; fi
done
net=$(median < "$work/net.ms"); none=$(median < "$work/none.ms"); add1=$(median < "$work/add.ms")
del1=$(median < "$work/del.ms"); down1=$(median < "$work/down1.ms")

# 2. and 3.: 20 containers on one network, and their down, with the leak check around them.
leaks() {   # PROJECT SUBNET-PREFIX BRIDGE → "iptables-lines bridges+veths netns-mounts leases"
    local rules links mounts leases
    rules=$(iptables-save | grep -c -F -e "$1" -e "$2" || true)
    links=$(ip -o link show | grep -c -F -e "$3" || true)
    mounts=$(grep -c -F " $state/network/netns/" /proc/self/mounts || true)
    leases=$(find "$state/network/ipam" -type f -name '10.*' 2>/dev/null | wc -l)
    echo "$rules/$links/$mounts/$leases"
}
: > "$work/solo.ms"; : > "$work/many.ms"; : > "$work/down.ms"; : > "$work/add20.ms"; : > "$work/del20.ms"
: > "$work/solo.cpu"; : > "$work/many.cpu"; : > "$work/down.cpu"; : > "$work/del20.cpu"
leak=PASS leak_rows=()
for r in $(seq 1 "$rounds20"); do
    t=0 c0=$(busy)
    for j in $(seq -w 1 "$many"); do
        s=$(timed apply "$work/solo.yaml" "bench-solo-$r-$j")
        t=$(awk -v t="$t" -v s="$s" 'BEGIN {print t + s}')
    done
    echo "$t" >> "$work/solo.ms"; echo $(( $(busy) - c0 )) >> "$work/solo.cpu"
    for j in $(seq -w 1 "$many"); do down "bench-solo-$r-$j"; done
    iptables-save > "$work/ipt.before"; ip -o link show > "$work/link.before"
    grep -c -F " $state/network/netns/" /proc/self/mounts > "$work/mnt.before" || true
    c0=$(busy); timed apply "$work/many.yaml" "bench-many-$r" >> "$work/many.ms"; echo $(( $(busy) - c0 )) >> "$work/many.cpu"
    conf=$state/network/conflists/bench-many-${r}_default.conflist
    bridge=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["plugins"][0]["bridge"])' "$conf")
    subnet=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["plugins"][0]["ipam"]["ranges"][0][0]["subnet"])' "$conf")
    prefix=${subnet%.0/*}.   # 10.89.0.0/24 → "10.89.0."
    before=$(grep -c -F -e "bench-many-$r" -e "$prefix" "$work/ipt.before" || true)/$(grep -c -F -e "$bridge" "$work/link.before" || true)/$(cat "$work/mnt.before")/0
    during=$(leaks "bench-many-$r" "$prefix" "$bridge")
    c0=$(busy); timed down "bench-many-$r" >> "$work/down.ms"; echo $(( $(busy) - c0 )) >> "$work/down.cpu"
    after=$(leaks "bench-many-$r" "$prefix" "$bridge")
    [ "$after" = "0/0/0/0" ] && [ "$before" = "0/0/0/0" ] || leak=FAIL
    leak_rows+=("round $r ($subnet, $bridge): $before -> $during -> $after")
    read -r a e _ ec < <(chain "$many" "berthbench-m$r")
    echo "$a" >> "$work/add20.ms"; echo "$e" >> "$work/del20.ms"; echo "$ec" >> "$work/del20.cpu"
done
solo=$(median < "$work/solo.ms"); many_ms=$(median < "$work/many.ms"); down20=$(median < "$work/down.ms")
add20=$(median < "$work/add20.ms"); del20=$(median < "$work/del20.ms")
solo_cpu=$(median < "$work/solo.cpu"); many_cpu=$(median < "$work/many.cpu"); down_cpu=$(median < "$work/down.cpu")
del20_cpu=$(median < "$work/del20.cpu")
floor=$(awk -v c="$many_cpu" -v n="$cores" 'BEGIN {printf "%.1f", c / n}')
solo_floor=$(awk -v c="$solo_cpu" -v n="$cores" 'BEGIN {printf "%.1f", c / n}')

verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "met" : "not met" }'; }
added=$(awk -v n="$net" -v o="$none" 'BEGIN {printf "%.1f", n - o}')
half=$(awk -v s="$solo" 'BEGIN {printf "%.1f", s / 2}')
printf '\n%-58s %10s\n' "1. one container running true (median of $rounds)" "ms"
printf '%-58s %10s\n' "berth apply --wait, ports 18080:80 (default network)" "$net"
printf '%-58s %10s\n' "berth apply --wait, net-none: true" "$none"
printf '%-58s %10s   (target <= chain: %s)\n' "  difference: what networking adds to the apply" "$added" "$(verdict "$added" "$add1")"
printf '%-58s %10s\n' "CNI ADD chain alone (bridge+host-local, portmap, firewall)" "$add1"
printf '%-58s %10s\n' "berth down of it (1 container, network removed)" "$down1"
printf '%-58s %10s\n' "CNI DEL chain alone" "$del1"
if [ -n "$podman" ]; then
    printf '%-58s %10s\n' "podman run --rm -p 18082:80 (--podman)" "$(median < "$work/podnet.ms")"
    printf '%-58s %10s\n' "podman run --rm --network none (--podman)" "$(median < "$work/podnone.ms")"
fi
printf '\n%-58s %10s\n' "2./3. $many containers on one network (median of $rounds20)" "ms"
printf '%-58s %10s\n' "sum of $many single-container applies (one project each)" "$solo"
printf '%-58s %10s   (target <= 0.5x sum = %s: %s)\n' "berth apply of the $many" "$many_ms" "$half" "$(verdict "$many_ms" "$half")"
printf '%-58s %10s\n' "$many ADD chains alone, in parallel" "$add20"
printf '%-58s %10s\n' "  CPU busy, all $cores cores: the $many single applies" "$solo_cpu"
printf '%-58s %10s\n' "  CPU busy, all $cores cores: the apply of the $many" "$many_cpu"
printf '%-58s %10s   (no faster is possible; the singles: %s)\n' "  floor: that CPU / $cores cores" "$floor" "$solo_floor"
printf '%-58s %10s   (target <= DEL chains: %s)\n' "berth down of the $many" "$down20" "$(verdict "$down20" "$del20")"
printf '%-58s %10s\n' "$many DEL chains alone, in parallel" "$del20"
printf '%-58s %10s\n' "  CPU busy, all $cores cores: berth down / the DEL chains" "$down_cpu / $del20_cpu"
printf '%-58s %10s\n' "leak check after down (before -> while running -> after)" "$leak"
printf '  iptables lines naming the project or subnet / bridge+veth links / netns mounts / IPAM leases\n'
for row in "${leak_rows[@]}"; do printf '  %s\n' "$row"; done
