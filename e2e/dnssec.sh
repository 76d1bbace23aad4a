#!/usr/bin/env bash
# End-to-end DNSSEC test: the exporter's DNSSEC verdict against Unbound's,
# over a signed hierarchy served by real servers (BIND 9 and NSD) on loopback
# addresses in 127.55.0.0/16.
#
#   bash e2e/dnssec.sh         (as root: it adds addresses to lo, binds :53)
#
# It signs a root "." and a TLD "sec." (a KSK and a ZSK each, algorithm 13,
# dnssec-keygen + dnssec-signzone with explicit validity windows) and child
# zones under sec., one DNSSEC case each:
#
#   secure-bind      signed, DS at the parent                        BIND
#   secure-nsd       signed, DS at the parent                        NSD
#   insecure         unsigned, no DS                                 BIND
#   expired          signed with -s now-30d -e now-2d                BIND
#   future           signed with -s now+2d -e now+30d                NSD
#   badsig           the SOA RRSIG's base64 edited after signing     BIND
#   ds-mismatch      the parent's DS is for a KSK the zone never
#                    publishes                                       BIND
#   unsigned-child   DS at the parent, zone unsigned                 BIND
#   stale-ds         DS for an old KSK and the current one; the zone
#                    has only the current one (secure, ds_unmatched) BIND
#   nsec3-iter       NSEC3, 200 iterations and a salt (ldns-signzone:
#                    dnssec-signzone stops at 150). Unbound's limit
#                    for 256-bit keys is 150: its positive answers
#                    validate, its denials are insecure. The
#                    exporter's dnssec_status must be Unbound's SOA
#                    verdict (secure) and dnshealth_nsec3_denials_insecure
#                    1 its nonexistent-name verdict (insecure)       NSD
#   stale-secondary  ns1 serves the current copy, ns2 an older one
#                    whose signatures expired: intermittently bogus  BIND+NSD
#   lame-one         unsigned, no DS; ns1 serves it, ns2's address
#                    is NSD's, which does not have the zone: REFUSED
#                    (partial_lame)                                  BIND+NSD
#   lame-all         unsigned, no DS; both addresses belong to
#                    servers without the zone (BIND and NSD): both
#                    REFUSED (no_reachable_authority)                none
#
# Expired and future windows are 2 days off, not 1: Unbound tolerates clock
# skew of 10% of a signature's validity period, at most val-sig-skew-max
# (86400 s), so a signature valid from now+1d (or up to now-1d) of a 29-day
# window still validates, or only fails by the seconds the run took.
#
# Ground truth is Unbound, a validating resolver on 127.55.255.1 (root hints
# and trust anchor of the lab, ede: yes). Every zone is asked for its SOA and
# for a name that does not exist, with +dnssec: SERVFAIL with an answer to
# +cd is bogus, SERVFAIL even with +cd is servfail (no DNSSEC verdict:
# nothing answers), an answer with AD secure, one without insecure; the
# zone's verdict is the worst of the two. Two more Unbound instances
# (127.55.255.2 and .3) are pinned with stub zones to every zone's ns1 and
# ns2 address respectively: when the two disagree and one is bogus, the
# verdict is bogus-intermittent; when one is servfail and the other agrees
# with the full resolver, it is <that verdict>-partly-lame. Unbound's
# verdict must be the one the zone was built for, or the lab itself is wrong.
#
# Then every zone is probed through the exporter's /probe (module: the lab's
# root hints and root DS as trust anchor, and Unbound on 127.55.255.1 as its
# one resolver) and the dnssec_status state set must equal Unbound's
# verdict (bogus-intermittent counts as bogus, -partly-lame is dropped; a
# servfail zone has no verdict to compare), with the finding each fault
# must raise, dnshealth_ds_matches_dnskey and more. The resolver view and
# the diagnosis are checked too: dnshealth_resolver_status must match what
# Unbound answered the lab's own dig (dnssec_failure for bogus, servfail,
# ok), dnshealth_resolver_authenticated its AD bit on the SOA, the EDE it
# sent on the SOA must be a dnshealth_resolver_extended_error code, and
# dnshealth_diagnosis_info must name the cause the zone was built for (the
# causes table of docs/checks.md), with dnshealth_servfail_expected and
# dnshealth_servfail_intermittent. stale-secondary's resolver status is only
# shown, not asserted: it depends on which server Unbound asked (so far it
# has been ok with AD: Unbound retries ns1 when ns2's data is bogus).
# Before each probe (and each check run) the full resolver forgets the zone
# (unbound-control flush_zone): Unbound 1.17 sends the specific EDE (7, 8,
# 9, ...) only on the reply that did the validation, and EDE 6 (DNSSEC
# Bogus) on a bogus answer from its cache. It answers lame-all SERVFAIL with
# and without CD, with no EDE.
#
# Last, `dnshealth_exporter check` runs on expired.sec., secure-bind.sec.
# and lame-one.sec. with the same configuration: exit status 2/0/2, the
# diagnosis, the resolver's view and the runbook's remediation in the text
# output, and the JSON output parsed.
#
# Output: one "ok|FAIL zone: exporter=<x> unbound=<y> ede=<n>
# resolver=<status>/ad<0|1>/ede<codes> diagnosis=<cause>/<severity>" line
# per zone (after the lab's own dig checks), one "ok|FAIL check ..." line
# per check command run, and "N passed, N failed" as the last
# line; the exit status is non-zero on any failure. A failed zone is followed
# by Unbound's dig output and the exporter's &debug=true output.
#
# Only loopback addresses are ever queried. Every server started here is
# stopped and every address added to lo is removed on exit, even on failure.
#
# Environment: E2E_TIMEOUT (seconds, default 300) bounds the whole run;
# E2E_UNBOUND_ONLY=1 stops after the Unbound verdicts (no exporter);
# E2E_SERVE_ONLY=1 brings the lab and the resolvers up, checks them and
# serves until interrupted (for debugging by hand with dig or an exporter).
# The work dir e2e/work-dnssec/ (git-ignored) is kept for its logs.

