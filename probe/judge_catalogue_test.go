package probe

import (
	"context"
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/sweep"
	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// The judgement catalogue: every check ID in Checks is raised by a pure
// judgement driven with hand-built observations (no sockets, no lab, no
// Prober.Probe), and is not raised by the closest observations that must
// not raise it. DNSSEC material is really signed, at a fixed instant.
//
// Where a check is also raised outside a pure judgement, the entry covers
// the judgement; the inline sites are:
//   - resolution_failed: engine.go (run.probe) raises it inline when no
//     parent server returned the delegation; judgeStop covers the walk's.
//   - referral_loop and resolution_failed: which of the two a failed walk
//     is, walk.go decides while it walks (stageFailure); judgeStop only
//     turns that error into the finding.
//   - validation_budget_exhausted: engine.go (run.judgeDNSSEC) also raises
//     it when the probe's validation budget ran out anywhere; the entry
//     covers the path through the validator's verdict (checkOf).

// catalogueNow is the instant every signature is judged at.
var catalogueNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	catZone   = "zone.tld."
	catParent = "tld."
)

// catSigner is a key with its private half.
type catSigner struct {
	key  *dns.DNSKEY
	priv crypto.Signer
}

func catNewKey(t testing.TB, owner string, flags uint16, alg uint8) catSigner {
	t.Helper()
	k := &dns.DNSKEY{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags: flags, Protocol: 3, Algorithm: alg}
	priv, err := k.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	return catSigner{key: k, priv: priv.(crypto.Signer)}
}

// catFixture is a signed zone, zone.tld., under a signed parent, tld.:
// a KSK and a ZSK for the zone, a second KSK (other) that the zone does
// not publish unless a case says so, and the parent's key.
type catFixture struct {
	t                   testing.TB
	ksk, zsk, other, pk catSigner
}

func newCatFixture(t testing.TB) *catFixture {
	t.Helper()
	return &catFixture{t: t,
		ksk:   catNewKey(t, catZone, 257, dns.ECDSAP256SHA256),
		zsk:   catNewKey(t, catZone, 256, dns.ECDSAP256SHA256),
		other: catNewKey(t, catZone, 257, dns.ED25519),
		pk:    catNewKey(t, catParent, 257, dns.ECDSAP256SHA256),
	}
}

// catWindow is a signature's validity, relative to catalogueNow.
type catWindow struct{ inception, expiration time.Duration }

var (
	catValid      = catWindow{-24 * time.Hour, 14 * 24 * time.Hour}
	catExpired    = catWindow{-30 * 24 * time.Hour, -time.Hour}
	catNotYet     = catWindow{time.Hour, 14 * 24 * time.Hour}
	catExpireSoon = catWindow{-24 * time.Hour, time.Hour}
)

// sign signs rrset with s as signer for the given window.
func (f *catFixture) sign(rrset []dns.RR, s catSigner, signer string, w catWindow) *dns.RRSIG {
	f.t.Helper()
	sig := &dns.RRSIG{Hdr: dns.RR_Header{Ttl: rrset[0].Header().Ttl}, Algorithm: s.key.Algorithm, KeyTag: s.key.KeyTag(),
		SignerName: signer, Inception: uint32(catalogueNow.Add(w.inception).Unix()), Expiration: uint32(catalogueNow.Add(w.expiration).Unix())}
	if err := sig.Sign(s.priv, rrset); err != nil {
		f.t.Fatal(err)
	}
	return sig
}

// catAnswer is a reply with rrs in its answer section.
func catAnswer(rrs ...dns.RR) *dns.Msg {
	m := new(dns.Msg)
	m.Response, m.Authoritative = true, true
	m.Answer = rrs
	return m
}

func (f *catFixture) soa(ttl uint32) *dns.SOA {
	return &dns.SOA{Hdr: dns.RR_Header{Name: catZone, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: ttl},
		Ns: "ns1." + catZone, Mbox: "hostmaster." + catZone, Serial: 2026030101, Refresh: 7200, Retry: 3600, Expire: 1209600, Minttl: 300}
}

// signedSOA is the SOA signed by the ZSK for w: the usual answer to SOA.
func (f *catFixture) signedSOA(w catWindow) *dns.Msg {
	soa := f.soa(300)
	return catAnswer(soa, f.sign([]dns.RR{soa}, f.zsk, catZone, w))
}

// keyMsg is the DNSKEY RRset of keys, signed by signers.
func (f *catFixture) keyMsg(keys []catSigner, signers ...catSigner) *dns.Msg {
	var set []dns.RR
	for _, k := range keys {
		set = append(set, k.key)
	}
	m := catAnswer(set...)
	for _, s := range signers {
		m.Answer = append(m.Answer, f.sign(set, s, catZone, catValid))
	}
	return m
}

// server is one address of the zone serving the usual signed material:
// the KSK and ZSK, the DNSKEY RRset signed by the KSK, the SOA by the ZSK.
func (f *catFixture) server(soa *dns.Msg) *serverObs {
	return &serverObs{
		result: &ServerResult{Nameserver: "ns1.zone.tld", Address: "192.0.2.1", Status: StatusOK, Serial: 2026030101},
		soa:    soa,
		dnssec: &dnssecAnswers{dnskey: f.keyMsg([]catSigner{f.ksk, f.zsk}, f.ksk)},
	}
}

func catValidator(verifications int) *validate.Validator {
	return &validate.Validator{Limits: validate.DefaultLimits(),
		Budget: validate.NewBudget(context.Background(), verifications, validate.DefaultProbeHashes)}
}

func catDS(k catSigner, digest uint8) *dns.DS { return k.key.ToDS(digest) }

