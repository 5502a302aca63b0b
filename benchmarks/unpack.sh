#!/bin/bash
# Layer unpack, side by side on the same generated image (issue #8, "Benchmark" and "Targets"):
#   berth image unpack  vs  tar -xzf of the same blob  vs  umoci raw unpack  vs  containerd's unpack,
#   the 4-layer variant against its layers unpacked one after another, and the "already unpacked" decision;
#   the floor of any gzip unpack beside them: the blob inflated to /dev/null by gzip -dc and igzip -dc (issue #19).
# Run by hand as root: benchmarks/unpack.sh [--size SIZE] [--rounds N] [--dir DIR] [--cache DIR] [--berth PATH]
#                                           [--compare PATH]
#   --size    uncompressed size of the generated tree (default 1G; e.g. 128M for a quick run)
#   --rounds  timed rounds, interleaved (default 3)
#   --dir     where the work directory goes (default /tmp; needs overlayfs-capable storage and ~30x SIZE free)
#   --cache   keep the generated tree and image layout in DIR/SIZE and reuse them on later runs (they
#             are deterministic; without it they are made in the work directory and removed)
#   --berth   use this berth binary instead of building .build-release/release/berth (its berth-monitor beside it)
#   --compare also time this other berth binary's 1-layer unpack in the same rounds (before/after a change)
# Every timed command starts after a `sync` and is timed to a finished `sync` (this disk writes back in
# bursts); every run unpacks into a fresh directory; nothing is deleted until all timed runs are done.
# containerd comes from Debian's package, on a private socket with its own root; it is stopped at the end.
set -euo pipefail
# shellcheck disable=SC2317  # functions called by traps and by `bash -c` are reachable
{   # read whole before running, so editing this file during a run does not change the run
self=$(realpath "$0")
cd "$(dirname "$self")/.."
size=1G rounds=3 parent=/tmp berth='' cache='' compare=''
while [ $# -gt 0 ]; do
    case $1 in
        --size) size=${2:?--size needs a value}; shift 2 ;;
        --rounds) rounds=${2:?--rounds needs a value}; shift 2 ;;
        --dir) parent=$(realpath "${2:?--dir needs a directory}"); shift 2 ;;
        --cache) cache=$(realpath "${2:?--cache needs a directory}"); shift 2 ;;
        --berth) berth=$(realpath "${2:?--berth needs a path}"); shift 2 ;;
        --compare) compare=$(realpath "${2:?--compare needs a path}"); shift 2 ;;
        -h|--help) sed -n '2,17p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
