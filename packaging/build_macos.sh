#!/usr/bin/env bash
# Build Hearth.app and a DMG on macOS.
#   packaging/build_macos.sh                      unsigned build (local testing)
#   SIGN_ID="Developer ID Application: …" NOTARY_PROFILE=hearth packaging/build_macos.sh
# Signing matters: an unsigned frozen app cannot use the Keychain through keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -e . "pyinstaller>=6.10" "dmgbuild>=1.6"
pyinstaller --noconfirm --clean packaging/hearth.spec
APP=dist/Hearth.app
if [ -n "${SIGN_ID:-}" ]; then
  codesign --deep --force --options runtime --timestamp --sign "$SIGN_ID" "$APP"
  codesign --verify --strict --verbose=2 "$APP"
fi
dmgbuild -s packaging/dmg_settings.py -D app="$APP" "Hearth" dist/Hearth.dmg
if [ -n "${SIGN_ID:-}" ] && [ -n "${NOTARY_PROFILE:-}" ]; then
  codesign --force --sign "$SIGN_ID" dist/Hearth.dmg
  xcrun notarytool submit dist/Hearth.dmg --keychain-profile "$NOTARY_PROFILE" --wait
  xcrun stapler staple dist/Hearth.dmg
fi
du -sh "$APP" dist/Hearth.dmg
