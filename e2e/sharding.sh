#!/usr/bin/env bash
# End-to-end test of scale-out by Prometheus's own hashmod relabelling: two
# exporter replicas (each with the built-in --demo hierarchy on a free port)
# and two real Prometheus servers, each running
# dashboards/examples/prometheus-sharded.yml as its shard (0 or 1 of 2) with
# the shipped rules, over one file_sd list of every demo zone.
#
#   bash e2e/sharding.sh     (binds only free loopback TCP/UDP ports)
#
# The example is adapted by sed, then checked with promtool check config:
# the SHARD lines get the shard's number and its exporter replica's address;
# every interval is 5s and the scrape timeout 4s; /etc/prometheus/dnshealth/
# -> the work dir; the alerting block goes (no Alertmanager here). The rules
# are dashboards/rules.yml and dashboards/alerts.yml with every `for:` set
# to 5s, so that alerts fire within the test's bound.
#
# Assertions, each an "ok" or "FAIL" line:
#   - both adapted configurations pass promtool check config;
#   - each shard has active targets, and every demo zone is a target of
#     exactly one shard (the union is the zone list, the intersection empty);
#   - each shard holds probe_success for exactly its own zones, so each zone
#     was probed through exactly one exporter replica, and each replica's
#     own dnshealth_exporter_probes_total counts probes;
#   - the alerts still fire: lame-refused.test fires DNSHealthLameDelegation
#     and sec-expired.test DNSHealthDNSSECBogus, each only in the shard that
#     owns the zone; healthy.test fires nothing; DNSHealthProbeAbsent fires
#     in neither shard.
# The last line is "N passed, N failed"; the exit status is non-zero on any
# failure. Environment: E2E_TIMEOUT (seconds, default 300) bounds the run.

set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=e2e/lib.sh
. "$E2E_DIR/lib.sh"
e2e_begin E2E_SHARDING_UNDER_TIMEOUT work-sharding e2e-sharding "$@"
E2E_LOGS_HINT="exporters: $WORK/exporter-*.log, Prometheus: $WORK/prom-*/prometheus.log"

install_packages prometheus:prometheus promtool:prometheus jq:jq curl:curl
command -v go >/dev/null || die "go is not installed"
fresh_workdir 'dnshealth_exporter|prometheus'
cd "$WORK"
RESULT_INDENT=

check() { # DESC COMMAND...: pass when the command succeeds
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$desc"; else fail "$desc" "$out"; fi
}

# ---------------------------------------------------------------- exporters

log "building the exporter"
(cd "$REPO" && go build -o "$WORK/dnshealth_exporter" .) >"$WORK/build.log" 2>&1 ||
	{ cat "$WORK/build.log" >&2; die "go build failed"; }
EXP=()
for k in 0 1; do
	port=$(free_port) || die "no free TCP port"
	"$WORK/dnshealth_exporter" --demo --demo.port=0 --web.listen-address="127.0.0.1:$port" \
		>"$WORK/exporter-$k.log" 2>&1 &
	PIDS+=("$!")
	echo $! >"$WORK/exporter.pid"
	for i in $(seq 150); do
		curl -fsS --max-time 2 "http://127.0.0.1:$port/-/healthy" >/dev/null 2>&1 && break
		kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$WORK/exporter-$k.log" >&2; die "exporter $k exited at start"; }
		[[ $i -lt 150 ]] || die "exporter $k not healthy after 15s"
		sleep 0.1
	done
	EXP+=("127.0.0.1:$port")
done
log "exporters healthy on ${EXP[*]}"