set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=e2e/lib.sh
. "$E2E_DIR/lib.sh"
e2e_begin E2E_DNSSEC_UNDER_TIMEOUT work-dnssec e2e-dnssec "$@"
KEYS=$WORK/keys
E2E_LOGS_HINT="servers: $WORK/srv/*/*.log, Unbound answers: $WORK/answers/, exporter: $WORK/exporter.log"

install_packages named:bind9 nsd:nsd dig:bind9-dnsutils delv:bind9-dnsutils \
	dnssec-keygen:bind9-utils dnssec-signzone:bind9-utils ldns-signzone:ldnsutils \
	unbound:unbound curl:curl ip:iproute2
command -v go >/dev/null || die "go is not installed"
stop_port53_conflicts 127.55 named nsd unbound
fresh_workdir 'named|nsd|unbound|dnshealth_exporter'
mkdir -p "$Z" "$KEYS" "$WORK/answers"
cd "$WORK" # anything a tool writes to its current directory lands here

# ---------------------------------------------------------------- addresses

# 127.55.0.0/16 (e2e/run.sh uses 127.54/16, the Go lab 127.53/16).
ROOT_BIND=127.55.0.1   # a.root.sec.   BIND   "."
ROOT_NSD=127.55.0.2    # b.root.sec.   NSD    "."
TLD_BIND=127.55.1.1    # ns1.nic.sec.  BIND   "sec."
TLD_NSD=127.55.1.2     # ns2.nic.sec.  NSD    "sec."
RESOLVER=127.55.255.1  # Unbound, full resolution
PINNED1=127.55.255.2   # Unbound, every child zone pinned to its ns1 address
PINNED2=127.55.255.3   # Unbound, every child zone pinned to its ns2 address

# Children of sec. and the server that serves each ("split": ns1 BIND, ns2
# NSD; "lame-ns2": ns1 BIND, ns2's address on NSD, which does not serve the
# zone; "lame": ns1's address on BIND and ns2's on NSD, neither serving it).
# Child i has ns1 on 127.55.(i+2).1 and ns2 on 127.55.(i+2).2.
CHILDREN=(secure-bind secure-nsd insecure expired future badsig ds-mismatch
	unsigned-child stale-ds nsec3-iter stale-secondary lame-one lame-all)
declare -A SERVER=(
	[secure-bind]=bind [secure-nsd]=nsd [insecure]=bind [expired]=bind
	[future]=nsd [badsig]=bind [ds-mismatch]=bind [unsigned-child]=bind
	[stale-ds]=bind [nsec3-iter]=nsd [stale-secondary]=split
	[lame-one]=lame-ns2 [lame-all]=lame)
# The verdict each zone is built for; Unbound must reach it.
declare -A EXPECT=(
	[sec]=secure [secure-bind]=secure [secure-nsd]=secure [insecure]=insecure
	[expired]=bogus [future]=bogus [badsig]=bogus [ds-mismatch]=bogus
	[unsigned-child]=bogus [stale-ds]=secure [nsec3-iter]=insecure
	[stale-secondary]=bogus-intermittent [lame-one]=insecure-partly-lame
	[lame-all]=servfail)
# The diagnosis each zone is built for (docs/checks.md, "Diagnosis causes"):
# cause, severity, servfail_expected, servfail_intermittent.
declare -A CAUSE=(
	[sec]="healthy none 0 0" [secure-bind]="healthy none 0 0"
	[secure-nsd]="healthy none 0 0" [insecure]="healthy none 0 0"
	[expired]="signature_expired error 1 0" [future]="signature_not_yet_valid error 1 0"
	[badsig]="bogus_signature error 1 0" [ds-mismatch]="ds_mismatch error 1 0"
	[unsigned-child]="dnskey_missing error 1 0" [stale-ds]="rollover_stuck warning 0 0"
	[nsec3-iter]="insecure_downgrade warning 0 0"
	[stale-secondary]="signature_expired error 0 1"
	[lame-one]="partial_lame error 0 0" [lame-all]="no_reachable_authority error 1 0")
declare -A NS1 NS2
BIND_AUTH_ADDRS=()
NSD_AUTH_ADDRS=()
i=2
for c in "${CHILDREN[@]}"; do
	NS1[$c]=127.55.$i.1
	NS2[$c]=127.55.$i.2
	case ${SERVER[$c]} in
	bind) BIND_AUTH_ADDRS+=("${NS1[$c]}" "${NS2[$c]}") ;;
	nsd) NSD_AUTH_ADDRS+=("${NS1[$c]}" "${NS2[$c]}") ;;
	split | lame-ns2 | lame) BIND_AUTH_ADDRS+=("${NS1[$c]}") NSD_AUTH_ADDRS+=("${NS2[$c]}") ;;
	esac
	i=$((i + 1))
done

add_lo_addrs $ROOT_BIND $ROOT_NSD $TLD_BIND $TLD_NSD "${BIND_AUTH_ADDRS[@]}" "${NSD_AUTH_ADDRS[@]}" \
	$RESOLVER $PINNED1 $PINNED2

# ---------------------------------------------------------------- keys

# stamp, keygen, ds, pubkeys and sign (e2e/lib.sh) work from NOW and KEYS.
NOW=$(date -u +%s)
DAY=86400
VALID=("$(stamp -3600)" "$(stamp $((30 * DAY)))")
EXPIRED=("$(stamp $((-30 * DAY)))" "$(stamp $((-2 * DAY)))")
FUTURE=("$(stamp $((2 * DAY)))" "$(stamp $((30 * DAY)))")
NSEC3_ITERATIONS=200
NSEC3_SALT=cafe0123abcd

# ---------------------------------------------------------------- zones

# child_zone ZONE SERIAL: SOA, NS ns1/ns2 with their addresses, a www A.
child_zone() {
	local c=${1%.sec.}
	soa "$1" "ns1.$1" "$2"
	printf '%s IN NS ns1.%s\n%s IN NS ns2.%s\n' "$1" "$1" "$1" "$1"
	printf 'ns1.%s IN A %s\nns2.%s IN A %s\n' "$1" "${NS1[$c]}" "$1" "${NS2[$c]}"
	printf 'www.%s IN A 127.55.254.1\n' "$1"
}

