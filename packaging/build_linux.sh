#!/usr/bin/env bash
# Build a Linux onedir bundle (dist/Hearth/) and a tarball of it.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -e . "pyinstaller>=6.10"
pyinstaller --noconfirm --clean packaging/hearth.spec
tar -C dist -czf dist/Hearth-linux-$(uname -m).tar.gz Hearth
du -sh dist/Hearth dist/Hearth-linux-*.tar.gz
