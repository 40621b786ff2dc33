#!/usr/bin/env bash
# Re-vendor the browser assets of the mlcat playground (GraphiQL page and
# lineage view) from the npm registry into playground/vendor/.
#
#   bash playground/vendor.sh           # refresh playground/vendor/ and VERSIONS
#   bash playground/vendor.sh --check   # fetch again, compare with the committed
#                                       # files, change nothing (exit 1 on drift)
#
# Needs: bash, npm and node (Node >= 18), sha256sum, grep, sed, mktemp.
# To move to new versions, edit the pins below and run the script.
set -euo pipefail

# ---- pinned versions (exact) -------------------------------------------------
REACT_VERSION="18.3.1"
REACT_DOM_VERSION="18.3.1"
GRAPHIQL_VERSION="3.9.0"
VIZ_VERSION="3.31.0"            # @viz-js/viz: Graphviz as WebAssembly, for the lineage view
# Not vendored: only read for the Eclipse Public License text of Graphviz,
# which @viz-js/viz bundles but does not ship a license file for.
SPDX_LICENSE_LIST_VERSION="6.12.0"

# destination file  <-  package  path-in-package
FILES=(
  "react.production.min.js|react|umd/react.production.min.js"
  "react-dom.production.min.js|react-dom|umd/react-dom.production.min.js"
  "graphiql.min.js|graphiql|graphiql.min.js"
  "graphiql.min.css|graphiql|graphiql.min.css"
  "viz-global.js|@viz-js/viz|dist/viz-global.js"
)
# ------------------------------------------------------------------------------

MODE="write"
case "${1:-}" in
  "") ;;
  --check) MODE="check" ;;
  -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENDOR="$HERE/vendor"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/out"
mkdir -p "$OUT"

echo "==> npm install (temp dir $WORK)"
(
  cd "$WORK"
  printf '{"name":"mlcat-playground-vendor","private":true}\n' > package.json
  # --ignore-scripts: we only copy prebuilt files, nothing needs to run.
  # --legacy-peer-deps: graphiql's UMD bundle already contains graphql-js and
  #   its other dependencies, so its peer `graphql` is not needed here.
  npm install --no-audit --no-fund --ignore-scripts --legacy-peer-deps \
    --save-exact --loglevel=error \
    "react@${REACT_VERSION}" \
    "react-dom@${REACT_DOM_VERSION}" \
    "graphiql@${GRAPHIQL_VERSION}" \
    "@viz-js/viz@${VIZ_VERSION}" \
    "spdx-license-list@${SPDX_LICENSE_LIST_VERSION}"
)

pkg_version() {
  node -p "require(process.argv[1]).version" "$WORK/node_modules/$1/package.json"
}

# Make sure npm gave us exactly the pinned versions.
for pair in "react=$REACT_VERSION" "react-dom=$REACT_DOM_VERSION" "graphiql=$GRAPHIQL_VERSION" \
            "@viz-js/viz=$VIZ_VERSION" "spdx-license-list=$SPDX_LICENSE_LIST_VERSION"; do
  name="${pair%%=*}"; want="${pair#*=}"
  got="$(pkg_version "$name")"
  if [[ "$got" != "$want" ]]; then
    echo "error: $name installed as $got, expected $want" >&2
    exit 1
  fi
done

for entry in "${FILES[@]}"; do
  IFS='|' read -r dest pkg src <<<"$entry"
  cp "$WORK/node_modules/$pkg/$src" "$OUT/$dest"
done

# What @viz-js/viz bundles, from the build provenance shipped in the package.
VIZ_PKG="$WORK/node_modules/@viz-js/viz"
GRAPHVIZ_VERSION="$(sed -n 's/^export const graphvizVersion = "\(.*\)";$/\1/p' "$VIZ_PKG/lib/metadata.js")"
bundled_source() { # $1: a word in the source URL -> that URL
  node -e '
    const p = require(process.argv[1]);
    const uri = p.predicate.buildDefinition.resolvedDependencies
      .map((d) => d.uri).find((u) => u.includes(process.argv[2]));
    if (!uri) { process.exit(1); }
    console.log(uri);' "$VIZ_PKG/lib/provenance.json" "$1"
}
GRAPHVIZ_SOURCE="$(bundled_source graphviz-)"
EXPAT_SOURCE="$(bundled_source expat-)"
EXPAT_VERSION="$(basename "$EXPAT_SOURCE" .tar.gz)"; EXPAT_VERSION="${EXPAT_VERSION#expat-}"
if [[ -z "$GRAPHVIZ_VERSION" || "$GRAPHVIZ_SOURCE" != *"/$GRAPHVIZ_VERSION/"* ]]; then
  echo "error: cannot tell which Graphviz @viz-js/viz@$VIZ_VERSION bundles" >&2
  exit 1
fi
# The copyright line below is Viz.js's LICENSE file (the npm package has none);
# make sure the bundle still names the same author.
if ! head -c 400 "$OUT/viz-global.js" | grep -q 'Copyright (c) Michael Daines'; then
  echo "error: viz-global.js no longer names 'Copyright (c) Michael Daines'; update LICENSES.txt text in vendor.sh" >&2
  exit 1
fi
# The wasm must be inside the bundle: the page cannot fetch a separate file.
if ls "$VIZ_PKG/dist/" | grep -q '\.wasm$'; then
  echo "error: @viz-js/viz now ships a separate .wasm file; vendor and serve it too" >&2
  exit 1
fi

MIT_TEXT='Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.'

