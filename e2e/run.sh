#!/usr/bin/env bash
# End-to-end test: the exporter against a standard DNS hierarchy served by
# real servers (BIND 9 and NSD) on loopback addresses in 127.54.0.0/16.
#
#   bash e2e/run.sh            (as root: it adds addresses to lo, binds :53)
#
# It builds a root zone, a TLD "e2e." and child zones with known faults,
# checks the hierarchy itself with dig, then probes every zone through the
# exporter's /probe endpoint and asserts the exact metrics. The last line of
# output is "N passed, N failed"; the exit status is non-zero on any failure.
#
# Only loopback addresses are ever queried. Every server started here is
# stopped and every address added to lo is removed on exit, even on failure.
#
# Environment: E2E_TIMEOUT (seconds, default 300) bounds the whole run;
# E2E_SERVE_ONLY=1 brings the hierarchy up, checks it with dig and serves
# until interrupted (for debugging by hand with dig or a running exporter).
# The work dir e2e/work/ (git-ignored) is kept after the run for its logs.
# Helpers shared with e2e/dnssec.sh and e2e/monitoring.sh live in e2e/lib.sh.

set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=e2e/lib.sh
. "$E2E_DIR/lib.sh"
e2e_begin E2E_UNDER_TIMEOUT work e2e "$@"

install_packages named:bind9 nsd:nsd dig:bind9-dnsutils curl:curl ip:iproute2
command -v go >/dev/null || die "go is not installed"
stop_port53_conflicts 127.54 named nsd
fresh_workdir 'named|nsd|dnshealth_exporter'

# ---------------------------------------------------------------- addresses

# 127.54.0.0/16 (the Go lab uses 127.53/16).
ROOT_BIND=127.54.0.1   # a.root.e2e.   BIND   "."
ROOT_NSD=127.54.0.2    # b.root.e2e.   NSD    "."
TLD_BIND=127.54.1.1    # ns1.nic.e2e.  BIND   "e2e."
TLD_NSD=127.54.1.2     # ns2.nic.e2e.  NSD    "e2e."
# Children: BIND "auth" instance and NSD "auth" instance.
GOODBIND1=127.54.2.1 GOODBIND2=127.54.2.2      # BIND
LAMEREF1=127.54.3.1                            # BIND
LAMEREF2=127.54.3.2                            # NSD, zone not configured -> REFUSED
GOODNSD1=127.54.4.1 GOODNSD2=127.54.4.2        # NSD
DRIFT1=127.54.5.1                              # NSD,  serial 2024010101
DRIFT2=127.54.5.2                              # BIND, serial 2024010102
NSMIS1=127.54.6.1 NSMIS2=127.54.6.2 NSMIS3=127.54.6.3  # BIND
GLUE1=127.54.7.1 GLUE2_PARENT=127.54.7.2 GLUE2_CHILD=127.54.7.3  # BIND
PROV1=127.54.8.1 PROV2=127.54.8.2              # NSD: provider.e2e. (pdns1/pdns2)
HOST1=127.54.8.11 HOST2=127.54.8.12            # BIND: hosted.e2e. (ns1/ns2.provider.e2e.)
NOSRV1=127.54.9.1                              # BIND
NOSRV2=127.54.9.2                              # on lo, nothing listens
WWW=127.54.2.100                               # www.good-bind.e2e. A (not on lo)

BIND_AUTH_ADDRS=($GOODBIND1 $GOODBIND2 $LAMEREF1 $DRIFT2 $NSMIS1 $NSMIS2 $NSMIS3
	$GLUE1 $GLUE2_PARENT $GLUE2_CHILD $HOST1 $HOST2 $NOSRV1)
NSD_AUTH_ADDRS=($GOODNSD1 $GOODNSD2 $LAMEREF2 $DRIFT1 $PROV1 $PROV2)
ALL_ADDRS=($ROOT_BIND $ROOT_NSD $TLD_BIND $TLD_NSD "${BIND_AUTH_ADDRS[@]}" "${NSD_AUTH_ADDRS[@]}" $NOSRV2)

add_lo_addrs "${ALL_ADDRS[@]}"

# ---------------------------------------------------------------- zones

mkdir -p "$Z"