declare -A DS_AT_PARENT # child -> its DS lines in sec.
for c in "${CHILDREN[@]}"; do
	zone=$c.sec.
	case $c in
	insecure | lame-one)
		child_zone $zone 1 >"$Z/$c.zone"
		;;
	lame-all) ;; # served nowhere
	unsigned-child)
		# A KSK the zone never uses: the parent has its DS, the zone is unsigned.
		k=$(keygen $zone KSK)
		child_zone $zone 1 >"$Z/$c.zone"
		DS_AT_PARENT[$c]=$(ds "$k")
		;;
	ds-mismatch)
		k=$(keygen $zone KSK) z=$(keygen $zone) other=$(keygen $zone KSK)
		{ child_zone $zone 1; pubkeys "$k" "$z"; } >"$Z/$c.unsigned"
		sign $zone $c.unsigned $c.zone "${VALID[@]}" "$k" "$z"
		DS_AT_PARENT[$c]=$(ds "$other")
		;;
	stale-ds)
		old=$(keygen $zone KSK) k=$(keygen $zone KSK) z=$(keygen $zone)
		{ child_zone $zone 1; pubkeys "$k" "$z"; } >"$Z/$c.unsigned"
		sign $zone $c.unsigned $c.zone "${VALID[@]}" "$k" "$z"
		DS_AT_PARENT[$c]=$(ds "$old"; ds "$k")
		;;
	nsec3-iter)
		# dnssec-signzone refuses more than 150 iterations; ldns-signzone
		# does not (it warns).
		k=$(keygen $zone KSK) z=$(keygen $zone)
		{ child_zone $zone 1; pubkeys "$k" "$z"; } >"$Z/$c.unsigned"
		ldns-signzone -n -t $NSEC3_ITERATIONS -s $NSEC3_SALT -i "${VALID[0]}" -e "${VALID[1]}" \
			-o $zone -f "$Z/$c.zone" "$Z/$c.unsigned" "$KEYS/$z" "$KEYS/$k" >>"$WORK/sign.log" 2>&1 ||
			{ tail -n 20 "$WORK/sign.log" >&2; die "ldns-signzone $zone failed"; }
		DS_AT_PARENT[$c]=$(ds "$k")
		;;
	stale-secondary)
		# serial 2, valid, on ns1 (BIND); serial 1, signed a month ago and
		# expired two days ago, on ns2 (NSD): a secondary that stopped
		# transferring.
		k=$(keygen $zone KSK) z=$(keygen $zone)
		{ child_zone $zone 2; pubkeys "$k" "$z"; } >"$Z/$c.v2.unsigned"
		{ child_zone $zone 1; pubkeys "$k" "$z"; } >"$Z/$c.v1.unsigned"
		sign $zone $c.v2.unsigned $c.v2.zone "${VALID[@]}" "$k" "$z"
		sign $zone $c.v1.unsigned $c.v1.zone "${EXPIRED[@]}" "$k" "$z"
		DS_AT_PARENT[$c]=$(ds "$k")
		;;
	*)
		k=$(keygen $zone KSK) z=$(keygen $zone)
		{ child_zone $zone 1; pubkeys "$k" "$z"; } >"$Z/$c.unsigned"
		case $c in
		expired) sign $zone $c.unsigned $c.zone "${EXPIRED[@]}" "$k" "$z" ;;
		future) sign $zone $c.unsigned $c.zone "${FUTURE[@]}" "$k" "$z" ;;
		*) sign $zone $c.unsigned $c.zone "${VALID[@]}" "$k" "$z" ;;
		esac
		DS_AT_PARENT[$c]=$(ds "$k")
		;;
	esac
done

# badsig: change one base64 character inside the SOA RRSIG's signature (in
# its last chunk, away from any padding). The zone still loads; the
# signature no longer verifies.
cp "$Z/badsig.zone" "$Z/badsig.good"
awk '
	!done && $4 == "RRSIG" && $5 == "SOA" {
		c = substr($NF, 5, 1)
		$NF = substr($NF, 1, 4) (c == "A" ? "B" : "A") substr($NF, 6)
		done = 1
	}
	{ print }
	END { if (!done) exit 1 }' "$Z/badsig.good" >"$Z/badsig.zone" || die "no SOA RRSIG to corrupt in badsig.zone"
! cmp -s "$Z/badsig.good" "$Z/badsig.zone" || die "badsig.zone is unchanged"

# The TLD: delegations with glue, and the DS sets above.
tk=$(keygen sec. KSK) tz=$(keygen sec.)
{
	soa sec. ns1.nic.sec. 1
	cat <<EOF
sec.          IN NS ns1.nic.sec.
sec.          IN NS ns2.nic.sec.
ns1.nic.sec.  IN A  $TLD_BIND
ns2.nic.sec.  IN A  $TLD_NSD
a.root.sec.   IN A  $ROOT_BIND
b.root.sec.   IN A  $ROOT_NSD
EOF
	for c in "${CHILDREN[@]}"; do
		child_zone $c.sec. 1 | grep -E 'IN (NS|A) ' | grep -v '^www\.'
		[[ -z ${DS_AT_PARENT[$c]:-} ]] || printf '%s\n' "${DS_AT_PARENT[$c]}"
	done
	pubkeys "$tk" "$tz"
} >"$Z/sec.unsigned"
sign sec. sec.unsigned sec.zone "${VALID[@]}" "$tk" "$tz"

# The root, with DS for sec.; its KSK's DS is the trust anchor.
rk=$(keygen . KSK) rz=$(keygen .)
{
	soa . a.root.sec. 1
	cat <<EOF
.             IN NS a.root.sec.
.             IN NS b.root.sec.
sec.          IN NS ns1.nic.sec.
sec.          IN NS ns2.nic.sec.
a.root.sec.   IN A  $ROOT_BIND
b.root.sec.   IN A  $ROOT_NSD
ns1.nic.sec.  IN A  $TLD_BIND
ns2.nic.sec.  IN A  $TLD_NSD
EOF
	ds "$tk"
	pubkeys "$rk" "$rz"
} >"$Z/root.unsigned"
sign . root.unsigned root.zone "${VALID[@]}" "$rk" "$rz"
ds "$rk" >"$WORK/root.ds"
root_hints "root hints for the signed lab" a.root.sec. $ROOT_BIND b.root.sec. $ROOT_NSD
log "zones signed in $(($(date +%s) - START))s (trust anchor: $(cat "$WORK/root.ds"))"