# The license notices of the vendored code.
{
  echo "Third-party code in this folder. React, GraphiQL, Viz.js and Expat are under the"
  echo "MIT license; Graphviz (inside viz-global.js) is under the Eclipse Public License 1.0."
  echo
  echo "== react@${REACT_VERSION} (react.production.min.js)"
  echo "== react-dom@${REACT_DOM_VERSION} (react-dom.production.min.js)"
  echo
  cat "$WORK/node_modules/react/LICENSE"
  echo
  echo "== graphiql@${GRAPHIQL_VERSION} (graphiql.min.js, graphiql.min.css)"
  echo
  cat "$WORK/node_modules/graphiql/LICENSE"
  echo
  echo "== @viz-js/viz@${VIZ_VERSION} (viz-global.js)"
  echo
  echo "viz-global.js is Viz.js: Graphviz ${GRAPHVIZ_VERSION} and Expat ${EXPAT_VERSION} compiled to"
  echo "WebAssembly with Emscripten, with a JavaScript wrapper. Each part's notice follows."
  echo
  echo "-- Viz.js (https://github.com/mdaines/viz-js)"
  echo
  echo "Copyright (c) 2014-2016 Michael Daines"
  echo
  echo "$MIT_TEXT"
  echo
  echo "-- Expat ${EXPAT_VERSION} (https://libexpat.github.io), in object code form"
  echo
  echo "Copyright (c) 1998-2000 Thai Open Source Software Center Ltd and Clark Cooper"
  echo "Copyright (c) 2001-2025 Expat maintainers"
  echo
  echo "$MIT_TEXT"
  echo
  echo "-- Graphviz ${GRAPHVIZ_VERSION} (https://graphviz.org), in object code form"
  echo
  echo "Graphviz is distributed under the Eclipse Public License 1.0 (text below) by its"
  echo "contributors, who disclaim all warranties and liabilities as set out in sections 5"
  echo "and 6 of that license. Its source code is available from the Graphviz project:"
  echo "  ${GRAPHVIZ_SOURCE}"
  echo "  (the source this build was made from, per the build provenance in @viz-js/viz)"
  echo "  https://gitlab.com/graphviz/graphviz"
  echo
  node -p 'require(process.argv[1]).licenseText' \
    "$WORK/node_modules/spdx-license-list/licenses/EPL-1.0.json"
} > "$OUT/LICENSES.txt"

# ---- offline check of the CSS ------------------------------------------------
# The page must not load anything from another host. graphiql's CSS embeds its
# fonts (Roboto, Fira Code) as data: URIs, so nothing has to be rewritten today.
# If a future version refers to other files, fail loudly instead of shipping a
# page that reaches out to the internet: vendor those files into vendor/ and
# rewrite their URLs to /playground/assets/<file> here.
CSS="$OUT/graphiql.min.css"
if grep -qi '@import' "$CSS"; then
  echo "error: graphiql.min.css contains @import; vendor/rewrite it in vendor.sh" >&2
  grep -oi '@import[^;]*' "$CSS" >&2
  exit 1
fi
bad_urls="$(grep -oiE 'url\([^)]*\)' "$CSS" | grep -viE '^url\(["'\'']?data:' || true)"
if [[ -n "$bad_urls" ]]; then
  echo "error: graphiql.min.css refers to non-embedded resources:" >&2
  echo "$bad_urls" | sort -u >&2
  echo "vendor them into playground/vendor/ and rewrite to /playground/assets/<file>" >&2
  exit 1
fi

# ---- report hosts named in the JS (informational) ----------------------------
echo "==> absolute URLs named in the vendored JS (none of them is fetched by the page):"
grep -ohE 'https?://[A-Za-z0-9.-]+' "$OUT"/*.js | sort | uniq -c | sed 's/^/    /'

# ---- VERSIONS ----------------------------------------------------------------
{
  echo "# Generated by playground/vendor.sh; do not edit by hand."
  echo "# The .js/.css files are byte-identical to the files in the npm packages."
  echo "package react ${REACT_VERSION}"
  echo "package react-dom ${REACT_DOM_VERSION}"
  echo "package graphiql ${GRAPHIQL_VERSION}"
  echo "package @viz-js/viz ${VIZ_VERSION}"
  echo "bundled graphviz ${GRAPHVIZ_VERSION} in viz-global.js (${GRAPHVIZ_SOURCE})"
  echo "bundled expat ${EXPAT_VERSION} in viz-global.js (${EXPAT_SOURCE})"
  echo "license-text-from spdx-license-list ${SPDX_LICENSE_LIST_VERSION} (EPL-1.0 text in LICENSES.txt)"
  for entry in "${FILES[@]}"; do
    IFS='|' read -r dest pkg src <<<"$entry"
    ver="$(pkg_version "$pkg")"
    echo "sha256 $(sha256sum "$OUT/$dest" | cut -d' ' -f1) ${dest} ${pkg}@${ver}/${src}"
  done
  echo "sha256 $(sha256sum "$OUT/LICENSES.txt" | cut -d' ' -f1) LICENSES.txt generated"
} > "$OUT/VERSIONS"

if [[ "$MODE" == "check" ]]; then
  status=0
  for f in "$OUT"/*; do
    name="$(basename "$f")"
    if ! cmp -s "$f" "$VENDOR/$name"; then
      echo "DIFFERS: vendor/$name" >&2
      status=1
    fi
  done
  for f in "$VENDOR"/*; do
    name="$(basename "$f")"
    [[ -e "$OUT/$name" ]] || { echo "EXTRA: vendor/$name (not produced by vendor.sh)" >&2; status=1; }
  done
  if [[ $status -eq 0 ]]; then echo "OK: playground/vendor/ matches the pinned npm packages"; fi
  exit $status
fi

mkdir -p "$VENDOR"
# Replace the folder's content so stale files do not linger.
find "$VENDOR" -mindepth 1 -maxdepth 1 -type f -delete
cp "$OUT"/* "$VENDOR/"
echo "==> wrote:"
ls -l "$VENDOR" | sed 's/^/    /'