// catTagKey is a zone key (flags 256, no private half) with like's
// algorithm and like's key tag: its public key is like's with two different
// 16-bit words swapped, and a key tag is a sum of 16-bit words (RFC 4034
// appendix B). With bump, one word is one higher instead, and so the tag.
func catTagKey(t testing.TB, like *dns.DNSKEY, bump bool) catSigner {
	t.Helper()
	pub, err := base64.StdEncoding.DecodeString(like.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	word := func(i int) uint16 { return uint16(pub[2*i])<<8 | uint16(pub[2*i+1]) }
	set := func(i int, w uint16) { pub[2*i], pub[2*i+1] = byte(w>>8), byte(w) }
	for i := 1; i < len(pub)/2; i++ {
		a, b := word(0), word(i)
		switch {
		case bump && b != 0xffff:
			set(i, b+1)
		case !bump && a != b:
			set(0, b)
			set(i, a)
		default:
			continue
		}
		k := &dns.DNSKEY{Hdr: like.Hdr, Flags: 256, Protocol: 3, Algorithm: like.Algorithm, PublicKey: base64.StdEncoding.EncodeToString(pub)}
		if (k.KeyTag() == like.KeyTag()) == bump {
			t.Fatalf("key tag %d beside %d, bump %v", k.KeyTag(), like.KeyTag(), bump)
		}
		return catSigner{key: k}
	}
	t.Fatal("no two different words in the public key")
	return catSigner{}
}

// judgeServerAt judges one address's material with the KSK's DS.
func (f *catFixture) judgeServerAt(s *serverObs) []raised {
	j := dnssecJudge{val: catValidator(600), now: catalogueNow}
	o := &dnssecObs{zone: catZone, parent: catParent, anchor: ".", servers: []serverObs{*s}, anchors: &TrustAnchors{}}
	return j.judgeServer(o, s, []*dns.DS{catDS(f.ksk, dns.SHA256)}).findings
}

// dsAnswer is a parent server's DS answer, signed by the parent's key.
func (f *catFixture) dsAnswer(addr string, set ...*dns.DS) dsReply {
	var rrs []dns.RR
	for _, d := range set {
		rrs = append(rrs, d)
	}
	m := catAnswer(rrs...)
	m.Answer = append(m.Answer, f.sign(rrs, f.pk, catParent, catValid))
	return dsReply{nameserver: "a.nic.tld", address: addr, msg: m}
}

// dsNoData is a parent server's signed proof that the zone has no DS: the
// parent's SOA and the NSEC at the delegation, with types in its bitmap.
func (f *catFixture) dsNoData(types ...uint16) dsReply {
	soa := &dns.SOA{Hdr: dns.RR_Header{Name: catParent, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 300},
		Ns: "a.nic.tld.", Mbox: "hostmaster.nic.tld.", Serial: 1, Refresh: 7200, Retry: 3600, Expire: 1209600, Minttl: 300}
	nsec := &dns.NSEC{Hdr: dns.RR_Header{Name: catZone, Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: 300},
		NextDomain: "zz.tld.", TypeBitMap: types}
	m := new(dns.Msg)
	m.Response, m.Authoritative = true, true
	m.Ns = []dns.RR{soa, f.sign([]dns.RR{soa}, f.pk, catParent, catValid), nsec, f.sign([]dns.RR{nsec}, f.pk, catParent, catValid)}
	return dsReply{nameserver: "a.nic.tld", address: "192.0.2.53", msg: m}
}

// tally judges the parent servers' DS replies with the parent's key.
func (f *catFixture) tally(val *validate.Validator, replies ...dsReply) []raised {
	j := dnssecJudge{val: val, now: catalogueNow}
	return j.tallyParentDS(catZone, catParent, replies, []*dns.DNSKEY{f.pk.key}).findings
}

// targetDS judges the parent servers' DS replies as judgeDNSSEC does.
func (f *catFixture) targetDS(replies ...dsReply) []raised {
	j := dnssecJudge{val: catValidator(600), now: catalogueNow}
	o := &dnssecObs{zone: catZone, parent: catParent, anchor: ".", parentDS: replies, anchors: &TrustAnchors{}}
	_, _, fs := j.targetDS(o, []*dns.DNSKEY{f.pk.key}, &DNSSECReport{})
	return fs
}

// judgeDNSSEC judges the whole DNSSEC verdict: the chain secure down to
// tld., the parent servers' DS replies, and the usual address.
func (f *catFixture) judgeDNSSEC(replies ...dsReply) []raised {
	j := dnssecJudge{val: catValidator(600), now: catalogueNow}
	o := &dnssecObs{zone: catZone, parent: catParent, anchor: ".", anchors: &TrustAnchors{},
		chain:    chainResult{status: DNSSECSecure, keys: []*dns.DNSKEY{f.pk.key}},
		parentDS: replies, servers: []serverObs{*f.server(f.signedSOA(catValid))}}
	_, fs := j.judgeDNSSEC(o)
	return fs
}

// catMaterial is one address's judged DNSSEC material, for the judgements
// across addresses.
func catMaterial(addr string, keys []catSigner, keySigners []catSigner, signers ...catSigner) *serverMaterial {
	m := &serverMaterial{name: "ns1.zone.tld", addr: addr, checked: true, secure: true, keySigners: map[keyRef]bool{}, signers: map[keyRef]bool{}}
	for _, k := range keys {
		m.keyset = append(m.keyset, k.key)
	}
	for _, k := range keySigners {
		m.keySigners[refOf(k.key)] = true
		m.signers[refOf(k.key)] = true
	}
	for _, k := range signers {
		m.signers[refOf(k.key)] = true
	}
	return m
}

// compareKeysOf runs compareKeys with the DS set ds, as judgeServers does.
func compareKeysOf(ds []*dns.DS, checked ...*serverMaterial) []raised {
	return compareKeys(catZone, ds, checked, &DNSSECReport{DS: catDSRecords(ds)})
}

func catDSRecords(ds []*dns.DS) []DSRecord {
	var out []DSRecord
	for _, d := range ds {
		out = append(out, DSRecord{KeyTag: d.KeyTag, Algorithm: d.Algorithm, DigestType: d.DigestType, digest: d.Digest})
	}
	return out
}

func catCDS(d *dns.DS) *dns.CDS {
	c := &dns.CDS{DS: *d}
	c.Hdr.Rrtype = dns.TypeCDS
	return c
}

// catWithCDS gives m a CDS RRset signed by cdsSigners.
func catWithCDS(m *serverMaterial, set []*dns.CDS, cdsSigners ...catSigner) *serverMaterial {
	m.cds = set
	for _, s := range cdsSigners {
		m.cdsSigners = append(m.cdsSigners, refOf(s.key))
	}
	return m
}

func compareCDSOf(ds []*dns.DS, checked ...*serverMaterial) []raised {
	return compareCDS(catZone, ds, checked, &DNSSECReport{})
}

func zoneStatusOf(checked ...*serverMaterial) []raised {
	return zoneStatus(catZone, checked, &DNSSECReport{})
}

func catWithNSEC3(p NSEC3Param) *serverMaterial {
	m := catMaterial("192.0.2.1", nil, nil)
	m.nsec3 = &p
	return m
}

func catAddrObs(status Status, mod ...func(*serverObs)) serverObs {
	o := serverObs{result: &ServerResult{Nameserver: "ns1.zone.tld", Address: "192.0.2.1", Status: status, Detail: "as built"}}
	for _, f := range mod {
		f(&o)
	}
	return o
}

func judgeAddressesOf(status Status, mod ...func(*serverObs)) []raised {
	return judgeAddresses(catZone, []serverObs{catAddrObs(status, mod...)})
}

// catGlueObs is an answering address that serves addrs for ns1.zone.tld.
func catGlueObs(addrs ...string) []serverObs {
	o := catAddrObs(StatusOK)
	g := glueAnswer{name: "ns1.zone.tld.", qtype: dns.TypeA, complete: true}
	for _, a := range addrs {
		g.addrs = append(g.addrs, netip.MustParseAddr(a))
	}
	o.glue = []glueAnswer{g}
	return []serverObs{o}
}

func judgeGlueOf(parent string, obs []serverObs) []raised {
	_, fs := judgeGlue(map[string][]netip.Addr{"ns1.zone.tld.": {netip.MustParseAddr(parent)}}, obs, func(netip.Addr) bool { return true })
	return fs
}

func catParentGlue(o parentObs, glue map[string][]string) parentObs {
	o.ps.Glue = glue
	return o
}

// catCutAt is the walk's last reply for zone: kind from the servers of tld.
func catCutAt(kind outcome, answer ...dns.RR) iterResult {
	m := new(dns.Msg)
	m.Answer = answer
	m.Ns = []dns.RR{&dns.SOA{Hdr: dns.RR_Header{Name: catParent, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 300},
		Ns: "a.nic.tld.", Mbox: "hostmaster.nic.tld.", Serial: 1}}
	return iterResult{kind: kind, zone: zoneServers{zone: catParent}, msg: m}
}

func judgeCutOf(res iterResult) []raised {
	_, fs := judgeCut(catZone, res)
	return fs
}

func catLookup(name string, inZone, unmeasured bool, addrs ...string) nsLookup {
	l := nsLookup{NameServer: NameServer{Name: name}, inZone: inZone, unmeasured: unmeasured, why: "NXDOMAIN"}
	for _, a := range addrs {
		l.Addrs = append(l.Addrs, netip.MustParseAddr(a))
	}
	return l
}

func judgeNSAddressesOf(l nsLookup) []raised {
	return judgeNSAddresses(catZone, []nsLookup{l}, "A or AAAA")
}

func noReachable(results ...ServerResult) []raised {
	m := &Module{IPProtocol: IPBoth}
	servers := []NameServer{{Name: "ns1.zone.tld.", Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")}}}
	return []raised{noReachableAuthority(catZone, results, servers, m)}
}

// resolver replies: an rcode, or an error.
func catRcodeReply(rcode int) *resolverReply {
	return &resolverReply{msg: &dns.Msg{MsgHdr: dns.MsgHdr{Rcode: rcode}}}
}

func catErrReply(err error) *resolverReply { return &resolverReply{err: err} }

// resolverSays judges one resolver's view as Probe does: its status as
// observed, whether it set AD, its SOA replies with CD=0 and CD=1, settled
// and judged against the exporter's own verdict.
func resolverSays(status ResolverStatus, ad bool, soa0, soa1 *resolverReply, own *DNSSECReport) []raised {
	v := &resolverView{result: ResolverResult{Resolver: "192.0.2.99", Status: status, Authenticated: ad}, addr: "192.0.2.99:53", soa0: soa0, soa1: soa1}
	settleResolver(v, own)
	return judgeResolver(catZone, v, own, true)
}

func catSecure() *DNSSECReport { return &DNSSECReport{Status: DNSSECSecure} }

func catDigest(b byte) string {
	return fmt.Sprintf("%064x", b)
}

// catalogueEntry is one check ID, the observations that must raise it and
// the closest ones that must not.
type catalogueEntry struct {
	check            CheckID
	name             string // what the pair shows
	raise, neighbour func(t *testing.T, f *catFixture) []raised
}

func catalogue() []catalogueEntry {
	chain := func(status DNSSECStatus) func(t *testing.T, f *catFixture) []raised {
		return func(t *testing.T, f *catFixture) []raised {
			j := dnssecJudge{val: catValidator(600), now: catalogueNow}
			_, fs := j.judgeDNSSEC(&dnssecObs{zone: catZone, parent: catParent, anchor: ".", anchors: &TrustAnchors{},
				chain: chainResult{status: status, detail: "the DS RRset at . does not validate"}})
			return fs
		}
	}
	lame := func(check CheckID, status Status) catalogueEntry {
		return catalogueEntry{check, "the same address answering " + string(status) + ", then authoritatively",
			func(*testing.T, *catFixture) []raised { return judgeAddressesOf(status) },
			func(*testing.T, *catFixture) []raised { return judgeAddressesOf(StatusOK) }}
	}
	return append([]catalogueEntry{
		// Probe-level.
		{CheckProbeTimeout, "the deadline reached, or only the query budget spent",
			func(*testing.T, *catFixture) []raised { return judgeProbeLimits(false, true, 100, 42, time.Second) },
			func(*testing.T, *catFixture) []raised { return judgeProbeLimits(true, false, 100, 100, time.Second) }},
		{CheckQueryBudgetExhausted, "the query budget spent, or only the deadline reached",
			func(*testing.T, *catFixture) []raised { return judgeProbeLimits(true, false, 100, 100, time.Second) },
			func(*testing.T, *catFixture) []raised { return judgeProbeLimits(false, true, 100, 42, time.Second) }},
		{CheckValidationBudgetExhausted, "a parent's signed DS answer with no verification left in the budget, or one",
			func(t *testing.T, f *catFixture) []raised {
				return f.tally(catValidator(0), f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA256)))
			},
			func(t *testing.T, f *catFixture) []raised {
				return f.tally(catValidator(1), f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA256)))
			}},
		{CheckResolutionFailed, "the walk failing, or cut short by the probe's own budget",
			func(*testing.T, *catFixture) []raised {
				return judgeStop(&stageFailure{CheckResolutionFailed, "no server of tld. answered zone.tld. NS: timeout"})
			},
			func(*testing.T, *catFixture) []raised { return judgeStop(fmt.Errorf("asking tld.: %w", errBudget)) }},
		{CheckResolutionFailed, "a walk error of no known kind is a resolution failure; the deadline is not",
			func(*testing.T, *catFixture) []raised { return judgeStop(errors.New("no root server answered")) },
			func(*testing.T, *catFixture) []raised { return judgeStop(fmt.Errorf("asking tld.: %w", errAborted)) }},
		{CheckReferralLoop, "the walk stopped by referrals that lead nowhere, or by servers that failed",
			func(*testing.T, *catFixture) []raised {
				return judgeStop(&stageFailure{CheckReferralLoop, "more than 30 referrals while resolving zone.tld."})
			},
			func(*testing.T, *catFixture) []raised {
				return judgeStop(&stageFailure{CheckResolutionFailed, "no server of tld. answered zone.tld. NS: timeout"})
			}},
		{CheckNotAZone, "the parent's servers answering NXDOMAIN, or referring to the zone",
			func(*testing.T, *catFixture) []raised { return judgeCutOf(catCutAt(outNXDomain)) },
			func(*testing.T, *catFixture) []raised { return judgeCutOf(catCutAt(outCut)) }},
		{CheckNotAZone, "an authoritative answer with a CNAME at the name, or with its NS set",
			func(*testing.T, *catFixture) []raised {
				return judgeCutOf(catCutAt(outAnswer, &dns.CNAME{Hdr: dns.RR_Header{Name: catZone, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 300}, Target: "elsewhere.tld."}))
			},
			func(*testing.T, *catFixture) []raised {
				return judgeCutOf(catCutAt(outAnswer, &dns.NS{Hdr: dns.RR_Header{Name: catZone, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: 300}, Ns: "ns1.zone.tld."}))
			}},

		// Parent side.
		{CheckParentServerError, "a parent server timing out, or giving the delegation",
			func(*testing.T, *catFixture) []raised {
				return judgeParents(catZone, []parentObs{parentOK("a.tld", "192.0.2.1", "ns1.zone.tld"), parentFailed("b.tld", "192.0.2.2", "timeout: i/o timeout")}).findings
			},
			func(*testing.T, *catFixture) []raised {
				return judgeParents(catZone, []parentObs{parentOK("a.tld", "192.0.2.1", "ns1.zone.tld"), parentOK("b.tld", "192.0.2.2", "ns1.zone.tld")}).findings
			}},
		{CheckParentServerError, "a parent server answering the DS question SERVFAIL, or NOERROR",
			func(t *testing.T, f *catFixture) []raised {
				r := f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA256))
				r.msg.Rcode = dns.RcodeServerFailure
				return f.tally(catValidator(600), r)
			},
			func(t *testing.T, f *catFixture) []raised {
				return f.tally(catValidator(600), f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA256)))
			}},
		{CheckParentNSInconsistent, "a parent server giving other in-zone glue, or other sibling glue (optional, RFC 9471)",
			func(*testing.T, *catFixture) []raised {
				return judgeParents(catZone, []parentObs{
					catParentGlue(parentOK("a.tld", "192.0.2.1", "ns1.zone.tld", "ns.other.tld"), map[string][]string{"ns1.zone.tld": {"192.0.2.53"}}),
					catParentGlue(parentOK("b.tld", "192.0.2.2", "ns1.zone.tld", "ns.other.tld"), map[string][]string{"ns1.zone.tld": {"192.0.2.53"}}),
					catParentGlue(parentOK("c.tld", "192.0.2.3", "ns1.zone.tld", "ns.other.tld"), map[string][]string{"ns1.zone.tld": {"192.0.2.54"}}),
				}).findings
			},
			func(*testing.T, *catFixture) []raised {
				return judgeParents(catZone, []parentObs{
					catParentGlue(parentOK("a.tld", "192.0.2.1", "ns1.zone.tld", "ns.other.tld"), map[string][]string{"ns1.zone.tld": {"192.0.2.53"}, "ns.other.tld": {"192.0.2.80"}}),
					catParentGlue(parentOK("b.tld", "192.0.2.2", "ns1.zone.tld", "ns.other.tld"), map[string][]string{"ns1.zone.tld": {"192.0.2.53"}}),
					catParentGlue(parentOK("c.tld", "192.0.2.3", "ns1.zone.tld", "ns.other.tld"), map[string][]string{"ns1.zone.tld": {"192.0.2.53"}, "ns.other.tld": {"192.0.2.81"}}),
				}).findings
			}},
		{CheckNSUnresolvable, "an out-of-zone nameserver without an address, or one whose lookup the budget cut short",
			func(*testing.T, *catFixture) []raised {
				return judgeNSAddressesOf(catLookup("ns.other.tld.", false, false))
			},
			func(*testing.T, *catFixture) []raised {
				return judgeNSAddressesOf(catLookup("ns.other.tld.", false, true))
			}},
		{CheckGlueMissing, "an in-zone nameserver without glue, or with it",
			func(*testing.T, *catFixture) []raised {
				return judgeNSAddressesOf(catLookup("ns1.zone.tld.", true, false))
			},
			func(*testing.T, *catFixture) []raised {
				return judgeNSAddressesOf(catLookup("ns1.zone.tld.", true, false, "192.0.2.53"))
			}},

		{CheckNSTargetCNAME, "an out-of-zone nameserver name that is an alias, or one that is not",
			func(*testing.T, *catFixture) []raised {
				l := catLookup("ns.other.tld.", false, false, "192.0.2.80")
				l.alias = "real.other.tld."
				return judgeNSAddressesOf(l)
			},
			func(*testing.T, *catFixture) []raised {
				return judgeNSAddressesOf(catLookup("ns.other.tld.", false, false, "192.0.2.80"))
			}},

		// Each nameserver address of the zone.
		lame(CheckLameTimeout, StatusTimeout),
		lame(CheckLameRefused, StatusRefused),
		lame(CheckLameServfail, StatusServfail),
		lame(CheckLameNotAuthoritative, StatusNotAuthoritative),
		lame(CheckLameReferral, StatusReferral),
		lame(CheckLameUpwardReferral, StatusUpwardReferral),
		lame(CheckLameWrongZone, StatusWrongZone),
		lame(CheckLameNetworkError, StatusNetworkError),
		lame(CheckLameMalformed, StatusMalformed),
		{CheckFamilyUnreachable, "an address in a family the host cannot reach, or one that timed out",
			func(*testing.T, *catFixture) []raised { return judgeAddressesOf(StatusFamilyUnreachable) },
			func(*testing.T, *catFixture) []raised { return judgeAddressesOf(StatusTimeout) }},
		{CheckFamilyUnreachable, "parent server in an unreachable family, or timing out",
			func(*testing.T, *catFixture) []raised {
				return judgeParents(catZone, []parentObs{parentOK("a.tld", "192.0.2.1", "ns1.zone.tld"), parentFailed("b.tld", "2001:db8::2", "family_unreachable: no route")}).findings
			},
			func(*testing.T, *catFixture) []raised {
				return judgeParents(catZone, []parentObs{parentOK("a.tld", "192.0.2.1", "ns1.zone.tld"), parentFailed("b.tld", "2001:db8::2", "timeout: i/o timeout")}).findings
			}},
		{CheckNoReachableAuthority, "no address answering after one was tried, or none that could be tried",
			func(*testing.T, *catFixture) []raised {
				return noReachable(ServerResult{Address: "192.0.2.1", Status: StatusTimeout}, ServerResult{Address: "2001:db8::1", Status: StatusFamilyUnreachable})
			},
			func(*testing.T, *catFixture) []raised {
				return noReachable(ServerResult{Address: "192.0.2.1", Status: StatusFamilyUnreachable}, ServerResult{Address: "2001:db8::1", Status: StatusFamilyUnreachable})
			}},
		{CheckEDNSUnsupported, "an address that works only without EDNS, or with it",
			func(*testing.T, *catFixture) []raised {
				return judgeAddressesOf(StatusOK, func(o *serverObs) { o.noEDNS = true })
			},
			func(*testing.T, *catFixture) []raised { return judgeAddressesOf(StatusOK) }},
		{CheckApexNSUnavailable, "an address serving the SOA but failing the apex NS question, or answering it",
			func(*testing.T, *catFixture) []raised {
				return judgeAddressesOf(StatusOK, func(o *serverObs) { o.apexNSError = "timeout: i/o timeout" })
			},
			func(*testing.T, *catFixture) []raised { return judgeAddressesOf(StatusOK) }},

		// Consistency.
		{CheckSOASerialMismatch, "one server a serial behind, or serials equal",
			func(*testing.T, *catFixture) []raised {
				_, fs := judgeSerials([]ServerResult{server("192.0.2.1", 7), server("192.0.2.2", 6)})
				return fs
			},
			func(*testing.T, *catFixture) []raised {
				_, fs := judgeSerials([]ServerResult{server("192.0.2.1", 7), server("192.0.2.2", 7)})
				return fs
			}},
		{CheckNSParentChildDiffer, "the zone's NS set lacking one of the parent's, or the same",
			func(*testing.T, *catFixture) []raised {
				_, fs := judgeNS([]string{"ns1.zone.tld", "ns2.zone.tld"}, []ServerResult{server("192.0.2.1", 7, "ns1.zone.tld")})
				return fs
			},
			func(*testing.T, *catFixture) []raised {
				_, fs := judgeNS([]string{"ns1.zone.tld", "ns2.zone.tld"}, []ServerResult{server("192.0.2.1", 7, "ns1.zone.tld", "ns2.zone.tld")})
				return fs
			}},
		{CheckNSChildInconsistent, "two servers serving different NS sets, or the same set (that differs from the parent's)",
			func(*testing.T, *catFixture) []raised {
				_, fs := judgeNS([]string{"ns1.zone.tld"}, []ServerResult{server("192.0.2.1", 7, "ns1.zone.tld"), server("192.0.2.2", 7, "ns1.zone.tld", "ns2.zone.tld")})
				return fs
			},
			func(*testing.T, *catFixture) []raised {
				_, fs := judgeNS([]string{"ns1.zone.tld"}, []ServerResult{server("192.0.2.1", 7, "ns1.zone.tld", "ns2.zone.tld"), server("192.0.2.2", 7, "ns1.zone.tld", "ns2.zone.tld")})
				return fs
			}},
		{CheckGlueMismatch, "parent glue other than the zone's own address, or the same",
			func(*testing.T, *catFixture) []raised { return judgeGlueOf("192.0.2.54", catGlueObs("192.0.2.53")) },
			func(*testing.T, *catFixture) []raised { return judgeGlueOf("192.0.2.53", catGlueObs("192.0.2.53")) }},

		// DNSSEC: the chain of trust.
		{CheckChainBroken, "the chain above the zone bogus, or cut short (indeterminate)",
			chain(DNSSECBogus), chain(DNSSECIndeterminate)},
		{CheckDSNoMatchingKey, "the only DS naming a published key that does not sign the DNSKEY RRset, or one that does",
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.other, dns.SHA256)}, catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk, f.other}, []catSigner{f.ksk}))
			},
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.other, dns.SHA256)}, catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk, f.other}, []catSigner{f.ksk, f.other}))
			}},
		{CheckDSNoMatchingKey, "a DNSKEY RRset that no DS vouches for (validator: no trusted key), or the KSK's DS",
			func(t *testing.T, f *catFixture) []raised {
				j := dnssecJudge{val: catValidator(600), now: catalogueNow}
				s := f.server(f.signedSOA(catValid))
				o := &dnssecObs{zone: catZone, parent: catParent, anchor: ".", anchors: &TrustAnchors{}}
				return j.judgeServer(o, s, []*dns.DS{catDS(f.other, dns.SHA256)}).findings
			},
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(f.signedSOA(catValid))) }},
		{CheckDSUnsignedChild, "DS at the parent and no DNSKEY at the server, or the zone's keys",
			func(t *testing.T, f *catFixture) []raised {
				s := f.server(f.signedSOA(catValid))
				s.dnssec.dnskey = catAnswer()
				return f.judgeServerAt(s)
			},
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(f.signedSOA(catValid))) }},
		{CheckDSUnmatched, "a second DS for a key not signing the DNSKEY RRset, or for one that signs it too (a double-signature rollover)",
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.ksk, dns.SHA256), catDS(f.other, dns.SHA256)}, catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}))
			},
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.ksk, dns.SHA256), catDS(f.other, dns.SHA256)}, catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk, f.other}, []catSigner{f.ksk, f.other}))
			}},
		{CheckDSUnmatched, "a DS matching nothing beside one that matches, or alone (that is ds_no_matching_key)",
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.ksk, dns.SHA256), catDS(f.other, dns.SHA256)}, catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk, f.other}, []catSigner{f.ksk}))
			},
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.other, dns.SHA256)}, catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk, f.other}, []catSigner{f.ksk}))
			}},
		{CheckDSUnmatched, "a stale key's SHA-256 DS beside the KSK's, or the KSK's own SHA-1 DS beside its SHA-256 one (set aside, not unmatched)",
			func(t *testing.T, f *catFixture) []raised {
				return f.judgeDNSSEC(f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA256), catDS(f.other, dns.SHA256)))
			},
			func(t *testing.T, f *catFixture) []raised {
				return f.judgeDNSSEC(f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA1), catDS(f.ksk, dns.SHA256)))
			}},
		{CheckDSKeyUnusable, "the DS's key published with the REVOKE bit, or without it",
			func(t *testing.T, f *catFixture) []raised {
				revoked := catSigner{key: dns.Copy(f.ksk.key).(*dns.DNSKEY), priv: f.ksk.priv}
				revoked.key.Flags |= dns.REVOKE
				return compareKeysOf([]*dns.DS{catDS(revoked, dns.SHA256), catDS(f.other, dns.SHA256)},
					catMaterial("192.0.2.1", []catSigner{revoked, f.other, f.zsk}, []catSigner{revoked, f.other}))
			},
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.ksk, dns.SHA256), catDS(f.other, dns.SHA256)},
					catMaterial("192.0.2.1", []catSigner{f.ksk, f.other, f.zsk}, []catSigner{f.ksk, f.other}))
			}},
		{CheckDSDigestSHA1Only, "a DS set of SHA-1 only, or with a SHA-256 DS next to the SHA-1 one",
			func(t *testing.T, f *catFixture) []raised {
				return f.targetDS(f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA1)))
			},
			func(t *testing.T, f *catFixture) []raised {
				return f.targetDS(f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA1), catDS(f.ksk, dns.SHA256)))
			}},
		{CheckDSInconsistent, "two parent servers serving different DS sets, or the same set",
			func(t *testing.T, f *catFixture) []raised {
				return f.targetDS(f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA256)), f.dsAnswer("192.0.2.54", catDS(f.ksk, dns.SHA256), catDS(f.other, dns.SHA256)))
			},
			func(t *testing.T, f *catFixture) []raised {
				return f.targetDS(f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA256), catDS(f.other, dns.SHA256)), f.dsAnswer("192.0.2.54", catDS(f.other, dns.SHA256), catDS(f.ksk, dns.SHA256)))
			}},
		{CheckUnsupportedAlgo, "a DS set of digest type 3 (GOST) only, or of digest type 2",
			func(t *testing.T, f *catFixture) []raised {
				return f.targetDS(f.dsAnswer("192.0.2.53", &dns.DS{Hdr: dns.RR_Header{Name: catZone, Rrtype: dns.TypeDS, Class: dns.ClassINET, Ttl: 3600},
					KeyTag: f.ksk.key.KeyTag(), Algorithm: dns.ECDSAP256SHA256, DigestType: dns.GOST94, Digest: catDigest(1)}))
			},
			func(t *testing.T, f *catFixture) []raised {
				return f.targetDS(f.dsAnswer("192.0.2.53", &dns.DS{Hdr: dns.RR_Header{Name: catZone, Rrtype: dns.TypeDS, Class: dns.ClassINET, Ttl: 3600},
					KeyTag: f.ksk.key.KeyTag(), Algorithm: dns.ECDSAP256SHA256, DigestType: dns.SHA256, Digest: catDigest(1)}))
			}},
		{CheckUnsupportedAlgo, "a DS set of algorithm 3 (DSA) only, or with an algorithm 13 DS beside it",
			func(t *testing.T, f *catFixture) []raised {
				return f.targetDS(f.dsAnswer("192.0.2.53", &dns.DS{Hdr: dns.RR_Header{Name: catZone, Rrtype: dns.TypeDS, Class: dns.ClassINET, Ttl: 3600},
					KeyTag: 1, Algorithm: dns.DSA, DigestType: dns.SHA256, Digest: catDigest(2)}))
			},
			func(t *testing.T, f *catFixture) []raised {
				return f.targetDS(f.dsAnswer("192.0.2.53", &dns.DS{Hdr: dns.RR_Header{Name: catZone, Rrtype: dns.TypeDS, Class: dns.ClassINET, Ttl: 3600},
					KeyTag: 1, Algorithm: dns.DSA, DigestType: dns.SHA256, Digest: catDigest(2)}, catDS(f.ksk, dns.SHA256)))
			}},
		{CheckDNSSECIntermittent, "one of two addresses not validating, or both validating",
			func(t *testing.T, f *catFixture) []raised {
				bad := catMaterial("192.0.2.2", nil, nil)
				bad.secure = false
				return zoneStatusOf(catMaterial("192.0.2.1", nil, nil), bad)
			},
			func(t *testing.T, f *catFixture) []raised {
				return zoneStatusOf(catMaterial("192.0.2.1", nil, nil), catMaterial("192.0.2.2", nil, nil))
			}},
		{CheckDNSSECIntermittent, "one of two parent servers serving a DS RRset that does not validate, or both a good one",
			func(t *testing.T, f *catFixture) []raised {
				bad := f.dsAnswer("192.0.2.54", catDS(f.ksk, dns.SHA256))
				catCorrupt(bad.msg.Answer)
				return f.targetDS(f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA256)), bad)
			},
			func(t *testing.T, f *catFixture) []raised {
				return f.targetDS(f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA256)), f.dsAnswer("192.0.2.54", catDS(f.ksk, dns.SHA256)))
			}},

		// DNSSEC: what each address serves.
		{CheckRRSIGExpired, "the SOA's only signature expired an hour ago, or valid",
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(f.signedSOA(catExpired))) },
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(f.signedSOA(catValid))) }},
		{CheckRRSIGNotYetValid, "the SOA's only signature valid from an hour ahead, or from a day ago",
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(f.signedSOA(catNotYet))) },
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(f.signedSOA(catValid))) }},
		{CheckRRSIGInvalid, "the SOA's signature with a corrupted signature field, or intact",
			func(t *testing.T, f *catFixture) []raised {
				m := f.signedSOA(catValid)
				catCorrupt(m.Answer)
				return f.judgeServerAt(f.server(m))
			},
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(f.signedSOA(catValid))) }},
		{CheckRRSIGMissing, "the SOA served without its RRSIG, or with it",
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(catAnswer(f.soa(300)))) },
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(f.signedSOA(catValid))) }},
		{CheckRRSIGMalformed, "the SOA's RRSIG with a labels field above the owner's, or the right one",
			func(t *testing.T, f *catFixture) []raised {
				m := f.signedSOA(catValid)
				m.Answer[1].(*dns.RRSIG).Labels = 5
				return f.judgeServerAt(f.server(m))
			},
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(f.signedSOA(catValid))) }},
		{CheckRRSIGMalformed, "the SOA signed with the parent's name as signer, or the zone's",
			func(t *testing.T, f *catFixture) []raised {
				soa := f.soa(300)
				return f.judgeServerAt(f.server(catAnswer(soa, f.sign([]dns.RR{soa}, f.zsk, catParent, catValid))))
			},
			func(t *testing.T, f *catFixture) []raised {
				soa := f.soa(300)
				return f.judgeServerAt(f.server(catAnswer(soa, f.sign([]dns.RR{soa}, f.zsk, catZone, catValid))))
			}},
		{CheckRRSIGExpiresInTTL, "the SOA's signature expiring in an hour with a TTL of two, or a TTL of five minutes",
			func(t *testing.T, f *catFixture) []raised {
				soa := f.soa(7200)
				return f.judgeServerAt(f.server(catAnswer(soa, f.sign([]dns.RR{soa}, f.zsk, catZone, catExpireSoon))))
			},
			func(t *testing.T, f *catFixture) []raised {
				soa := f.soa(300)
				return f.judgeServerAt(f.server(catAnswer(soa, f.sign([]dns.RR{soa}, f.zsk, catZone, catExpireSoon))))
			}},
		{CheckRRSIGExpiring, "BIND's policy named and the SOA's signature with 3 days left of 30, or 6",
			func(t *testing.T, f *catFixture) []raised { return catExpiry(3*day, 3*day) },
			func(t *testing.T, f *catFixture) []raised { return catExpiry(6*day, 6*day) }},
		{CheckSignerStalled, "BIND's policy named and every signature with 3 days left, or the NS re-signed",
			func(t *testing.T, f *catFixture) []raised { return catExpiry(3*day, 3*day) },
			func(t *testing.T, f *catFixture) []raised { return catExpiry(3*day, 29*day) }},
		{CheckRecordCNAME, "a records entry answered with a signed CNAME, or with the type asked for",
			func(t *testing.T, f *catFixture) []raised {
				c := &dns.CNAME{Hdr: dns.RR_Header{Name: "www." + catZone, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 300}, Target: "web." + catZone}
				s := f.server(f.signedSOA(catValid))
				s.dnssec.records = []recordAnswer{{owner: "www." + catZone, qtype: dns.TypeA, msg: catAnswer(c, f.sign([]dns.RR{c}, f.zsk, catZone, catValid))}}
				return f.judgeServerAt(s)
			},
			func(t *testing.T, f *catFixture) []raised {
				a := &dns.A{Hdr: dns.RR_Header{Name: "www." + catZone, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: netip.MustParseAddr("192.0.2.80").AsSlice()}
				s := f.server(f.signedSOA(catValid))
				s.dnssec.records = []recordAnswer{{owner: "www." + catZone, qtype: dns.TypeA, msg: catAnswer(a, f.sign([]dns.RR{a}, f.zsk, catZone, catValid))}}
				return f.judgeServerAt(s)
			}},
		{CheckDNSKEYTagCollision, "a stand-by key with the ZSK's algorithm and key tag beside it, or with another tag",
			func(t *testing.T, f *catFixture) []raised {
				s := f.server(f.signedSOA(catValid))
				s.dnssec.dnskey = f.keyMsg([]catSigner{f.ksk, f.zsk, catTagKey(t, f.zsk.key, false)}, f.ksk)
				return f.judgeServerAt(s)
			},
			func(t *testing.T, f *catFixture) []raised {
				s := f.server(f.signedSOA(catValid))
				s.dnssec.dnskey = f.keyMsg([]catSigner{f.ksk, f.zsk, catTagKey(t, f.zsk.key, true)}, f.ksk)
				return f.judgeServerAt(s)
			}},
		{CheckRRSIGOrigTTL, "the SOA served with a TTL above its signature's original TTL, or equal to it",
			func(t *testing.T, f *catFixture) []raised {
				m := f.signedSOA(catValid)
				m.Answer[0].Header().Ttl = 600
				return f.judgeServerAt(f.server(m))
			},
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(f.signedSOA(catValid))) }},
		{CheckDNSKEYInconsistent, "two addresses serving different DNSKEY RRsets, or the same",
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.ksk, dns.SHA256)},
					catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}, f.zsk),
					catMaterial("192.0.2.2", []catSigner{f.ksk, f.zsk, f.other}, []catSigner{f.ksk}, f.zsk))
			},
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.ksk, dns.SHA256)},
					catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk, f.other}, []catSigner{f.ksk}, f.zsk),
					catMaterial("192.0.2.2", []catSigner{f.other, f.zsk, f.ksk}, []catSigner{f.ksk}, f.zsk))
			}},
		{CheckSigningKeyMissing, "a key that signs on one address missing from another's DNSKEY RRset, or published there",
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.ksk, dns.SHA256)},
					catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}, f.zsk),
					catMaterial("192.0.2.2", []catSigner{f.ksk}, []catSigner{f.ksk}))
			},
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.ksk, dns.SHA256)},
					catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}, f.zsk),
					catMaterial("192.0.2.2", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}))
			}},
		{CheckSigningKeyMissing, "the SOA signed by a key absent from the DNSKEY RRset (validator), or by the ZSK",
			func(t *testing.T, f *catFixture) []raised {
				soa := f.soa(300)
				return f.judgeServerAt(f.server(catAnswer(soa, f.sign([]dns.RR{soa}, f.other, catZone, catValid))))
			},
			func(t *testing.T, f *catFixture) []raised { return f.judgeServerAt(f.server(f.signedSOA(catValid))) }},
		{CheckAlgorithmNotSigning, "an algorithm in the DS set whose key does not sign the DNSKEY RRset, or that algorithm only published",
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.ksk, dns.SHA256), catDS(f.other, dns.SHA256)},
					catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk, f.other}, []catSigner{f.ksk}))
			},
			func(t *testing.T, f *catFixture) []raised {
				return compareKeysOf([]*dns.DS{catDS(f.ksk, dns.SHA256)},
					catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk, f.other}, []catSigner{f.ksk}))
			}},
		{CheckAlgorithmNotSigning, "a published Ed25519 zone key whose algorithm does not sign the SOA, or no such key",
			func(t *testing.T, f *catFixture) []raised {
				s := f.server(f.signedSOA(catValid))
				s.dnssec.dnskey = f.keyMsg([]catSigner{f.ksk, f.zsk, f.other}, f.ksk, f.other)
				return f.judgeServerAt(s)
			},
			func(t *testing.T, f *catFixture) []raised {
				s := f.server(f.signedSOA(catValid))
				s.dnssec.dnskey = f.keyMsg([]catSigner{f.ksk, f.zsk}, f.ksk)
				return f.judgeServerAt(s)
			}},
		{CheckDenialInvalid, "the parent's NSEC for the zone listing DS, or not",
			func(t *testing.T, f *catFixture) []raised {
				return f.tally(catValidator(600), f.dsNoData(dns.TypeNS, dns.TypeDS, dns.TypeRRSIG, dns.TypeNSEC))
			},
			func(t *testing.T, f *catFixture) []raised {
				return f.tally(catValidator(600), f.dsNoData(dns.TypeNS, dns.TypeRRSIG, dns.TypeNSEC))
			}},
		{CheckNSEC3Iterations, "NSEC3 with 1 additional iteration, or 0",
			func(*testing.T, *catFixture) []raised { return zoneStatusOf(catWithNSEC3(NSEC3Param{Iterations: 1})) },
			func(*testing.T, *catFixture) []raised { return zoneStatusOf(catWithNSEC3(NSEC3Param{})) }},
		{CheckNSEC3IterationsLimit, "NSEC3 with 51 iterations, or 50 (the BIND and Knot limit)",
			func(*testing.T, *catFixture) []raised { return zoneStatusOf(catWithNSEC3(NSEC3Param{Iterations: 51})) },
			func(*testing.T, *catFixture) []raised { return zoneStatusOf(catWithNSEC3(NSEC3Param{Iterations: 50})) }},
		{CheckNSEC3Salt, "NSEC3 with a 1-byte salt, or none",
			func(*testing.T, *catFixture) []raised { return zoneStatusOf(catWithNSEC3(NSEC3Param{SaltLength: 1})) },
			func(*testing.T, *catFixture) []raised { return zoneStatusOf(catWithNSEC3(NSEC3Param{})) }},
		{CheckCDSInconsistent, "two addresses serving different CDS RRsets, or the same",
			func(t *testing.T, f *catFixture) []raised {
				d := []*dns.DS{catDS(f.ksk, dns.SHA256)}
				return compareCDSOf(d,
					catWithCDS(catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}), []*dns.CDS{catCDS(catDS(f.ksk, dns.SHA256))}, f.ksk),
					catWithCDS(catMaterial("192.0.2.2", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}), []*dns.CDS{catCDS(catDS(f.ksk, dns.SHA256)), catCDS(catDS(f.other, dns.SHA256))}, f.ksk))
			},
			func(t *testing.T, f *catFixture) []raised {
				d := []*dns.DS{catDS(f.ksk, dns.SHA256)}
				return compareCDSOf(d,
					catWithCDS(catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}), []*dns.CDS{catCDS(catDS(f.ksk, dns.SHA256))}, f.ksk),
					catWithCDS(catMaterial("192.0.2.2", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}), []*dns.CDS{catCDS(catDS(f.ksk, dns.SHA256))}, f.ksk))
			}},
		{CheckCDSMismatchDS, "a CDS naming another key than the DS, or naming the DS's key",
			func(t *testing.T, f *catFixture) []raised {
				return compareCDSOf([]*dns.DS{catDS(f.ksk, dns.SHA256)},
					catWithCDS(catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}), []*dns.CDS{catCDS(catDS(f.other, dns.SHA256))}, f.ksk))
			},
			func(t *testing.T, f *catFixture) []raised {
				return compareCDSOf([]*dns.DS{catDS(f.ksk, dns.SHA256)},
					catWithCDS(catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}), []*dns.CDS{catCDS(catDS(f.ksk, dns.SHA256))}, f.ksk))
			}},
		{CheckCDSDelete, "the CDS delete form (0 0 0 00), or a CDS for the current key",
			func(t *testing.T, f *catFixture) []raised {
				del := &dns.CDS{DS: dns.DS{Hdr: dns.RR_Header{Name: catZone, Rrtype: dns.TypeCDS, Class: dns.ClassINET, Ttl: 3600}, Digest: "00"}}
				return compareCDSOf([]*dns.DS{catDS(f.ksk, dns.SHA256)},
					catWithCDS(catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}), []*dns.CDS{del}, f.ksk))
			},
			func(t *testing.T, f *catFixture) []raised {
				return compareCDSOf([]*dns.DS{catDS(f.ksk, dns.SHA256)},
					catWithCDS(catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}), []*dns.CDS{catCDS(catDS(f.ksk, dns.SHA256))}, f.ksk))
			}},
		{CheckCDSNotSignedByDSKey, "the CDS RRset signed by the ZSK only, or by the KSK the DS names",
			func(t *testing.T, f *catFixture) []raised {
				return compareCDSOf([]*dns.DS{catDS(f.ksk, dns.SHA256)},
					catWithCDS(catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}), []*dns.CDS{catCDS(catDS(f.ksk, dns.SHA256))}, f.zsk))
			},
			func(t *testing.T, f *catFixture) []raised {
				return compareCDSOf([]*dns.DS{catDS(f.ksk, dns.SHA256)},
					catWithCDS(catMaterial("192.0.2.1", []catSigner{f.ksk, f.zsk}, []catSigner{f.ksk}), []*dns.CDS{catCDS(catDS(f.ksk, dns.SHA256))}, f.ksk))
			}},

		// The whole-zone sweep (judgeSweep).
		{CheckSweepFailed, "the last sweep failed, or it succeeded",
			func(*testing.T, *catFixture) []raised {
				return catSweep(func(st *SweepReport) { st.Error = "NOTAUTH" })
			},
			func(*testing.T, *catFixture) []raised { return catSweep(nil) }},
		{CheckSweepRRSIGInvalid, "an RRset whose signatures do not validate, or one without any",
			func(*testing.T, *catFixture) []raised {
				return catSweep(func(st *SweepReport) { st.Result.Invalid = 1 })
			},
			func(*testing.T, *catFixture) []raised {
				return catSweep(func(st *SweepReport) { st.Result.Unsigned = 1 })
			}},
		{CheckSweepRRSIGMissing, "an RRset without any signature, or one whose signatures do not validate",
			func(*testing.T, *catFixture) []raised {
				return catSweep(func(st *SweepReport) { st.Result.Unsigned = 1 })
			},
			func(*testing.T, *catFixture) []raised {
				return catSweep(func(st *SweepReport) { st.Result.Invalid = 1 })
			}},
		{CheckSweepRRSIGExpiring, "an RRset expiring within the window, or none",
			func(*testing.T, *catFixture) []raised {
				return catSweep(func(st *SweepReport) { st.Result.Expiring = 1 })
			},
			func(*testing.T, *catFixture) []raised { return catSweep(nil) }},
		{CheckSweepDenialBroken, "an incomplete NSEC chain, or one that could not be checked",
			func(*testing.T, *catFixture) []raised {
				return catSweep(func(st *SweepReport) { st.Result.ChainComplete = new(bool) })
			},
			func(*testing.T, *catFixture) []raised {
				return catSweep(func(st *SweepReport) { st.Result.ChainComplete = nil })
			}},
		{CheckSecondaryBehindPrimary, "a server a serial behind the primary, or one ahead of it",
			func(*testing.T, *catFixture) []raised {
				return catSweep(func(st *SweepReport) { st.Result.Serial = 8 })
			},
			func(*testing.T, *catFixture) []raised {
				return catSweep(func(st *SweepReport) { st.Result.Serial = 6 })
			}},

		// The resolver view.
		{CheckResolverDNSSECFailure, "SERVFAIL with CD=0 and NOERROR with CD=1, or SERVFAIL with both",
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverDNSSECFailure, false, catRcodeReply(dns.RcodeServerFailure), catRcodeReply(dns.RcodeSuccess), nil)
			},
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverServfail, false, catRcodeReply(dns.RcodeServerFailure), catRcodeReply(dns.RcodeServerFailure), nil)
			}},
		{CheckResolverServfail, "SERVFAIL with both CD=0 and CD=1, or only with CD=0",
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverServfail, false, catRcodeReply(dns.RcodeServerFailure), catRcodeReply(dns.RcodeServerFailure), nil)
			},
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverDNSSECFailure, false, catRcodeReply(dns.RcodeServerFailure), catRcodeReply(dns.RcodeSuccess), nil)
			}},
		{CheckResolverNXDomain, "NXDOMAIN for the apex, or NOERROR",
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverNXDomain, false, catRcodeReply(dns.RcodeNameError), catRcodeReply(dns.RcodeNameError), nil)
			},
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverOK, false, catRcodeReply(dns.RcodeSuccess), catRcodeReply(dns.RcodeSuccess), nil)
			}},
		{CheckResolverUnreachable, "a resolver timing out, or answering",
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverTimeout, false, catErrReply(errors.New("read udp: i/o timeout")), nil, nil)
			},
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverOK, false, catRcodeReply(dns.RcodeSuccess), catRcodeReply(dns.RcodeSuccess), nil)
			}},
		{CheckResolverUnreachable, "a resolver answering REFUSED, or NXDOMAIN (an answer, if a wrong one)",
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverRefused, false, catRcodeReply(dns.RcodeRefused), catRcodeReply(dns.RcodeRefused), nil)
			},
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverNXDomain, false, catRcodeReply(dns.RcodeNameError), catRcodeReply(dns.RcodeNameError), nil)
			}},
		{CheckResolverDisagreement, "a resolver answering AD=0 for a zone the exporter says is secure, or AD=1",
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverOK, false, catRcodeReply(dns.RcodeSuccess), catRcodeReply(dns.RcodeSuccess), catSecure())
			},
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverOK, true, catRcodeReply(dns.RcodeSuccess), catRcodeReply(dns.RcodeSuccess), catSecure())
			}},
		{CheckResolverDisagreement, "a resolver answering AD=0 for a zone the exporter says is secure, or insecure",
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverOK, false, catRcodeReply(dns.RcodeSuccess), catRcodeReply(dns.RcodeSuccess), catSecure())
			},
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverOK, false, catRcodeReply(dns.RcodeSuccess), catRcodeReply(dns.RcodeSuccess), &DNSSECReport{Status: DNSSECInsecure})
			}},
		{CheckResolverDisagreement, "a resolver answering AD=1 for a zone the exporter finds bogus everywhere, or only intermittently",
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverOK, true, catRcodeReply(dns.RcodeSuccess), catRcodeReply(dns.RcodeSuccess), &DNSSECReport{Status: DNSSECBogus})
			},
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverOK, true, catRcodeReply(dns.RcodeSuccess), catRcodeReply(dns.RcodeSuccess), &DNSSECReport{Status: DNSSECBogus, Intermittent: true})
			}},
		{CheckResolverDisagreement, "a resolver failing the zone the exporter finds secure, or bogus",
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverDNSSECFailure, false, catRcodeReply(dns.RcodeServerFailure), catRcodeReply(dns.RcodeSuccess), catSecure())
			},
			func(*testing.T, *catFixture) []raised {
				return resolverSays(ResolverDNSSECFailure, false, catRcodeReply(dns.RcodeServerFailure), catRcodeReply(dns.RcodeSuccess), &DNSSECReport{Status: DNSSECBogus})
			}},
	}, rolloverCatalogue()...)
}

