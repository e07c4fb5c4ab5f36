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
    if [[ "${DRY_RUN:-0}" == "1" ]]; then
        log "dry run: would upload to $TARGET"
        rsync -az --delete --dry-run "$SITE_DIR/dist/" "$TARGET"
        return
    fi
    log "uploading to $TARGET"
    rsync -az --delete "$SITE_DIR/dist/" "$TARGET"
}

build
upload
log "done"