# ---------------------------------------------------------------- servers

bind_zones='' nsd_zones=''
for c in "${CHILDREN[@]}"; do
	case ${SERVER[$c]} in
	bind) bind_zones+=" $c.sec. $c.zone" ;;
	nsd) nsd_zones+=" $c.sec. $c.zone" ;;
	split) bind_zones+=" $c.sec. $c.v2.zone" nsd_zones+=" $c.sec. $c.v1.zone" ;;
	lame-ns2) bind_zones+=" $c.sec. $c.zone" ;;
	esac
done
bind_instance root-bind "$ROOT_BIND" ". root.zone"
nsd_instance root-nsd "$ROOT_NSD" ". root.zone"
bind_instance tld-bind "$TLD_BIND" "sec. sec.zone"
nsd_instance tld-nsd "$TLD_NSD" "sec. sec.zone"
bind_instance auth-bind "${BIND_AUTH_ADDRS[*]}" "$bind_zones"
nsd_instance auth-nsd "${NSD_AUTH_ADDRS[*]}" "$nsd_zones"

# unbound_instance NAME ADDR [ns1|ns2]: a validating resolver from the lab's
# root hints and anchor, which unbound-control reaches (flush_resolver); with
# ns1 or ns2, every child zone is a stub zone sent to that one address only.
unbound_instance() {
	local stubs=() c
	if [[ -n ${3:-} ]]; then
		for c in "${CHILDREN[@]}"; do
			if [[ $3 == ns1 ]]; then stubs+=("$c.sec." "${NS1[$c]}"); else stubs+=("$c.sec." "${NS2[$c]}"); fi
		done
	fi
	unbound_resolver --control "$1" "$2" "${stubs[@]}"
}
unbound_instance unbound "$RESOLVER"
unbound_instance unbound-ns1 "$PINNED1" ns1
unbound_instance unbound-ns2 "$PINNED2" ns2

# Wait until every server answers its own zone, and each resolver the root.
waits=("$ROOT_BIND ." "$ROOT_NSD ." "$TLD_BIND sec." "$TLD_NSD sec.")
for c in "${CHILDREN[@]}"; do
	case ${SERVER[$c]} in
	lame-ns2) waits+=("${NS1[$c]} $c.sec." "${NS2[$c]} $c.sec. REFUSED") ;;
	lame) waits+=("${NS1[$c]} $c.sec. REFUSED" "${NS2[$c]} $c.sec. REFUSED") ;;
	*) waits+=("${NS1[$c]} $c.sec." "${NS2[$c]} $c.sec.") ;;
	esac
done
wait_servers "${waits[@]}"
wait_resolvers $RESOLVER $PINNED1 $PINNED2
log "servers and resolvers up in $(($(date +%s) - START))s"

# ---------------------------------------------------------------- lab

# hcheck (e2e/lib.sh) asks with DIG.
DIG=(dig +norec +dnssec +time=2 +tries=1 +nocookie +noall +comments +answer +authority +additional)
HCHECK_DIG="dig +norec +dnssec"
HCHECK_AREA=lab
AA='flags: qr aa'
OKST='status: NOERROR'
re() { printf '%s' "${1//./\\.}"; } # a name as a regexp
rrsig() { printf '^%s\\s+[0-9]+\\s+IN\\s+RRSIG\\s+%s\\s+13\\s' "$(re "$1")" "$2"; }

echo "lab (dig +norec +dnssec):"
for a in $ROOT_BIND $ROOT_NSD; do
	hcheck "root $a serves a signed . SOA" $a . SOA "$OKST" "$AA" "$(rrsig . SOA)"
	hcheck "root $a refers sec. with its DS" $a sec. SOA "$OKST" '^sec\.\s+[0-9]+\s+IN\s+NS\s' \
		"^sec\\.\\s+[0-9]+\\s+IN\\s+DS\\s+$(ds "$tk" | awk '{print $4}')\\s+13\\s+2\\s"
done
for a in $TLD_BIND $TLD_NSD; do
	hcheck "tld $a serves a signed sec. SOA" $a sec. SOA "$OKST" "$AA" "$(rrsig sec. SOA)"
	hcheck "tld $a refers secure-bind.sec. with DS" $a secure-bind.sec. SOA \
		'^secure-bind\.sec\.\s+[0-9]+\s+IN\s+DS\s' '^secure-bind\.sec\.\s+[0-9]+\s+IN\s+NS\s'
	for c in insecure lame-one lame-all; do
		hcheck "tld $a refers $c.sec. without DS, proven by NSEC" $a $c.sec. SOA \
			'!IN\s+DS\s' "^$(re $c.sec.)\\s+[0-9]+\\s+IN\\s+NSEC\\s" "^$(re $c.sec.)\\s+[0-9]+\\s+IN\\s+NS\\s"
	done
	mapfile -t pats < <(awk '{printf "IN\\s+DS\\s+%s\\s+13\\s+2\\s\n", $4}' <<<"${DS_AT_PARENT[stale-ds]}")
	hcheck "tld $a has DS for the old and the current KSK of stale-ds.sec." $a stale-ds.sec. DS "$AA" "${pats[@]}"
done
for c in "${CHILDREN[@]}"; do
	zone=$c.sec.
	case $c in
	insecure | unsigned-child | lame-one) sig="!IN\\s+RRSIG\\s" ;;
	*) sig=$(rrsig $zone SOA) ;;
	esac
	for a in ${NS1[$c]} ${NS2[$c]}; do
		if [[ ${SERVER[$c]} == lame || (${SERVER[$c]} == lame-ns2 && $a == "${NS2[$c]}") ]]; then
			hcheck "$c $a refuses $zone SOA (a server without the zone)" $a $zone SOA 'status: REFUSED' '!IN\s+SOA\s'
			continue
		fi
		hcheck "$c $a serves $zone SOA ($([[ $sig == !* ]] && echo unsigned || echo signed))" \
			$a $zone SOA "$OKST" "$AA" "$sig"
	done
