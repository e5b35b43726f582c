#!/bin/sh
# Records what the real bpftool (v7.1) prints for `prog dump xlated` of each program of
# btf-pprint case s1_000 (/work/shared/golden): plain (<prog>.out), linum (<prog>.linum.out) and -j
# (<prog>.json). Needs root, a real bpffs at /sys/fs/bpf and bpftool; map ids, helper
# addresses and the JIT's subprogram symbols are the machine's (test/cli/xlated.test.ts masks them).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OBJ=${OBJ:-$HERE/../../../../../shared/golden/btf-pprint/cases/s1_000/prog.o}
P=/sys/fs/bpf/cli_golden_xlated
rm -rf "$P"
bpftool prog loadall "$OBJ" "$P"
for f in "$P"/*; do
  n=$(basename "$f")
  bpftool prog dump xlated pinned "$f" >"$HERE/$n.out"
  bpftool prog dump xlated pinned "$f" linum >"$HERE/$n.linum.out"
  bpftool -j prog dump xlated pinned "$f" >"$HERE/$n.json"
done
rm -rf "$P"
