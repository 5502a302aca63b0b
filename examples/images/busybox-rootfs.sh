#!/bin/sh
# Builds the rootfs of Berth's demo image from Debian's busybox-static: busybox, a link for each
# applet, and minimal /etc/passwd and /etc/group. Same busybox → same tree → same image digests.
# Usage: busybox-rootfs.sh DIR   (DIR is created; it must not exist yet)
set -eu
dir=${1:?usage: busybox-rootfs.sh DIR}
busybox=${BUSYBOX:-/bin/busybox}
if [ -e "$dir" ]; then echo "busybox-rootfs.sh: $dir already exists" >&2; exit 1; fi
if ! "$busybox" --list-full >/dev/null 2>&1; then
    echo "busybox-rootfs.sh: $busybox is not a busybox binary (apt-get install busybox-static)" >&2; exit 1
fi
umask 022
mkdir -p "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/usr/sbin" "$dir/etc" "$dir/root" "$dir/tmp" \
         "$dir/proc" "$dir/sys" "$dir/dev" "$dir/run" "$dir/home"
chmod 1777 "$dir/tmp"
chmod 0700 "$dir/root"
cp "$busybox" "$dir/bin/busybox"
chmod 0755 "$dir/bin/busybox"
"$busybox" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$dir/$(dirname "$applet")"
    ln -sf /bin/busybox "$dir/$applet"
done
cat > "$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
app:x:1000:1000:app:/home/app:/bin/sh
PASSWD
cat > "$dir/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
wheel:x:10:root,app
users:x:100:app
app:x:1000:
nogroup:x:65534:
GROUP
mkdir -p "$dir/home/app"
chmod 0644 "$dir/etc/passwd" "$dir/etc/group"
