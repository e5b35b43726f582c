#!/bin/sh
# Records what the real `bpftool btf dump file F format c` prints into test/golden/btf-dump-c/,
# for test/btf/dump-c.test.ts: every object of ../shared/golden/btf-pprint/cases (as
# <case>.h) and every input of test/fixtures/btf-c (as <name>.h). A failing dump (exit code
# other than 0) is recorded too, as <name>.rc, with the partial output bpftool printed.
set -u
cd "$(dirname "$0")/.."
out=test/golden/btf-dump-c
mkdir -p "$out"
bpftool version | head -2 > "$out/bpftool-version.txt"
record() { # record INPUT NAME
	rc=0
	bpftool btf dump file "$1" format c > "$out/$2.h" 2>/dev/null || rc=$?
	if [ "$rc" -ne 0 ]; then echo "$rc" > "$out/$2.rc"; else rm -f "$out/$2.rc"; fi
}
for obj in ../shared/golden/btf-pprint/cases/*/prog.o; do
	[ -e "$obj" ] || continue
	record "$obj" "$(basename "$(dirname "$obj")")"
done
for f in test/fixtures/btf-c/*.o test/fixtures/btf-c/*.btf; do
	name=$(basename "$f")
	record "$f" "${name%.*}"
done
