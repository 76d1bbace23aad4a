#!/usr/bin/env bash
# End-to-end test of the alerting pipeline: a signed lab served by real
# BIND 9 and NSD on 127.56.0.0/16, Unbound as the module's resolver, the
# exporter, a real Prometheus scraping it with the example configuration and
# evaluating the shipped rules, a real Alertmanager with the example
# configuration, and a local HTTP receiver standing in for Slack.
#
#   bash e2e/monitoring.sh     (as root: it adds addresses to lo, binds :53)
#
# The lab: a signed root "." and TLD "mon." (one BIND server each; a KSK and
# a ZSK, algorithm 13, as in e2e/dnssec.sh) and these zones under mon.:
#
#   healthy          signed (NSEC3, 0 iterations, no salt), DS        BIND
#   expiring         signatures expire in 1 day (critical)            BIND
#   expiring-week    signatures expire in 4 days, inside BIND's 5-day
#                    refresh margin (warning)                         BIND
#   expired          signed with -s now-30d -e now-2d: bogus          BIND
#   ds-mismatch      the parent's DS is for a key never published     BIND
#   lame             unsigned; ns2's address is NSD's, which does not
#                    have the zone: REFUSED                            BIND+NSD
#   dead             unsigned; both addresses refuse                  NSD
#   resolver-broken  signed and served fine, but Unbound has a stub
#                    zone for it pointing at a refusing server         BIND
#   drift            signed; ns1 serves serial 2, ns2 serial 1        BIND+NSD
#   ns-mismatch      signed; the zone's apex NS set has an ns3 the
#                    parent does not delegate to                       BIND
#   cds-drift        signed; publishes a CDS for a standby KSK, the
#                    parent's DS is for the current one               BIND
#   bad..mon         not a zone name: the exporter answers 400        -
#
# The exporter's module "default" uses the lab's root hints and trust anchor
# and Unbound (127.56.255.1) as its one resolver.
#
# Prometheus runs dashboards/examples/prometheus.yml with these changes
# (made by sed, then checked with promtool check config): every interval
# and the scrape timeout 5s; /etc/prometheus/dnshealth/ -> the work dir;
# the exporter's and Alertmanager's example host names -> their loopback
# ports; the static example.com/example.org targets -> four lab zones; the
# other zones (with a team label) and bad..mon in a file_sd file. The script
# stops if any "example." name is left.
#
# The rules are dashboards/rules.yml unchanged and dashboards/alerts.yml with
# its report links pointed at the exporter under test (the mixin's example
# reportURL http://dnshealth-exporter.example.net:9553 -> 127.0.0.1:<port>)
# and every `for:` shortened, because alerts that wait 15m, 1h or 1d cannot fire
# in a bounded test. The transformation keeps the order of the durations (so
# an inhibiting alert still fires no later than the ones it inhibits):
#
#   for: D  ->  for: (10 + 4 * round(log2(D / 5m))) seconds, at least 5s
#   5m -> 10s, 15m -> 18s, 30m -> 22s, 1h -> 26s, 1d -> 42s
#
# promtool test rules checks the real durations (dashboards/alerts_test.yml).
#
# Alertmanager runs dashboards/examples/alertmanager.yml and slack.tmpl with
# group_wait 2s, group_interval 5s, and the webhook URL files under
# /etc/alertmanager/ moved to the work dir, where they hold the receiver's
# URLs http://127.0.0.1:<port>/critical and /warning. The receiver
# (e2e/slackrecv) records every Slack payload.
#
# Assertions, each an "ok" or "FAIL" line:
#   - the shipped rules pass promtool check rules; the adapted Prometheus
#     and Alertmanager configurations pass promtool check config and amtool
#     check-config;
#   - the lab answers as built (dig against the servers and Unbound);
#   - per zone, the alerts firing in Prometheus are exactly the expected
#     ones (name and severity), once all have had time to fire;
#   - per zone, the Slack payloads name exactly the expected alerts, after
#     Alertmanager's inhibition; each on the receiver of its severity
#     (/critical or /warning), and each alert's text has the zone, a runbook
#     URL whose anchor is a section of docs/checks.md, the link to the
#     zone's report page on the exporter (/report?target=<zone>&module=default),
#     which answers with the zone's report page (a 400 for bad..mon),
#     and the zone's diagnosis cause as Prometheus has it from
#     dnshealth_diagnosis_info;
#     nothing resolves and nothing else arrives while the test settles;
#   - alerts of the file_sd zones carry its team label;
#   - every rule evaluates without error, and every recording rule returns
#     data except the two that need a re-sign in the zone's history;
#   - every expression of dashboards/dnshealth-dashboard.json returns data
#     from /api/v1/query, with $job = dnshealth, $__rate_interval = 1m and
#     $instance tried zone by zone.
# The last line is "N passed, N failed"; the exit status is non-zero on any
# failure.
#
# Only loopback addresses are used. Everything started is stopped, and every
# address added to lo removed, on exit, even on failure or a signal.
#
# Environment: E2E_TIMEOUT (seconds, default 300) bounds the whole run;
# E2E_ALERT_WAIT (default 120) bounds the wait for the alerts. The work dir
# e2e/work-monitoring/ (git-ignored) is kept for its logs.

