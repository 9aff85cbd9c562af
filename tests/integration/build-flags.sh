#!/bin/sh
# The code builds under -Werror with the flags people debug with: gcc 12
# at -O1 with ASan and UBSan warned (-Wnonnull) about memmem in the
# parsers. The sources and common files are compiled with those flags
# (the objects go nowhere), each warning a failure.
set -eu
. tests/lib.sh
cc=${CC:-cc}
# shellcheck disable=SC2089 # the macros' quotes are characters of their values
flags="-std=c11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes
	-D_GNU_SOURCE -I. -Ibuild/gen $(pkg-config --cflags libdrm 2>/dev/null) -DGS_VERSION=\"0\" -DGS_DATADIR=\"/\""
make -s build/gen/migrations.c build/gen/origins.skel.h
n=0
for opt in "-O1 -fsanitize=address,undefined" "-O2" "-O3"; do
	for f in sources/*.c common/*.c db/store*.c; do
		# shellcheck disable=SC2086,SC2090 # flags: words, and the macros' quotes kept as characters
		$cc $flags $opt -c -o /dev/null "$f" || fail "$f does not build with $opt"
		n=$((n + 1))
	done
done
echo "ok: $n compilations without a warning ($($cc --version | head -1))"
