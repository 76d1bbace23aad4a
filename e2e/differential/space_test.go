package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func TestSpaceHasAtLeast300VariantsWithUniqueZoneNames(t *testing.T) {
	vs := Space()
	if len(vs) < 300 {
		t.Fatalf("%d variants, want at least 300", len(vs))
	}
	seen := map[string]bool{}
	for _, v := range vs {
		if seen[v.Name] {
			t.Errorf("variant name %s twice: the expectations file keys on names", v.Name)
		}
		seen[v.Name] = true
		if _, ok := dns.IsDomainName(v.Name + "." + TLD); !ok || len(v.Name) > 63 || strings.Contains(v.Name, ".") {
			t.Errorf("variant name %q is not one DNS label", v.Name)
		}
		if v.Server == "" || v.Signer == "" || v.Denial == "" {
			t.Errorf("%s: server %q, signer %q, denial %q not all set", v.Name, v.Server, v.Signer, v.Denial)
		}
	}
}

// Every dimension the brief names has its values in the space.
func TestSpaceCoversEveryValidatorChoice(t *testing.T) {
	have := map[[2]string]bool{}
	for _, v := range Space() {
		for _, d := range v.Dims {
			have[d] = true
		}
	}
	for _, want := range [][2]string{
		{"alg", "a5"}, {"alg", "a7"}, {"alg", "a8"}, {"alg", "a13"}, {"alg", "a15"},
		{"denial", "nsec"}, {"denial", "nsec3"}, {"denial", "nsec3-optout"},
		{"ds", "d1"}, {"ds", "d2"}, {"ds", "d4"}, {"ds", "d12"}, {"ds", "d24"}, {"ds", "d124"},
		{"keys", "standby"}, {"keys", "revoked"}, {"keys", "collision"},
		{"window", "inc-future-30m-w30d"}, {"window", "exp-past-30m-w4h"}, {"window", "inverted"},
		{"signer", "parent"}, {"nosig", "nosig-soa"}, {"nosig", "nosig-denial"},
		{"rollover", "2-new-rrsigs"}, {"rollover", "5-dnskey-removal"},
		{"multisigner", "own-ksk"}, {"multisigner", "shared-ksk"},
		{"names", "cname"}, {"names", "wildcard"},
		{"server", "bind"}, {"server", "nsd"}, {"server", "both"},
		{"signer", "dnssec-signzone"}, {"signer", "ldns-signzone"},
	} {
		if !have[want] {
			t.Errorf("no variant has %s=%s", want[0], want[1])
		}
	}
}

func TestSubsetIsDeterministicAndCoversEveryDimensionValue(t *testing.T) {
	vs := Space()
	a, b := Subset(vs, 1, 40), Subset(vs, 1, 40)
	if !reflect.DeepEqual(names(a), names(b)) {
		t.Fatal("two subsets with seed 1 differ")
	}
	if c := Subset(vs, 2, 40); reflect.DeepEqual(names(a), names(c)) {
		t.Error("seeds 1 and 2 pick the same subset")
	}
	if len(a) >= len(vs)/2 {
		t.Errorf("the subset has %d of %d variants", len(a), len(vs))
	}
	covered := map[[2]string]bool{}
	for _, v := range a {
		for _, d := range v.Dims {
			covered[d] = true
		}
	}
	for _, v := range vs {
		for _, d := range v.Dims {
			if d[0] != "shape" && !covered[d] {
				t.Errorf("the subset has no variant with %s=%s", d[0], d[1])
			}
		}
	}
}

func names(vs []Variant) []string {
	var s []string
	for _, v := range vs {
		s = append(s, v.Name)
	}
	return s
}

func TestZoneVerdictKeepsSecureWhenOnlyADenialIsInsecure(t *testing.T) {
	sec := Answer{Verdict: "secure"}
	insecureDenial := Answer{Verdict: "insecure", Denial: true}
	for _, c := range []struct {
		as   []Answer
		want string
	}{
		{[]Answer{sec, insecureDenial}, "secure"},                         // NSEC3 opt-out NXDOMAIN
		{[]Answer{sec, {Verdict: "insecure"}}, "insecure"},                // a positive answer without AD
		{[]Answer{sec, insecureDenial, {Verdict: "bogus"}}, "bogus"},      // one bogus answer
		{[]Answer{{Verdict: "bogus", Denial: true}, sec}, "bogus"},        // a bogus denial
		{[]Answer{{Verdict: "servfail"}, {Verdict: "bogus"}}, "servfail"}, // nothing answers
		{[]Answer{{Verdict: "insecure"}, insecureDenial}, "insecure"},     // an unsigned zone
		{[]Answer{sec, sec, sec}, "secure"},
	} {
		if got := zoneVerdict(c.as); got != c.want {
			t.Errorf("zoneVerdict(%+v) = %s, want %s", c.as, got, c.want)
		}
	}
}

