#!/bin/sh
# Rebuilds the example objects from their C sources (needs clang and libbpf's headers; the .o
# files are checked in). vmlinux.h is the fake kernel's (test/fixtures/trace/build.sh makes it
# with bpftool from bpf.vmlinux); the tracing examples include it.
set -e
cd "$(dirname "$0")"
inc="-I/usr/include/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)"
for src in *.bpf.c; do
  clang -O2 -g -target bpf -D__TARGET_ARCH_x86 $inc -c "$src" -o "${src%.c}.o"
done