bytes=$(numfmt --from=iec "$size") || { echo "bad --size $size (e.g. 1G, 256M)" >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bad --rounds $rounds" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "run as root (unpack keeps owners; containerd needs root)" >&2; exit 2; }

lib=$PWD/benchmarks/lib
say() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
work=
ctrd_pid=
unmount_all() {
    grep " $work/" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
}
cleanup() {
    trap - EXIT INT TERM
    set +e
    [ -n "$work" ] || return
    say "cleaning up (stopping containerd, unmounting, removing $work)"
    unmount_all
    if [ -n "$ctrd_pid" ]; then kill "$ctrd_pid" 2>/dev/null; wait "$ctrd_pid" 2>/dev/null; fi
    unmount_all
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

missing=
for p in containerd umoci time strace isal; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# shellcheck disable=SC2086  # a list of package names
if [ -n "$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; fi
if [ -z "$berth" ]; then
    make -s release >/dev/null
    berth=$PWD/.build-release/release/berth
fi
[ -x "$berth" ] || { echo "$berth is not an executable" >&2; exit 2; }

work=$(mktemp -d "$parent/berth-unpack.XXXXXX")
mkdir -p "$work/res" "$work/log"
now() { date +%s%N; }

# --- The image: a generated tree, packed as an OCI layout (single, layered, part0-3). ---
image=${cache:+$cache/$bytes}
image=${image:-$work/image}
if [ ! -e "$image/done" ]; then
    rm -rf "$image" && mkdir -p "$image"
    say "generating a $size tree"
    "$lib/gen-tree.sh" "$bytes" "$image/tree" 2>"$image/gen"
    say "packing layers (gzip)"
    "$lib/make-layout.sh" "$image/tree" "$image/layout" > "$image/blobs"
    touch "$image/done"
fi
say "$(cat "$image/gen")"
layout=$image/layout
blob() { awk -v n="$1" '$1 == n { print $2 }' "$image/blobs"; }
single_blob=$(blob single)
entries=$(find "$image/tree" -mindepth 1 | wc -l)
blob_mib=$(du -m --apparent-size "$single_blob" | cut -f1)

say "importing into Berth and containerd"
"$berth" image import --state-root "$work/berth" "$layout" > "$work/log/import"
mkdir -p "$work/ctrd"
printf 'version = 2\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n' > "$work/ctrd/config.toml"
containerd --config "$work/ctrd/config.toml" --root "$work/ctrd/root" --state "$work/ctrd/state" \
    --address "$work/ctrd/sock" > "$work/log/containerd" 2>&1 &
ctrd_pid=$!
for _ in $(seq 100); do [ -S "$work/ctrd/sock" ] && break; sleep 0.1; done
[ -S "$work/ctrd/sock" ] || { echo "containerd did not start; see its log:" >&2; tail "$work/log/containerd" >&2; exit 1; }
ctr() { command ctr --address "$work/ctrd/sock" "$@"; }

# Fresh destinations for every round, made before any timed run. Berth: a state root per run sharing the
# imported store through hard links (blobs are immutable). containerd: a namespace per round, so each
# round unpacks into new snapshots; the images are imported there without unpacking.
for i in $(seq "$rounds"); do
    r=$work/r$i
    for s in b1 bc1 b4 bp0 bp1 bp2 bp3; do mkdir -p "$r/$s" && cp -al "$work/berth/store" "$r/$s/store"; done
    mkdir -p "$r/tar" "$r/tp0" "$r/tp1" "$r/tp2" "$r/tp3" "$r/ctr"
    tar -C "$layout" -cf - . | ctr -n "r$i" images import --no-unpack - > "$work/log/ctr-import"
done

# timed NAME COMMAND... : after a sync, times COMMAND to a finished sync; appends the nanoseconds to
# res/NAME.ns and the peak RSS in KiB to res/NAME.kb (for ctr: containerd's own peak, reset before).
timed() {
    local name=$1 t0 t1 kb; shift
    sync
    [ "${name#ctr}" = "$name" ] || echo 5 > "/proc/$ctrd_pid/clear_refs"
    t0=$(now)
    if ! /usr/bin/time -f %M -o "$work/rss" "$@" >> "$work/log/$name" 2>&1; then
        echo "$name failed: $*" >&2; tail -5 "$work/log/$name" >&2; exit 1
    fi
    sync
    t1=$(now)
    kb=$(tail -1 "$work/rss")
    if [ "${name#ctr}" != "$name" ]; then kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$ctrd_pid/status"); fi
    echo $((t1 - t0)) >> "$work/res/$name.ns"
    echo "$kb" >> "$work/res/$name.kb"
}
# parts NAME COMMAND-PREFIX : four timed runs, one per layer (the layer index is appended as the
# last argument), summed into NAME.ns; the peak RSS is the largest of the four.
parts() {
    local name=$1 sum=0 kb=0 k; shift
    for k in 0 1 2 3; do
        timed "$name-$k" "$@" "$k"
        sum=$((sum + $(tail -1 "$work/res/$name-$k.ns")))
        kb=$(( kb > $(tail -1 "$work/res/$name-$k.kb") ? kb : $(tail -1 "$work/res/$name-$k.kb") ))
    done
    echo "$sum" >> "$work/res/$name.ns"
    echo "$kb" >> "$work/res/$name.kb"
}
berth_part() { "$berth" image unpack --state-root "$1$2" --snapshotter overlayfs "berth.local/bench:part$2"; }
tar_part() { local blob=L$2; tar -C "$1$2" -xzf "${!blob}"; }
L0=$(blob layer0) L1=$(blob layer1) L2=$(blob layer2) L3=$(blob layer3)
export -f berth_part tar_part
export berth L0 L1 L2 L3

# /usr/bin/time runs programs, not functions: the per-layer steps go through `bash -c` (arguments, not expansions).
# shellcheck disable=SC2016
run() {   # run KIND ROUND
    local r=$work/r$2
    case $1 in
        berth1) timed berth1 "$berth" image unpack --state-root "$r/b1" --snapshotter overlayfs berth.local/bench:single ;;
        compare1) timed compare1 "$compare" image unpack --state-root "$r/bc1" --snapshotter overlayfs berth.local/bench:single ;;
        tar1) timed tar1 tar -C "$r/tar" -xzf "$single_blob" ;;
        umoci1) timed umoci1 umoci raw unpack --image "$layout:single" "$r/umoci" ;;
        ctr1) timed ctr1 ctr --address "$work/ctrd/sock" -n "r$2" images mount berth.local/bench:single "$r/ctr" ;;
        berth4) timed berth4 "$berth" image unpack --state-root "$r/b4" --snapshotter overlayfs berth.local/bench:layered ;;
        berthparts) parts berthparts bash -c 'berth_part "$1" "$2"' _ "$r/bp" ;;
        tarparts) parts tarparts bash -c 'tar_part "$1" "$2"' _ "$r/tp" ;;
        gzipdc) timed gzipdc bash -c 'gzip -dc "$1" > /dev/null' _ "$single_blob" ;;
        igzipdc) timed igzipdc bash -c 'igzip -dc "$1" > /dev/null' _ "$single_blob" ;;
    esac
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
kinds=(berth1 tar1 umoci1 ctr1 berth4 berthparts tarparts gzipdc igzipdc)
[ -z "$compare" ] || kinds+=(compare1)
for i in $(seq "$rounds"); do
    for j in "${!kinds[@]}"; do   # interleaved, and each round starts one later in the list
        kind=${kinds[$(( (j + i - 1) % ${#kinds[@]} ))]}
        say "round $i/$rounds: $kind"
        run "$kind" "$i"
    done
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Already unpacked: CLI wall time of a no-op unpack, beside `image inspect` (same start-up and image
# resolution, no snapshot check); and, under strace, the span from the first to the last system call on
# the snapshot directory (lock, leftover scan, a stat per layer): the decision itself, slowed by tracing.
# Berth has no flag that reports the decision alone. No sync: nothing is written. ---
say "already-unpacked decision"
noop_root=$work/r1/b4
for _ in $(seq 21); do
    t0=$(now); "$berth" image unpack --state-root "$noop_root" berth.local/bench:layered > "$work/log/noop"; t1=$(now)
    echo $((t1 - t0)) >> "$work/res/noop.ns"
    t0=$(now); "$berth" image inspect --state-root "$noop_root" berth.local/bench:layered > /dev/null; t1=$(now)
    echo $((t1 - t0)) >> "$work/res/inspect.ns"
done
grep -q "unpacked 0 of" "$work/log/noop" || { echo "the no-op unpack did work: $(cat "$work/log/noop")" >&2; exit 1; }
for _ in $(seq 11); do
    strace -f -ttt -e trace=%file -o "$work/strace" "$berth" image unpack --state-root "$noop_root" berth.local/bench:layered > /dev/null
    awk -v d="$noop_root/snapshots/" 'index($0, d) { if (!first) first = $2; last = $2 }
        END { printf "%.0f\n", (last - first) * 1e9 }' "$work/strace" >> "$work/res/traced.ns"
done

# Same result check (after all timed runs): Berth's single-layer snapshot against tar -xzf.
fs=$(find "$work/r1/b1/snapshots" -mindepth 4 -maxdepth 4 -type d -name fs -path '*/layers/*' | head -1)
file_bytes() { find "$1" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
b_entries=$(find "$fs" -mindepth 1 | wc -l); t_entries=$(find "$work/r1/tar" -mindepth 1 | wc -l)
b_bytes=$(file_bytes "$fs"); t_bytes=$(file_bytes "$work/r1/tar")

# --- Report ---
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
stat_s() { sort -n "$1" | awk -v m="$(median "$1")" '{a[NR]=$1} END {printf "%8.2f %8.2f %8.2f", m/1e9, a[1]/1e9, a[NR]/1e9}'; }
peak_mib() { sort -n "$1" | tail -1 | awk '{printf "%6.0f", $1/1024}'; }
med() { median "$work/res/$1.ns"; }
tar_med=$(med tar1)
row() {   # row KIND LABEL
    printf '%-60s %s %7.2f %9s\n' "$2" "$(stat_s "$work/res/$1.ns")" \
        "$(awk -v a="$(med "$1")" -v b="$tar_med" 'BEGIN {print a / b}')" "$(peak_mib "$work/res/$1.kb")"
}
ms() { awk -v n="$(med "$1")" 'BEGIN {printf "%.1f", n / 1e6}'; }
ratio() { awk -v a="$(med "$1")" -v b="$(med "$2")" 'BEGIN {printf "%.2f", a / b}'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v <= t) ? "PASS" : "FAIL"}'; }

echo
echo "Unpack benchmark: $(numfmt --to=iec "$bytes") tree, $entries entries; single gzip layer $blob_mib MiB;" \
     "4-layer variant of the same data; $(nproc) cores."
echo "$rounds rounds, interleaved; each command timed to a finished sync into a fresh directory."
echo "Load average before / after the timed runs: $load_before / $load_after (other work on this machine skews times)."
printf '\n%-60s %8s %8s %8s %7s %9s\n' "" "median s" "min s" "max s" "x tar" "peak MiB"
row berth1 "berth image unpack, 1 layer (overlayfs, verified)"
[ -z "$compare" ] || row compare1 "the same by --compare ($("$compare" --version 2>/dev/null | head -1))"
row tar1 "tar -xzf of the same blob"
row umoci1 "umoci raw unpack"
row ctr1 "containerd $(containerd --version | awk '{print $3}') (ctr images mount) [1]"
row berth4 "berth image unpack, 4 layers (overlayfs, in parallel)"
row berthparts "berth: the 4 layers as 1-layer images, in turn (sum) [2]"
row tarparts "tar -xzf of the 4 layer blobs, in turn (sum) [2]"
row gzipdc "gzip -dc of the 1-layer blob to /dev/null (inflate only) [4]"
row igzipdc "igzip -dc $(igzip --version 2>&1 | awk '{print $NF; exit}') of the same (ISA-L, inflate only) [4]"
printf '\n%-60s %8s\n' "already unpacked (4-layer image), median of 21" "ms"
printf '%-60s %8s\n' "berth image unpack (no-op), CLI wall time" "$(ms noop)"
printf '%-60s %8s\n' "berth image inspect (start-up + resolve, no check)" "$(ms inspect)"
decision=$(awk -v a="$(med noop)" -v b="$(med inspect)" 'BEGIN {d = (a - b) / 1e6; printf "%.1f", d < 0 ? 0 : d}')
printf '%-60s %8s\n' "difference: start-up and resolve excluded [3]" "$decision"
printf '%-60s %8s\n' "snapshot checks under strace, median of 11 [3]" "$(ms traced)"
echo
echo "[1] containerd 1.6's ctr has no 'images unpack'; 'ctr images mount' unpacks the image (Image.Unpack) and"
echo "    then mounts a view of it. Each round uses a new namespace, so it unpacks into new snapshots. Peak"
echo "    memory is containerd's own (VmHWM, reset before each run), since the daemon does the extraction."
echo "[2] Sum of four runs, each timed on its own (sync included). Berth's sum includes 4 CLI start-ups"
echo "    (one 'berth image inspect' above is a rough measure of one)."
echo "[3] Berth has no flag reporting the decision alone. The difference of the two CLI times above is noisy; the"
echo "    strace figure spans the first to the last system call on the snapshot directory (lock, leftover scan,"
echo "    one stat per layer) and is an upper bound, since tracing slows each call. In-process figure:"
echo "    BERTH_BENCH_ROOTFS=DIR swift test -c release --filter UnpackBenchmarkTests."
echo "[4] Inflating alone, nothing written: the floor of an unpack with that inflater. $("$berth" --version 2>/dev/null | head -1)"
if [ "$b_entries" -eq "$t_entries" ] && [ "$b_bytes" -eq "$t_bytes" ]; then
    echo "check: Berth's snapshot and tar -xzf's tree have the same $b_entries entries and $b_bytes bytes in files"
else
    echo "check: MISMATCH Berth's snapshot has $b_entries entries, $b_bytes bytes; tar -xzf's tree $t_entries, $t_bytes"
fi
echo
r1=$(ratio berth1 tar1); mem=$(sort -n "$work/res/berth1.kb" "$work/res/berth4.kb" | tail -1)
r4=$(ratio berth4 berthparts); r4t=$(ratio berth4 tarparts)
echo "$(verdict "$r1" 0.9) 1 large gzip layer: berth / tar -xzf = $r1 (target <= 0.90)"
echo "$(verdict "$r1" 0.55) 1 large gzip layer at the limit (issue #19): berth / tar -xzf = $r1 (target <= 0.55)"
echo "$(verdict "$mem" 65535) peak memory of berth image unpack = $((mem / 1024)) MiB (target < 64 MiB)"
echo "$(verdict "$r4" 0.7) 4 layers on overlayfs: berth / its layers one after another by berth = $r4 (target <= 0.70; vs tar: $r4t)"
echo "$(verdict "$(ms traced)" 4.999) already unpacked: deciding took $(ms traced) ms under strace (target < 5 ms; CLI wall time $(ms noop) ms, $decision ms more than inspect)"
exit 0
}
