#!/bin/sh
# Rebuilds the example objects from their C sources (needs clang; the .o files are checked in).
set -e
cd "$(dirname "$0")"
for src in *.bpf.c; do
  clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$src" -o "${src%.c}.o"
done