{
	soa . a.root.e2e. 2024010101
	cat <<EOF
.                 IN NS  a.root.e2e.
.                 IN NS  b.root.e2e.
e2e.              IN NS  ns1.nic.e2e.
e2e.              IN NS  ns2.nic.e2e.
a.root.e2e.       IN A   $ROOT_BIND
b.root.e2e.       IN A   $ROOT_NSD
ns1.nic.e2e.      IN A   $TLD_BIND
ns2.nic.e2e.      IN A   $TLD_NSD
EOF
} >"$Z/root.zone"

{
	soa e2e. ns1.nic.e2e. 2024010101
	cat <<EOF
e2e.                 IN NS  ns1.nic.e2e.
e2e.                 IN NS  ns2.nic.e2e.
ns1.nic              IN A   $TLD_BIND
ns2.nic              IN A   $TLD_NSD
a.root               IN A   $ROOT_BIND
b.root               IN A   $ROOT_NSD

good-bind            IN NS  ns1.good-bind
good-bind            IN NS  ns2.good-bind
ns1.good-bind        IN A   $GOODBIND1
ns2.good-bind        IN A   $GOODBIND2

good-nsd             IN NS  ns1.good-nsd
good-nsd             IN NS  ns2.good-nsd
ns1.good-nsd         IN A   $GOODNSD1
ns2.good-nsd         IN A   $GOODNSD2

lame-refused         IN NS  ns1.lame-refused
lame-refused         IN NS  ns2.lame-refused
ns1.lame-refused     IN A   $LAMEREF1
ns2.lame-refused     IN A   $LAMEREF2

lame-noserver        IN NS  ns1.lame-noserver
lame-noserver        IN NS  ns2.lame-noserver
ns1.lame-noserver    IN A   $NOSRV1
ns2.lame-noserver    IN A   $NOSRV2

serial-drift         IN NS  ns1.serial-drift
serial-drift         IN NS  ns2.serial-drift
ns1.serial-drift     IN A   $DRIFT1
ns2.serial-drift     IN A   $DRIFT2

; the child adds ns3 at its apex; the parent does not list it
ns-mismatch          IN NS  ns1.ns-mismatch
ns-mismatch          IN NS  ns2.ns-mismatch
ns1.ns-mismatch      IN A   $NSMIS1
ns2.ns-mismatch      IN A   $NSMIS2

; glue for ns2 is $GLUE2_PARENT; the child says $GLUE2_CHILD
glue-mismatch        IN NS  ns1.glue-mismatch
glue-mismatch        IN NS  ns2.glue-mismatch
ns1.glue-mismatch    IN A   $GLUE1
ns2.glue-mismatch    IN A   $GLUE2_PARENT

provider             IN NS  pdns1.provider
provider             IN NS  pdns2.provider
pdns1.provider       IN A   $PROV1
pdns2.provider       IN A   $PROV2

; out of bailiwick: ns1/ns2.provider.e2e. exist only inside provider.e2e.,
; so the referral carries no address and the probe has to resolve them
hosted               IN NS  ns1.provider
hosted               IN NS  ns2.provider
EOF
} >"$Z/e2e.zone"