set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=e2e/lib.sh
. "$E2E_DIR/lib.sh"
e2e_begin E2E_MONITORING_UNDER_TIMEOUT work-monitoring e2e-monitoring "$@"
NOW=$START
KEYS=$WORK/keys
E2E_LOGS_HINT="servers: $WORK/srv/*/*.log, Prometheus: $WORK/srv/prometheus/, Alertmanager: $WORK/srv/alertmanager/, Slack payloads: $WORK/slack.jsonl"

install_packages named:bind9 nsd:nsd dig:bind9-dnsutils dnssec-keygen:bind9-utils dnssec-signzone:bind9-utils \
	unbound:unbound prometheus:prometheus promtool:prometheus \
	prometheus-alertmanager:prometheus-alertmanager amtool:prometheus-alertmanager \
	jq:jq curl:curl ip:iproute2
command -v go >/dev/null || die "go is not installed"
stop_port53_conflicts 127.56 named nsd unbound
fresh_workdir 'named|nsd|unbound|dnshealth_exporter|prometheus|alertmanager|slackrecv'
mkdir -p "$Z" "$KEYS" "$WORK/standby-keys"
cd "$WORK" # anything a tool writes to its current directory lands here

RESULT_INDENT= # pass, fail and finish (e2e/lib.sh): results start at the margin
# check DESC COMMAND...: pass when the command succeeds; its output is shown
# on failure.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$desc"; else fail "$desc" "$out"; fi
}

# ---------------------------------------------------------------- static checks

EX=$REPO/dashboards/examples
check "promtool check rules dashboards/rules.yml dashboards/alerts.yml" \
	promtool check rules "$REPO/dashboards/rules.yml" "$REPO/dashboards/alerts.yml"
# (That every runbook anchor the alerts can link is a section of
# docs/checks.md is checked by the dashboards module's TestRunbookAnchors.)

# ---------------------------------------------------------------- addresses

ROOT=127.56.0.1     # a.root.mon.   BIND   "."
TLD=127.56.1.1      # ns1.nic.mon.  BIND   "mon."
RESOLVER=127.56.255.1

CHILDREN=(healthy expiring expiring-week expired ds-mismatch lame dead resolver-broken drift ns-mismatch cds-drift)
declare -A NS1 NS2
i=2
for c in "${CHILDREN[@]}"; do
	NS1[$c]=127.56.$i.1
	NS2[$c]=127.56.$i.2
	i=$((i + 1))
done
NS3_MISMATCH=${NS1[ns-mismatch]%.1}.3
# Which server holds each address: NSD serves only drift.mon (its old copy),
# so it refuses lame.mon and dead.mon.
BIND_ADDRS=() NSD_ADDRS=()
for c in "${CHILDREN[@]}"; do
	case $c in
	lame) BIND_ADDRS+=("${NS1[$c]}") NSD_ADDRS+=("${NS2[$c]}") ;;
	drift) BIND_ADDRS+=("${NS1[$c]}") NSD_ADDRS+=("${NS2[$c]}") ;;
	dead) NSD_ADDRS+=("${NS1[$c]}" "${NS2[$c]}") ;;
	*) BIND_ADDRS+=("${NS1[$c]}" "${NS2[$c]}") ;;
	esac
done
BIND_ADDRS+=("$NS3_MISMATCH")
add_lo_addrs $ROOT $TLD $RESOLVER "${BIND_ADDRS[@]}" "${NSD_ADDRS[@]}"

# ---------------------------------------------------------------- zones

DAY=86400
VALID=("$(stamp -3600)" "$(stamp $((30 * DAY)))")
EXPIRING=("$(stamp -3600)" "$(stamp $((1 * DAY)))")
EXPIRING_WEEK=("$(stamp -3600)" "$(stamp $((4 * DAY)))")
EXPIRED=("$(stamp $((-30 * DAY)))" "$(stamp $((-2 * DAY)))")

