#!/usr/bin/env bash
# Builds the "index off" mlcat for the suite's ingestion comparison (issue 18, BENCHMARKS.md):
# the checked-out tree with benches/index_off.patch applied, which takes the search index's
# writes out of the write path and changes nothing else, so on and off differ by the index alone.
# Release build, into $CARGO_TARGET_DIR (default target/) like the suite's; the binary is kept
# as $CARGO_TARGET_DIR/bench/mlcat-index-off and rebuilt only when the tree has changed.
#
#   benches/index_off.sh      prints the binary's path on its last line
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
out="$target/bench/mlcat-index-off"
mkdir -p "$target/bench"

# What the binary is built from: the commit and any uncommitted change to the tracked files.
stamp="$(git rev-parse HEAD) $(git diff HEAD -- src migrations vendor Cargo.toml Cargo.lock .cargo benches/index_off.patch | sha256sum | cut -c1-16)"
if [ -x "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$out"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$tmp"
(cd "$tmp" && patch -p1 --quiet < "$root/benches/index_off.patch")
# The same target directory: the dependencies are built once for both. Building from another
# path replaces target/release/mlcat, so the checked-out mlcat is linked back right after.
(cd "$tmp" && cargo build --release --locked --bin mlcat --target-dir "$target" >&2)
cp "$target/release/mlcat" "$out.tmp"
mv "$out.tmp" "$out"
echo "$stamp" > "$out.stamp"
cargo build --release --locked --bin mlcat >&2
if cmp -s "$out" "$target/release/mlcat"; then
  echo "index_off.sh: $target/release/mlcat is still the index-off build" >&2
  exit 1
fi
echo "$out"