// catCorrupt flips the first bytes of every RRSIG's signature in rrs.
func catCorrupt(rrs []dns.RR) {
	for _, rr := range rrs {
		if sig, ok := rr.(*dns.RRSIG); ok {
			sig.Signature = "AAAA" + sig.Signature[4:]
		}
	}
}

// TestJudgementCatalogueRaisesAndSparesEachCheck: each entry's raise
// observations give its check, and its neighbour's do not.
func TestJudgementCatalogueRaisesAndSparesEachCheck(t *testing.T) {
	f := newCatFixture(t)
	for _, e := range catalogue() {
		t.Run(string(e.check)+"/"+e.name, func(t *testing.T) {
			wantCheckAmong(t, checksOf(e.raise(t, f)), e.check)
			if got := checksOf(e.neighbour(t, f)); slices.Contains(got, e.check) {
				t.Errorf("neighbour: checks %v, want no %s", got, e.check)
			}
		})
	}
}

// TestJudgementCatalogueCoversEveryCheck: every check ID in Checks has an
// entry, and every entry names a check in Checks.
func TestJudgementCatalogueCoversEveryCheck(t *testing.T) {
	covered := map[CheckID]bool{}
	for _, e := range catalogue() {
		covered[e.check] = true
	}
	known := map[CheckID]bool{}
	for _, c := range Checks {
		known[c.ID] = true
		if !covered[c.ID] {
			t.Errorf("check %s has no judgement catalogue entry", c.ID)
		}
	}
	for id := range covered {
		if !known[id] {
			t.Errorf("catalogue entry for %s, which is not in Checks", id)
		}
	}
}