# child_zone ZONE SERIAL [NS-NAME ADDR]...: SOA, NS ns1/ns2 (and the extra
# ones) with their addresses, a www A.
child_zone() {
	local zone=$1 serial=$2 c=${1%.mon.}
	shift 2
	soa "$zone" "ns1.$zone" "$serial"
	printf '%s IN NS ns1.%s\n%s IN NS ns2.%s\n' "$zone" "$zone" "$zone" "$zone"
	printf 'ns1.%s IN A %s\nns2.%s IN A %s\n' "$zone" "${NS1[$c]}" "$zone" "${NS2[$c]}"
	while [[ $# -ge 2 ]]; do
		printf '%s IN NS %s\n%s IN A %s\n' "$zone" "$1" "$1" "$2"
		shift 2
	done
	printf 'www.%s IN A 127.56.254.1\n' "$zone"
}

declare -A DS_AT_PARENT # child -> its DS lines in mon.
for c in "${CHILDREN[@]}"; do
	zone=$c.mon.
	case $c in
	lame | dead)
		child_zone $zone 1 >"$Z/$c.zone"
		;;
	ds-mismatch)
		k=$(keygen $zone KSK) z=$(keygen $zone) other=$(keygen $zone KSK)
		{ child_zone $zone 1; pubkeys "$k" "$z"; } >"$Z/$c.unsigned"
		sign $zone $c.unsigned $c.zone "${VALID[@]}" "$k" "$z"
		DS_AT_PARENT[$c]=$(ds "$other")
		;;
	drift)
		k=$(keygen $zone KSK) z=$(keygen $zone)
		{ child_zone $zone 2; pubkeys "$k" "$z"; } >"$Z/$c.v2.unsigned"
		{ child_zone $zone 1; pubkeys "$k" "$z"; } >"$Z/$c.v1.unsigned"
		sign $zone $c.v2.unsigned $c.v2.zone "${VALID[@]}" "$k" "$z"
		sign $zone $c.v1.unsigned $c.v1.zone "${VALID[@]}" "$k" "$z"
		DS_AT_PARENT[$c]=$(ds "$k")
		;;
	ns-mismatch)
		k=$(keygen $zone KSK) z=$(keygen $zone)
		{ child_zone $zone 1 ns3.$zone "$NS3_MISMATCH"; pubkeys "$k" "$z"; } >"$Z/$c.unsigned"
		sign $zone $c.unsigned $c.zone "${VALID[@]}" "$k" "$z"
		DS_AT_PARENT[$c]=$(ds "$k")
		;;
	cds-drift)
		# The standby KSK is published and announced by CDS but does not
		# sign: its private key is kept out of $KEYS, where dnssec-signzone
		# would find it.
		k=$(keygen $zone KSK) z=$(keygen $zone)
		standby=$(KEYS=$WORK/standby-keys keygen $zone KSK)
		{
			child_zone $zone 1
			pubkeys "$k" "$z"
			KEYS=$WORK/standby-keys pubkeys "$standby"
			dnssec-dsfromkey -C -2 "$WORK/standby-keys/$standby.key" || die "dnssec-dsfromkey -C failed"
		} >"$Z/$c.unsigned"
		sign $zone $c.unsigned $c.zone "${VALID[@]}" "$k" "$z"
		DS_AT_PARENT[$c]=$(ds "$k")
		;;
	*)
		k=$(keygen $zone KSK) z=$(keygen $zone)
		{ child_zone $zone 1; pubkeys "$k" "$z"; } >"$Z/$c.unsigned"
		case $c in
		healthy) sign $zone $c.unsigned $c.zone "${VALID[@]}" "$k" "$z" -3 - -H 0 ;;
		expiring) sign $zone $c.unsigned $c.zone "${EXPIRING[@]}" "$k" "$z" ;;
		expiring-week) sign $zone $c.unsigned $c.zone "${EXPIRING_WEEK[@]}" "$k" "$z" ;;
		expired) sign $zone $c.unsigned $c.zone "${EXPIRED[@]}" "$k" "$z" ;;
		*) sign $zone $c.unsigned $c.zone "${VALID[@]}" "$k" "$z" ;;
		esac
		DS_AT_PARENT[$c]=$(ds "$k")
		;;
	esac
done

# The TLD: delegations with glue (ns1 and ns2 only), and the DS sets.
tk=$(keygen mon. KSK) tz=$(keygen mon.)
{
	soa mon. ns1.nic.mon. 1
	cat <<EOF
mon.          IN NS ns1.nic.mon.
ns1.nic.mon.  IN A  $TLD
a.root.mon.   IN A  $ROOT
EOF
	for c in "${CHILDREN[@]}"; do
		child_zone $c.mon. 1 | grep -E 'IN (NS|A) ' | grep -v -e '^www\.' -e '^ns3\.' -e 'IN NS ns3\.'
		[[ -z ${DS_AT_PARENT[$c]:-} ]] || printf '%s\n' "${DS_AT_PARENT[$c]}"
	done
	pubkeys "$tk" "$tz"
} >"$Z/mon.unsigned"
sign mon. mon.unsigned mon.zone "${VALID[@]}" "$tk" "$tz"

# The root, with DS for mon.; its KSK's DS is the trust anchor.
rk=$(keygen . KSK) rz=$(keygen .)
{
	soa . a.root.mon. 1
	cat <<EOF
.             IN NS a.root.mon.
mon.          IN NS ns1.nic.mon.
a.root.mon.   IN A  $ROOT
ns1.nic.mon.  IN A  $TLD
EOF
	ds "$tk"
	pubkeys "$rk" "$rz"
} >"$Z/root.unsigned"
sign . root.unsigned root.zone "${VALID[@]}" "$rk" "$rz"
ds "$rk" >"$WORK/root.ds"
root_hints "root hints for the monitoring lab" a.root.mon. $ROOT
log "zones signed in $(($(date +%s) - START))s"

# ---------------------------------------------------------------- servers

bind_zones=''
for c in "${CHILDREN[@]}"; do
	case $c in
	dead) ;;
	drift) bind_zones+=" $c.mon. $c.v2.zone" ;;
	*) bind_zones+=" $c.mon. $c.zone" ;;
	esac
done
bind_instance root "$ROOT" ". root.zone"
bind_instance tld "$TLD" "mon. mon.zone"
bind_instance auth-bind "${BIND_ADDRS[*]}" "$bind_zones"
nsd_instance auth-nsd "${NSD_ADDRS[*]}" "drift.mon. drift.v1.zone"
# resolver-broken.mon. is sent to an address that refuses it.
unbound_resolver unbound "$RESOLVER" resolver-broken.mon. "${NS1[dead]}"

waits=("$ROOT ." "$TLD mon." "${NS2[drift]} drift.mon.")
for c in "${CHILDREN[@]}"; do
	[[ $c == dead ]] || waits+=("${NS1[$c]} $c.mon.")