done
hcheck "nsec3-iter.sec. has NSEC3PARAM 1 0 $NSEC3_ITERATIONS $NSEC3_SALT" ${NS1[nsec3-iter]} nsec3-iter.sec. NSEC3PARAM \
	"$AA" "IN\\s+NSEC3PARAM\\s+1\\s+0\\s+$NSEC3_ITERATIONS\\s+(${NSEC3_SALT,,}|${NSEC3_SALT^^})\\s*$"
hcheck "stale-secondary ns1 serves serial 2" ${NS1[stale-secondary]} stale-secondary.sec. SOA "$AA" \
	'IN\s+SOA\s+\S+\s+\S+\s+2\s'
hcheck "stale-secondary ns2 serves serial 1" ${NS2[stale-secondary]} stale-secondary.sec. SOA "$AA" \
	'IN\s+SOA\s+\S+\s+\S+\s+1\s'

if [[ $FAILED -gt 0 ]]; then
	log "the signed lab itself is broken ($FAILED dig checks failed); not asking Unbound or the exporter"
	echo "$PASSED passed, $FAILED failed"
	exit 1
fi

serve_only_if_asked "E2E_SERVE_ONLY: lab up (roots $ROOT_BIND $ROOT_NSD, anchor $WORK/root.ds, hints $WORK/root.hints);" \
	"Unbound on $RESOLVER (pinned: $PINNED1 ns1, $PINNED2 ns2); serving until interrupted or E2E_TIMEOUT"

# ---------------------------------------------------------------- Unbound

# answer RESOLVER QNAME QTYPE FILE: ask with +dnssec, keep the output in FILE,
# print "verdict ede" (ede "-" when none). A SERVFAIL is asked again with
# +cd (output in FILE with .cd.txt for .txt): an answer then makes it bogus,
# another SERVFAIL servfail (nothing answers; no DNSSEC verdict).
answer() {
	local out st ede cd=${4%.txt}.cd.txt
	dig +dnssec +time=10 +tries=1 "@$1" "$2" "$3" >"$4" 2>&1 || true
	out=$(<"$4")
	st=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out" | head -1)
	ede=$(sed -n 's/^; EDE: \([0-9]*\).*/\1/p' <<<"$out" | head -1)
	case $st in
	SERVFAIL)
		dig +dnssec +cd +time=10 +tries=1 "@$1" "$2" "$3" >"$cd" 2>&1 || true
		if grep -Eq 'status: (NOERROR|NXDOMAIN),' "$cd"; then
			printf 'bogus %s\n' "${ede:--}"
		else
			printf 'servfail %s\n' "${ede:--}"
		fi
		;;
	NOERROR | NXDOMAIN)
		if grep -Eq '^;; flags:[a-z ]* ad[ ;]' <<<"$out"; then
			printf 'secure %s\n' "${ede:--}"
		else
			printf 'insecure %s\n' "${ede:--}"
		fi
		;;
	*) printf 'error:%s %s\n' "${st:-none}" "${ede:--}" ;;
	esac
}
rank() { case $1 in secure) echo 0 ;; insecure) echo 1 ;; bogus) echo 2 ;; servfail) echo 3 ;; *) echo 4 ;; esac; }

# resolver_verdict RESOLVER ZONE TAG: the worst of the SOA and the
# nonexistent-name answers; sets RV (verdict), RE (EDE of the worst answer),
# RD (detail), RS ("verdict ede" of the SOA answer alone) and RN (the
# nonexistent-name answer's verdict alone).
resolver_verdict() {
	local v1 e1 v2 e2
	read -r v1 e1 < <(answer "$1" "$2" SOA "$WORK/answers/${2%.}$3.soa.txt")
	read -r v2 e2 < <(answer "$1" "nx-dnssec-e2e.$2" A "$WORK/answers/${2%.}$3.nx.txt")
	RS="$v1 $e1" RN=$v2
	if [[ $(rank "$v2") -gt $(rank "$v1") ]]; then RV=$v2 RE=$e2; else RV=$v1 RE=$e1; fi
	RD="SOA=$v1$([[ $e1 == - ]] || echo "/ede$e1") NX=$v2$([[ $e2 == - ]] || echo "/ede$e2")"
}

ZONES=(sec. "${CHILDREN[@]/%/.sec.}")
declare -A UV UE UD UR UN # UR: "verdict ede" of the full resolver's SOA answer; UN: its NX verdict
for zone in "${ZONES[@]}"; do
	resolver_verdict $RESOLVER "$zone" ""
	mv=$RV me=$RE md=$RD
	UR[$zone]=$RS UN[$zone]=$RN
	if [[ $zone == sec. ]]; then
		UV[$zone]=$mv UE[$zone]=$me UD[$zone]="resolver: $md"
		continue
	fi
	resolver_verdict $PINNED1 "$zone" .ns1
	p1v=$RV p1e=$RE p1d=$RD
	resolver_verdict $PINNED2 "$zone" .ns2
	p2v=$RV p2e=$RE p2d=$RD
	UD[$zone]="resolver: $md; ns1 only: $p1d; ns2 only: $p2d"
	if [[ $p1v != "$p2v" && ($p1v == bogus || $p2v == bogus) ]]; then
		UV[$zone]=bogus-intermittent
		if [[ $p1v == bogus ]]; then UE[$zone]=$p1e; else UE[$zone]=$p2e; fi
	elif [[ $p1v == "$p2v" && $mv == "$p1v" ]]; then
		UV[$zone]=$mv UE[$zone]=$me
	elif [[ $mv != servfail && (($p1v == servfail && $p2v == "$mv") || ($p2v == servfail && $p1v == "$mv")) ]]; then
		# One server answers nothing, the other answers: Unbound retries it.
		UV[$zone]=$mv-partly-lame UE[$zone]=$me
	else
		UV[$zone]="mixed($mv,$p1v,$p2v)" UE[$zone]=$me
	fi
done

