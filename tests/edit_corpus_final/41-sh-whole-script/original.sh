#!/bin/sh
# Nightly backup of the app database.

BACKUP_DIR=/var/backups/app
KEEP_DAYS=7
STAMP=$(date +%Y%m%d)

mkdir -p "$BACKUP_DIR"

pg_dump -U app appdb | gzip > "$BACKUP_DIR/appdb-$STAMP.sql.gz"

find "$BACKUP_DIR" -name 'appdb-*.sql.gz' -mtime +$KEEP_DAYS -delete

echo "backup written to $BACKUP_DIR/appdb-$STAMP.sql.gz"

if command -v logger >/dev/null 2>&1; then
    logger -t app-backup "backup $STAMP done"
fi

exit 0