// TestJudgementCatalogueFixtureIsHealthy: the fixture's usual address
// raises nothing, so a neighbour built from it differs from its raise in
// the one thing the entry names.
func TestJudgementCatalogueFixtureIsHealthy(t *testing.T) {
	f := newCatFixture(t)
	if got := checksOf(f.judgeServerAt(f.server(f.signedSOA(catValid)))); len(got) != 0 {
		t.Errorf("the healthy address raises %v", got)
	}
	if got := checksOf(f.targetDS(f.dsAnswer("192.0.2.53", catDS(f.ksk, dns.SHA256)))); len(got) != 0 {
		t.Errorf("the healthy DS answer raises %v", got)
	}
	if got := checksOf(f.tally(catValidator(600), f.dsNoData(dns.TypeNS, dns.TypeRRSIG, dns.TypeNSEC))); len(got) != 0 {
		t.Errorf("the healthy proof of no DS raises %v", got)
	}
}

// catSweep judges a clean sweep of a signed zone at serial 7, with one
// server at serial 7, after edit.
func catSweep(edit func(*SweepReport)) []raised {
	complete := true
	st := &SweepReport{Primary: "192.0.2.53:53", Result: &sweep.Result{Serial: 7, Signed: true, KeysValid: true,
		Denial: sweep.DenialNSEC, ChainComplete: &complete}}
	if edit != nil {
		edit(st)
	}
	return judgeSweep(st, []ServerResult{server("192.0.2.1", 7)}, catalogueNow)
}

// catExpiry judges a zone whose SOA and NS signatures (30-day validity)
// have soaLeft and nsLeft left, with BIND's default policy named.
func catExpiry(soaLeft, nsLeft time.Duration) []raised {
	bind := signingPolicies["bind"]
	sig := func(typ string, left time.Duration) sigTimes {
		exp := catalogueNow.Add(left)
		return sigTimes{owner: catZone, rtype: typ, inception: exp.Add(-30 * day), expiration: exp, ttl: time.Hour}
	}
	_, fs := judgeExpiry(catZone, []sigTimes{sig("SOA", soaLeft), sig("NS", nsLeft)}, &bind, 0, catalogueNow)
	return fs
}
