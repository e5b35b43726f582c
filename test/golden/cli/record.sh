#!/bin/sh
# Records what the real bpftool (v7.1) prints for the map commands test/cli compares with:
# loads btf-pprint case s1_000 into /sys/fs/bpf, runs each command line of commands.txt
# (with $P = the maps' pin dir), and writes stdout, stderr and exit status to bpftool/<n>.*.
# Needs root, a real bpffs at /sys/fs/bpf and bpftool; ids and memlock are the machine's.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CASE=${CASE:-$HERE/../../../../shared/golden/btf-pprint/cases/s1_000}
P=/sys/fs/bpf/cli_golden_m
rm -rf /sys/fs/bpf/cli_golden_p "$P"
bpftool prog loadall "$CASE/prog.o" /sys/fs/bpf/cli_golden_p pinmaps "$P" || exit 1
mkdir -p "$HERE/bpftool"
n=0
while IFS= read -r line; do
  [ -z "$line" ] && continue
  n=$((n + 1))
  eval "bpftool $line" >"$HERE/bpftool/$n.out" 2>"$HERE/bpftool/$n.err"
  echo $? >"$HERE/bpftool/$n.rc"
done <"$HERE/commands.txt"
rm -rf /sys/fs/bpf/cli_golden_p "$P"
