#!/usr/bin/env bash
# End-to-end test of the whole-zone sweep and of NSID against real servers:
# BIND 9 and NSD serving AXFR with TSIG to the exporter, on loopback
# addresses in 127.72.0.0/16.
#
#   bash e2e/sweep.sh          (as root: it adds addresses to lo, binds :53)
#
# The lab:
#
#   127.72.0.1  BIND  "." (unsigned): delegates swept. and nsdx.
#   127.72.1.1  BIND  swept. serial 3, the hidden primary (not in the NS
#                     set): AXFR to the TSIG key only. Signed (NSEC,
#                     dnssec-signzone), then broken: the RRSIGs of the
#                     sub-tree old.swept. removed, and the RRSIG over
#                     www.swept. A edited
#   127.72.1.2  NSD   swept. serial 2 (ns1.swept., the one public server):
#                     a secondary behind the primary; nsid "nsd-ns1"
#   127.72.2.1  NSD   nsdx. serial 5, the hidden primary: AXFR to the TSIG
#                     key only (provide-xfr). Signed with NSEC3 (no salt,
#                     0 iterations), healthy
#   127.72.2.2  BIND  nsdx. serial 5 (ns1.nsdx., the public server);
#                     server-id "bind-ns1"
#
# Then `dnshealth_exporter check -o json` (which sweeps within its one
# probe) must find, for swept.: the unsigned sub-tree (sweep_rrsig_missing),
# the edited signature (sweep_rrsig_invalid), a complete NSEC chain, serial
# 3, secondary_behind_primary for NSD, and NSD's NSID; for nsdx.: a clean
# sweep over NSD's AXFR (NSEC3 chain complete, nothing unsigned or invalid,
# no sweep finding) and BIND's NSID; with a wrong TSIG secret, sweep_failed.
# Last the exporter serves /probe: the first scrape starts the sweep in the
# background, a later one reports it (dnshealth_sweep_* with its age), with
# dnshealth_server_nsid_info.
#
# Only loopback addresses are queried. Every server started here is stopped
# and every address added to lo removed on exit, even on failure.
# Environment: E2E_TIMEOUT (seconds, default 120) bounds the run. The work
# dir e2e/work-sweep/ (git-ignored) is kept for its logs.

set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=e2e/lib.sh
. "$E2E_DIR/lib.sh"
E2E_TIMEOUT=${E2E_TIMEOUT:-120}
e2e_begin E2E_SWEEP_UNDER_TIMEOUT work-sweep e2e-sweep "$@"
KEYS=$WORK/keys

install_packages named:bind9 nsd:nsd dig:bind9-dnsutils dnssec-keygen:bind9-utils \
	dnssec-signzone:bind9-utils curl:curl ip:iproute2 jq:jq
command -v go >/dev/null || die "go is not installed"
stop_port53_conflicts 127.72 named nsd
fresh_workdir 'named|nsd|dnshealth_exporter'
mkdir -p "$Z" "$KEYS"
cd "$WORK"

ROOT=127.72.0.1 SWEPT_PRIMARY=127.72.1.1 SWEPT_NS1=127.72.1.2 NSDX_PRIMARY=127.72.2.1 NSDX_NS1=127.72.2.2
add_lo_addrs $ROOT $SWEPT_PRIMARY $SWEPT_NS1 $NSDX_PRIMARY $NSDX_NS1

# ---------------------------------------------------------------- zones

NOW=$(date -u +%s)
VALID=("$(stamp -3600)" "$(stamp $((14 * 86400)))")
SECRET=$(head -c 32 /dev/urandom | base64)
printf '%s\n' "$SECRET" >"$WORK/tsig.secret"

{
	soa . a.root. 1
	printf '. IN NS a.root.\na.root. IN A %s\n' $ROOT
	printf 'swept. IN NS ns1.swept.\nns1.swept. IN A %s\n' $SWEPT_NS1
	printf 'nsdx. IN NS ns1.nsdx.\nns1.nsdx. IN A %s\n' $NSDX_NS1
} >"$Z/root.zone"