done
wait_servers "${waits[@]}"
wait_resolvers $RESOLVER
log "servers and resolver up in $(($(date +%s) - START))s"

# The lab as built: authoritative answers, refusals, Unbound's view.
dig_has() { # ADDR QNAME QTYPE REGEX [+cd]
	local out
	out=$(dig +time=2 +tries=1 ${5:-} "@$1" "$2" "$3" 2>&1 || true)
	grep -Eq -- "$4" <<<"$out" || { printf 'dig %s @%s %s %s: no /%s/\n%s\n' "${5:-}" "$1" "$2" "$3" "$4" "$out"; return 1; }
}
lab_ok() {
	local c bad=0
	dig_has "${NS2[lame]}" lame.mon. SOA 'status: REFUSED' +norec || bad=1
	dig_has "${NS1[dead]}" dead.mon. SOA 'status: REFUSED' +norec || bad=1
	dig_has "${NS2[dead]}" dead.mon. SOA 'status: REFUSED' +norec || bad=1
	dig_has "${NS1[drift]}" drift.mon. SOA 'IN\s+SOA\s+\S+\s+\S+\s+2\s' +norec || bad=1
	dig_has "${NS2[drift]}" drift.mon. SOA 'IN\s+SOA\s+\S+\s+\S+\s+1\s' +norec || bad=1
	for c in healthy expiring expiring-week cds-drift drift ns-mismatch; do
		dig_has $RESOLVER $c.mon. SOA 'flags: qr rd ra ad;' || bad=1
	done
	for c in expired ds-mismatch; do
		dig_has $RESOLVER $c.mon. SOA 'status: SERVFAIL' || bad=1
		dig_has $RESOLVER $c.mon. SOA 'status: NOERROR' +cd || bad=1
	done
	for c in dead resolver-broken; do
		dig_has $RESOLVER $c.mon. SOA 'status: SERVFAIL' +cd || bad=1
	done
	dig_has $RESOLVER lame.mon. SOA 'status: NOERROR' || bad=1
	return $bad
}
if ! lab_ok >"$WORK/lab.txt" 2>&1; then
	fail "the lab answers as built (dig against the servers and Unbound)" "$(cat "$WORK/lab.txt")"
	finish
fi
pass "the lab answers as built (dig against the servers and Unbound)"

# ---------------------------------------------------------------- exporter, receiver

cat >"$WORK/exporter.yml" <<EOF
modules:
  default:
    root_hints_file: $WORK/root.hints
    trust_anchors_file: $WORK/root.ds
    port: 53
    timeout: 10s
    resolvers: [$RESOLVER]
    # The lab's zones are signed as BIND's default dnssec-policy would
    # keep them: expiry is judged against its 5-day refresh margin.
    signing_policy: bind
EOF
start_exporter "$WORK/exporter.yml"

log "building the Slack stand-in (e2e/slackrecv)"
(cd "$REPO" && go build -o "$WORK/slackrecv" ./e2e/slackrecv) >>"$WORK/build.log" 2>&1 ||
	{ cat "$WORK/build.log" >&2; die "go build ./e2e/slackrecv failed"; }
mkdir -p "$WORK/srv/slackrecv"
"$WORK/slackrecv" -out "$WORK/slack.jsonl" -addr-file "$WORK/srv/slackrecv/addr" >"$WORK/srv/slackrecv/slackrecv.log" 2>&1 &
PIDS+=($!)
echo $! >"$WORK/srv/slackrecv/launcher.pid"
for i in $(seq 100); do
	[[ -s $WORK/srv/slackrecv/addr ]] && break
	[[ $i -lt 100 ]] || die "slackrecv did not start (see $WORK/srv/slackrecv/slackrecv.log)"
	sleep 0.1
done
RECV=$(cat "$WORK/srv/slackrecv/addr")
: >"$WORK/slack.jsonl"
log "Slack stand-in on $RECV"

# ---------------------------------------------------------------- configurations

AM_PORT=$(free_port) || die "no free TCP port"
PROM_PORT=$(free_port) || die "no free TCP port"
while [[ $PROM_PORT == "$AM_PORT" || $PROM_PORT == "$PORT" ]]; do PROM_PORT=$(free_port); done
PROM=http://127.0.0.1:$PROM_PORT
AM=http://127.0.0.1:$AM_PORT
PD=$WORK/srv/prometheus
AD=$WORK/srv/alertmanager
mkdir -p "$PD/dnshealth/targets" "$AD"

# The zones: four static (in place of example.com and example.org), the
# rest from file_sd with a team label; bad..mon is not a zone name.
STATIC_ZONES=(healthy.mon expiring.mon expired.mon ds-mismatch.mon)
SD_ZONES=(expiring-week.mon lame.mon dead.mon resolver-broken.mon drift.mon ns-mismatch.mon cds-drift.mon bad..mon)
{
	echo "- targets:"
	printf '    - %s\n' "${SD_ZONES[@]}"
	printf '  labels:\n    team: dns\n'
} >"$PD/dnshealth/targets/lab.yml"

