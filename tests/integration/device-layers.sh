#!/bin/sh
# device/ is read top-down: device/device.c (find and probe) is the only
# file that includes device/device.h, device/ioctl.[ch] (the bottom)
# include nothing else of device/, and binder/ includes nothing of
# device/. Prints each include it refuses.
set -eu
. tests/lib.sh
bad=0
for f in device/*.[ch]; do
	case $f in device/device.[ch]) continue ;; esac
	if grep -n '#include "device/device.h"' "$f"; then
		echo "$f includes device/device.h, the top of device/" >&2
		bad=$((bad + 1))
	fi
done
for f in device/ioctl.c device/ioctl.h; do
	if grep -n '#include "device/' "$f" | grep -v '"device/ioctl.h"'; then
		echo "$f, the bottom of device/, includes another file of device/" >&2
		bad=$((bad + 1))
	fi
done
for f in binder/*.[ch]; do
	if grep -n '#include "device/' "$f"; then
		echo "$f includes device/, which is DRM's" >&2
		bad=$((bad + 1))
	fi
done
[ "$bad" -eq 0 ] || fail "$bad includes against device/'s layers"
echo "ok: $(ls device/*.[ch] binder/*.[ch] | wc -l) files of device/ and binder/ checked"