func TestDelvVerdictReadsDelvsOutput(t *testing.T) {
	for _, c := range []struct {
		stdout, stderr string
		want           string
		denial         bool
	}{
		{"; fully validated\nx. 3600 IN A 1.2.3.4\n", "", "secure", false},
		{"; negative response, fully validated\n; x. 300 IN \\-ANY ;-$NXDOMAIN\n", ";; resolution failed: ncache nxdomain\n", "secure", true},
		{"; unsigned answer\nx. 3600 IN A 1.2.3.4\n", "", "insecure", false},
		{"", ";; resolution failed: ncache nxdomain\n", "insecure", true},
		{"", ";; resolution failed: ncache nxrrset\n", "insecure", true},
		{"", ";; validating x/A: no valid signature found\n;; resolution failed: no valid signature found\n", "bogus", false},
		{"", ";; resolution failed: broken trust chain\n", "bogus", false},
		{"", ";; resolution failed: SERVFAIL\n", "servfail", false},
		{"", ";; resolution failed: timed out\n", "timeout", false},
		{"", "something else\n", "servfail", false},
	} {
		got, denial, _ := delvVerdict(c.stdout, c.stderr)
		if got != c.want || denial != c.denial {
			t.Errorf("delvVerdict(%q, %q) = %s denial=%t, want %s denial=%t", c.stdout, c.stderr, got, denial, c.want, c.denial)
		}
	}
}

func TestExplainNeedsTheGlobAndEveryVerdict(t *testing.T) {
	es := []*Expectation{
		{Glob: "win-inc-future-30m-*", Exporter: "bogus", Unbound: "secure", Delv: "bogus", Reason: "skew"},
		{Glob: "nsec3-i*", Exporter: "insecure", Unbound: "*", Delv: "secure", Reason: "iterations"},
	}
	r := &Result{Name: "win-inc-future-30m-w30d-a8-n3", Exporter: "bogus", Unbound: "secure", Delv: "bogus"}
	if e := explain(es, r); e == nil || e.Reason != "skew" {
		t.Errorf("explain(%+v) = %v, want the skew line", r, e)
	}
	r.Delv = "secure" // another disagreement on the same variant
	if e := explain(es, r); e != nil {
		t.Errorf("explain(%+v) = %+v, want none: delv's verdict differs", r, e)
	}
	r = &Result{Name: "nsec3-i151-nosalt-a13-n3", Exporter: "insecure", Unbound: "bogus", Delv: "secure"}
	if e := explain(es, r); e == nil || e.Reason != "iterations" {
		t.Errorf("explain(%+v) = %v, want the iterations line (unbound=*)", r, e)
	}
	r.Name = "base-a13-ns-d2"
	if e := explain(es, r); e != nil {
		t.Errorf("explain(%+v) = %+v, want none: no glob matches", r, e)
	}
}