awk -v port="$PORT" -v am="$AM_PORT" -v dir="$PD/dnshealth/" -v zones="${STATIC_ZONES[*]}" '
	/^[ \t]*(scrape_interval|evaluation_interval|scrape_timeout):/ { sub(/:.*/, ": 5s") }
	{ gsub("/etc/prometheus/dnshealth/", dir) }
	{ gsub("dnshealth-exporter\\.example\\.net:9553", "127.0.0.1:" port) }
	{ gsub("alertmanager\\.example\\.net:9093", "127.0.0.1:" am) }
	/^[ \t]*- example\.com$/ {
		indent = $0; sub(/-.*/, "", indent)
		n = split(zones, z, " ")
		for (i = 1; i <= n; i++) print indent "- " z[i]
		next
	}
	/^[ \t]*- example\.org$/ { next }
	{ print }' "$EX/prometheus.yml" >"$PD/prometheus.yml"
if sed 's/#.*//' "$PD/prometheus.yml" | grep -n 'example\.' >"$WORK/leftover.txt"; then
	fail "the adapted prometheus.yml names no outside host" "$(cat "$WORK/leftover.txt")"
	finish
fi

# for: D -> 10s + 4s * round(log2(D / 5m)), at least 5s (see the header).
shorten_for() {
	awk '
	function seconds(s,    n, u) {
		n = s + 0; u = substr(s, length(s))
		return n * (u == "s" ? 1 : u == "m" ? 60 : u == "h" ? 3600 : u == "d" ? 86400 : u == "w" ? 604800 : -1)
	}
	/^[ \t]*for:[ \t]*[0-9]+[smhdw][ \t]*$/ {
		d = $2; s = seconds(d)
		if (s < 0) { print "cannot shorten " $0 > "/dev/stderr"; exit 1 }
		k = log(s / 300) / log(2)
		r = (k >= 0) ? int(k + 0.5) : -int(-k + 0.5)
		t = 10 + 4 * r
		if (t < 5) t = 5
		sub(/for:.*/, "for: " t "s")
		n++
	}
	/^[ \t]*for:/ && !/for: [0-9]+s$/ { print "cannot shorten " $0 > "/dev/stderr"; exit 1 }
	{ print }
	END { printf "%d\n", n > "/dev/stderr" }' "$1"
}
cp "$REPO/dashboards/rules.yml" "$PD/dnshealth/rules.yml"
# The report links point at the exporter under test instead of the mixin's
# example reportURL.
REPORT_DEFAULT=http://dnshealth-exporter.example.net:9553
REPORT_BASE=http://127.0.0.1:$PORT
grep -qF "$REPORT_DEFAULT/report?" "$REPO/dashboards/alerts.yml" || die "alerts.yml has no $REPORT_DEFAULT/report? link"
sed "s#$REPORT_DEFAULT#$REPORT_BASE#g" "$REPO/dashboards/alerts.yml" >"$WORK/alerts-report.yml"
shorten_for "$WORK/alerts-report.yml" >"$PD/dnshealth/alerts.yml" 2>"$WORK/shorten.txt" ||
	die "could not shorten the for: durations: $(cat "$WORK/shorten.txt")"
nfor=$(grep -c '^[[:space:]]*for:' "$REPO/dashboards/alerts.yml")
[[ $(tail -n 1 "$WORK/shorten.txt") == "$nfor" ]] || die "shortened $(tail -n 1 "$WORK/shorten.txt") of $nfor for: lines"
log "alert durations for the test: $(grep -h '^[[:space:]]*for:' "$REPO/dashboards/alerts.yml" | awk '{print $2}' | paste -sd' ') ->" \
	"$(grep -h '^[[:space:]]*for:' "$PD/dnshealth/alerts.yml" | awk '{print $2}' | paste -sd' ')"

check "promtool check config on the adapted example prometheus.yml (and its rules)" promtool check config "$PD/prometheus.yml"

sed -e "s#/etc/alertmanager/#$AD/#g" \
	-e 's/^\([[:space:]]*group_wait:\).*/\1 2s/' \
	-e 's/^\([[:space:]]*group_interval:\).*/\1 5s/' \
	"$EX/alertmanager.yml" >"$AD/alertmanager.yml"