echo "unbound verdicts (validating resolver $RESOLVER; pinned to ns1 $PINNED1, to ns2 $PINNED2):"
for zone in "${ZONES[@]}"; do
	printf '  %-22s unbound=%-18s ede=%-3s %s\n' "$zone" "${UV[$zone]}" "${UE[$zone]}" "${UD[$zone]}"
done

# ---------------------------------------------------------------- exporter

EXPORTER_READY=
if [[ -z "${E2E_UNBOUND_ONLY:-}" ]]; then
	cat >"$WORK/exporter.yml" <<EOF
modules:
  lab:
    root_hints_file: $WORK/root.hints
    trust_anchors_file: $WORK/root.ds
    port: 53
    timeout: 15s
    resolvers: [$RESOLVER]
EOF
	start_exporter "$WORK/exporter.yml"
	EXPORTER_READY=1
fi

# flush_resolver ZONE: make the full resolver forget what it knows at and
# under ZONE (answers, bogus answers, keys), so that the next question
# validates afresh. Unbound 1.17 sends the specific EDE (7 Signature
# Expired, 9 DNSKEY Missing, ...) only on the reply that did the
# validation; a bogus answer from its cache (60 s, val-bogus-ttl) carries
# EDE 6 (DNSSEC Bogus). The lab's dig asked first, so without this the
# exporter and the check command would only ever see EDE 6.
flush_resolver() {
	unbound-control -c "$WORK/srv/unbound/unbound.conf" flush_zone "$1" >>"$WORK/unbound-control.log" 2>&1 ||
		{ tail -n 5 "$WORK/unbound-control.log" >&2; die "unbound-control flush_zone $1 failed"; }
}

OUT= # the zone's normalized metrics
ZPROBS=() # what is wrong with the zone under test

