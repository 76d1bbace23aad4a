#!/usr/bin/env bash
# End-to-end check of the Grafana dashboard: every PromQL expression in
# dashboards/dnshealth-dashboard.json returns data from a real Prometheus
# that scrapes a real exporter.
#
#   bash dashboards/dashboard_e2e.sh        (as root, from anywhere)
#
# What runs, all on loopback:
#   - the exporter with --demo on port 53 (the demo hierarchy on
#     127.53.0.0/16), so that a real resolver can walk it;
#   - Unbound on 127.0.0.1, validating from the demo root's key, as the
#     module's resolver: the resolver-view panels need one;
#   - module "e2e" (root hints and trust anchor read from the demo root with
#     dig, resolvers: [Unbound]), loaded by POST /-/reload;
#   - Prometheus (Debian's package) scraping /probe for a set of demo zones
#     with module e2e, relabelled as in the README, and /metrics.
# Then each expression of the dashboard (from `go run ./dashboards/gen
# -exprs`) is evaluated as an instant query with $job, $__rate_interval and
# $instance filled in ($instance tried zone by zone): it passes when the
# result is not empty for some zone. Needs: go, prometheus, unbound, dig,
# curl. Prints "dashboard-e2e: N passed, N failed" last; exits 1 on a failure.
set -euo pipefail
exec </dev/null

cd "$(dirname "${BASH_SOURCE[0]}")/.."
W=$(mktemp -d /tmp/dnshealth-dashboard-e2e.XXXXXX)
PIDS=()
DEADLINE=$(($(date +%s) + ${DASHBOARD_E2E_TIMEOUT:-300}))

# The demo zones Prometheus probes: one per kind of data the dashboard shows.
ZONES=(healthy.test lame-refused.test sec-healthy.test sec-expired.test serial-drift.test
	sec-cds-mismatch.test sec-nsec3.test sec-stale-dnskey.test glue-mismatch.test)
JOB=dnshealth

log() { printf '%s dashboard-e2e: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
	log "$*"
	exit 1
}
cleanup() {
	local rc=$?
	set +e
	for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
	if [[ $rc -ne 0 ]]; then
		for f in exporter.log unbound.log prometheus.log; do
			[[ -s $W/$f ]] && { echo "---- $f (tail)" >&2; tail -n 20 "$W/$f" >&2; }
		done
	fi
	rm -rf "$W"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for tool in go prometheus unbound unbound-checkconf dig curl ss; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done
[[ $(id -u) -eq 0 ]] || die "needs root: the demo hierarchy serves port 53 for Unbound"

free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 30000))
		ss -Hltun "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

# wait_for PID DESCRIPTION COMMAND...: poll every 0.2 s until COMMAND
# succeeds, for at most 90 s; fail at once if process PID (0: none) is gone.
wait_for() {
	local pid=$1 what=$2 limit=$(($(date +%s) + 90))
	shift 2
	until "$@" >/dev/null 2>&1; do
		[[ $pid == 0 ]] || kill -0 "$pid" 2>/dev/null || return 1
		[[ $(date +%s) -lt $DEADLINE && $(date +%s) -lt $limit ]] || die "timed out waiting for $what"
		sleep 0.2
	done
}

log "building the exporter and listing the dashboard's expressions"
go build -o "$W/exporter" .
go run ./dashboards/gen -exprs >"$W/exprs.tsv"
[[ -s $W/exprs.tsv ]] || die "no expressions listed"

# ---------------------------------------------------------------- exporter
printf 'modules:\n  default: {}\n' >"$W/exporter.yml"
# A port found free can be taken before the exporter binds it: try three.
for attempt in 1 2 3; do
	EXP_PORT=$(free_port) || die "no free port"
	"$W/exporter" --demo --demo.port=53 --config.file="$W/exporter.yml" \
		--web.listen-address="127.0.0.1:$EXP_PORT" >"$W/exporter.log" 2>&1 &
	EXP_PID=$!
	PIDS+=("$EXP_PID")
	wait_for "$EXP_PID" "the exporter on 127.0.0.1:$EXP_PORT" \
		curl -fsS --max-time 2 "http://127.0.0.1:$EXP_PORT/-/healthy" && break
	wait "$EXP_PID" 2>/dev/null || true
	[[ $attempt -lt 3 ]] || die "the exporter did not start (see its log)"
	log "the exporter did not start on port $EXP_PORT (attempt $attempt); trying another"
done
wait_for "$EXP_PID" "the demo root on 127.53.0.1:53" dig +time=1 +tries=1 +norec @127.53.0.1 . SOA ||
	die "the exporter stopped"
log "exporter (pid $EXP_PID) on 127.0.0.1:$EXP_PORT, demo hierarchy on port 53"

dig +norec @127.53.0.1 . NS +noall +answer +additional >"$W/root.hints"
dig +norec @127.53.0.1 . DNSKEY +noall +answer | awk '$4 == "DNSKEY" && $5 == 257' >"$W/root.key"
grep -qw NS "$W/root.hints" || die "the demo root served no NS set"
[[ -s $W/root.key ]] || die "the demo root served no KSK"

# ---------------------------------------------------------------- Unbound
UB_PORT=$(free_port) || die "no free port"
cat >"$W/unbound.conf" <<EOF
server:
	interface: 127.0.0.1
	port: $UB_PORT
	do-ip4: yes
	do-ip6: no
	access-control: 127.0.0.0/8 allow
	username: ""
	chroot: ""
	directory: "$W"
	pidfile: "$W/unbound.pid"
	logfile: "$W/unbound.log"
	use-syslog: no
	verbosity: 1
	num-threads: 1
	so-reuseport: no
	module-config: "validator iterator"
	root-hints: "$W/root.hints"
	trust-anchor-file: "$W/root.key"
	do-not-query-localhost: no
	ede: yes
	prefetch: no
	# Unbound answers NXDOMAIN for the special-use test. itself unless told.
	local-zone: "test." nodefault
