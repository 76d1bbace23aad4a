#!/usr/bin/env bash
# Differential test: the exporter's DNSSEC verdict against two real
# validators, Unbound and BIND's delv, over signed zone variants across the
# choices validators make (docs/differential.md).
#
#   bash e2e/differential.sh            the seeded subset (CI): every
#                                       dimension covered, seed 1
#   bash e2e/differential.sh --all      every variant (over 300)
#   bash e2e/differential.sh --seed N   another seeded subset
#
# As root: it adds addresses in 127.60.0.0/16 to lo and binds port 53 there.
#
# The generator (e2e/differential, `go run ./e2e/differential gen`) makes
# the keys, signs every variant with dnssec-signzone or ldns-signzone (and
# in Go only what neither can make), and signs a private root "." and TLD
# "diff." above them. BIND serves the root (127.60.0.1) and the variants
# it is given (127.60.1.1); NSD serves diff. (127.60.0.2) and its variants
# (127.60.2.1); a multi-signer variant is served by both, one provider's
# copy each. Unbound (127.60.255.1, ede: yes) resolves from the private
# root hints and trust anchor. Then `differential compare` asks Unbound
# and delv (through that Unbound, validating itself with the same anchor)
# each variant's SOA, NS, DNSKEY, its records and a nonexistent name, runs
# `dnshealth_exporter check --output json` on it, and compares the three
# verdicts. A disagreement passes only when e2e/differential/expectations.txt
# lists it with its reason. Output: one line per variant, the table, and
# "differential: N passed, N failed" last; non-zero exit on an unexplained
# disagreement.
#
# Only loopback addresses are ever queried. Every server started here is
# stopped and every address added to lo is removed on exit. Environment:
# E2E_TIMEOUT (seconds, default 1200; the compare step refuses to judge
# zones generated more than 25 minutes earlier, see the windows in
# docs/differential.md), DIFF_SUBSET (the subset's size, default 60).
# The work dir e2e/work-differential/ (git-ignored) keeps the logs.

set -euo pipefail

E2E_TIMEOUT=${E2E_TIMEOUT:-1200}
export E2E_TIMEOUT
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=e2e/lib.sh
. "$E2E_DIR/lib.sh"
e2e_begin E2E_DIFF_UNDER_TIMEOUT work-differential e2e-differential "$@"
E2E_LOGS_HINT="servers: $WORK/srv/*/*.log, signing: $WORK/sign.log"

SUBSET=(-subset "${DIFF_SUBSET:-60}" -seed 1)
while [[ $# -gt 0 ]]; do
	case $1 in
	--all) SUBSET=() ;;
	--seed) SUBSET=(-subset "${DIFF_SUBSET:-60}" -seed "$2"); shift ;;
	*) die "unknown argument $1 (want --all or --seed N)" ;;
	esac
	shift
done

install_packages named:bind9 nsd:nsd dig:bind9-dnsutils delv:bind9-dnsutils \
	dnssec-signzone:bind9-utils ldns-signzone:ldnsutils unbound:unbound ip:iproute2
command -v go >/dev/null || die "go is not installed"
stop_port53_conflicts 127.60 named nsd unbound
fresh_workdir 'named|nsd|unbound'
cd "$WORK"

log "building the generator and the exporter"
(cd "$REPO" && go build -o "$WORK/differential" ./e2e/differential && go build -o "$WORK/dnshealth_exporter" .) \
	>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "go build failed"; }
"$WORK/differential" gen -dir "$WORK" "${SUBSET[@]}" || die "the generator failed (see $WORK/sign.log)"
log "zones generated and signed in $(($(date +%s) - START))s"

ROOT=127.60.0.1 TLDNS=127.60.0.2 BINDA=127.60.1.1 NSDA=127.60.2.1 RESOLVER=127.60.255.1
add_lo_addrs $ROOT $TLDNS $BINDA $NSDA $RESOLVER

# Four servers: a server that held both a parent and a child would answer
# for the child where the parent should refer (nested cuts on one server
# set are a shape of their own, not this test's).
bind_zones='' nsd_zones=''
while read -r zone file; do bind_zones+=" $zone $(basename "$file")"; done <"$WORK/zones-bind.txt"
while read -r zone file; do nsd_zones+=" $zone $(basename "$file")"; done <"$WORK/zones-nsd.txt"
bind_instance bind-root "$ROOT" ". root.zone"
nsd_instance nsd-tld "$TLDNS" "diff. diff.zone"
bind_instance bind "$BINDA" "$bind_zones"
nsd_instance nsd "$NSDA" "$nsd_zones"
unbound_resolver unbound $RESOLVER
wait_servers "$ROOT ." "$TLDNS diff." "$(head -1 "$WORK/zones-bind.txt" | cut -d' ' -f1 | sed "s/^/$BINDA /")" \
	"$(head -1 "$WORK/zones-nsd.txt" | cut -d' ' -f1 | sed "s/^/$NSDA /")"
wait_resolvers $RESOLVER
log "servers and resolver up in $(($(date +%s) - START))s"
serve_only_if_asked "E2E_SERVE_ONLY: lab up (root $ROOT, Unbound $RESOLVER, anchor $WORK/root.ds); serving until interrupted"

rc=0
"$WORK/differential" compare -dir "$WORK" -exporter "$WORK/dnshealth_exporter" \
	-expect "$E2E_DIR/differential/expectations.txt" ${DIFF_VERBOSE:+-v} || rc=$?
log "finished in $(($(date +%s) - START))s; tools: $(named -v | cut -d' ' -f1-2), $(unbound -V | sed -n 1p), $(nsd -v 2>&1 | sed -n 1p), $(ldns-signzone -v 2>&1 | sed -n 1p)"
exit $rc
