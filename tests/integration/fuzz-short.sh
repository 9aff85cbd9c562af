#!/bin/sh
# A bounded libFuzzer pass over every parser (longer: make fuzz). The
# targets are built two at a time first: each compiles every parser.
set -eu
make -s -j2 fuzz-build
make -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS_SHORT:-3}"