remote-control:
	control-enable: no
EOF
unbound-checkconf "$W/unbound.conf" >&2 || die "unbound-checkconf failed"
unbound -d -c "$W/unbound.conf" >>"$W/unbound.log" 2>&1 &
UB_PID=$!
PIDS+=("$UB_PID")
resolves() { dig +time=1 +tries=1 -p "$UB_PORT" @127.0.0.1 sec-healthy.test SOA | grep -q 'flags: qr rd ra ad'; }
wait_for "$UB_PID" "Unbound to validate sec-healthy.test" resolves || die "Unbound stopped"
log "Unbound (pid $UB_PID) on 127.0.0.1:$UB_PORT validates the demo hierarchy"

cat >"$W/exporter.yml" <<EOF
modules:
  e2e:
    root_hints_file: $W/root.hints
    trust_anchors_file: $W/root.key
    port: 53
    timeout: 10s
    resolvers: ["127.0.0.1:$UB_PORT"]
EOF
code=$(curl -sS -o "$W/reload.txt" -w '%{http_code}' -X POST "http://127.0.0.1:$EXP_PORT/-/reload")
[[ $code == 200 ]] || { cat "$W/reload.txt" >&2; die "reloading the exporter with module e2e answered $code"; }

# ---------------------------------------------------------------- Prometheus
{
	cat <<EOF
global:
  scrape_interval: 3s
  scrape_timeout: 3s
scrape_configs:
  - job_name: $JOB
    metrics_path: /probe
    params:
      module: [e2e]
    static_configs:
      - targets:
EOF
	for z in "${ZONES[@]}"; do echo "          - $z"; done
	cat <<EOF
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:$EXP_PORT
  - job_name: dnshealth_exporter
    static_configs:
      - targets: [127.0.0.1:$EXP_PORT]
EOF
} >"$W/prometheus.yml"
for attempt in 1 2 3; do
	PROM_PORT=$(free_port) || die "no free port"
	PROM=http://127.0.0.1:$PROM_PORT
	prometheus --config.file="$W/prometheus.yml" --storage.tsdb.path="$W/data" \
		--web.listen-address="127.0.0.1:$PROM_PORT" >"$W/prometheus.log" 2>&1 &
	PROM_PID=$!
	PIDS+=("$PROM_PID")
	wait_for "$PROM_PID" "Prometheus on $PROM" curl -fsS --max-time 2 "$PROM/-/ready" && break
	wait "$PROM_PID" 2>/dev/null || true
	[[ $attempt -lt 3 ]] || die "Prometheus did not start (see its log)"
	log "Prometheus did not start on port $PROM_PORT (attempt $attempt); trying another"
done
log "Prometheus (pid $PROM_PID) on $PROM scrapes ${#ZONES[@]} zones every 3s"

# query EXPR: the instant query's JSON answer.
query() { curl -fsS --max-time 10 "$PROM/api/v1/query" --data-urlencode "query=$1"; }
# has_data EXPR: the query answers a non-empty vector or a scalar.
has_data() {
	local out
	out=$(query "$1") || return 1
	[[ $out == *'"status":"success"'* && $out != *'"result":[]'* ]]
}
# Enough samples for the rate windows: every zone probed 4 times, with the
# resolver view in, and the exporter's own metrics scraped as often.
wait_for "$PROM_PID" "4 scrapes of every zone" has_data \
	"count(count_over_time(dnshealth_probe_info{job=\"$JOB\"}[1m]) >= 4) == ${#ZONES[@]}" ||
	die "Prometheus stopped"
wait_for "$PROM_PID" "the resolver view" has_data "dnshealth_resolver_status{job=\"$JOB\"}" ||
	die "Prometheus stopped"
wait_for "$PROM_PID" "4 scrapes of /metrics" has_data 'count_over_time(dnshealth_exporter_cache_entries[1m]) >= 4' ||
	die "Prometheus stopped"

# ---------------------------------------------------------------- the queries
passed=0
failed=0
while IFS=$'\t' read -r panel ref expr; do
	# A count's "or vector(0)" would pass without data: the lab fleet has a
	# zone for every count (bogus, lame, expiring, SERVFAIL), so require it.
	expr=${expr% or vector(0)}
	expr=${expr//\$__rate_interval/30s}
	expr=${expr//\$job/$JOB}
	if [[ $expr == label_values\(* ]]; then # a variable: the series it lists values of
		expr=${expr#label_values(}
		expr=${expr%,*}
	fi
	ok=
	if [[ $expr == *'$instance'* ]]; then
		for z in "${ZONES[@]}"; do
			if has_data "${expr//\$instance/$z}"; then
				ok=$z
				break
			fi
		done
	elif has_data "$expr"; then
		ok=all
	fi
	if [[ -n $ok ]]; then
		passed=$((passed + 1))
		log "ok   $panel/$ref${ok:+ ($ok)}"
	else
		failed=$((failed + 1))
		log "FAIL $panel/$ref: no data for $expr"
		query "${expr//\$instance/${ZONES[0]}}" | head -c 500 >&2 || true
		echo >&2
	fi
done <"$W/exprs.tsv"

echo "dashboard-e2e: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