cp "$EX/slack.tmpl" "$AD/slack.tmpl"
echo "http://$RECV/critical" >"$AD/slack-critical.url"
echo "http://$RECV/warning" >"$AD/slack-warning.url"
check "amtool check-config on the example alertmanager.yml" amtool check-config "$EX/alertmanager.yml"
check "amtool check-config on the adapted alertmanager.yml" amtool check-config "$AD/alertmanager.yml"
# Only the local receiver: no api_url in the configuration (comments
# aside), and the URL files point at 127.0.0.1.
local_only() {
	local f ok=0
	grep -v '^[[:space:]]*#' "$AD/alertmanager.yml" | grep -n 'api_url:\|hooks\.slack\.com' && ok=1
	for f in "$AD"/*.url; do
		grep -qx "http://$RECV/[a-z]*" "$f" || { echo "$f: $(cat "$f")"; ok=1; }
	done
	return $ok
}
if ! local_only >"$WORK/leftover.txt"; then
	fail "the adapted alertmanager.yml posts only to the local receiver" "$(cat "$WORK/leftover.txt")"
	finish
fi

# ---------------------------------------------------------------- Alertmanager, Prometheus

# start_daemon NAME READY-URL COMMAND...: run it in the background, wait up
# to 30s for READY-URL to answer 200.
start_daemon() {
	local name=$1 url=$2 d=$WORK/srv/$1 pid i
	shift 2
	mkdir -p "$d"
	"$@" >"$d/$name.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	echo "$pid" >"$d/launcher.pid"
	for i in $(seq 300); do
		curl -fsS --max-time 2 "$url" >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || { tail -n 30 "$d/$name.log" >&2; die "$name exited at start"; }
		[[ $i -lt 300 ]] || { tail -n 30 "$d/$name.log" >&2; die "$name not ready on $url after 30s"; }
		sleep 0.1
	done
	log "$name (pid $pid) ready on ${url%/-/*}"
}
start_daemon alertmanager "$AM/-/ready" prometheus-alertmanager \
	--config.file="$AD/alertmanager.yml" --storage.path="$AD/data" \
	--web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= --log.level=info
start_daemon prometheus "$PROM/-/ready" prometheus \
	--config.file="$PD/prometheus.yml" --storage.tsdb.path="$PD/data" \
	--web.listen-address="127.0.0.1:$PROM_PORT" --log.level=info
PROM_START=$(date +%s)

# ---------------------------------------------------------------- expectations

# "zone alertname severity" firing in Prometheus, before inhibition.
EXPECT_PROM=$(sort -u <<'EOF'
expiring.mon DNSHealthRRSIGExpiry critical
expiring.mon DNSHealthRRSIGExpiry warning
expiring-week.mon DNSHealthRRSIGExpiry warning
expired.mon DNSHealthRRSIGExpiry critical
expired.mon DNSHealthDNSSECBogus critical
expired.mon DNSHealthResolverServfail critical
expired.mon DNSHealthProbeFailing warning
ds-mismatch.mon DNSHealthDSNoMatchingKey critical
ds-mismatch.mon DNSHealthDNSSECBogus critical
ds-mismatch.mon DNSHealthResolverServfail critical
ds-mismatch.mon DNSHealthProbeFailing warning
lame.mon DNSHealthLameDelegation warning
lame.mon DNSHealthProbeFailing warning
dead.mon DNSHealthLameDelegation critical
dead.mon DNSHealthLameDelegation warning
dead.mon DNSHealthResolverServfail critical
dead.mon DNSHealthProbeFailing warning
resolver-broken.mon DNSHealthResolverServfail critical
resolver-broken.mon DNSHealthProbeFailing warning
drift.mon DNSHealthSOASerialDrift warning
ns-mismatch.mon DNSHealthNSParentChildMismatch warning
cds-drift.mon DNSHealthCDSDSDrift warning
bad..mon DNSHealthProbeAbsent warning
EOF
)
# What reaches Slack after Alertmanager's inhibit rules.
EXPECT_SLACK=$(sort -u <<'EOF'
expiring.mon DNSHealthRRSIGExpiry critical
expiring-week.mon DNSHealthRRSIGExpiry warning
expired.mon DNSHealthRRSIGExpiry critical
expired.mon DNSHealthDNSSECBogus critical
ds-mismatch.mon DNSHealthDSNoMatchingKey critical
lame.mon DNSHealthLameDelegation warning
dead.mon DNSHealthLameDelegation critical
resolver-broken.mon DNSHealthResolverServfail critical
drift.mon DNSHealthSOASerialDrift warning
ns-mismatch.mon DNSHealthNSParentChildMismatch warning
cds-drift.mon DNSHealthCDSDSDrift warning
bad..mon DNSHealthProbeAbsent warning
EOF
)
ALL_ZONES=("${STATIC_ZONES[@]}" "${SD_ZONES[@]}")

prom_firing() { # "zone alertname severity", sorted
	curl -fsS --max-time 5 "$PROM/api/v1/alerts" |
		jq -r '.data.alerts[] | select(.state == "firing") | "\(.labels.instance // "-") \(.labels.alertname) \(.labels.severity)"' |
		sort -u
}
# slack_blocks: one line per alert paragraph of every recorded payload:
# path <TAB> title <TAB> paragraph (its newlines as " | ").
slack_blocks() {
	jq -r '.path as $p | (.payload.attachments // [])[] | .title as $t |
		(.text // "" | split("\n\n")[]) | [$p, $t, (gsub("\n"; " | "))] | @tsv' "$WORK/slack.jsonl"
}
slack_alerts() { # "zone alertname severity" of firing paragraphs, sorted
	slack_blocks | awk -F'\t' '
		$3 ~ /^:red_circle: \*/ {
			zone = $3; sub(/^:red_circle: \*/, "", zone); sub(/\*.*/, "", zone)
			if (match($2, /\] [A-Za-z]+ \([a-z]+\)$/)) {
				t = substr($2, RSTART + 2); split(t, a, " "); sev = a[2]; gsub(/[()]/, "", sev)
				print zone, a[1], sev
			}
		}' | sort -u
}

# ---------------------------------------------------------------- wait for the alerts

WAIT=${E2E_ALERT_WAIT:-120}
log "waiting up to ${WAIT}s for the expected alerts in Prometheus and in the Slack payloads"
deadline=$(($(date +%s) + WAIT))
got_prom='' got_slack=''
while :; do
	got_prom=$(prom_firing 2>/dev/null || true)
	got_slack=$(slack_alerts 2>/dev/null || true)
	if [[ $got_prom == "$EXPECT_PROM" && $got_slack == "$EXPECT_SLACK" ]]; then
		break
	fi
	[[ $(date +%s) -lt $deadline ]] || break
	sleep 2
