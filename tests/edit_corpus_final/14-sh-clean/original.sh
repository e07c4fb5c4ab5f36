#!/usr/bin/env bash
# Build the site and copy it to the web server.
set -euo pipefail

SITE_DIR="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="deploy@web01:/srv/www/site"

log() {
    printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"
}

build() {
    log "building in $SITE_DIR"
    cd "$SITE_DIR"
    npm ci
    npm run build
}

upload() {
    log "uploading to $TARGET"
    rsync -az --delete "$SITE_DIR/dist/" "$TARGET"
}

build
upload
log "done"