# child ZONE SERIAL "ns1 addr" "ns2 addr" ... [-- extra lines]
child() {
	local zone=$1 serial=$2
	shift 2
	soa "$zone." "ns1.$zone." "$serial"
	local h
	for h in "$@"; do
		set -- $h
		printf '%s. IN NS %s.%s.\n' "$zone" "$1" "$zone"
		printf '%s.%s. IN A %s\n' "$1" "$zone" "$2"
	done
}
child good-bind.e2e 2024010101 "ns1 $GOODBIND1" "ns2 $GOODBIND2" >"$Z/good-bind.zone"
echo "www.good-bind.e2e. IN A $WWW" >>"$Z/good-bind.zone"
child good-nsd.e2e 2024010101 "ns1 $GOODNSD1" "ns2 $GOODNSD2" >"$Z/good-nsd.zone"
child lame-refused.e2e 2024010101 "ns1 $LAMEREF1" "ns2 $LAMEREF2" >"$Z/lame-refused.zone"
child lame-noserver.e2e 2024010101 "ns1 $NOSRV1" "ns2 $NOSRV2" >"$Z/lame-noserver.zone"
child serial-drift.e2e 2024010101 "ns1 $DRIFT1" "ns2 $DRIFT2" >"$Z/serial-drift.v1.zone"
child serial-drift.e2e 2024010102 "ns1 $DRIFT1" "ns2 $DRIFT2" >"$Z/serial-drift.v2.zone"
child ns-mismatch.e2e 2024010101 "ns1 $NSMIS1" "ns2 $NSMIS2" "ns3 $NSMIS3" >"$Z/ns-mismatch.zone"
child glue-mismatch.e2e 2024010101 "ns1 $GLUE1" "ns2 $GLUE2_CHILD" >"$Z/glue-mismatch.zone"
{
	child provider.e2e 2024010101 "pdns1 $PROV1" "pdns2 $PROV2"
	echo "ns1.provider.e2e. IN A $HOST1"
	echo "ns2.provider.e2e. IN A $HOST2"
} >"$Z/provider.zone"
{
	soa hosted.e2e. ns1.provider.e2e. 2024010101
	echo "hosted.e2e. IN NS ns1.provider.e2e."
	echo "hosted.e2e. IN NS ns2.provider.e2e."
	echo "www.hosted.e2e. IN A 127.54.8.100"
} >"$Z/hosted.zone"

# ---------------------------------------------------------------- servers

bind_instance root-bind "$ROOT_BIND" ". root.zone"
nsd_instance root-nsd "$ROOT_NSD" ". root.zone"
bind_instance tld-bind "$TLD_BIND" "e2e. e2e.zone"
nsd_instance tld-nsd "$TLD_NSD" "e2e. e2e.zone"
bind_instance auth-bind "${BIND_AUTH_ADDRS[*]}" "
	good-bind.e2e. good-bind.zone
	lame-refused.e2e. lame-refused.zone
	lame-noserver.e2e. lame-noserver.zone
	serial-drift.e2e. serial-drift.v2.zone
	ns-mismatch.e2e. ns-mismatch.zone
	glue-mismatch.e2e. glue-mismatch.zone
	hosted.e2e. hosted.zone"
nsd_instance auth-nsd "${NSD_AUTH_ADDRS[*]}" "
	good-nsd.e2e. good-nsd.zone
	serial-drift.e2e. serial-drift.v1.zone
	provider.e2e. provider.zone"

# Wait until every address with a server answers its own zone.
wait_servers "$ROOT_BIND ." "$ROOT_NSD ." "$TLD_BIND e2e." "$TLD_NSD e2e." \
	"$GOODBIND1 good-bind.e2e." "$GOODNSD1 good-nsd.e2e." \
	"${BIND_AUTH_ADDRS[-1]} good-bind.e2e." "${NSD_AUTH_ADDRS[-1]} good-nsd.e2e."
log "servers up in $(($(date +%s) - START))s"

# ---------------------------------------------------------------- hierarchy

# hcheck (e2e/lib.sh) asks with DIG.
DIG=(dig +norec +time=2 +tries=1 +nocookie +noall +comments +question +answer +authority +additional)
HCHECK_DIG="dig +norec"
HCHECK_AREA=hierarchy

AA='flags: qr aa'
NOAA='!flags: qr aa'
OKST='status: NOERROR'

echo "hierarchy (dig, no recursion):"
for r in $ROOT_BIND $ROOT_NSD; do
	hcheck "root $r serves . SOA" $r . SOA "$OKST" "$AA" '^\.\s+[0-9]+\s+IN\s+SOA\s+a\.root\.e2e\.'
	hcheck "root $r refers e2e. to ns1/ns2.nic.e2e." $r good-bind.e2e. SOA "$OKST" "$NOAA" \
		'^e2e\.\s+[0-9]+\s+IN\s+NS\s+ns1\.nic\.e2e\.' '^e2e\.\s+[0-9]+\s+IN\s+NS\s+ns2\.nic\.e2e\.' \
		"^ns1\\.nic\\.e2e\\.\\s+[0-9]+\\s+IN\\s+A\\s+$TLD_BIND"