done
log "alerts settled after $(($(date +%s) - PROM_START))s of Prometheus; watching 12s more for anything else"
sleep 12
got_prom=$(prom_firing 2>/dev/null || true)
got_slack=$(slack_alerts 2>/dev/null || true)

zone_diff() { # EXPECTED GOT ZONE: the zone's lines that differ, or nothing
	diff <(grep "^$3 " <<<"$1" || true) <(grep "^$3 " <<<"$2" || true) | grep '^[<>]' |
		sed -e 's/^</missing:/' -e 's/^>/unexpected:/' || true
}
for zone in "${ALL_ZONES[@]}"; do
	want=$({ grep "^$zone " <<<"$EXPECT_PROM" || true; } | cut -d' ' -f2- | paste -sd, -)
	d=$(zone_diff "$EXPECT_PROM" "$got_prom" "$zone")
	if [[ -z $d ]]; then pass "prometheus $zone: firing ${want:-nothing}"; else fail "prometheus $zone: want ${want:-nothing}" "$d"; fi
done
for zone in "${ALL_ZONES[@]}"; do
	want=$({ grep "^$zone " <<<"$EXPECT_SLACK" || true; } | cut -d' ' -f2- | paste -sd, -)
	d=$(zone_diff "$EXPECT_SLACK" "$got_slack" "$zone")
	if [[ -z $d ]]; then pass "slack $zone: ${want:-nothing}"; else fail "slack $zone: want ${want:-nothing}" "$d"; fi
done
other=$(diff <(cut -d' ' -f1 <<<"$got_slack" | sort -u) <(printf '%s\n' "${ALL_ZONES[@]}" | sort -u) | grep '^<' || true)
[[ -z $other ]] || fail "slack: alerts for no lab zone" "$other"

# Every paragraph: on the receiver of its severity, with the zone in its
# text, a runbook URL whose anchor is a docs/checks.md section, and the
# zone's diagnosis cause. Nothing resolved.
declare -A CAUSE
while read -r inst cause; do
	CAUSE[$inst]=$cause
done < <(curl -fsS --max-time 5 "$PROM/api/v1/query" --data-urlencode 'query=dnshealth_diagnosis_info' |
	jq -r '.data.result[] | "\(.metric.instance) \(.metric.cause)"')
