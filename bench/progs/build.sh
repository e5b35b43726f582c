#!/bin/sh
# Rebuilds the raw instruction streams of the VM benchmark programs from vm_progs.bpf.c (a copy
# of ../../../shared/anchors/1-prog-run/vm_progs.bpf.c and kernels.h), exactly as the anchors'
# build.sh does: clang -O2 -target bpf -mcpu=v3, then one section per program as raw bytes.
# Needs clang, llvm-objcopy and libbpf's headers (Debian: clang llvm libbpf-dev).
set -eu
cd "$(dirname "$0")"
inc="-I/usr/include/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)"
clang -O2 -g -target bpf -mcpu=v3 $inc -c vm_progs.bpf.c -o vm_progs.o
for s in a b empty; do
	llvm-objcopy -O binary --only-section=vm/$s vm_progs.o vm_$s.bin
done
rm vm_progs.o
ls -l vm_*.bin
