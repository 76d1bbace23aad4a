# shellcheck shell=bash
# Shared by the end-to-end scripts (run.sh, dnssec.sh, monitoring.sh);
# sourced, not run.
#
# The sourcing script sets E2E_DIR (the e2e/ directory), sources this file
# and calls e2e_begin first of all: it re-runs the script under timeout(1),
# then sets
#   REPO       the repository
#   WORK       the script's work directory (servers under $WORK/srv)
#   Z          the zone file directory, $WORK/zones
#   START      $(date +%s) at its start
#   E2E_TAG    the word after the time in every log line ("e2e")
# checks for root and sets the traps: every pid added to PIDS is stopped and
# every address added to ADDRS is removed from lo on exit, even on failure or
# a signal. The script may set E2E_LOGS_HINT, the "where are the logs" part
# of the message printed when it fails.

log() { printf '%s %s: %s\n' "$(date +%H:%M:%S)" "$E2E_TAG" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup

PIDS=()   # every server / exporter we started
ADDRS=()  # every address we put on lo

e2e_cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	local pid a
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for a in "${ADDRS[@]}"; do
		ip addr del "$a/32" dev lo 2>/dev/null
	done
	if [[ $rc -ne 0 && -d "$WORK" ]]; then
		log "logs kept in $WORK (${E2E_LOGS_HINT:-servers: $WORK/srv/*/*.log, exporter: $WORK/exporter.log})"
	fi
	exit "$rc"
}
e2e_traps() {
	trap e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'log "terminated (the ${E2E_TIMEOUT:-300}s bound of E2E_TIMEOUT, or a signal)"; exit 143' TERM
}

# e2e_begin UNDER_VAR WORK_NAME TAG "$@": the start of every script. Unless
# the environment variable UNDER_VAR is set, run the script again (with its
# arguments) under timeout, bounded by E2E_TIMEOUT (seconds, default 300).
# Without --foreground, timeout signals the whole process group, so the
# servers die too; the EXIT trap still removes the lo addresses. Then set
# REPO, WORK ($E2E_DIR/WORK_NAME), START, E2E_TAG (TAG) and Z, check for root
# and set the traps.
e2e_begin() {
	local under=$1
	if [[ -z "${!under:-}" ]]; then
		export "$under=1"
		exec timeout -k 15 "${E2E_TIMEOUT:-300}" bash "$0" "${@:4}"
	fi
	REPO=$(cd "$E2E_DIR/.." && pwd)
	WORK=$E2E_DIR/$2
	START=$(date +%s)
	E2E_TAG=$3
	Z=$WORK/zones
	[[ $(id -u) -eq 0 ]] || die "must run as root (adds loopback addresses, binds port 53)"
	e2e_traps
}

# ---------------------------------------------------------------- packages

