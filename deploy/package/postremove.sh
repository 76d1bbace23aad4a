#!/bin/sh
# dnshealth-exporter package: after removal, forget the removed unit.
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