names() { # zone: a few names, and a sub-tree old.<zone>
	local i
	printf '%s IN NS ns1.%s\nns1.%s IN A %s\nwww.%s IN A 127.72.254.1\n' "$1" "$1" "$1" "$2" "$1"
	for i in $(seq 1 20); do printf 'h%02d.%s IN A 127.72.254.%d\n' "$i" "$1" "$i"; done
	for i in $(seq 1 5); do printf 'n%d.old.%s IN TXT "old sub-tree"\n' "$i" "$1"; done
	printf 'deleg.%s IN NS ns.deleg.%s\nns.deleg.%s IN A 127.72.254.53\n' "$1" "$1" "$1"
}
k=$(keygen swept. KSK) z=$(keygen swept.)
{ soa swept. ns1.swept. 3; names swept. $SWEPT_NS1; pubkeys "$k" "$z"; } >"$Z/swept.v3.unsigned"
{ soa swept. ns1.swept. 2; names swept. $SWEPT_NS1; pubkeys "$k" "$z"; } >"$Z/swept.v2.unsigned"
sign swept. swept.v3.unsigned swept.v3.signed "${VALID[@]}" "$k" "$z"
sign swept. swept.v2.unsigned swept.v2.zone "${VALID[@]}" "$k" "$z"
# The broken sub-tree: every RRSIG at *.old.swept. removed; and the RRSIG
# over www.swept. A edited (its signature's first base64 character).
awk '
	$1 ~ /\.old\.swept\.$/ && $4 == "RRSIG" { next }
	$1 == "www.swept." && $4 == "RRSIG" && $5 == "A" { s = $NF; $NF = (substr(s, 1, 1) == "A" ? "B" : "A") substr(s, 2) }
	{ print }
' "$Z/swept.v3.signed" >"$Z/swept.v3.zone"

k=$(keygen nsdx. KSK) z=$(keygen nsdx.)
{ soa nsdx. ns1.nsdx. 5; names nsdx. $NSDX_NS1; pubkeys "$k" "$z"; } >"$Z/nsdx.unsigned"
sign nsdx. nsdx.unsigned nsdx.zone "${VALID[@]}" "$k" "$z" -3 - -H 0

# ---------------------------------------------------------------- servers

bind_instance root "$ROOT" ". root.zone"

bind_instance bind-other "$SWEPT_PRIMARY $NSDX_NS1" "nsdx. nsdx.zone" '	server-id "bind-ns1";' \
	"key \"sweep-key\" { algorithm hmac-sha256; secret \"$SECRET\"; };
zone \"swept.\" { type primary; file \"$Z/swept.v3.zone\"; allow-transfer { key sweep-key; }; };"

nsd_instance nsd "$SWEPT_NS1 $NSDX_PRIMARY" "swept. swept.v2.zone" '	nsid: "ascii_nsd-ns1"' \
	"key:
	name: \"sweep-key\"
	algorithm: hmac-sha256
	secret: \"$SECRET\"
zone:
	name: \"nsdx.\"
	zonefile: \"$Z/nsdx.zone\"
	provide-xfr: 127.0.0.0/8 sweep-key"
log "BIND on $ROOT, $SWEPT_PRIMARY and $NSDX_NS1; NSD on $SWEPT_NS1 and $NSDX_PRIMARY"

wait_servers "$ROOT ." "$SWEPT_PRIMARY swept." "$SWEPT_NS1 swept." "$NSDX_PRIMARY nsdx." "$NSDX_NS1 nsdx."

# The lab itself: the primaries transfer to the key and to nobody else.
HCHECK_AREA=lab HCHECK_DIG=dig
DIG=(dig +norec +time=2 +tries=1 -y "hmac-sha256:sweep-key:$SECRET")
hcheck "BIND transfers swept. with the key" $SWEPT_PRIMARY swept. AXFR 'RRSIG' 'XFR size'
hcheck "NSD transfers nsdx. with the key" $NSDX_PRIMARY nsdx. AXFR 'NSEC3' 'XFR size'
DIG=(dig +norec +time=2 +tries=1)
hcheck "BIND refuses swept. without the key" $SWEPT_PRIMARY swept. AXFR '(Transfer failed|REFUSED)' '!XFR size'
hcheck "NSD refuses nsdx. without the key" $NSDX_PRIMARY nsdx. AXFR '(Transfer failed|REFUSED)' '!XFR size'
DIG=(dig +norec +time=2 +tries=1 +nsid)
hcheck "NSD sends its NSID" $SWEPT_NS1 swept. SOA 'NSID: .*"nsd-ns1"'
hcheck "BIND sends its NSID" $NSDX_NS1 nsdx. SOA 'NSID: .*"bind-ns1"'

# ---------------------------------------------------------------- exporter

root_hints "the sweep lab" a.root. $ROOT
module() { # name primary secret
	printf '  %s:\n    root_hints_file: root.hints\n    dnssec: false\n    timeout: 10s\n' "$1"
	printf '    sweep: {primary: "%s", interval: 1m, tsig: {name: sweep-key, %s}}\n' "$2" "$3"
}
{
	echo "modules:"
	module swept $SWEPT_PRIMARY 'secret_file: tsig.secret'
	module nsdx $NSDX_PRIMARY 'secret_file: tsig.secret'
	module badkey $NSDX_PRIMARY "secret: \"$(head -c 32 /dev/urandom | base64)\""
} >"$WORK/dnshealth.yml"

