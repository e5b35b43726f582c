#!/bin/sh
# Records what the real bpftool prints for `btf dump file OBJ` (raw text), `-j` and `-p`, for
# every BTF fixture object, into test/golden/btf-dump/, so the tests need no bpftool.
# Fixtures: test/fixtures/btf/*.o and *.btf (built by test/fixtures/btf/build.sh; split.btf is
# dumped on top of split-base.btf with -B, which is not dumped by itself) and
# ../shared/golden/btf-pprint/cases/*/prog.o (clang 16 objects, which have ENUM64), recorded
# under their case's name.
# Needs bpftool (Debian's v7.1 was used: `bpftool version` is written to the README).
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
fixtures="$root/test/fixtures/btf"
out="$root/test/golden/btf-dump"
shared="$root/../shared/golden/btf-pprint/cases"

mkdir -p "$out"
rm -f "$out"/*.txt "$out"/*.json
for obj in "$fixtures"/*.o "$fixtures"/edge.btf; do
	name=$(basename "${obj%.*}")
	bpftool btf dump file "$obj" > "$out/$name.txt"
	bpftool -j btf dump file "$obj" > "$out/$name.json"
done
for d in "$shared"/*/; do
	name=$(basename "$d")
	bpftool btf dump file "$d/prog.o" > "$out/$name.txt"
	bpftool -j btf dump file "$d/prog.o" > "$out/$name.json"
done
base="-B $fixtures/split-base.btf"
bpftool $base btf dump file "$fixtures/split.btf" > "$out/split.txt"
bpftool $base -j btf dump file "$fixtures/split.btf" > "$out/split.json"
# Pretty JSON is the same data laid out again: recorded for the hand-made fixtures only.
for obj in "$fixtures"/*.o "$fixtures"/edge.btf; do
	name=$(basename "${obj%.*}")
	bpftool -p btf dump file "$obj" > "$out/$name.pretty.json"
done
{
	echo "# bpftool btf dump golden outputs"
	echo
	echo "Recorded by scripts/record-btf-dump-golden.sh with:"
	echo
	bpftool version | sed 's/^/    /'
	echo
	echo "For each fixture NAME.o or NAME.btf of test/fixtures/btf/ and each case NAME of ../shared/golden/btf-pprint/cases/:"
	echo "NAME.txt is \`bpftool btf dump file NAME.o\`, NAME.json is \`bpftool -j btf dump file NAME.o\`;"
	echo "NAME.pretty.json (test/fixtures/btf/ only) is \`bpftool -p btf dump file NAME.o\`."
	echo "split.txt and split.json are dumped with \`-B split-base.btf\`."
} > "$out/README.md"
