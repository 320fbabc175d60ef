#!/bin/sh
# Add gikai-desk to the desktop menu of the current user (Kylin, UOS, any XDG desktop). No root needed.
# Run from the copied program folder: ./install-desktop-entry.sh   (./install-desktop-entry.sh --remove to undo)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor"
if [ "${1:-}" = "--remove" ]; then
  rm -f "$apps/gikai-desk.desktop"
  for size in 16 24 32 48 64 128 256; do rm -f "$icons/${size}x${size}/apps/gikai-desk.png"; done
  echo "gikai-desk menu entry removed"
  exit 0
fi
mkdir -p "$apps"
for size in 16 24 32 48 64 128 256; do
  src="$here/_internal/gikai_desk/resources/icons/gikai-desk-$size.png"
  if [ -f "$src" ]; then
    mkdir -p "$icons/${size}x${size}/apps"
    cp "$src" "$icons/${size}x${size}/apps/gikai-desk.png"
  fi
done
sed -e "s|^Exec=.*|Exec=\"$here/gikai-desk\" %F|" \
    -e "s|^Icon=.*|Icon=$here/_internal/gikai_desk/resources/icons/gikai-desk-256.png|" \
    "$here/gikai-desk.desktop" > "$apps/gikai-desk.desktop"
chmod +x "$apps/gikai-desk.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" >/dev/null 2>&1 || true
echo "gikai-desk added to the menu: $apps/gikai-desk.desktop"