BASE_URL=https://github.com/dnshealth/dnshealth_exporter/blob/main/docs/checks.md
content_problems=() n_blocks=0 n_payloads=0
declare -A REPORT_SEEN=()
n_payloads=$(grep -c . "$WORK/slack.jsonl" || true)
while IFS=$'\t' read -r path title block; do
	case $block in
	":red_circle: *"*) ;;
	":large_green_circle: [resolved]"*) content_problems+=("resolved: $title: ${block:0:120}"); continue ;;
	*) content_problems+=("unexpected paragraph in $path $title: ${block:0:160}"); continue ;;
	esac
	n_blocks=$((n_blocks + 1))
	zone=${block#:red_circle: \*}
	zone=${zone%%\**}
	sev=${title##*(}
	sev=${sev%)}
	[[ $path == "/$sev" ]] || content_problems+=("$zone: a $sev alert went to $path ($title)")
	desc=${block#*\* }
	[[ $desc == *"$zone"* ]] || content_problems+=("$zone: the text does not name the zone beyond its heading: ${block:0:160}")
	url=$(grep -o "\*Runbook:\* [^ ]*" <<<"$block" | cut -d' ' -f2 || true)
	anchor=${url#"$BASE_URL#"}
	if [[ -z $url || $url == "$anchor" ]]; then
		content_problems+=("$zone: no runbook URL $BASE_URL#... in $title: ${block:0:200}")
	elif ! grep -qx "## $anchor" "$REPO/docs/checks.md"; then
		content_problems+=("$zone: runbook anchor #$anchor is not a section of docs/checks.md")
	fi
	# The zone's report page on the exporter, probed with the module the
	# scrape uses (the default one: the example configuration names none).
	report=$(grep -o "\*Report:\* [^ ]*" <<<"$block" | cut -d' ' -f2 || true)
	want_report="$REPORT_BASE/report?target=$zone&module=default"
	if [[ $report != "$want_report" ]]; then
		content_problems+=("$zone: report link '${report:-none}', want $want_report in $title")
	elif [[ -z ${REPORT_SEEN[$zone]:-} ]]; then
		# The link works: the exporter answers it with the zone's report page,
		# or, for a target that is not a zone name (bad..mon), with the same
		# one-line 400 as /probe.
		REPORT_SEEN[$zone]=1
		code=$(curl -sS --max-time 30 -o "$WORK/report-page.html" -w '%{http_code}' "$report" 2>&1) || code="curl failed: $code"
		page=$(cat "$WORK/report-page.html" 2>/dev/null || true)
		if [[ $zone == *..* ]]; then
			[[ $code == 400 ]] || content_problems+=("$zone: GET $report answered $code, want 400: ${page:0:200}")
		elif [[ $code != 200 || $page != *"<svg"* || $page != *"$zone"* ]]; then
			content_problems+=("$zone: GET $report answered $code, not the zone's report page: ${page:0:200}")
		fi
	fi
	want_cause=${CAUSE[$zone]:-unknown (no probe result)}
	[[ $block == *"*Diagnosis:* $want_cause"* ]] ||
		content_problems+=("$zone: diagnosis '$want_cause' not in $title: $(grep -o '\*Diagnosis:\*[^|]*' <<<"$block" || echo "no Diagnosis line")")
done < <(slack_blocks)
if [[ ${#content_problems[@]} -eq 0 && $n_blocks -gt 0 ]]; then
	pass "slack: $n_blocks alert paragraphs in $n_payloads payloads, each on its severity's receiver with zone, runbook link, zone report link and diagnosis; none resolved"
else
	fail "slack: payload contents ($n_blocks alert paragraphs in $n_payloads payloads)" "$(printf '%s\n' "${content_problems[@]:-no alert paragraph at all}")"
fi

# Target labels from file_sd reach the alerts.
team=$(curl -fsS --max-time 5 "$PROM/api/v1/alerts" |
	jq -r '.data.alerts[] | select(.labels.instance == "lame.mon" and .labels.alertname == "DNSHealthLameDelegation") | .labels.team' | sort -u)
if [[ $team == dns ]]; then pass "file_sd: the team label of lame.mon is on its alert"; else fail "file_sd: lame.mon's alert has team=${team:-none}, want dns"; fi

# ---------------------------------------------------------------- rules

bad_rules=$(curl -fsS --max-time 5 "$PROM/api/v1/rules" |
	jq -r '.data.groups[].rules[] | select(.health != "ok") | "\(.name): \(.health) \(.lastError)"')
if [[ -z $bad_rules ]]; then pass "every rule evaluates without error"; else fail "rules with errors" "$bad_rules"; fi

query_count() { # EXPR: number of series in the instant query's result (-1 on error)
	curl -fsS --max-time 10 "$PROM/api/v1/query" --data-urlencode "query=$1" 2>/dev/null |
		jq -r 'if .status == "success" then (.data.result | if type == "array" then length else 1 end) else -1 end' 2>/dev/null ||
		echo -1
}
# Need a re-sign in the zone's history, which a fresh lab does not have.
NEEDS_HISTORY=" instance:dnshealth_rrsig_resign_step_seconds instance:dnshealth_rrsig_resign_interval_seconds:max30d "
rec_missing=() rec_n=0
for rec in $(sed -n 's/^[[:space:]]*- record:[[:space:]]*\(.*\)$/\1/p' "$REPO/dashboards/rules.yml" "$REPO/dashboards/alerts.yml"); do
	[[ $NEEDS_HISTORY == *" $rec "* ]] && continue
	rec_n=$((rec_n + 1))
	[[ $(query_count "$rec") -gt 0 ]] || rec_missing+=("$rec")
done
if [[ ${#rec_missing[@]} -eq 0 ]]; then
	pass "every recording rule returns data ($rec_n; the 2 learned re-sign intervals need a history)"
else
	fail "recording rules without data" "${rec_missing[*]}"
fi

# ---------------------------------------------------------------- dashboard

DASH=$REPO/dashboards/dnshealth-dashboard.json
if [[ ! -f $DASH ]]; then
	fail "dashboards/dnshealth-dashboard.json does not exist"
else
	mapfile -t exprs < <(jq -r '[.. | objects | select(has("expr")) | .expr | strings | select(length > 0)] | unique[]' "$DASH")
	n_dash=0
	for e in "${exprs[@]}"; do
		q=${e//\$\{job\}/dnshealth}
		q=${q//\$job/dnshealth}
		q=${q//\$\{__rate_interval\}/1m}
		q=${q//\$__rate_interval/1m}
		q=${q//\$__interval/15s}
		q=${q//\$__range/5m}
		tried=()
		if [[ $q == *'$instance'* || $q == *'${instance}'* ]]; then
			for zone in "${ALL_ZONES[@]}"; do
				zq=${q//\$\{instance\}/$zone}
				zq=${zq//\$instance/$zone}
				n=$(query_count "$zq")
				tried+=("$zone:$n")
				[[ $n -gt 0 ]] && break
			done
		else
			n=$(query_count "$q")
			tried+=("$n")
		fi
		n_dash=$((n_dash + 1))
		if [[ $n -gt 0 ]]; then
			pass "dashboard query returns data: ${e:0:110}"
		else
			fail "dashboard query returns no data: $e" "series per try: ${tried[*]}"
		fi
	done
	log "$n_dash dashboard queries checked"
fi

# ---------------------------------------------------------------- done

# Everything started must still run: a server that died (or was killed from
# outside) explains failures above better than they do themselves.
died=()
for pf in "$WORK"/srv/*/launcher.pid "$WORK/exporter.pid"; do
	pid=$(cat "$pf")
	kill -0 "$pid" 2>/dev/null && continue
	d=$(dirname "$pf")
	died+=("${pf#"$WORK/"} (pid $pid) is gone; last log lines:")
	while IFS= read -r line; do died+=("    $line"); done < <(tail -q -n 5 "$d"/srv/*.log "$d"/*.log 2>/dev/null | tail -n 8)
done
if [[ ${#died[@]} -eq 0 ]]; then
	pass "every server, the exporter, Prometheus, Alertmanager and the receiver still run at the end"
else
	fail "processes died during the test" "$(printf '%s\n' "${died[@]}")"
fi
if [[ $FAILED -gt 0 ]]; then
	echo "--- prometheus firing:"
	sed 's/^/    /' <<<"$got_prom"
	echo "--- slack:"
	slack_blocks | cut -c1-300 | sed 's/^/    /'
fi
finish