# Every demo zone the landing page links to (its first load waits for the
# demo zones' first round of probes).
mapfile -t ZONES < <(curl -fsS --max-time 60 "http://${EXP[0]}/" | grep -o 'target=[a-z0-9.-]*\.test' | cut -d= -f2 | sort -u)
[[ ${#ZONES[@]} -ge 20 ]] || die "the landing page lists ${#ZONES[@]} demo zones, want at least 20"
for z in healthy.test lame-refused.test sec-expired.test; do
	printf '%s\n' "${ZONES[@]}" | grep -qx "$z" || die "demo zone $z is not on the landing page"
done
mkdir -p "$WORK/targets"
{
	echo "- labels: {__param_module: demo}"
	echo "  targets:"
	printf '    - %s\n' "${ZONES[@]}"
} >"$WORK/targets/zones.yml"
log "${#ZONES[@]} demo zones in the file_sd list"

# ---------------------------------------------------------------- prometheus

cp "$REPO/dashboards/rules.yml" "$WORK/rules.yml"
sed -E 's/^( *)for: .*/\1for: 5s/' "$REPO/dashboards/alerts.yml" >"$WORK/alerts.yml"

PROM=()
for k in 0 1; do
	d=$WORK/prom-$k
	mkdir -p "$d"
	# Drop the alerting block (its lines up to the next top-level key).
	sed -E -e '/^alerting:/,/^[a-z_]+:/{/^alerting:/d;/^[a-z_]+:/!d}' \
		-e "s/^(\s+shard: )\"0\"/\1\"$k\"/" \
		-e "s/^(\s+regex: )\"0\"( # SHARD)/\1\"$k\"\2/" \
		-e "s/dnshealth-exporter-0\.example\.net:9553/${EXP[k]}/" \
		-e "s#/etc/prometheus/dnshealth/#$WORK/#g" \
		-e 's/^(\s+(scrape|evaluation)_interval: ).*/\15s/' \
		-e 's/^(\s+scrape_timeout: ).*/\14s/' \
		"$REPO/dashboards/examples/prometheus-sharded.yml" >"$d/prometheus.yml"
	grep -q 'example\.net' "$d/prometheus.yml" && die "shard $k: an example.net name is left in $d/prometheus.yml"
	check "shard $k: promtool check config" promtool check config "$d/prometheus.yml"
	port=$(free_port) || die "no free TCP port"
	prometheus --config.file="$d/prometheus.yml" --storage.tsdb.path="$d/data" \
		--web.listen-address="127.0.0.1:$port" --log.level=info >"$d/prometheus.log" 2>&1 &
	PIDS+=("$!")
	PROM+=("http://127.0.0.1:$port")
done
for k in 0 1; do
	for i in $(seq 300); do
		curl -fsS --max-time 2 "${PROM[k]}/-/ready" >/dev/null 2>&1 && break
		[[ $i -lt 300 ]] || die "Prometheus shard $k not ready after 30s"
		sleep 0.1
	done
done
log "Prometheus shards ready on ${PROM[*]}"

q() { # SHARD QUERY: the result vector's instance labels, one a line, sorted
	curl -fsS --max-time 10 "${PROM[$1]}/api/v1/query" --data-urlencode "query=$2" |
		jq -r '.data.result[].metric.instance // empty' | sort -u
}
targets() { # SHARD: the instances of the shard's active dnshealth targets
	curl -fsS --max-time 10 "${PROM[$1]}/api/v1/targets?state=active" |
		jq -r '.data.activeTargets[] | select(.labels.job == "dnshealth") | .labels.instance' | sort -u
}
scraped_all() { # SHARD: every dnshealth target has been scraped once
	curl -fsS --max-time 10 "${PROM[$1]}/api/v1/targets?state=active" |
		jq -e '[.data.activeTargets[] | select(.labels.job == "dnshealth") | .lastScrape | startswith("0001")] | length > 0 and all(. == false)' >/dev/null
}
for k in 0 1; do
	for i in $(seq 60); do
		scraped_all "$k" && break
		[[ $i -lt 60 ]] || die "shard $k: not every target scraped after 60s"
		sleep 1
	done
done

# ---------------------------------------------------------------- sharding

ALL=$(printf '%s\n' "${ZONES[@]}" | sort -u)
T0=$(targets 0)
T1=$(targets 1)
[[ -n $T0 ]] && pass "shard 0 has $(wc -l <<<"$T0") zones" || fail "shard 0 has no zones"
[[ -n $T1 ]] && pass "shard 1 has $(wc -l <<<"$T1") zones" || fail "shard 1 has no zones"
both=$(comm -12 <(echo "$T0") <(echo "$T1"))
[[ -z $both ]] && pass "no zone is a target of both shards" || fail "zones in both shards" "$both"
union=$(sort -u <(echo "$T0") <(echo "$T1") | sed '/^$/d')
[[ $union == "$ALL" ]] && pass "every demo zone is a target of a shard" ||
	fail "the shards' targets are not the zone list" "$(diff <(echo "$ALL") <(echo "$union"))"
for k in 0 1; do
	tk=$T0
	[[ $k -eq 0 ]] || tk=$T1
	got=$(q "$k" 'probe_success{job="dnshealth"}')
	[[ $got == "$tk" ]] && pass "shard $k holds probe_success for exactly its own zones" ||
		fail "shard $k: probe_success zones differ from its targets" "$(diff <(echo "$tk") <(echo "$got"))"
	n=$(curl -fsS --max-time 10 "${PROM[k]}/api/v1/query" --data-urlencode 'query=sum(dnshealth_exporter_probes_total{job="dnshealth_exporter"})' |
		jq -r '.data.result[0].value[1] // "0"')
	[[ $n != 0 ]] && pass "shard $k: its exporter replica counts $n probes" || fail "shard $k: its exporter replica counts no probes"
done

# ---------------------------------------------------------------- alerts

owner() { grep -qx "$1" <<<"$T0" && echo 0 || echo 1; }
firing() { # SHARD ALERTNAME INSTANCE: the alert fires there
	[[ -n $(q "$1" "ALERTS{alertstate=\"firing\",alertname=\"$2\",instance=\"$3\"}") ]]
}
expect_firing() { # ZONE ALERTNAME
	local o
	o=$(owner "$1")
	for i in $(seq 90); do
		firing "$o" "$2" "$1" && break
		[[ $i -lt 90 ]] || { fail "$1: $2 did not fire in its shard $o within 90s"; return; }
		sleep 1
	done
	pass "$1: $2 fires in its shard $o"
	[[ -z $(q $((1 - o)) "ALERTS{instance=\"$1\"}") ]] && pass "$1: no alert for it in shard $((1 - o))" ||
		fail "$1: the other shard $((1 - o)) has alerts for it"
}
expect_firing lame-refused.test DNSHealthLameDelegation
expect_firing sec-expired.test DNSHealthDNSSECBogus
for k in 0 1; do
	got=$(q "$k" 'ALERTS{alertstate="firing",instance="healthy.test"}')
	[[ -z $got ]] && pass "shard $k: healthy.test fires nothing" || fail "shard $k: alerts fire for healthy.test"
	got=$(curl -fsS --max-time 10 "${PROM[k]}/api/v1/query" --data-urlencode 'query=ALERTS{alertname="DNSHealthProbeAbsent"}' | jq -r '.data.result | length')
	[[ $got == 0 ]] && pass "shard $k: DNSHealthProbeAbsent does not fire" || fail "shard $k: DNSHealthProbeAbsent fires"
done

finish