log "building the exporter"
(cd "$REPO" && go build -o "$WORK/dnshealth_exporter" .) >"$WORK/build.log" 2>&1 ||
	{ cat "$WORK/build.log" >&2; die "go build failed"; }

check_json() { # zone module want-exit jq-assertion...
	local zone=$1 module=$2 want=$3 rc=0 a out bad=
	shift 3
	out=$("$WORK/dnshealth_exporter" check --config.file="$WORK/dnshealth.yml" --module="$module" -o json "$zone" 2>"$WORK/check-$module.err") || rc=$?
	printf '%s\n' "$out" >"$WORK/check-$module.json"
	[[ $rc -eq $want ]] || bad+="exit $rc, want $want; "
	for a in "$@"; do
		jq -e "$a" <<<"$out" >/dev/null 2>&1 || bad+="not ($a); "
	done
	if [[ -z $bad ]]; then
		pass "check $zone (module $module)"
	else
		fail "check $zone (module $module)" "$bad
$(jq -c '{sweep, findings: [.findings[] | .check], nsid: [.delegation.nameservers[] | .nsid]}' <<<"$out" 2>&1 | head -c 3000)
$(tail -n 5 "$WORK/check-$module.err")"
	fi
}

echo "results:"
check_json swept. swept 2 \
	'.sweep.last.serial == 3' '.sweep.last.signed' '.sweep.last.unsigned >= 10' '.sweep.last.invalid == 1' \
	'.sweep.last.denial == "nsec"' '.sweep.last.chain_complete == true' '.sweep.error == null' \
	'[.sweep.last.problems[] | select(.detail == "no RRSIG") | .owner | test("\\.old\\.swept\\.$")] | all' \
	'[.findings[].check] | index("sweep_rrsig_missing") != null' \
	'[.findings[].check] | index("sweep_rrsig_invalid") != null' \
	'[.findings[] | select(.check == "secondary_behind_primary") | .address] == ["127.72.1.2"]' \
	'.delegation.nameservers[0].nsid == "nsd-ns1"'
check_json nsdx. nsdx 0 \
	'.sweep.last.serial == 5' '.sweep.last.denial == "nsec3"' '.sweep.last.chain_complete == true' \
	'.sweep.last.unsigned == 0' '.sweep.last.invalid == 0' '.sweep.last.rrsets > 30' \
	'[.findings[].check | select(startswith("sweep_") or . == "secondary_behind_primary")] == []' \
	'.delegation.nameservers[0].nsid == "bind-ns1"'
check_json nsdx. badkey 1 \
	'.sweep.last == null' '.sweep.error | test("127.72.2.1")' \
	'[.findings[].check] | index("sweep_failed") != null'

start_exporter "$WORK/dnshealth.yml"
scrape() { curl -fsS --max-time 15 "$BASE/probe?target=swept.&module=swept"; }
first=$(scrape) || die "the first scrape failed"
if grep -q '^dnshealth_sweep_last_attempt_success 0' <<<"$first" && ! grep -q '^dnshealth_sweep_age_seconds' <<<"$first"; then
	pass "first scrape: the sweep started in the background, no result yet"
else
	fail "first scrape: the sweep started in the background, no result yet" "$(grep '^dnshealth_sweep' <<<"$first")"
fi
for i in $(seq 50); do
	out=$(scrape) || die "a scrape failed"
	grep -q '^dnshealth_sweep_age_seconds' <<<"$out" && break
	sleep 0.2
done
bad=
for want in '^dnshealth_sweep_last_attempt_success 1$' '^dnshealth_sweep_primary_serial 3$' '^dnshealth_sweep_rrsets_invalid 1$' \
	'^dnshealth_sweep_denial_chain_complete 1$' '^dnshealth_sweep_serial_behind\{address="127.72.1.2",nameserver="ns1.swept"\} 1$' \
	'^dnshealth_server_nsid_info\{address="127.72.1.2",nameserver="ns1.swept",nsid="nsd-ns1"\} 1$' \
	'^dnshealth_finding\{check="sweep_rrsig_missing",severity="error"\} 1$'; do
	grep -Eq "$want" <<<"$out" || bad+="missing /$want/; "
done
if [[ -z $bad ]]; then
	pass "a later scrape reports the background sweep"
else
	fail "a later scrape reports the background sweep" "$bad
$(grep -E '^dnshealth_(sweep|server_nsid|finding)' <<<"$out")"
fi
finish
