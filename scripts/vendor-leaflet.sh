#!/bin/sh
# Vendors Leaflet from the npm registry into the embedded static files:
# internal/platform/web/static/vendor/leaflet/{leaflet.js,leaflet.css,images/,LICENSE,VERSION}.
#
# The version and the integrity of its tarball are pinned: a tarball whose
# sha512 differs from INTEGRITY stops the script before anything is copied.
# To move to another version, set VERSION, take INTEGRITY from
#   npm view leaflet@VERSION dist.integrity
# run this script and commit the files it rewrites.
#
# Needs npm (and so node). Run from anywhere: sh scripts/vendor-leaflet.sh
set -eu

VERSION=1.9.4
INTEGRITY=sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/internal/platform/web/static/vendor/leaflet"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "fetching leaflet@$VERSION"
tarball=$(cd "$tmp" && npm pack --silent --ignore-scripts "leaflet@$VERSION" | tail -n 1)
tarball="$tmp/$tarball"

got=$(node -e '
const crypto = require("crypto"), fs = require("fs");
process.stdout.write("sha512-" + crypto.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));
' "$tarball")
if [ "$got" != "$INTEGRITY" ]; then
	echo "integrity mismatch for leaflet@$VERSION:" >&2
	echo "  pinned: $INTEGRITY" >&2
	echo "  got:    $got" >&2
	exit 1
fi

mkdir "$tmp/x"
tar -xzf "$tarball" -C "$tmp/x"
pkg="$tmp/x/package"
for f in dist/leaflet.js dist/leaflet.css dist/images/layers.png dist/images/layers-2x.png \
	dist/images/marker-icon.png dist/images/marker-icon-2x.png dist/images/marker-shadow.png LICENSE; do
	if [ ! -f "$pkg/$f" ]; then
		echo "leaflet@$VERSION has no $f" >&2
		exit 1
	fi
done

rm -rf "$dest"
mkdir -p "$dest/images"
cp "$pkg/dist/leaflet.js" "$pkg/dist/leaflet.css" "$pkg/LICENSE" "$dest/"
cp "$pkg"/dist/images/*.png "$dest/images/"
chmod 644 "$dest"/* "$dest"/images/*
printf 'leaflet %s %s\nvendored by scripts/vendor-leaflet.sh\n' "$VERSION" "$INTEGRITY" >"$dest/VERSION"
echo "leaflet@$VERSION vendored into ${dest#"$root"/}"
