#!/bin/sh
# A bounded libFuzzer pass over every parser (longer: make fuzz).
set -eu
make -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS_SHORT:-5}"
