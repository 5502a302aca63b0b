#!/bin/bash
# Packs TREE into an OCI image layout at LAYOUT (which must not exist), reproducibly (sorted names,
# mtime 0, owner 0:0, `gzip -n`), with these images, each named by both `org.opencontainers.image.ref.name`
# (TAG) and `io.containerd.image.name` (berth.local/bench:TAG):
#   single   one gzip layer holding the whole tree
#   layered  four gzip layers: TREE's top-level directories dealt out round-robin (the same data as single)
#   part0-3  one image per layer of `layered`, that layer alone (the same blob)
# Prints one line per layer blob: "<name> <blob path>", name single or layer0-3.
# Usage: benchmarks/lib/make-layout.sh TREE LAYOUT
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 TREE LAYOUT" >&2; exit 2; }
tree=$1 layout=$2
[ ! -e "$layout" ] || { echo "$layout exists" >&2; exit 2; }
case $(uname -m) in
    x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;;
esac
blobs=$layout/blobs/sha256
mkdir -p "$blobs"
layer_type=application/vnd.oci.image.layer.v1.tar+gzip

# layer NAME ENTRY... : tar + gzip of ENTRY... (relative to TREE) into a blob, hashing the tar on the
# way (one pass); sets digest, size, diff_id.
layer() {
    local name=$1 sum_pid; shift
    local tmp=$layout/$name.tmp fifo=$layout/$name.fifo
    mkfifo "$fifo"
    sha256sum < "$fifo" > "$layout/$name.diff_id" &
    sum_pid=$!
    tar -C "$tree" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -cf - "$@" \
        | tee "$fifo" | gzip -n -6 > "$tmp"
    wait "$sum_pid"
    diff_id=sha256:$(cut -d' ' -f1 "$layout/$name.diff_id")
    digest=sha256:$(sha256sum "$tmp" | cut -d' ' -f1)
    size=$(stat -c %s "$tmp")
    mv "$tmp" "$blobs/${digest#sha256:}"
    rm "$fifo" "$layout/$name.diff_id"
    echo "$name $blobs/${digest#sha256:}"
}

# json_blob TEXT : stores TEXT as a blob; sets digest and size.
json_blob() {
    printf '%s' "$1" > "$layout/json.tmp"
    digest=sha256:$(sha256sum "$layout/json.tmp" | cut -d' ' -f1)
    size=$(stat -c %s "$layout/json.tmp")
    mv "$layout/json.tmp" "$blobs/${digest#sha256:}"
}

# image TAG "DIGEST SIZE DIFF_ID"... : config and manifest for these layers; appends to the index entries.
entries=
image() {
    local tag=$1; shift
    local diff_ids='' layers='' d s i
    for l in "$@"; do
        read -r d s i <<<"$l"
        diff_ids+=${diff_ids:+,}\"$i\"
        layers+=${layers:+,}"{\"digest\":\"$d\",\"mediaType\":\"$layer_type\",\"size\":$s}"
    done
    json_blob "{\"architecture\":\"$arch\",\"config\":{},\"os\":\"linux\",\"rootfs\":{\"diff_ids\":[$diff_ids],\"type\":\"layers\"}}"
    local config="{\"digest\":\"$digest\",\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":$size}"
    json_blob "{\"config\":$config,\"layers\":[$layers],\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"schemaVersion\":2}"
    entries+=${entries:+,}"{\"annotations\":{\"io.containerd.image.name\":\"berth.local/bench:$tag\",\"org.opencontainers.image.ref.name\":\"$tag\"},\"digest\":\"$digest\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"platform\":{\"architecture\":\"$arch\",\"os\":\"linux\"},\"size\":$size}"
}

mapfile -t tops < <(cd "$tree" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort)
layer single "${tops[@]}"
image single "$digest $size $diff_id"
parts=()
for k in 0 1 2 3; do
    group=()
    for j in "${!tops[@]}"; do [ $((j % 4)) -ne "$k" ] || group+=("${tops[$j]}"); done
    layer "layer$k" "${group[@]}"
    parts+=("$digest $size $diff_id")
done
image layered "${parts[@]}"
for k in 0 1 2 3; do image "part$k" "${parts[$k]}"; done
printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
printf '{"manifests":[%s],"schemaVersion":2}' "$entries" > "$layout/index.json"