# install_packages command:package...: apt-get install the packages whose
# command is missing, keeping their services from starting (they would bind
# port 53).
install_packages() {
	local need=() spec
	for spec in "$@"; do
		command -v "${spec%%:*}" >/dev/null || need+=("${spec#*:}")
	done
	[[ ${#need[@]} -eq 0 ]] && return 0
	log "installing ${need[*]}"
	# Keep the packages' own services from starting (they would bind :53).
	local made_policy=
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	local apt=(apt-get -y -q -o DPkg::Lock::Timeout=600)
	export DEBIAN_FRONTEND=noninteractive
	if ! "${apt[@]}" install "${need[@]}" </dev/null; then
		"${apt[@]}" update </dev/null || true
		"${apt[@]}" install "${need[@]}" </dev/null || {
			[[ -n $made_policy ]] && rm -f /usr/sbin/policy-rc.d
			die "apt-get install ${need[*]} failed"
		}
	fi
	[[ -n $made_policy ]] && rm -f /usr/sbin/policy-rc.d
	return 0
}

# stop_port53_conflicts PREFIX SERVICE...: a system server bound to port 53
# of the wildcard address (or of an address in the lab's range, PREFIX like
# "127.54") would shadow ours: stop the packaged services.
stop_port53_conflicts() {
	local prefix=$1 svc
	shift
	local re="^(0\\.0\\.0\\.0|\\*|\\[::\\]|${prefix//./\\.}\\.)"
	port53_conflict() {
		{ ss -Hlnu "sport = :53"; ss -Hlnt "sport = :53"; } 2>/dev/null | awk '{print $4}' |
			grep -E "$re" >/dev/null
	}
	port53_conflict || return 0
	local names=$*
	log "something listens on port 53 of a wildcard or $prefix address; stopping the packaged ${names// //} services"
	for svc in "$@"; do
		service "$svc" stop >/dev/null 2>&1 || true
	done
	sleep 1
	if port53_conflict; then
		ss -Hlnup 'sport = :53' >&2 || true
		die "port 53 is still taken on a wildcard or $prefix address; stop that server first"
	fi
}

# fresh_workdir REGEX: stop servers a previous, killed run may have left
# (their pid files are ours; REGEX must match the process's command line),
# then empty $WORK.
fresh_workdir() {
	local pf pid
	if [[ -d "$WORK/srv" ]]; then
		for pf in "$WORK"/srv/*/*.pid "$WORK"/srv/*/launcher.pid "$WORK"/exporter.pid; do
			[[ -f "$pf" ]] || continue
			pid=$(cat "$pf" 2>/dev/null || true)
			[[ "$pid" =~ ^[0-9]+$ ]] || continue
			if grep -qaE "$1" "/proc/$pid/cmdline" 2>/dev/null; then
				log "stopping leftover process $pid from a previous run ($pf)"
				kill -TERM "$pid" 2>/dev/null || true
			fi
		done
		sleep 1
	fi
	rm -rf "$WORK"
	mkdir -p "$WORK/srv"
}

# add_lo_addrs ADDR...: put each address on lo (and in ADDRS for cleanup).
add_lo_addrs() {
	local a out
	for a in "$@"; do
		ADDRS+=("$a")
		# Already there (a run killed before its cleanup): use it. iproute2
		# words EEXIST differently across versions, so ask rather than parse.
		[[ -z $(ip -o addr show dev lo to "$a/32") ]] || continue
		out=$(ip addr add "$a/32" dev lo 2>&1) || die "ip addr add $a/32 dev lo: $out"
	done
	log "added $# addresses to lo"
}

# ---------------------------------------------------------------- zones

soa() { # zone primary serial
	local rname=hostmaster.$1
	[[ $1 != . ]] || rname=hostmaster.
	printf "\$TTL 3600\n%s 3600 IN SOA %s %s %s 3600 600 86400 300\n" "$1" "$2" "$rname" "$3"
}

# root_hints COMMENT NAME ADDR [NAME ADDR]...: write $WORK/root.hints, the
# root servers NAME (with their addresses), after the comment line.
root_hints() {
	local comment=$1 i
	shift
	local na=("$@")
	{
		echo "; $comment"
		for ((i = 0; i < ${#na[@]}; i += 2)); do
			printf '%-17s 3600000 IN NS %s\n' . "${na[i]}"
		done
		for ((i = 0; i < ${#na[@]}; i += 2)); do
			printf '%-17s 3600000 IN A  %s\n' "${na[i]}" "${na[i + 1]}"
		done
	} >"$WORK/root.hints"
}

# ---------------------------------------------------------------- servers

# bind_instance NAME "addr..." "zone file zone file ..." [OPTIONS [CONF]]:
# OPTIONS are more lines for the options block, CONF more top-level
# statements (keys, zones that need more than a file).
bind_instance() {
	local name=$1 addrs=$2 zones=$3 options=${4-} conf=${5-} d=$WORK/srv/$1
	mkdir -p "$d"
	{
		cat <<EOF
options {
	directory "$d";
	pid-file "$d/named.pid";
	session-keyfile "$d/session.key";
	managed-keys-directory "$d";
	listen-on port 53 { $(printf '%s; ' $addrs)};
	listen-on-v6 { none; };
	recursion no;
	allow-query { any; };
	allow-transfer { none; };
	notify no;
	dnssec-validation no;
	automatic-interface-scan no;
	interface-interval 0;
${options}
};
controls { };
${conf}
EOF
		set -- $zones
		while [[ $# -gt 0 ]]; do
			printf 'zone "%s" { type primary; file "%s"; };\n' "$1" "$Z/$2"
			shift 2
		done
	} >"$d/named.conf"
	named-checkconf -z "$d/named.conf" >"$d/checkconf.log" 2>&1 ||
		{ cat "$d/checkconf.log" >&2; die "named-checkconf failed for $name"; }
	named -g -c "$d/named.conf" >"$d/named.log" 2>&1 &
	PIDS+=($!)
	echo $! >"$d/launcher.pid"
	log "BIND $name (pid $!) on $addrs"
}

# nsd_instance NAME "addr..." "zone file zone file ..." [SERVER [CONF]]:
# SERVER are more lines for the server clause, CONF more clauses (keys,
# zones that need more than a file).
nsd_instance() {
	local name=$1 addrs=$2 zones=$3 server=${4-} conf=${5-} d=$WORK/srv/$1 a
	mkdir -p "$d"
	{
		cat <<EOF
server:
	server-count: 1
	port: 53
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$Z"
	database: ""
	zonelistfile: "$d/zone.list"
	pidfile: "$d/nsd.pid"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	logfile: "$d/nsd.log"
	verbosity: 1
	hide-version: yes
${server}
EOF
		for a in $addrs; do
			printf '\tip-address: %s\n' "$a"
		done
		printf 'remote-control:\n\tcontrol-enable: no\n'
		[[ -z $conf ]] || printf '%s\n' "$conf"
		set -- $zones
		while [[ $# -gt 0 ]]; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$1" "$Z/$2"
			shift 2
		done
	} >"$d/nsd.conf"
	nsd-checkconf "$d/nsd.conf" >"$d/checkconf.log" 2>&1 ||
		{ cat "$d/checkconf.log" >&2; die "nsd-checkconf failed for $name"; }
	set -- $zones
	while [[ $# -gt 0 ]]; do
		nsd-checkzone "$1" "$Z/$2" >>"$d/checkconf.log" 2>&1 ||
			{ cat "$d/checkconf.log" >&2; die "nsd-checkzone failed for $1 ($name)"; }
		shift 2
	done
	nsd -d -c "$d/nsd.conf" >"$d/stderr.log" 2>&1 &
	PIDS+=($!)
	echo $! >"$d/launcher.pid"
	log "NSD $name (pid $!) on $addrs"
}

# wait_answers ADDR ZONE [RCODE]: wait until ADDR answers ZONE's SOA with
# RCODE (default NOERROR; REFUSED for an address that must refuse the zone).
wait_answers() {
	local i
	for i in $(seq 100); do
		if dig +norec +time=1 +tries=1 "@$1" "$2" SOA 2>/dev/null | grep "status: ${3:-NOERROR}," >/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# wait_servers "ADDR ZONE [RCODE]"...: wait_answers for each; if one never
# comes, show the servers' last log lines and die.
wait_servers() {
	local spec
	for spec in "$@"; do
		set -- $spec
		wait_answers "$1" "$2" "${3:-NOERROR}" || {
			tail -n 20 "$WORK"/srv/*/*.log >&2 || true
			die "no server answers $2 SOA at $1 with ${3:-NOERROR} (see logs above)"
		}
	done
}

# wait_resolvers ADDR...: wait until the Unbound on each address resolves
# . SOA; if one does not after 100 tries, show Unbound's last log lines and die.
wait_resolvers() {
	local r i
	for r in "$@"; do
		for i in $(seq 100); do
			dig +time=1 +tries=1 "@$r" . SOA 2>/dev/null | grep -q 'status: NOERROR' && break
			[[ $i -lt 100 ]] || { tail -n 20 "$WORK"/srv/unbound*/*.log >&2; die "Unbound on $r does not resolve . SOA"; }
			sleep 0.1
		done
	done
}

# serve_only_if_asked MESSAGE...: with E2E_SERVE_ONLY set, log MESSAGE and
# keep everything up until interrupted or E2E_TIMEOUT, then exit 0 (for
# debugging by hand); without it, return.
serve_only_if_asked() {
	[[ -n "${E2E_SERVE_ONLY:-}" ]] || return 0
	log "$@"
	sleep infinity &
	PIDS+=($!)
	wait $! || true
	exit 0
}

# ---------------------------------------------------------------- results
#
# pass DESC and fail DESC [DETAIL] print one counted line each (DETAIL
# indented below it); finish prints the failures and "N passed, N failed"
# and exits, non-zero on any failure. RESULT_INDENT starts every line.

PASSED=0
FAILED=0
FAILURES=()
RESULT_INDENT='  '

pass() { PASSED=$((PASSED + 1)); printf '%sok    %s\n' "$RESULT_INDENT" "$1"; }
fail() {
	FAILED=$((FAILED + 1))
	FAILURES+=("$1")
	printf '%sFAIL  %s\n' "$RESULT_INDENT" "$1"
	[[ -z "${2:-}" ]] || printf '%s\n' "$2" | sed "s/^/$RESULT_INDENT        /"
}
finish() {
	local f
	log "finished in $(($(date +%s) - START))s"
	if [[ $FAILED -gt 0 ]]; then
		echo "failures:"
		for f in "${FAILURES[@]}"; do echo "  $f"; done
	fi
	echo "$PASSED passed, $FAILED failed"
	[[ $FAILED -eq 0 ]]
	exit
}

# hcheck DESC ADDR QNAME QTYPE PATTERN...: ask ADDR with "${DIG[@]}"; every
# extended regexp must match the answer (one starting with "!" must NOT).
# The result is "$HCHECK_AREA: DESC"; a failure shows the answer, the query
# named as "$HCHECK_DIG @ADDR QNAME QTYPE". The script sets the three.
hcheck() {
	local desc=$1 addr=$2 qname=$3 qtype=$4
	shift 4
	local out p bad=
	out=$("${DIG[@]}" "@$addr" "$qname" "$qtype" 2>&1 || true)
	for p in "$@"; do
		if [[ $p == !* ]]; then
			grep -Eq -- "${p#!}" <<<"$out" && bad+="unexpected /${p#!}/; "
		else
			grep -Eq -- "$p" <<<"$out" || bad+="missing /$p/; "
		fi
	done
	if [[ -z $bad ]]; then
		pass "$HCHECK_AREA: $desc"
	else
		fail "$HCHECK_AREA: $desc" "$HCHECK_DIG @$addr $qname $qtype: $bad
$out"
	fi
}

# ---------------------------------------------------------------- exporter

free_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + RANDOM % 30000))
		ss -Hltn "sport = :$p" | grep . >/dev/null || { echo "$p"; return 0; }
	done
	return 1
}

# start_exporter CONFIG: build the exporter from $REPO into $WORK and run it
# with CONFIG on a free port of 127.0.0.1; sets BASE and EXPORTER_PID.
start_exporter() {
	local i
	log "building the exporter"
	(cd "$REPO" && go build -o "$WORK/dnshealth_exporter" .) >"$WORK/build.log" 2>&1 ||
		{ cat "$WORK/build.log" >&2; die "go build failed"; }
	PORT=$(free_port) || die "no free TCP port"
	BASE=http://127.0.0.1:$PORT
	"$WORK/dnshealth_exporter" --config.file="$1" --web.listen-address="127.0.0.1:$PORT" \
		>"$WORK/exporter.log" 2>&1 &
	EXPORTER_PID=$!
	PIDS+=("$EXPORTER_PID")
	echo $EXPORTER_PID >"$WORK/exporter.pid"
	for i in $(seq 100); do
		curl -fsS --max-time 2 "$BASE/-/healthy" >/dev/null 2>&1 && break
		kill -0 $EXPORTER_PID 2>/dev/null || { cat "$WORK/exporter.log" >&2; die "exporter exited at start"; }
		[[ $i -lt 100 ]] || { cat "$WORK/exporter.log" >&2; die "exporter not healthy on $BASE after 10s"; }
		sleep 0.1
	done
	log "exporter (pid $EXPORTER_PID) healthy on $BASE"
}

# normalize: drop comments, sort the labels of each sample so assertions do
# not depend on label order. Label values here hold no '",' sequence.
normalize() {
	awk '
	/^#/ || NF == 0 { next }
	{
		line = $0
		o = index(line, "{")
		if (o == 0) { print; next }
		c = 0
		for (i = length(line); i > o; i--) if (substr(line, i, 1) == "}") { c = i; break }
		name = substr(line, 1, o - 1); labels = substr(line, o + 1, c - o - 1); rest = substr(line, c + 1)
		n = split(labels, a, "\",")
		for (i = 1; i < n; i++) a[i] = a[i] "\""
		for (i = 2; i <= n; i++) { v = a[i]; j = i - 1; while (j > 0 && a[j] > v) { a[j + 1] = a[j]; j-- }; a[j + 1] = v }
		s = ""
		for (i = 1; i <= n; i++) if (a[i] != "") s = s (s == "" ? "" : ",") a[i]
		print name "{" s "}" rest
	}'
}

# ---------------------------------------------------------------- signing
#
# For the signed labs (e2e/dnssec.sh, e2e/monitoring.sh). The sourcing
# script sets NOW ($(date -u +%s)) and KEYS (the key directory).

stamp() { date -u -d "@$((NOW + $1))" +%Y%m%d%H%M%S; } # offset in seconds

keygen() { # zone [KSK]: print the new key's base name (in $KEYS)
	local flags=()
	[[ ${2:-} != KSK ]] || flags=(-f KSK)
	dnssec-keygen -q -a ECDSAP256SHA256 -L 3600 "${flags[@]}" -K "$KEYS" "$1" 2>>"$WORK/keygen.log" ||
		die "dnssec-keygen $* failed (see $WORK/keygen.log)"
}
ds() { # key base name: its DS record (SHA-256), one line
	dnssec-dsfromkey -2 "$KEYS/$1.key" || die "dnssec-dsfromkey $1 failed"
}
pubkeys() { # key base names: their DNSKEY records
	local k
	for k in "$@"; do
		grep -v '^;' "$KEYS/$k.key"
	done
}

# sign ZONE IN OUT START END KSK ZSK [dnssec-signzone option...]: NSEC (or
# what the options say), one record per line (so an RRSIG can be edited).
# Post-sign verification is skipped when the window does not contain now (it
# checks signatures against the clock).
sign() {
	local zone=$1 in=$2 out=$3 s=$4 e=$5 ksk=$6 zsk=$7 opts=()
	shift 7
	[[ $s < $(stamp 0) && $e > $(stamp 0) ]] || opts=(-P)
	dnssec-signzone -q "${opts[@]}" "$@" -x -O full -K "$KEYS" -d "$KEYS" -o "$zone" -s "$s" -e "$e" -f "$Z/$out" \
		-k "$KEYS/$ksk" "$Z/$in" "$KEYS/$zsk" >>"$WORK/sign.log" 2>&1 ||
		{ tail -n 20 "$WORK/sign.log" >&2; die "dnssec-signzone $zone ($in) failed"; }
}

# unbound_resolver [--control] NAME ADDR [ZONE STUB_ADDR]...: a validating
# Unbound on ADDR port 53, from $WORK/root.hints and the trust anchor
# $WORK/root.ds, with ede: yes; each ZONE STUB_ADDR pair becomes a stub zone
# sent to that one address. With --control, unbound-control reaches it on
# the socket $WORK/srv/NAME/control.sock (no certificates).
unbound_resolver() {
	local control=no
	[[ $1 != --control ]] || { control=yes; shift; }
	local name=$1 addr=$2 d=$WORK/srv/$1 nstubs=$((($# - 2) / 2))
	shift 2
	mkdir -p "$d"
	{
		cat <<EOC
server:
	interface: $addr
	port: 53
	do-ip4: yes
	do-ip6: no
	do-udp: yes
	do-tcp: yes
	access-control: 127.0.0.0/8 allow
	username: ""
	chroot: ""
	directory: "$d"
	pidfile: "$d/unbound.pid"
	logfile: "$d/unbound.log"
	use-syslog: no
	log-time-ascii: yes
	verbosity: 1
	num-threads: 1
	so-reuseport: no
	module-config: "validator iterator"
	root-hints: "$WORK/root.hints"
	trust-anchor-file: "$WORK/root.ds"
	do-not-query-localhost: no
	ede: yes
	val-log-level: 2
	prefetch: no
	prefetch-key: no
remote-control:
	control-enable: $control
EOC
		[[ $control == no ]] || printf '\tcontrol-interface: "%s"\n\tcontrol-use-cert: no\n' "$d/control.sock"
		while [[ $# -ge 2 ]]; do
			printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: %s\n\tstub-prime: no\n' "$1" "$2"
			shift 2
		done
	} >"$d/unbound.conf"
	unbound-checkconf "$d/unbound.conf" >"$d/checkconf.log" 2>&1 ||
		{ cat "$d/checkconf.log" >&2; die "unbound-checkconf failed for $name"; }
	unbound -d -c "$d/unbound.conf" >"$d/stderr.log" 2>&1 &
	PIDS+=($!)
	echo $! >"$d/launcher.pid"
	log "Unbound $name (pid $!) on $addr$([[ $nstubs -eq 0 ]] || echo ", stub zones: $nstubs")"
}