done
for t in $TLD_BIND $TLD_NSD; do
	hcheck "tld $t serves e2e. SOA" $t e2e. SOA "$OKST" "$AA" '^e2e\.\s+[0-9]+\s+IN\s+SOA'
	hcheck "tld $t refers good-bind.e2e. with glue" $t www.good-bind.e2e. A "$OKST" "$NOAA" \
		'^good-bind\.e2e\.\s+[0-9]+\s+IN\s+NS\s+ns1\.good-bind\.e2e\.' \
		"^ns1\\.good-bind\\.e2e\\.\\s+[0-9]+\\s+IN\\s+A\\s+$GOODBIND1"
	hcheck "tld $t glue for ns2.glue-mismatch.e2e. is $GLUE2_PARENT" $t glue-mismatch.e2e. SOA "$NOAA" \
		"^ns2\\.glue-mismatch\\.e2e\\.\\s+[0-9]+\\s+IN\\s+A\\s+$GLUE2_PARENT"
	hcheck "tld $t refers hosted.e2e. to ns1/ns2.provider.e2e. without addresses" $t hosted.e2e. SOA "$NOAA" \
		'^hosted\.e2e\.\s+[0-9]+\s+IN\s+NS\s+ns1\.provider\.e2e\.' '!^ns[12]\.provider\.e2e\.\s+[0-9]+\s+IN\s+A'
	hcheck "tld $t refers ns-mismatch.e2e. to ns1, ns2 only" $t ns-mismatch.e2e. SOA "$NOAA" \
		'^ns-mismatch\.e2e\.\s+[0-9]+\s+IN\s+NS\s+ns2\.' '!IN\s+NS\s+ns3\.'
done
soa_at() { # desc addr zone serial
	hcheck "$1" "$2" "$3" SOA "$OKST" "$AA" "^${3//./\\.}\\s+[0-9]+\\s+IN\\s+SOA\\s+\\S+\\s+\\S+\\s+$4\\s"
}
soa_at "good-bind ns1 (BIND) serves SOA" $GOODBIND1 good-bind.e2e. 2024010101
soa_at "good-bind ns2 (BIND) serves SOA" $GOODBIND2 good-bind.e2e. 2024010101
soa_at "good-nsd ns1 (NSD) serves SOA" $GOODNSD1 good-nsd.e2e. 2024010101
soa_at "good-nsd ns2 (NSD) serves SOA" $GOODNSD2 good-nsd.e2e. 2024010101
soa_at "lame-refused ns1 (BIND) serves SOA" $LAMEREF1 lame-refused.e2e. 2024010101
hcheck "lame-refused ns2 (NSD) answers REFUSED" $LAMEREF2 lame-refused.e2e. SOA 'status: REFUSED'
soa_at "lame-noserver ns1 (BIND) serves SOA" $NOSRV1 lame-noserver.e2e. 2024010101
hcheck "lame-noserver ns2 has no server (port unreachable)" $NOSRV2 lame-noserver.e2e. SOA \
	'connection refused|no servers could be reached' '!status:'
soa_at "serial-drift ns1 (NSD) serves serial 2024010101" $DRIFT1 serial-drift.e2e. 2024010101
soa_at "serial-drift ns2 (BIND) serves serial 2024010102" $DRIFT2 serial-drift.e2e. 2024010102
hcheck "ns-mismatch child apex lists ns1, ns2, ns3" $NSMIS1 ns-mismatch.e2e. NS "$AA" \
	'^ns-mismatch\.e2e\.\s+[0-9]+\s+IN\s+NS\s+ns1\.' '^ns-mismatch\.e2e\.\s+[0-9]+\s+IN\s+NS\s+ns2\.' \
	'^ns-mismatch\.e2e\.\s+[0-9]+\s+IN\s+NS\s+ns3\.'
for a in $NSMIS2 $NSMIS3; do
	soa_at "ns-mismatch $a serves SOA" $a ns-mismatch.e2e. 2024010101
done
hcheck "glue-mismatch child says ns2 is $GLUE2_CHILD" $GLUE1 ns2.glue-mismatch.e2e. A "$AA" \
	"^ns2\\.glue-mismatch\\.e2e\\.\\s+[0-9]+\\s+IN\\s+A\\s+$GLUE2_CHILD"
