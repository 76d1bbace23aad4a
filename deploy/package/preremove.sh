#!/bin/sh
# dnshealth-exporter package: before removal (deb: "remove"; rpm: 0 on erase,
# 1 when an upgrade removes the old version, which must keep running).
set -e
case "$1" in
remove | 0)
	if [ -d /run/systemd/system ]; then
		systemctl disable --now dnshealth_exporter.service >/dev/null 2>&1 || true
	fi
	;;
esac
exit 0
