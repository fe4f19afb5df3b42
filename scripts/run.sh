#!/bin/sh
# run.sh BIN DATA LISTEN - what `make run` does after the build: serve in the
# foreground with the embedded store, and say how to use it.
set -eu
BIN=$1 DATA=$2 LISTEN=$3
mkdir -p "$DATA"
fresh=0
[ -f "$DATA/panoptes.db" ] || fresh=1

cat <<MSG

Panoptes is starting on http://$LISTEN/ with its data in $DATA.
MSG
if [ $fresh = 1 ]; then
	echo "This is a new data directory: an administrator is created and its API key printed below."
fi
cat <<MSG
The administrator's API key is kept in $DATA/admin.key.

Open http://$LISTEN/ in a browser and sign in with that key to search, upload
files and URLs and read the reports.  Or use the API:

  KEY=\$(cat $DATA/admin.key)
  curl -H "x-apikey: \$KEY" -F file=@/bin/true http://$LISTEN/api/v3/files
  curl -H "x-apikey: \$KEY" http://$LISTEN/api/v3/files/\$(sha256sum /bin/true | cut -c1-64)

Stop with Ctrl-C; the next \`make run\` reuses the same data.

MSG
exec "$BIN" serve --data "$DATA" --listen "$LISTEN"