for a in $GLUE1 $GLUE2_PARENT $GLUE2_CHILD; do
	soa_at "glue-mismatch $a serves SOA" $a glue-mismatch.e2e. 2024010101
done
soa_at "provider.e2e. pdns1 (NSD) serves SOA" $PROV1 provider.e2e. 2024010101
hcheck "provider.e2e. serves ns1.provider.e2e. A $HOST1" $PROV2 ns1.provider.e2e. A "$AA" \
	"^ns1\\.provider\\.e2e\\.\\s+[0-9]+\\s+IN\\s+A\\s+$HOST1"
soa_at "hosted ns1.provider.e2e. (BIND) serves SOA" $HOST1 hosted.e2e. 2024010101
soa_at "hosted ns2.provider.e2e. (BIND) serves SOA" $HOST2 hosted.e2e. 2024010101
hcheck "www.good-bind.e2e. is a name inside good-bind.e2e., not a zone" $GOODBIND1 www.good-bind.e2e. SOA \
	"$OKST" "$AA" '^good-bind\.e2e\.\s+[0-9]+\s+IN\s+SOA' '!^www\.good-bind\.e2e\.\s+[0-9]+\s+IN\s+SOA'

if [[ $FAILED -gt 0 ]]; then
	log "the DNS hierarchy itself is broken ($FAILED dig checks failed); not probing through the exporter"
	for f in "${FAILURES[@]}"; do log "failed: $f"; done
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi

serve_only_if_asked "E2E_SERVE_ONLY: hierarchy up (roots $ROOT_BIND $ROOT_NSD); serving until interrupted or E2E_TIMEOUT"

# ---------------------------------------------------------------- exporter

root_hints "root hints for the e2e hierarchy" a.root.e2e. $ROOT_BIND b.root.e2e. $ROOT_NSD
# The hierarchy is unsigned and its root is not IANA's: with the default
# trust anchors (IANA's root KSKs) every zone would be bogus, a root with a
# trust anchor serving no DNSKEY. This test is about delegation, so the
# module turns DNSSEC off. (e2e/dnssec.sh tests DNSSEC on a signed hierarchy.)
cat >"$WORK/exporter.yml" <<EOF
modules:
  e2e:
    root_hints_file: $WORK/root.hints
    dnssec: false
    port: 53
    timeout: 10s
EOF

start_exporter "$WORK/exporter.yml"

# NS ADDR VALUE|STATUS -> the normalized sample line (the exporter drops the
# trailing dot of nameserver names in labels)
lame_line() { printf 'dnshealth_delegation_lame{address="%s",nameserver="%s"} %s\n' "$2" "${1%.}" "$3"; }
status_line() { printf 'dnshealth_nameserver_status{address="%s",nameserver="%s",status="%s"} 1\n' "$2" "${1%.}" "$3"; }

CUR=     # zone under test
OUT=     # its normalized metrics file
ZFAIL=0  # failures for this zone

zfail() { ZFAIL=$((ZFAIL + 1)); fail "$CUR: $1" "${2:-}"; }

probe_zone() { # zone
	CUR=$1
	ZFAIL=0
	local raw=$WORK/probe-$1.txt
	OUT=$WORK/probe-$1.norm
	local code
	code=$(curl -sS --max-time 30 -o "$raw" -w '%{http_code}' "$BASE/probe?target=$1&module=e2e" 2>"$WORK/curl.err") || code="curl error: $(cat "$WORK/curl.err")"
	normalize <"$raw" >"$OUT" 2>/dev/null || true
	if [[ $code == 200 ]]; then
		pass "$CUR: /probe answers 200"
	else
		zfail "/probe answers 200" "got $code: $(head -c 500 "$raw" 2>/dev/null)"
	fi
}

# set_eq DESC "expected lines" "seen lines"
set_eq() {
	local exp seen
	exp=$(printf '%s\n' "$2" | sed '/^$/d' | sort)
	seen=$(printf '%s\n' "$3" | sed '/^$/d' | sort)
	if [[ "$exp" == "$seen" ]]; then
		pass "$CUR: $1"
	else
		zfail "$1" "expected:
$(sed 's/^/  /' <<<"${exp:-(none)}")
seen:
$(sed 's/^/  /' <<<"${seen:-(none)}")"
	fi
}

