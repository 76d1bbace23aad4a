#!/bin/sh
# dnshealth-exporter package: after install or upgrade (deb: "configure";
# rpm: 1 on install, 2 on upgrade). The service is not enabled: edit
# /etc/dnshealth_exporter/dnshealth.yml first, then
# `systemctl enable --now dnshealth_exporter`. An upgrade restarts it if it
# runs, so that the new binary serves.
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	systemctl try-restart dnshealth_exporter.service >/dev/null 2>&1 || true
fi
exit 0