// The committed expectations file parses, every line's glob matches a
// variant, and every line gives a reason.
func TestExpectationsFileParsesAndEveryLineMatchesAVariant(t *testing.T) {
	es, err := loadExpectations("expectations.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		t.Fatal("no expectations")
	}
	vs := Space()
	for _, e := range es {
		matched := false
		for _, v := range vs {
			if ok, _ := filepath.Match(e.Glob, v.Name); ok {
				matched = true
				break
			}
		}
		if !matched {
			t.Errorf("expectations.txt:%d: %s matches no variant", e.Line, e.Glob)
		}
		if len(strings.Fields(e.Reason)) < 3 {
			t.Errorf("expectations.txt:%d: the reason %q says too little", e.Line, e.Reason)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(bad, []byte("x-* exporter=bogus unbound=secure\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadExpectations(bad); err == nil {
		t.Error("a line without delv= and a reason loaded")
	}
}

// buildOne builds the variant named name with the real signers.
func buildOne(t *testing.T, name string) (*Built, []dns.RR, map[string]Key) {
	t.Helper()
	for _, tool := range []string{"dnssec-signzone", "ldns-signzone"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (apt-get install bind9-utils ldnsutils): %v", tool, err)
		}
	}
	var v *Variant
	for _, c := range Space() {
		if c.Name == name {
			c := c
			v = &c
		}
	}
	if v == nil {
		t.Fatalf("no variant %s", name)
	}
	dir := t.TempDir()
	for _, d := range []string{"zones", "keys"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	g := &Gen{Dir: dir, Now: time.Now().UTC().Truncate(time.Second)}
	b, err := g.Build(*v)
	if err != nil {
		t.Fatalf("Build(%s): %v", name, err)
	}
	var file string
	for _, f := range b.Files {
		file = f
	}
	rrs, err := readZone(file, b.Zone)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]Key{}
	for _, k := range v.Keys {
		keys[k.ID] = k
	}
	return b, rrs, keys
}

func sigsOver(rrs []dns.RR, owner string, t uint16) []*dns.RRSIG {
	var out []*dns.RRSIG
	for _, rr := range rrs {
		if s, ok := rr.(*dns.RRSIG); ok && s.TypeCovered == t && dns.CanonicalName(s.Hdr.Name) == dns.CanonicalName(owner) {
			out = append(out, s)
		}
	}
	return out
}

func TestBuildDropsTheSOASignatures(t *testing.T) {
	b, rrs, _ := buildOne(t, "nosig-soa-a13-ns")
	if s := sigsOver(rrs, b.Zone, dns.TypeSOA); len(s) != 0 {
		t.Errorf("nosig-soa still has %d SOA RRSIGs", len(s))
	}
	if s := sigsOver(rrs, b.Zone, dns.TypeNS); len(s) == 0 {
		t.Error("nosig-soa lost its NS RRSIG too")
	}
}

func TestBuildGivesTheSOASignatureTheParentsSignerName(t *testing.T) {
	b, rrs, _ := buildOne(t, "signer-parent-soa-a15-n3o")
	s := sigsOver(rrs, b.Zone, dns.TypeSOA)
	if len(s) == 0 || dns.CanonicalName(s[0].SignerName) != TLD {
		t.Fatalf("SOA RRSIGs %v, want one with signer %s", s, TLD)
	}
}

func TestBuildSignsWithTheNewAlgorithmBeforeItsKeysArePublished(t *testing.T) {
	b, rrs, _ := buildOne(t, "roll-2-new-rrsigs-a13-a15")
	for _, rr := range rrs {
		if k, ok := rr.(*dns.DNSKEY); ok && k.Algorithm == dns.ED25519 {
			t.Errorf("stage 2 publishes the new algorithm's key %s", k)
		}
	}
	algs := map[uint8]bool{}
	for _, s := range sigsOver(rrs, b.Zone, dns.TypeSOA) {
		algs[s.Algorithm] = true
	}
	if !algs[dns.ECDSAP256SHA256] || !algs[dns.ED25519] {
		t.Errorf("SOA signed with algorithms %v, want 13 and 15", algs)
	}
}

func TestBuildPublishesTwoKeysWithOneTag(t *testing.T) {
	b, rrs, _ := buildOne(t, "collide-zsk-a13-ns")
	tags := map[uint16]int{}
	for _, rr := range rrs {
		if k, ok := rr.(*dns.DNSKEY); ok && k.Flags == 256 {
			tags[k.KeyTag()]++
		}
	}
	if len(tags) != 1 {
		t.Errorf("%s: ZSK tags %v, want two ZSKs sharing one tag", b.Zone, tags)
	}
	for tag, n := range tags {
		if n != 2 {
			t.Errorf("%s: tag %d on %d ZSKs, want 2", b.Zone, tag, n)
		}
	}
}

func TestBuildWritesTheDSOfTheUnrevokedKey(t *testing.T) {
	b, rrs, _ := buildOne(t, "revoked-only-ksk-a13-ns")
	var ksk *dns.DNSKEY
	for _, rr := range rrs {
		if k, ok := rr.(*dns.DNSKEY); ok && k.Flags&dns.SEP != 0 {
			ksk = k
		}
	}
	if ksk == nil || ksk.Flags&dns.REVOKE == 0 {
		t.Fatalf("no revoked KSK in %s: %v", b.Zone, ksk)
	}
	unrevoked := dns.Copy(ksk).(*dns.DNSKEY)
	unrevoked.Flags &^= dns.REVOKE
	for _, rr := range b.Parent {
		if ds, ok := rr.(*dns.DS); ok {
			if ds.KeyTag != unrevoked.KeyTag() || ds.KeyTag == ksk.KeyTag() {
				t.Errorf("DS tag %d, want the unrevoked key's %d (revoked: %d)", ds.KeyTag, unrevoked.KeyTag(), ksk.KeyTag())
			}
			return
		}
	}
	t.Error("no DS at the parent")
}

func TestBuildCorruptsOnlyTheNamedDSDigest(t *testing.T) {
	b, rrs, _ := buildOne(t, "ds-sha1-good-sha256-bad-a8-n3")
	var ksk *dns.DNSKEY
	for _, rr := range rrs {
		if k, ok := rr.(*dns.DNSKEY); ok && k.Flags == 257 {
			ksk = k
		}
	}
	if ksk == nil {
		t.Fatal("no KSK")
	}
	n := 0
	for _, rr := range b.Parent {
		ds, ok := rr.(*dns.DS)
		if !ok {
			continue
		}
		n++
		good := strings.EqualFold(ksk.ToDS(ds.DigestType).Digest, ds.Digest)
		if good != (ds.DigestType == dns.SHA1) {
			t.Errorf("DS digest type %d matches the key: %t", ds.DigestType, good)
		}
	}
	if n != 2 {
		t.Errorf("%d DS records, want 2", n)
	}
}

// Only the "win-" variants have a window edge near the time of signing, so
// only they are bound by -max-age (and judged first); every window edge of
// theirs is at least 30 minutes from it.
func TestOnlyWindowVariantsHaveEdgesNearTheSigningTime(t *testing.T) {
	near := func(off int64) bool { return off > -hour && off < hour }
	for _, v := range Space() {
		offs := []int64{v.Inc, v.Exp}
		for _, p := range v.Post {
			if p.Op == "window" {
				offs = append(offs, p.Inc, p.Exp)
			}
		}
		for _, off := range offs {
			if clockBound(v.Name) {
				if off > -30*60 && off < 30*60 {
					t.Errorf("%s: a window edge %d s from the signing time, want 30 minutes at least", v.Name, off)
				}
				continue
			}
			if near(off) && !(v.Inc == -hour && off == -hour) {
				t.Errorf("%s is not clock-bound but has a window edge %d s from the signing time", v.Name, off)
			}
		}
	}
}

// A stand-in resolver on 127.0.0.1: how askUnbound reads rcode, AD, CD and
// EDE.
func TestAskUnboundTellsBogusFromServfail(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		r := new(dns.Msg)
		r.SetReply(q)
		r.SetEdns0(1232, true)
		name := q.Question[0].Name
		switch {
		case strings.HasPrefix(name, "secure."):
			r.AuthenticatedData = true
			r.Answer = append(r.Answer, mustRR(name+" 60 IN A 192.0.2.1"))
		case strings.HasPrefix(name, "nx."):
			r.Rcode = dns.RcodeNameError
		case strings.HasPrefix(name, "ede."): // SERVFAIL with EDE 7, and SERVFAIL to CD=1 too
			r.Rcode = dns.RcodeServerFailure
			r.IsEdns0().Option = append(r.IsEdns0().Option, &dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeSignatureExpired})
		case strings.HasPrefix(name, "cd.") && q.CheckingDisabled: // data only with CD=1
			r.Answer = append(r.Answer, mustRR(name+" 60 IN A 192.0.2.1"))
		default: // SERVFAIL, no EDE, with and without CD
			r.Rcode = dns.RcodeServerFailure
		}
		_ = w.WriteMsg(r)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	defer func() { _ = srv.Shutdown() }()
	old := resolverAddr
	resolverAddr = pc.LocalAddr().String()
	defer func() { resolverAddr = old }()

	for _, c := range []struct {
		name, want string
		denial     bool
	}{
		{"secure.example.", "secure", false},
		{"nx.example.", "insecure", true},
		{"ede.example.", "bogus", false},
		{"cd.example.", "bogus", false},
		{"dead.example.", "servfail", false},
	} {
		a := askUnbound(c.name, dns.TypeA)
		if a.Verdict != c.want || a.Denial != c.denial {
			t.Errorf("askUnbound(%s) = %s denial=%t (%+v), want %s denial=%t", c.name, a.Verdict, a.Denial, a, c.want, c.denial)
		}
	}
}
