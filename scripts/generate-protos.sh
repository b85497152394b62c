#!/usr/bin/env bash
# Regenerates Sources/FlowerProto/Generated from proto/**/*.proto with protoc + protogen.
#
#   scripts/generate-protos.sh           rewrite the checked-in generated code
#   scripts/generate-protos.sh --check   regenerate into a temp dir; exit 1 and print the diff
#                                        if the checked-in code is stale
#
# Needs `protoc` (Debian: protobuf-compiler). protogen is built from this package.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mode="write"
case "${1:-}" in
    "") ;;
    --check) mode="check" ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if ! command -v protoc >/dev/null 2>&1; then
    echo "error: protoc not found (apt-get install protobuf-compiler)" >&2
    exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Sorted, byte-wise, so the descriptor set does not depend on the filesystem or locale.
mapfile -t protos < <(cd proto && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)
protoc --include_imports --descriptor_set_out="$work/descriptors.pb" -Iproto "${protos[@]}"

swift build --product protogen >/dev/null
protogen="$(swift build --show-bin-path)/protogen"

target="Sources/FlowerProto/Generated"
if [[ "$mode" == "check" ]]; then
    mkdir "$work/generated"
    "$protogen" "$work/descriptors.pb" "$work/generated"
    if ! diff -ru "$target" "$work/generated"; then
        echo "error: $target is stale; run scripts/generate-protos.sh" >&2
        exit 1
    fi
    echo "generated code is up to date"
else
    "$protogen" "$work/descriptors.pb" "$target"
    echo "wrote $target"
fi