# zprobs_result LINE: count LINE passed when ZPROBS is empty and return 0;
# else count it failed, print ZPROBS under it and return 1 (the caller adds
# what explains the failure).
zprobs_result() {
	if [[ ${#ZPROBS[@]} -eq 0 ]]; then
		PASSED=$((PASSED + 1))
		printf 'ok   %s\n' "$1"
		return 0
	fi
	FAILED=$((FAILED + 1))
	FAILURES+=("$1")
	printf 'FAIL %s\n' "$1"
	printf '       - %s\n' "${ZPROBS[@]}"
	return 1
}

probe() { # zone: fetch /probe into $OUT
	local raw=$WORK/probe-$1txt code
	OUT=$WORK/probe-$1norm
	code=$(curl -sS --max-time 30 -o "$raw" -w '%{http_code}' "$BASE/probe?target=$1&module=lab" 2>"$WORK/curl.err") ||
		code="curl error: $(cat "$WORK/curl.err")"
	normalize <"$raw" >"$OUT" 2>/dev/null || true
	[[ $code == 200 ]] || ZPROBS+=("/probe answered $code: $(head -c 300 "$raw" 2>/dev/null)")
}
sample() { # metric-with-labels: its value, or nothing
	awk -v k="$1" 'index($0, k " ") == 1 { print $2; exit }' "$OUT"
}
exporter_status() {
	local s
	s=$(sed -n 's/^dnshealth_dnssec_status{status="\([a-z]*\)"} 1$/\1/p' "$OUT" | paste -sd, -)
	printf '%s' "${s:-none}"
}
findings() { # the checks with a non-zero dnshealth_finding
	grep '^dnshealth_finding{' "$OUT" | grep -v ' 0$' | sed -n 's/.*check="\([^"]*\)".*/\1/p' | sort -u || true
}
want_findings() { # check...: each is raised
	local f have
	have=$(findings)
	for f in "$@"; do
		grep -qx -- "$f" <<<"$have" || ZPROBS+=("finding $f not raised (raised: $(paste -sd' ' <<<"${have:-none}"))")
	done
}
want_no_findings() {
	local have
	have=$(findings)
	[[ -z $have ]] || ZPROBS+=("findings raised on a healthy zone: $(paste -sd' ' <<<"$have")")
}
want_value() { # sample value
	local v
	v=$(sample "$1")
	[[ $v == "$2" ]] || ZPROBS+=("$1 is ${v:-absent}, want $2")
}
want_absent() { # sample
	local v
	v=$(sample "$1")
	[[ -z $v ]] || ZPROBS+=("$1 is $v, want no such sample")
}
want_between() { # sample lo hi (exclusive)
	local v
	v=$(sample "$1")
	if [[ -z $v ]] || ! awk -v v="$v" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v + 0 > lo && v + 0 < hi) }'; then
		ZPROBS+=("$1 is ${v:-absent}, want between $2 and $3")
	fi
}

resolver_sample() { # metric status-or-code: the series of $RESOLVER, labels sorted
	case $1 in
	status) printf 'dnshealth_resolver_status{resolver="%s",status="%s"}' "$RESOLVER" "$2" ;;
	ede) printf 'dnshealth_resolver_extended_error{code="%s",resolver="%s"}' "$2" "$RESOLVER" ;;
	authenticated) printf 'dnshealth_resolver_authenticated{resolver="%s"}' "$RESOLVER" ;;
	esac
}
resolver_view() { # "status/ad<0|1>/ede<codes>" of $RESOLVER, for the report line
	local st ad ede
	st=$(sed -n "s/^dnshealth_resolver_status{resolver=\"$RESOLVER\",status=\"\([a-z_]*\)\"} 1\$/\1/p" "$OUT" | paste -sd, -)
	ad=$(sample "$(resolver_sample authenticated)")
	ede=$(sed -n "s/^dnshealth_resolver_extended_error{code=\"\([0-9]*\)\",resolver=\"$RESOLVER\"} 1\$/\1/p" "$OUT" | paste -sd, -)
	printf '%s/ad%s/ede%s' "${st:-none}" "${ad:--}" "${ede:--}"
}
diagnosis() { # "cause/severity" of dnshealth_diagnosis_info, for the report line
	local d
	d=$(sed -n 's/^dnshealth_diagnosis_info{cause="\([a-z_]*\)",severity="\([a-z]*\)"} 1$/\1\/\2/p' "$OUT" | paste -sd, -)
	printf '%s' "${d:-none}"
}
# want_resolver STATUS AD [EDE]: $RESOLVER's status, authenticated, and an
# extended_error code present ("-" or nothing: none asserted).
want_resolver() {
	local st
	st=$(resolver_view)
	st=${st%%/*}
	[[ $st == "$1" ]] || ZPROBS+=("resolver $RESOLVER status is $st, want $1 (Unbound answered the lab's dig so)")
	want_value "$(resolver_sample authenticated)" "$2"
	[[ -z ${3:-} || $3 == - ]] || want_value "$(resolver_sample ede "$3")" 1
}

# The EDE Unbound 1.17 sends on the SOA of each bogus zone; the lab's dig
# must see it (or the lab is wrong), and the exporter must expose it. The
# nonexistent name of ds-mismatch gets EDE 6 (DNSSEC Bogus), its SOA EDE 9.
declare -A SOA_EDE=([expired]=7 [future]=8 [badsig]=6 [ds-mismatch]=9 [unsigned-child]=9)

echo "exporter vs unbound (resolver view: status/ad/ede of $RESOLVER as the exporter saw it):"
for zone in "${ZONES[@]}"; do
	c=${zone%.sec.}
	[[ $zone != sec. ]] || c=sec
	ZPROBS=()
	uv=${UV[$zone]}
	[[ $uv == "${EXPECT[$c]}" ]] ||
		ZPROBS+=("Unbound says $uv, the zone was built to be ${EXPECT[$c]}: the lab is wrong")
	read -r rsv rse <<<"${UR[$zone]}" # what Unbound said to the SOA, and its EDE
	[[ -z ${SOA_EDE[$c]:-} || $rse == "${SOA_EDE[$c]}" ]] ||
		ZPROBS+=("Unbound sent EDE $rse on the SOA, the lab expects ${SOA_EDE[$c]}")
	xv=skipped rv=skipped dv=skipped
	if [[ -n $EXPORTER_READY ]]; then
		flush_resolver "$zone"
		probe "$zone"
		xv=$(exporter_status)
		rv=$(resolver_view)
		dv=$(diagnosis)
		base=${uv%-intermittent}
		base=${base%-partly-lame}
		# dnssec_status is the verdict of positive answers; NSEC3 above a
		# validator's iteration limit makes only the denials insecure
		# (dnshealth_nsec3_denials_insecure). The zone's worst, which is
		# what Unbound's verdict is, is the worse of the two.
		xw=$xv
		[[ $xv != secure || $(sample dnshealth_nsec3_denials_insecure) != 1 ]] || xw=insecure
		# servfail: nothing answers, so there is no DNSSEC verdict to compare.
		[[ $base == servfail || $xw == "$base" ]] || ZPROBS+=("dnssec_status is $xv (denials: $xw), Unbound says $uv")
		# The resolver view must be what Unbound answered the lab's dig for
		# the SOA (stale-secondary: depends on the server Unbound asked).
		if [[ $c != stale-secondary ]]; then
			case $rsv in
			secure) want_resolver ok 1 ;;
			insecure) want_resolver ok 0 ;;
			bogus) want_resolver dnssec_failure 0 "$rse" ;;
			servfail) want_resolver servfail 0 "$rse" ;;
			*) ZPROBS+=("Unbound's SOA answer is $rsv: no resolver status to expect") ;;
			esac
		fi
		read -r wc ws we wi <<<"${CAUSE[$c]}"
		want_value "dnshealth_diagnosis_info{cause=\"$wc\",severity=\"$ws\"}" 1
		want_value dnshealth_servfail_expected "$we"
		want_value dnshealth_servfail_intermittent "$wi"
		if [[ $uv == *-intermittent ]]; then
			want_value dnshealth_dnssec_intermittent 1
			want_findings dnssec_intermittent
		else
			want_value dnshealth_dnssec_intermittent 0
		fi
		case $c in
		sec | secure-bind | secure-nsd)
			want_no_findings
			want_value dnshealth_ds_matches_dnskey 1
			want_between dnshealth_rrsig_days_to_expiry 29 31
			;;
		insecure)
			want_no_findings
			want_absent dnshealth_ds_matches_dnskey
			;;
		expired)
			want_findings rrsig_expired resolver_dnssec_failure
			want_between dnshealth_rrsig_days_to_expiry -2.1 -1.9
			;;
		future) want_findings rrsig_not_yet_valid ;;
		badsig) want_findings rrsig_invalid ;;
		ds-mismatch)
			want_findings ds_no_matching_key
			want_value dnshealth_ds_matches_dnskey 0
			;;
		unsigned-child)
			want_findings ds_unsigned_child
			want_value dnshealth_ds_matches_dnskey 0
			;;
		stale-ds)
			want_findings ds_unmatched
			want_value dnshealth_ds_matches_dnskey 1
			;;
		nsec3-iter)
			want_findings nsec3_iterations_above_limit nsec3_iterations_nonzero nsec3_salt
			want_value dnshealth_nsec3_iterations $NSEC3_ITERATIONS
			want_value dnshealth_nsec3_salt_length_bytes $((${#NSEC3_SALT} / 2))
			want_value dnshealth_ds_matches_dnskey 1
			# Unbound keeps AD on the SOA and drops it on a denial: the
			# exporter says the same, apart.
			[[ $rsv == secure && ${UN[$zone]} == insecure ]] ||
				ZPROBS+=("Unbound's SOA answer is $rsv and its nonexistent-name answer ${UN[$zone]}: the lab expects secure and insecure")
			want_value 'dnshealth_dnssec_status{status="secure"}' 1
			want_value dnshealth_nsec3_denials_insecure 1
			;;
		stale-secondary)
			want_findings rrsig_expired
			want_between dnshealth_rrsig_days_to_expiry -2.1 -1.9
			;;
		lame-one)
			want_findings lame_refused
			want_value "dnshealth_nameserver_status{address=\"${NS1[$c]}\",nameserver=\"ns1.$c.sec\",status=\"ok\"}" 1
			want_value "dnshealth_nameserver_status{address=\"${NS2[$c]}\",nameserver=\"ns2.$c.sec\",status=\"refused\"}" 1
			;;
		lame-all)
			# Nothing answers for the zone, but the parent proves it has no DS.
			want_findings no_reachable_authority lame_refused resolver_servfail
			want_value 'dnshealth_dnssec_status{status="insecure"}' 1
			want_value "dnshealth_nameserver_status{address=\"${NS1[$c]}\",nameserver=\"ns1.$c.sec\",status=\"refused\"}" 1
			want_value "dnshealth_nameserver_status{address=\"${NS2[$c]}\",nameserver=\"ns2.$c.sec\",status=\"refused\"}" 1
			;;
		esac
	fi
	line="$zone: exporter=$xv unbound=$uv ede=${UE[$zone]} resolver=$rv diagnosis=$dv"
	zprobs_result "$line" && continue
	printf '       unbound: %s\n' "${UD[$zone]}"
	for f in "$WORK/answers/${zone%.}".{soa,nx,ns1.soa,ns1.nx,ns2.soa,ns2.nx}{,.cd}.txt; do
		[[ -f $f ]] || continue
		echo "       --- ${f#"$WORK/"} ---"
		grep -v '^$' "$f" | sed 's/^/       | /'
	done
	grep -F -e "$zone" "$WORK"/srv/unbound*/unbound.log 2>/dev/null | grep -E 'validation failure|info: validat' |
		tail -n 6 | sed 's/^/       | /' || true
	if [[ -n $EXPORTER_READY ]]; then
		echo "       --- /probe?target=$zone&module=lab&debug=true ---"
		curl -sS --max-time 30 "$BASE/probe?target=$zone&module=lab&debug=true" 2>&1 | sed 's/^/       | /'
		echo "       ---"
	fi
done

# ---------------------------------------------------------------- check

# run_check ZONE OUTPUT: `dnshealth_exporter check` with the exporter's
# configuration and module; sets CRC (exit status) and COUT (stdout file;
# stderr beside it).
run_check() {
	COUT=$WORK/check-$1$2.out
	CRC=0
	flush_resolver "$1"
	NO_COLOR=1 timeout 60 "$WORK/dnshealth_exporter" check "$1" --config.file="$WORK/exporter.yml" --module=lab \
		--output="$2" >"$COUT" 2>"${COUT%.out}.err" </dev/null || CRC=$?
}
# check_result DESC: one counted line for the check run, from ZPROBS.
check_result() {
	zprobs_result "$1" && return
	echo "       --- stdout (${COUT#"$WORK/"}) ---"
	sed 's/^/       | /' "$COUT"
	echo "       --- stderr ---"
	sed 's/^/       | /' "${COUT%.out}.err"
}
want_exit() { [[ $CRC == "$1" ]] || ZPROBS+=("exit status $CRC, want $1"); }
# want_text PHRASE...: each fixed string is in stdout, whitespace (line
# wrapping, hanging indents) collapsed to one space.
want_text() {
	local flat p
	flat=$(tr -s ' \t\n' '   ' <"$COUT")
	for p in "$@"; do
		grep -qiF -- "$p" <<<"$flat" || ZPROBS+=("stdout does not say \"$p\"")
	done
}

# A step of docs/checks.md's "## rrsig_expired" "What to do" list, which
# the check command prints from the runbook it embeds.
REMEDIATION='Re-sign now: the signer stopped'
if [[ -n $EXPORTER_READY ]]; then
	if ! "$WORK/dnshealth_exporter" check --help >/dev/null 2>&1; then
		die "the exporter has no check command"
	else
		grep -qF "$REMEDIATION" "$REPO/docs/checks.md" ||
			die "docs/checks.md no longer has the rrsig_expired step \"$REMEDIATION\": update this script"
		echo "check command (dnshealth_exporter check ZONE --config.file $WORK/exporter.yml --module lab):"

		ZPROBS=()
		run_check expired.sec. text
		want_exit 2
		want_text signature_expired dnssec_failure "EDE 7" "$REMEDIATION"
		check_result "check expired.sec.: exit=$CRC (want 2), names signature_expired, dnssec_failure, EDE 7 and the remediation"

		ZPROBS=()
		run_check expired.sec. json
		want_exit 2
		jv=$(python3 - "$COUT" <<'EOF' 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
print(d["diagnosis"]["cause"], d["diagnosis"]["servfail_expected"], d["exit_code"],
      ",".join(r["status"] for r in d["resolvers"]))
EOF
		) || ZPROBS+=("the JSON output does not parse or lacks diagnosis/resolvers: $jv")
		python3 -m json.tool "$COUT" >/dev/null 2>&1 || ZPROBS+=("python3 -m json.tool rejects the JSON output")
		read -r jcause jexp jexit jres <<<"$jv"
		[[ $jcause == signature_expired ]] || ZPROBS+=("diagnosis.cause is ${jcause:-absent}, want signature_expired")
		[[ $jexp == True ]] || ZPROBS+=("diagnosis.servfail_expected is ${jexp:-absent}, want true")
		[[ $jexit == 2 ]] || ZPROBS+=("exit_code is ${jexit:-absent}, want 2")
		[[ $jres == dnssec_failure ]] || ZPROBS+=("resolvers[].status is ${jres:-absent}, want dnssec_failure")
		check_result "check expired.sec. --output json: exit=$CRC (want 2), diagnosis.cause=${jcause:-?} servfail_expected=${jexp:-?} resolvers=${jres:-?}"

		ZPROBS=()
		run_check secure-bind.sec. text
		want_exit 0
		want_text healthy
		check_result "check secure-bind.sec.: exit=$CRC (want 0), names healthy"

		ZPROBS=()
		run_check lame-one.sec. text
		want_exit 2
		want_text partial_lame lame_refused "${NS2[lame-one]}"
		check_result "check lame-one.sec.: exit=$CRC (want 2: lame findings are errors), names partial_lame, lame_refused and ${NS2[lame-one]}"
	fi
fi

if [[ -n $EXPORTER_READY ]] && ! kill -0 "$EXPORTER_PID" 2>/dev/null; then
	FAILED=$((FAILED + 1))
	FAILURES+=("exporter still running after the probes")
	printf 'FAIL exporter still running after the probes\n'
	tail -n 20 "$WORK/exporter.log" | sed 's/^/       | /'
fi

finish