# expect_lines DESC LINE_FN SEEN "ns addr x"...: set_eq "DESC: <the specs>",
# expecting the line LINE_FN makes of each spec, against the lines SEEN.
expect_lines() {
	local desc=$1 fn=$2 seen=$3 want= h
	shift 3
	local descr=("$@")
	for h in "$@"; do
		set -- $h
		want+=$("$fn" "$1" "$2" "$3")$'\n'
	done
	set_eq "$desc: $(printf "%s; " "${descr[@]}")" "$want" "$seen"
}
# expect_lame "ns addr value" ...: the dnshealth_delegation_lame samples are
# exactly these.
expect_lame() {
	expect_lines "dnshealth_delegation_lame samples are exactly" lame_line \
		"$(grep '^dnshealth_delegation_lame{' "$OUT" || true)" "$@"
}
# expect_status "ns addr status" ...: the nameserver_status samples at 1.
expect_status() {
	expect_lines "dnshealth_nameserver_status at 1 are exactly" status_line \
		"$(grep '^dnshealth_nameserver_status{' "$OUT" | grep -v ' 0$' || true)" "$@"
}
# expect_findings check...: the checks whose dnshealth_finding is non-zero.
expect_findings() {
	local want
	want=$(printf '%s\n' "$@")
	set_eq "findings are exactly {$*}" "$want" \
		"$(grep '^dnshealth_finding{' "$OUT" | grep -v ' 0$' | sed -n 's/.*check="\([^"]*\)".*/\1/p' | sort -u || true)"
}
expect_line() { # exact normalized sample line
	if grep -Fxq -- "$1" "$OUT"; then
		pass "$CUR: $1"
	else
		zfail "$1" "seen: $(grep -F -- "${1%%[{ ]*}" "$OUT" | head -5 || true)"
	fi
}

debug_dump() {
	if [[ $ZFAIL -gt 0 ]]; then
		echo "  --- /probe?target=$CUR&module=e2e&debug=true ---"
		curl -sS --max-time 30 "$BASE/probe?target=$CUR&module=e2e&debug=true" 2>&1 | sed 's/^/  | /'
		echo "  ---"
	fi
}

echo "exporter probes:"

# First, with an empty cache: the walk from the root hints and the iterative
# resolution of the out-of-bailiwick NS names both happen on the wire.
probe_zone hosted.e2e.
expect_lame "ns1.provider.e2e. $HOST1 0" "ns2.provider.e2e. $HOST2 0"
expect_status "ns1.provider.e2e. $HOST1 ok" "ns2.provider.e2e. $HOST2 ok"
expect_findings
expect_line 'dnshealth_soa_serial_consistent 1'
expect_line 'dnshealth_ns_parent_child_consistent 1'
expect_line 'probe_success 1'
debug_dump

probe_zone e2e.
expect_lame "ns1.nic.e2e. $TLD_BIND 0" "ns2.nic.e2e. $TLD_NSD 0"
expect_status "ns1.nic.e2e. $TLD_BIND ok" "ns2.nic.e2e. $TLD_NSD ok"
expect_findings
expect_line 'probe_success 1'
expect_line 'dnshealth_soa_serial_consistent 1'
expect_line 'dnshealth_ns_parent_child_consistent 1'
expect_line 'dnshealth_glue_consistent 1'
debug_dump

probe_zone good-bind.e2e.
expect_lame "ns1.good-bind.e2e. $GOODBIND1 0" "ns2.good-bind.e2e. $GOODBIND2 0"
expect_status "ns1.good-bind.e2e. $GOODBIND1 ok" "ns2.good-bind.e2e. $GOODBIND2 ok"
expect_findings
expect_line 'probe_success 1'
expect_line 'dnshealth_soa_serial_consistent 1'
expect_line 'dnshealth_ns_parent_child_consistent 1'
expect_line 'dnshealth_glue_consistent 1'
debug_dump

probe_zone good-nsd.e2e.
expect_lame "ns1.good-nsd.e2e. $GOODNSD1 0" "ns2.good-nsd.e2e. $GOODNSD2 0"
expect_status "ns1.good-nsd.e2e. $GOODNSD1 ok" "ns2.good-nsd.e2e. $GOODNSD2 ok"
expect_findings
expect_line 'probe_success 1'
expect_line 'dnshealth_soa_serial_consistent 1'
expect_line 'dnshealth_ns_parent_child_consistent 1'
expect_line 'dnshealth_glue_consistent 1'
debug_dump

probe_zone lame-refused.e2e.
expect_lame "ns1.lame-refused.e2e. $LAMEREF1 0" "ns2.lame-refused.e2e. $LAMEREF2 1"
expect_status "ns1.lame-refused.e2e. $LAMEREF1 ok" "ns2.lame-refused.e2e. $LAMEREF2 refused"
expect_findings lame_refused
expect_line 'dnshealth_finding{check="lame_refused",severity="error"} 1'
expect_line 'probe_success 0'
debug_dump

probe_zone lame-noserver.e2e.
expect_lame "ns1.lame-noserver.e2e. $NOSRV1 0" "ns2.lame-noserver.e2e. $NOSRV2 1"
expect_status "ns1.lame-noserver.e2e. $NOSRV1 ok" "ns2.lame-noserver.e2e. $NOSRV2 network_error"
expect_findings lame_network_error
expect_line 'dnshealth_finding{check="lame_network_error",severity="error"} 1'
expect_line 'probe_success 0'
debug_dump

probe_zone serial-drift.e2e.
expect_lame "ns1.serial-drift.e2e. $DRIFT1 0" "ns2.serial-drift.e2e. $DRIFT2 0"
expect_status "ns1.serial-drift.e2e. $DRIFT1 ok" "ns2.serial-drift.e2e. $DRIFT2 ok"
expect_findings soa_serial_mismatch
expect_line 'dnshealth_finding{check="soa_serial_mismatch",severity="warning"} 1'
expect_line 'dnshealth_soa_serial_consistent 0'
expect_line "dnshealth_soa_serial{address=\"$DRIFT1\",nameserver=\"ns1.serial-drift.e2e\"} 2.024010101e+09"
expect_line "dnshealth_soa_serial{address=\"$DRIFT2\",nameserver=\"ns2.serial-drift.e2e\"} 2.024010102e+09"
expect_line 'dnshealth_ns_parent_child_consistent 1'
expect_line 'dnshealth_glue_consistent 1'
expect_line 'probe_success 1'
debug_dump

probe_zone ns-mismatch.e2e.
expect_lame "ns1.ns-mismatch.e2e. $NSMIS1 0" "ns2.ns-mismatch.e2e. $NSMIS2 0"
expect_findings ns_parent_child_mismatch
expect_line 'dnshealth_finding{check="ns_parent_child_mismatch",severity="warning"} 1'
expect_line 'dnshealth_ns_parent_child_consistent 0'
expect_line 'dnshealth_soa_serial_consistent 1'
expect_line 'dnshealth_glue_consistent 1'
expect_line 'probe_success 1'
debug_dump

probe_zone glue-mismatch.e2e.
expect_lame "ns1.glue-mismatch.e2e. $GLUE1 0" "ns2.glue-mismatch.e2e. $GLUE2_PARENT 0"
expect_findings glue_mismatch
expect_line 'dnshealth_finding{check="glue_mismatch",severity="warning"} 1'
expect_line 'dnshealth_glue_consistent 0'
expect_line 'dnshealth_soa_serial_consistent 1'
expect_line 'dnshealth_ns_parent_child_consistent 1'
expect_line 'probe_success 1'
debug_dump

probe_zone provider.e2e.
expect_lame "pdns1.provider.e2e. $PROV1 0" "pdns2.provider.e2e. $PROV2 0"
expect_findings
expect_line 'probe_success 1'
debug_dump

probe_zone www.good-bind.e2e.
expect_findings not_a_zone
expect_line 'dnshealth_finding{check="not_a_zone",severity="error"} 1'
expect_line 'probe_success 0'
set_eq "no address is reported lame" "" "$(grep '^dnshealth_delegation_lame{' "$OUT" | grep -v ' 0$' || true)"
debug_dump

if ! kill -0 $EXPORTER_PID 2>/dev/null; then
	fail "exporter still running after the probes" "$(tail -n 20 "$WORK/exporter.log")"
fi

finish
