package lab

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// This file checks what the lab serves with DNSSEC by validating it
// directly with miekg/dns: a small validator that follows the chain from
// TrustAnchors() to each demo zone and reaches the verdict Zone.DNSSEC
// states, and per-fault tests that the specific breakage is observable.

// Reasons a validation fails, for errors.Is.
var (
	errSigMissing   = errors.New("no RRSIG")
	errSigExpired   = errors.New("RRSIG expired")
	errSigPremature = errors.New("RRSIG not yet valid")
	errSigInvalid   = errors.New("RRSIG does not verify")
	errSigNoKey     = errors.New("RRSIG by a key not in the DNSKEY RRset")
	errSigSigner    = errors.New("RRSIG signer is not the zone")
	errNoDNSKEY     = errors.New("no DNSKEY RRset")
	errNoDSMatch    = errors.New("no DNSKEY matches a DS")
	errDenial       = errors.New("denial of existence does not prove the answer")
)

// nsec3IterationLimit is the highest NSEC3 iteration count any common
// validator accepts (Unbound 150; BIND and Knot 50). Above it the zone is
// insecure everywhere.
const nsec3IterationLimit = 150

// dnssecQuery sends a non-recursive query with DO=1 and EDNS 1232 over
// UDP, and again over TCP if the reply is truncated.
func dnssecQuery(t *testing.T, l *Lab, addr, qname string, qtype uint16) *dns.Msg {
	t.Helper()
	return queryDO(t, l, addr, qname, qtype, true)
}

func queryDO(t *testing.T, l *Lab, addr, qname string, qtype uint16, do bool) *dns.Msg {
	t.Helper()
	q := new(dns.Msg)
	q.SetQuestion(qname, qtype)
	q.RecursionDesired = false
	q.SetEdns0(1232, do)
	for _, network := range []string{"udp", "tcp"} {
		c := &dns.Client{Net: network, Timeout: 2 * time.Second, UDPSize: 1232}
		r, _, err := c.Exchange(q, net.JoinHostPort(addr, strconv.Itoa(l.Port())))
		if err != nil {
			t.Fatalf("%s %s @%s over %s: %v", qname, dns.TypeToString[qtype], addr, network, err)
		}
		if !r.Truncated {
			return r
		}
	}
	t.Fatalf("%s %s @%s: truncated over TCP", qname, dns.TypeToString[qtype], addr)
	return nil
}

// rrsetIn returns the records of (owner, rtype) in section and the RRSIGs
// that cover them.
func rrsetIn(section []dns.RR, owner string, rtype uint16) ([]dns.RR, []*dns.RRSIG) {
	var rrset []dns.RR
	var sigs []*dns.RRSIG
	for _, rr := range section {
		if !strings.EqualFold(rr.Header().Name, owner) {
			continue
		}
		if sig, ok := rr.(*dns.RRSIG); ok {
			if sig.TypeCovered == rtype {
				sigs = append(sigs, sig)
			}
		} else if rr.Header().Rrtype == rtype {
			rrset = append(rrset, rr)
		}
	}
	return rrset, sigs
}

// sigWindow says whether now is before, inside or after sig's validity
// period, with RFC 1982 serial arithmetic. An inception ahead of now by up
// to an hour is forgiven, as Unbound forgives it (val-sig-skew-min).
func sigWindow(sig *dns.RRSIG, now time.Time) error {
	n := uint32(now.Unix())
	switch {
	case int32(sig.Inception-n) > 3600:
		return errSigPremature
	case int32(sig.Expiration-n) < 0:
		return errSigExpired
	}
	return nil
}

// verifySigs checks that an RRSIG over rrset by one of keys, made by
// signer, verifies and is inside its validity period at now.
func verifySigs(rrset []dns.RR, sigs []*dns.RRSIG, keys []*dns.DNSKEY, signer string, now time.Time) error {
	if len(rrset) == 0 {
		return errors.New("empty RRset")
	}
	what := fmt.Sprintf("%s %s", rrset[0].Header().Name, dns.TypeToString[rrset[0].Header().Rrtype])
	if len(sigs) == 0 {
		return fmt.Errorf("%s: %w", what, errSigMissing)
	}
	var errs []error
	for _, sig := range sigs {
		if !strings.EqualFold(sig.SignerName, signer) {
			errs = append(errs, fmt.Errorf("%s: %w: %s, want %s", what, errSigSigner, sig.SignerName, signer))
			continue
		}
		var key *dns.DNSKEY
		for _, k := range keys {
			if k.KeyTag() == sig.KeyTag && k.Algorithm == sig.Algorithm {
				key = k
			}
		}
		if key == nil {
			errs = append(errs, fmt.Errorf("%s: key %d: %w", what, sig.KeyTag, errSigNoKey))
			continue
		}
		if err := sig.Verify(key, rrset); err != nil {
			errs = append(errs, fmt.Errorf("%s: key %d: %w (%v)", what, sig.KeyTag, errSigInvalid, err))
			continue
		}
		if err := sigWindow(sig, now); err != nil {
			errs = append(errs, fmt.Errorf("%s: key %d: %w", what, sig.KeyTag, err))
			continue
		}
		return nil
	}
	return errors.Join(errs...)
}

// dsMatches reports whether ds is the digest of key.
func dsMatches(ds *dns.DS, key *dns.DNSKEY) bool {
	want := key.ToDS(ds.DigestType)
	return want != nil && ds.KeyTag == key.KeyTag() && ds.Algorithm == key.Algorithm && strings.EqualFold(want.Digest, ds.Digest)
}

// sameDS reports whether two DS (or CDS) records have the same RDATA.
func sameDS(a, b *dns.DS) bool {
	return a.KeyTag == b.KeyTag && a.Algorithm == b.Algorithm && a.DigestType == b.DigestType && strings.EqualFold(a.Digest, b.Digest)
}

// trustedKeys fetches zone's DNSKEY RRset from addr and returns its keys,
// provided a key that matches one of ds signs it validly. Revoked keys
// (RFC 5011) are neither an entry point nor returned.
func trustedKeys(t *testing.T, l *Lab, addr, zone string, ds []*dns.DS, now time.Time) ([]*dns.DNSKEY, error) {
	t.Helper()
	r := dnssecQuery(t, l, addr, zone, dns.TypeDNSKEY)
	rrset, sigs := rrsetIn(r.Answer, zone, dns.TypeDNSKEY)
	if len(rrset) == 0 {
		return nil, fmt.Errorf("%s @%s: %w", zone, addr, errNoDNSKEY)
	}
	var all, entry []*dns.DNSKEY
	for _, rr := range rrset {
		k := rr.(*dns.DNSKEY)
		if k.Flags&dns.REVOKE != 0 {
			continue
		}
		all = append(all, k)
		if slices.ContainsFunc(ds, func(d *dns.DS) bool { return dsMatches(d, k) }) {
			entry = append(entry, k)
		}
	}
	if len(entry) == 0 {
		return nil, fmt.Errorf("%s @%s: %w", zone, addr, errNoDSMatch)
	}
	if err := verifySigs(rrset, sigs, entry, zone, now); err != nil {
		return nil, fmt.Errorf("%s @%s: %w", zone, addr, err)
	}
	return all, nil
}

// anchors parses the lab's trust anchors.
func anchors(t *testing.T, l *Lab) []*dns.DS {
	t.Helper()
	var out []*dns.DS
	zp := dns.NewZoneParser(strings.NewReader(l.TrustAnchors()), ".", "anchors")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		ds, isDS := rr.(*dns.DS)
		if !isDS || ds.Hdr.Name != "." || ds.DigestType != dns.SHA256 {
			t.Fatalf("trust anchor %v is not a SHA-256 DS for the root", rr)
		}
		out = append(out, ds)
	}
	if err := zp.Err(); err != nil || len(out) == 0 {
		t.Fatalf("trust anchors %q: %v", l.TrustAnchors(), err)
	}
	return out
}

// validatedDS fetches the DS RRset for child from the parent server addr
// and checks its signature with the parent's keys.
func validatedDS(t *testing.T, l *Lab, addr, parent, child string, parentKeys []*dns.DNSKEY, now time.Time) []*dns.DS {
	t.Helper()
	r := dnssecQuery(t, l, addr, child, dns.TypeDS)
	rrset, sigs := rrsetIn(r.Answer, child, dns.TypeDS)
	if err := verifySigs(rrset, sigs, parentKeys, parent, now); err != nil {
		t.Fatalf("DS %s @%s: %v\n%v", child, addr, err, r)
	}
	var out []*dns.DS
	for _, rr := range rrset {
		out = append(out, rr.(*dns.DS))
	}
	return out
}

// chain validates the root and test. from the trust anchor and returns
// test.'s keys.
func chain(t *testing.T, l *Lab, now time.Time) (rootKeys, testKeys []*dns.DNSKEY) {
	t.Helper()
	ta := anchors(t, l)
	for _, addr := range []string{"127.53.0.1", "127.53.0.2"} {
		keys, err := trustedKeys(t, l, addr, ".", ta, now)
		if err != nil {
			t.Fatal(err)
		}
		rootKeys = keys
	}
	ds := validatedDS(t, l, "127.53.0.1", ".", "test.", rootKeys, now)
	for _, addr := range []string{"127.53.1.1", "127.53.1.2"} {
		keys, err := trustedKeys(t, l, addr, "test.", ds, now)
		if err != nil {
			t.Fatal(err)
		}
		testKeys = keys
	}
	return rootKeys, testKeys
}

// nsecCovers reports whether nsec proves that name does not exist: name
// sorts strictly between the owner and the next name, or after the owner
// of the last NSEC in the chain.
func nsecCovers(nsec *dns.NSEC, name string) bool {
	owner, next := nsec.Hdr.Name, nsec.NextDomain
	if validate.Compare(owner, next) < 0 {
		return validate.Compare(owner, name) < 0 && validate.Compare(name, next) < 0
	}
	return validate.Compare(owner, name) < 0 || validate.Compare(name, next) < 0
}

// nsec3Hash returns the owner hash of an NSEC3 record, upper case.
func nsec3Hash(n *dns.NSEC3) string {
	return strings.ToUpper(strings.SplitN(n.Hdr.Name, ".", 2)[0])
}

func nsec3Matches(n *dns.NSEC3, name string) bool {
	return nsec3Hash(n) == dns.HashName(name, n.Hash, n.Iterations, n.Salt)
}

func nsec3Covers(n *dns.NSEC3, name string) bool {
	owner, next, h := nsec3Hash(n), n.NextDomain, dns.HashName(name, n.Hash, n.Iterations, n.Salt)
	if owner < next {
		return owner < h && h < next
	}
	return owner < h || h < next
}

// denialRecords returns the NSEC and NSEC3 records in section, each with
// its signature checked.
func denialRecords(section []dns.RR, keys []*dns.DNSKEY, zone string, now time.Time) ([]*dns.NSEC, []*dns.NSEC3, error) {
	var nsecs []*dns.NSEC
	var nsec3s []*dns.NSEC3
	for _, rr := range section {
		switch v := rr.(type) {
		case *dns.NSEC:
			nsecs = append(nsecs, v)
		case *dns.NSEC3:
			nsec3s = append(nsec3s, v)
		default:
			continue
		}
		rrset, sigs := rrsetIn(section, rr.Header().Name, rr.Header().Rrtype)
		if err := verifySigs(rrset, sigs, keys, zone, now); err != nil {
			return nil, nil, err
		}
	}
	if len(nsecs)+len(nsec3s) == 0 {
		return nil, nil, fmt.Errorf("%w: no NSEC or NSEC3", errDenial)
	}
	return nsecs, nsec3s, nil
}

// checkNXDOMAIN checks the proof that qname, a child of the apex zone, does
// not exist and no wildcard at the apex could have made it.
func checkNXDOMAIN(r *dns.Msg, qname, zone string, keys []*dns.DNSKEY, now time.Time) error {
	if r.Rcode != dns.RcodeNameError {
		return fmt.Errorf("%s: rcode %s, want NXDOMAIN", qname, dns.RcodeToString[r.Rcode])
	}
	soa, sigs := rrsetIn(r.Ns, zone, dns.TypeSOA)
	if err := verifySigs(soa, sigs, keys, zone, now); err != nil {
		return err
	}
	nsecs, nsec3s, err := denialRecords(r.Ns, keys, zone, now)
	if err != nil {
		return err
	}
	wildcard := "*." + zone
	if len(nsec3s) > 0 {
		// Closest encloser (the apex), next closer (qname), wildcard.
		if !slices.ContainsFunc(nsec3s, func(n *dns.NSEC3) bool { return nsec3Matches(n, zone) }) ||
			!slices.ContainsFunc(nsec3s, func(n *dns.NSEC3) bool { return nsec3Covers(n, qname) }) ||
			!slices.ContainsFunc(nsec3s, func(n *dns.NSEC3) bool { return nsec3Covers(n, wildcard) }) {
			return fmt.Errorf("%w: NSEC3 closest encloser proof for %s incomplete", errDenial, qname)
		}
		return nil
	}
	if !slices.ContainsFunc(nsecs, func(n *dns.NSEC) bool { return nsecCovers(n, qname) }) {
		return fmt.Errorf("%w: no NSEC covers %s", errDenial, qname)
	}
	if !slices.ContainsFunc(nsecs, func(n *dns.NSEC) bool { return nsecCovers(n, wildcard) }) {
		return fmt.Errorf("%w: no NSEC covers %s", errDenial, wildcard)
	}
	return nil
}

// checkNODATA checks the proof that qname exists but has no qtype RRset.
func checkNODATA(r *dns.Msg, qname string, qtype uint16, zone string, keys []*dns.DNSKEY, now time.Time) error {
	if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 {
		return fmt.Errorf("%s %s: not NODATA\n%v", qname, dns.TypeToString[qtype], r)
	}
	soa, sigs := rrsetIn(r.Ns, zone, dns.TypeSOA)
	if err := verifySigs(soa, sigs, keys, zone, now); err != nil {
		return err
	}
	nsecs, nsec3s, err := denialRecords(r.Ns, keys, zone, now)
	if err != nil {
		return err
	}
	for _, n := range nsecs {
		if strings.EqualFold(n.Hdr.Name, qname) && !slices.Contains(n.TypeBitMap, qtype) && !slices.Contains(n.TypeBitMap, dns.TypeCNAME) {
			return nil
		}
	}
	for _, n := range nsec3s {
		if nsec3Matches(n, qname) && !slices.Contains(n.TypeBitMap, qtype) && !slices.Contains(n.TypeBitMap, dns.TypeCNAME) {
			return nil
		}
	}
	return fmt.Errorf("%w: no NSEC or NSEC3 at %s without %s", errDenial, qname, dns.TypeToString[qtype])
}

// serverVerdict validates what one server of zone serves, given the DS
// set at the parent: the DNSKEY RRset, the SOA, NS and www A RRsets, the
// CDS and CDNSKEY RRsets or the proof that there are none, an NXDOMAIN and
// a NODATA proof.
func serverVerdict(t *testing.T, l *Lab, addr, zone string, ds []*dns.DS, now time.Time) (string, error) {
	t.Helper()
	keys, err := trustedKeys(t, l, addr, zone, ds, now)
	if err != nil {
		return verdictBogus, err
	}
	for _, q := range []struct {
		name  string
		qtype uint16
	}{{zone, dns.TypeSOA}, {zone, dns.TypeNS}, {"www." + zone, dns.TypeA}} {
		r := dnssecQuery(t, l, addr, q.name, q.qtype)
		rrset, sigs := rrsetIn(r.Answer, q.name, q.qtype)
		if err := verifySigs(rrset, sigs, keys, zone, now); err != nil {
			return verdictBogus, err
		}
	}
	// CDS and CDNSKEY, where the zone has them, are signed like the rest;
	// where it has none, it proves so.
	for _, qtype := range []uint16{dns.TypeCDS, dns.TypeCDNSKEY} {
		r := dnssecQuery(t, l, addr, zone, qtype)
		rrset, sigs := rrsetIn(r.Answer, zone, qtype)
		err := checkNODATA(r, zone, qtype, zone, keys, now)
		if len(rrset) > 0 {
			err = verifySigs(rrset, sigs, keys, zone, now)
		}
		if err != nil {
			return verdictBogus, err
		}
	}
	qname := "nx-" + strconv.Itoa(rand.IntN(1e6)) + "." + zone
	r := dnssecQuery(t, l, addr, qname, dns.TypeA)
	if len(r.Answer) > 0 && r.Rcode == dns.RcodeSuccess {
		// A wildcard at the apex answers every name: check its
		// signatures (their labels field says it was synthesised).
		rrset, sigs := rrsetIn(r.Answer, qname, dns.TypeA)
		if err := verifySigs(rrset, sigs, keys, zone, now); err != nil || len(sigs) == 0 || int(sigs[0].Labels) >= dns.CountLabel(qname) {
			return verdictBogus, fmt.Errorf("wildcard answer for %s: %v %v", qname, err, sigs)
		}
	} else if err := checkNXDOMAIN(r, qname, zone, keys, now); err != nil {
		return verdictBogus, err
	}
	r = dnssecQuery(t, l, addr, "www."+zone, dns.TypeTXT)
	if err := checkNODATA(r, "www."+zone, dns.TypeTXT, zone, keys, now); err != nil {
		return verdictBogus, err
	}
	// NSEC3 iterations above the validator's limit make the denials
	// insecure, not the positive answers this verdict is about.
	return verdictSecure, nil
}

// usableDS returns the DS records this validator can use: those of an
// algorithm miekg/dns verifies and a digest type it computes. A validator
// treats a zone whose DS records are all of other kinds as insecure (RFC
// 4035 section 5.2).
func usableDS(ds []*dns.DS) []*dns.DS {
	var out []*dns.DS
	for _, d := range ds {
		switch d.Algorithm {
		case dns.RSASHA1, dns.RSASHA1NSEC3SHA1, dns.RSASHA256, dns.RSASHA512, dns.ECDSAP256SHA256, dns.ECDSAP384SHA384, dns.ED25519:
		default:
			continue
		}
		switch d.DigestType {
		case dns.SHA1, dns.SHA256, dns.SHA384:
			out = append(out, d)
		}
	}
	return out
}

// parentDSUnion asks both test. servers for zone's DS RRset and returns
// the union of what they serve, each RRset validated with test.'s keys. A
// server without a DS must prove there is none.
func parentDSUnion(t *testing.T, l *Lab, zone string, testKeys []*dns.DNSKEY, now time.Time) []*dns.DS {
	t.Helper()
	return dsUnionAt(t, l, []string{"127.53.1.1", "127.53.1.2"}, "test.", zone, testKeys, now)
}

// dsUnionAt is parentDSUnion for a zone whose parent is parent, served
// by servers, with the parent's keys.
func dsUnionAt(t *testing.T, l *Lab, servers []string, parent, zone string, parentKeys []*dns.DNSKEY, now time.Time) []*dns.DS {
	t.Helper()
	var union []*dns.DS
	for _, server := range servers {
		r := dnssecQuery(t, l, server, zone, dns.TypeDS)
		if rrset, _ := rrsetIn(r.Answer, zone, dns.TypeDS); len(rrset) == 0 {
			if err := checkNODATA(r, zone, dns.TypeDS, parent, parentKeys, now); err != nil && !optOutProof(r, zone) {
				t.Fatalf("no DS for %s @%s, and no proof: %v", zone, server, err)
			}
			continue
		}
		for _, ds := range validatedDS(t, l, server, parent, zone, parentKeys, now) {
			if !slices.ContainsFunc(union, func(x *dns.DS) bool { return sameDS(x, ds) }) {
				union = append(union, ds)
			}
		}
	}
	return union
}

// zoneVerdict validates demo zone d from test.'s keys: insecure if test.
// proves there is no DS or has only DS records this validator cannot use,
// otherwise the worst verdict over its servers. When the test. servers
// disagree, the DS records of both count, as the probe counts them; a
// resolver that asked only the server without a DS would find the zone
// insecure.
func zoneVerdict(t *testing.T, l *Lab, d *demo, testKeys []*dns.DNSKEY, now time.Time) (string, map[string]error) {
	t.Helper()
	servers, parent, parentKeys := parentOf(t, l, d, testKeys, now)
	union := dsUnionAt(t, l, servers, parent, d.Name, parentKeys, now)
	if len(union) == 0 {
		return verdictInsecure, nil
	}
	ds := usableDS(union)
	if len(ds) == 0 {
		return verdictInsecure, map[string]error{"test.": fmt.Errorf("no usable DS among %v", union)}
	}
	verdict := verdictSecure
	problems := map[string]error{}
	for _, s := range d.servers {
		v, err := serverVerdict(t, l, s.addr, d.Name, ds, now)
		if err != nil {
			problems[s.addr] = err
		}
		switch {
		case v == verdictBogus:
			verdict = verdictBogus
		case v == verdictInsecure && verdict == verdictSecure:
			verdict = verdictInsecure
		}
	}
	return verdict, problems
}

func TestDNSSECVerdicts(t *testing.T) {
	l := startLab(t)
	now := time.Now()
	_, testKeys := chain(t, l, now)
	for _, z := range l.Zones() {
		t.Run(strings.TrimSuffix(z.Name, "."), func(t *testing.T) {
			got, problems := zoneVerdict(t, l, demoByName(t, z.Name), testKeys, now)
			if got != z.DNSSEC {
				t.Errorf("verdict %s, want %s; problems %v", got, z.DNSSEC, problems)
			}
			t.Logf("%s: %v", got, problems)
		})
	}
}

// sigsOver returns the RRSIGs in rrs.
func sigsOver(rrs []dns.RR) []*dns.RRSIG {
	var out []*dns.RRSIG
	for _, rr := range rrs {
		if sig, ok := rr.(*dns.RRSIG); ok {
			out = append(out, sig)
		}
	}
	return out
}

// zoneKeys returns the DNSKEY RRset addr serves for zone, unvalidated.
func zoneKeys(t *testing.T, l *Lab, addr, zone string) []*dns.DNSKEY {
	t.Helper()
	var out []*dns.DNSKEY
	for _, rr := range dnssecQuery(t, l, addr, zone, dns.TypeDNSKEY).Answer {
		if k, ok := rr.(*dns.DNSKEY); ok {
			out = append(out, k)
		}
	}
	return out
}

func keyTags(keys []*dns.DNSKEY) []uint16 {
	var out []uint16
	for _, k := range keys {
		out = append(out, k.KeyTag())
	}
	slices.Sort(out)
	return out
}

// parentDS returns the DS RRset test. serves for zone.
func parentDS(t *testing.T, l *Lab, zone string) []*dns.DS {
	t.Helper()
	var out []*dns.DS
	for _, rr := range dnssecQuery(t, l, "127.53.1.1", zone, dns.TypeDS).Answer {
		if ds, ok := rr.(*dns.DS); ok {
			out = append(out, ds)
		}
	}
	return out
}

func TestDNSSECHealthy(t *testing.T) {
	l := startLab(t)
	now := time.Now()
	_, testKeys := chain(t, l, now)
	const zone = "sec-healthy.test."

	t.Run("DS at test. matches the KSK", func(t *testing.T) {
		ds := parentDS(t, l, zone)
		var ksk *dns.DNSKEY
		for _, k := range zoneKeys(t, l, "127.53.30.1", zone) {
			if k.Flags == 257 {
				ksk = k
			}
		}
		if len(ds) != 1 || ksk == nil {
			t.Fatalf("DS %v, KSK %v", ds, ksk)
		}
		want := ksk.ToDS(dns.SHA256)
		if ds[0].KeyTag != want.KeyTag || ds[0].Algorithm != 13 || ds[0].DigestType != 2 || !strings.EqualFold(ds[0].Digest, want.Digest) {
			t.Errorf("DS %v, want %v", ds[0], want)
		}
	})

	t.Run("every RRSIG verifies", func(t *testing.T) {
		for _, addr := range []string{"127.53.30.1", "127.53.30.2"} {
			keys := zoneKeys(t, l, addr, zone)
			if got := keyTags(keys); len(got) != 2 {
				t.Fatalf("DNSKEY tags %v, want a KSK and a ZSK", got)
			}
			n := 0
			for _, q := range []struct {
				name  string
				qtype uint16
			}{
				{zone, dns.TypeSOA}, {zone, dns.TypeNS}, {zone, dns.TypeDNSKEY}, {zone, dns.TypeNSEC},
				{"www." + zone, dns.TypeA}, {"ns1." + zone, dns.TypeA}, {"nope." + zone, dns.TypeA},
				{"www." + zone, dns.TypeAAAA}, {zone, dns.TypeMX}, {zone, dns.TypeANY}, {zone, dns.TypeDS},
			} {
				r := dnssecQuery(t, l, addr, q.name, q.qtype)
				for _, section := range [][]dns.RR{r.Answer, r.Ns} {
					for _, sig := range sigsOver(section) {
						rrset, _ := rrsetIn(section, sig.Hdr.Name, sig.TypeCovered)
						if err := verifySigs(rrset, []*dns.RRSIG{sig}, keys, zone, now); err != nil {
							t.Errorf("%s %s @%s: %v", q.name, dns.TypeToString[q.qtype], addr, err)
						}
						if sig.Hdr.Ttl != rrset[0].Header().Ttl || sig.OrigTtl < rrset[0].Header().Ttl {
							t.Errorf("RRSIG TTL %d, original %d; RRset TTL %d", sig.Hdr.Ttl, sig.OrigTtl, rrset[0].Header().Ttl)
						}
						n++
					}
				}
			}
			if n < 11 {
				t.Errorf("@%s: only %d RRSIGs", addr, n)
			}
		}
	})

	t.Run("chain from the trust anchor", func(t *testing.T) {
		ds := validatedDS(t, l, "127.53.1.2", "test.", zone, testKeys, now)
		for _, addr := range []string{"127.53.30.1", "127.53.30.2"} {
			if v, err := serverVerdict(t, l, addr, zone, ds, now); v != verdictSecure {
				t.Errorf("@%s: %s: %v", addr, v, err)
			}
		}
	})

	t.Run("NSEC chain in canonical order", func(t *testing.T) {
		// Walk the chain with NSEC queries from the apex.
		var owners []string
		for name := zone; len(owners) < 10; {
			r := dnssecQuery(t, l, "127.53.30.1", name, dns.TypeNSEC)
			if len(r.Answer) == 0 {
				t.Fatalf("no NSEC at %s\n%v", name, r)
			}
			nsec := r.Answer[0].(*dns.NSEC)
			owners = append(owners, nsec.Hdr.Name)
			if name = nsec.NextDomain; name == zone {
				break
			}
		}
		want := []string{zone, "ns1." + zone, "ns2." + zone, "www." + zone}
		if !slices.Equal(owners, want) {
			t.Errorf("NSEC chain %v, want %v", owners, want)
		}
		if !slices.IsSortedFunc(owners, validate.Compare) {
			t.Errorf("chain %v not in canonical order", owners)
		}
	})

	t.Run("NODATA at the apex and for an empty non-terminal", func(t *testing.T) {
		keys := zoneKeys(t, l, "127.53.30.1", zone)
		r := dnssecQuery(t, l, "127.53.30.1", zone, dns.TypeMX)
		if err := checkNODATA(r, zone, dns.TypeMX, zone, keys, now); err != nil {
			t.Error(err)
		}
		// root-servers.test. is an empty non-terminal of test.: the NSEC
		// that covers it proves NODATA.
		r = dnssecQuery(t, l, "127.53.1.1", "root-servers.test.", dns.TypeA)
		wantRcode(t, r, dns.RcodeSuccess)
		nsecs, _, err := denialRecords(r.Ns, testKeys, "test.", now)
		if err != nil || len(nsecs) != 1 || !nsecCovers(nsecs[0], "root-servers.test.") ||
			!dns.IsSubDomain("root-servers.test.", nsecs[0].NextDomain) {
			t.Errorf("empty non-terminal proof %v: %v\n%v", nsecs, err, r)
		}
	})
}

func TestDNSSECReferrals(t *testing.T) {
	l := startLab(t)
	now := time.Now()
	rootKeys, testKeys := chain(t, l, now)
	var testZSK uint16
	for _, k := range testKeys {
		if k.Flags == 256 {
			testZSK = k.KeyTag()
		}
	}

	t.Run("unsigned children: signed NSEC proves no DS", func(t *testing.T) {
		for _, d := range demos() {
			if d.ds != nil || d.parent != "" { // nested demos: their parent is not test.
				continue
			}
			for _, server := range []string{"127.53.1.1", "127.53.1.2"} {
				r := dnssecQuery(t, l, server, "www."+d.Name, dns.TypeA)
				wantAA(t, r, false)
				nsec, sigs := rrsetIn(r.Ns, d.Name, dns.TypeNSEC)
				if len(nsec) != 1 {
					t.Fatalf("%s @%s: no NSEC at the cut\n%v", d.Name, server, r)
				}
				bitmap := nsec[0].(*dns.NSEC).TypeBitMap
				if !slices.Contains(bitmap, dns.TypeNS) || slices.Contains(bitmap, dns.TypeDS) || slices.Contains(bitmap, dns.TypeSOA) {
					t.Errorf("%s: NSEC bitmap %v", d.Name, bitmap)
				}
				if len(sigs) != 1 || sigs[0].KeyTag != testZSK {
					t.Errorf("%s: NSEC signatures %v, want one by test.'s ZSK %d", d.Name, sigs, testZSK)
				}
				if err := verifySigs(nsec, sigs, testKeys, "test.", now); err != nil {
					t.Error(err)
				}
				if ds, _ := rrsetIn(r.Ns, d.Name, dns.TypeDS); len(ds) != 0 {
					t.Errorf("%s: DS in the referral", d.Name)
				}
			}
		}
	})

	t.Run("signed children: DS and RRSIG", func(t *testing.T) {
		for _, d := range demos() {
			if d.ds == nil || d.parent != "" { // nested demos: their parent is not test.
				continue
			}
			for _, server := range []string{"127.53.1.1", "127.53.1.2"} {
				r := dnssecQuery(t, l, server, d.Name, dns.TypeSOA)
				wantAA(t, r, false)
				ds, sigs := rrsetIn(r.Ns, d.Name, dns.TypeDS)
				nsec, nsecSigs := rrsetIn(r.Ns, d.Name, dns.TypeNSEC)
				if got := nsNames(t, r.Ns, d.Name); len(got) != 2 {
					t.Errorf("%s @%s: NS %v", d.Name, server, got)
				}
				if server == "127.53.1.2" && d.staleNoDS {
					// ns2.nic.test's older copy of test. proves there is none.
					if len(ds) != 0 || len(nsec) != 1 || slices.Contains(nsec[0].(*dns.NSEC).TypeBitMap, dns.TypeDS) {
						t.Errorf("%s @%s: want no DS and an NSEC without DS\n%v", d.Name, server, r)
					} else if err := verifySigs(nsec, nsecSigs, testKeys, "test.", now); err != nil {
						t.Error(err)
					}
					continue
				}
				if len(ds) != len(d.ds) {
					t.Errorf("%s @%s: %d DS records, want %d", d.Name, server, len(ds), len(d.ds))
				}
				if err := verifySigs(ds, sigs, testKeys, "test.", now); err != nil {
					t.Error(err)
				}
				if len(nsec) != 0 {
					t.Errorf("%s @%s: NSEC in a referral with DS", d.Name, server)
				}
			}
		}
	})

	t.Run("root to test. and example.", func(t *testing.T) {
		for _, tld := range []string{"test.", "example."} {
			r := dnssecQuery(t, l, "127.53.0.2", "www."+tld, dns.TypeA)
			ds, sigs := rrsetIn(r.Ns, tld, dns.TypeDS)
			if err := verifySigs(ds, sigs, rootKeys, ".", now); err != nil {
				t.Errorf("%s: %v", tld, err)
			}
		}
		// dns-host.example. is unsigned: example. proves it.
		exDS := validatedDS(t, l, "127.53.0.1", ".", "example.", rootKeys, now)
		exKeys, err := trustedKeys(t, l, "127.53.1.11", "example.", exDS, now)
		if err != nil {
			t.Fatal(err)
		}
		r := dnssecQuery(t, l, "127.53.1.12", "dns-host.example.", dns.TypeDS)
		if err := checkNODATA(r, "dns-host.example.", dns.TypeDS, "example.", exKeys, now); err != nil {
			t.Error(err)
		}
	})

	t.Run("glue and delegation NS are not signed", func(t *testing.T) {
		for _, qname := range []string{"ns1.healthy.test.", "ns1.sec-healthy.test."} {
			r := dnssecQuery(t, l, "127.53.1.1", qname, dns.TypeA)
			for _, sig := range append(sigsOver(r.Ns), sigsOver(r.Extra)...) {
				if sig.TypeCovered == dns.TypeNS || sig.TypeCovered == dns.TypeA {
					t.Errorf("%s: signature over %s", qname, dns.TypeToString[sig.TypeCovered])
				}
			}
			if len(sigsOver(r.Extra)) != 0 {
				t.Errorf("%s: RRSIG in the additional section", qname)
			}
		}
		// No NSEC for glue below a cut: test.'s chain skips it.
		r := dnssecQuery(t, l, "127.53.1.1", "healthy.test.", dns.TypeNSEC)
		if len(r.Answer) != 0 && r.Answer[0].(*dns.NSEC).NextDomain == "ns1.healthy.test." {
			t.Errorf("NSEC chain runs through glue\n%v", r)
		}
	})
}

func TestDNSSECNoDO(t *testing.T) {
	l := startLab(t)
	for _, q := range []struct {
		addr, name string
		qtype      uint16
	}{
		{"127.53.30.1", "sec-healthy.test.", dns.TypeSOA},
		{"127.53.30.1", "nope.sec-healthy.test.", dns.TypeA},
		{"127.53.30.1", "www.sec-healthy.test.", dns.TypeTXT},
		{"127.53.31.1", "nope.sec-nsec3.test.", dns.TypeA},
		{"127.53.1.1", "sec-healthy.test.", dns.TypeSOA},
		{"127.53.1.1", "healthy.test.", dns.TypeSOA},
		{"127.53.1.1", "healthy.test.", dns.TypeDS},
		{"127.53.0.1", "www.test.", dns.TypeA},
		{"127.53.0.1", "invalid.", dns.TypeA},
	} {
		r := queryDO(t, l, q.addr, q.name, q.qtype, false)
		for _, rr := range append(append(r.Answer, r.Ns...), r.Extra...) {
			switch rr.Header().Rrtype {
			case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3, dns.TypeDS:
				t.Errorf("%s %s @%s without DO: %v", q.name, dns.TypeToString[q.qtype], q.addr, rr)
			}
		}
		if opt := r.IsEdns0(); opt == nil || opt.Do() {
			t.Errorf("%s: reply OPT %v, want DO clear", q.name, opt)
		}
	}
	// DNSSEC data asked for by type is served without DO, unsigned.
	for _, qtype := range []uint16{dns.TypeDNSKEY, dns.TypeNSEC, dns.TypeNSEC3PARAM} {
		addr, zone := "127.53.30.1", "sec-healthy.test."
		if qtype == dns.TypeNSEC3PARAM {
			addr, zone = "127.53.31.1", "sec-nsec3.test."
		}
		r := queryDO(t, l, addr, zone, qtype, false)
		if len(r.Answer) == 0 || len(sigsOver(r.Answer)) != 0 {
			t.Errorf("%s %s without DO\n%v", zone, dns.TypeToString[qtype], r)
		}
	}
	if r := dnssecQuery(t, l, "127.53.30.1", "sec-healthy.test.", dns.TypeSOA); !r.IsEdns0().Do() {
		t.Error("reply to DO=1 has DO clear")
	}
	r := queryDO(t, l, "127.53.30.1", "sec-healthy.test.", dns.TypeRRSIG, false)
	if len(r.Answer) < 4 || len(sigsOver(r.Answer)) != len(r.Answer) {
		t.Errorf("RRSIG query: want the apex RRSIGs\n%v", r)
	}
}

func TestDNSSECNSEC3(t *testing.T) {
	l := startLab(t)
	now := time.Now()
	for _, tc := range []struct {
		zone, addr string
		iterations uint16
		salt       string
	}{
		{"sec-nsec3.test.", "127.53.31.1", 0, ""},
		{"sec-nsec3-iter.test.", "127.53.43.2", 200, "A1B2C3D4E5F60718"},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			keys := zoneKeys(t, l, tc.addr, tc.zone)
			r := dnssecQuery(t, l, tc.addr, tc.zone, dns.TypeNSEC3PARAM)
			param, sigs := rrsetIn(r.Answer, tc.zone, dns.TypeNSEC3PARAM)
			if err := verifySigs(param, sigs, keys, tc.zone, now); err != nil {
				t.Fatal(err)
			}
			p := param[0].(*dns.NSEC3PARAM)
			if p.Hash != 1 || p.Flags != 0 || p.Iterations != tc.iterations || !strings.EqualFold(p.Salt, tc.salt) || int(p.SaltLength) != len(tc.salt)/2 {
				t.Errorf("NSEC3PARAM %v", p)
			}
			for i := range 20 {
				qname := fmt.Sprintf("n%d.%s", i, tc.zone)
				r := dnssecQuery(t, l, tc.addr, qname, dns.TypeA)
				if err := checkNXDOMAIN(r, qname, tc.zone, keys, now); err != nil {
					t.Fatalf("%v\n%v", err, r)
				}
				for _, rr := range r.Ns {
					if n, ok := rr.(*dns.NSEC3); ok {
						if n.Iterations != tc.iterations || !strings.EqualFold(n.Salt, tc.salt) || n.Flags != 0 {
							t.Errorf("NSEC3 parameters %v", n)
						}
						if len(n.TypeBitMap) > 0 && !slices.Contains(n.TypeBitMap, dns.TypeRRSIG) {
							t.Errorf("NSEC3 bitmap without RRSIG: %v", n)
						}
					}
				}
			}
			// Every name has its NSEC3, at the hash dns.HashName gives.
			for _, name := range []string{tc.zone, "www." + tc.zone, "ns1." + tc.zone} {
				r := dnssecQuery(t, l, tc.addr, name, dns.TypeTXT)
				if err := checkNODATA(r, name, dns.TypeTXT, tc.zone, keys, now); err != nil {
					t.Errorf("%v\n%v", err, r)
				}
				n := r.Ns[len(r.Ns)-2].(*dns.NSEC3)
				if want := strings.ToLower(dns.HashName(name, 1, tc.iterations, tc.salt)) + "." + tc.zone; n.Hdr.Name != want {
					t.Errorf("NSEC3 for %s at %s, want %s", name, n.Hdr.Name, want)
				}
				if !n.Match(name) {
					t.Errorf("miekg: NSEC3 %s does not match %s", n.Hdr.Name, name)
				}
			}
			r = dnssecQuery(t, l, tc.addr, tc.zone, dns.TypeTXT)
			apex := r.Ns[len(r.Ns)-2].(*dns.NSEC3)
			for _, typ := range []uint16{dns.TypeNS, dns.TypeSOA, dns.TypeRRSIG, dns.TypeDNSKEY, dns.TypeNSEC3PARAM} {
				if !slices.Contains(apex.TypeBitMap, typ) {
					t.Errorf("apex NSEC3 bitmap %v lacks %s", apex.TypeBitMap, dns.TypeToString[typ])
				}
			}
		})
	}
}

// TestDNSSECFaults checks, zone by zone, that the fault the table
// describes is what the lab serves.
func TestDNSSECFaults(t *testing.T) {
	l := startLab(t)
	now := time.Now()
	_, testKeys := chain(t, l, now)
	// addr is the address of nsN of a demo zone.
	addr := func(zone string, n int) string { return demoByName(t, zone).servers[n-1].addr }
	// verdict validates one server of zone against the DS at test.
	verdict := func(t *testing.T, zone string, n int) (string, error) {
		t.Helper()
		ds := validatedDS(t, l, "127.53.1.1", "test.", zone, testKeys, now)
		return serverVerdict(t, l, addr(zone, n), zone, ds, now)
	}
	wantFail := func(t *testing.T, zone string, want error) {
		t.Helper()
		for n := 1; n <= 2; n++ {
			v, err := verdict(t, zone, n)
			if v != verdictBogus || !errors.Is(err, want) {
				t.Errorf("%s ns%d: %s (%v), want bogus with %v", zone, n, v, err, want)
			}
		}
	}
	soaSigs := func(t *testing.T, zone string) ([]dns.RR, []*dns.RRSIG) {
		t.Helper()
		r := dnssecQuery(t, l, addr(zone, 1), zone, dns.TypeSOA)
		return rrsetIn(r.Answer, zone, dns.TypeSOA)
	}
	near := func(ts uint32, want time.Time) bool {
		d := time.Unix(int64(ts), 0).Sub(want)
		return d > -time.Minute && d < time.Minute
	}

	t.Run("ed25519 and rsa", func(t *testing.T) {
		for zone, alg := range map[string]uint8{"sec-ed25519.test.": dns.ED25519, "sec-rsa.test.": dns.RSASHA256} {
			keys := zoneKeys(t, l, addr(zone, 1), zone)
			for _, k := range keys {
				if k.Algorithm != alg {
					t.Errorf("%s: key %d algorithm %d", zone, k.KeyTag(), k.Algorithm)
				}
				if alg == dns.RSASHA256 {
					if b, _ := base64.StdEncoding.DecodeString(k.PublicKey); len(b) < 256 {
						t.Errorf("%s: RSA key of %d bytes", zone, len(b))
					}
				}
			}
			if _, sigs := soaSigs(t, zone); len(sigs) != 1 || sigs[0].Algorithm != alg {
				t.Errorf("%s: SOA signatures %v", zone, sigs)
			}
		}
	})

	t.Run("expired", func(t *testing.T) {
		soa, sigs := soaSigs(t, "sec-expired.test.")
		keys := zoneKeys(t, l, addr("sec-expired.test.", 1), "sec-expired.test.")
		if len(sigs) != 1 || !near(sigs[0].Expiration, now.Add(-2*day)) || !near(sigs[0].Inception, now.Add(-16*day)) {
			t.Fatalf("SOA signatures %v, want one valid from 16 days ago until 2 days ago", sigs)
		}
		if err := verifySigs(soa, sigs, keys, "sec-expired.test.", now.Add(-3*day)); err != nil {
			t.Errorf("signature does not verify inside its window: %v", err)
		}
		wantFail(t, "sec-expired.test.", errSigExpired)
	})

	t.Run("future", func(t *testing.T) {
		soa, sigs := soaSigs(t, "sec-future.test.")
		keys := zoneKeys(t, l, addr("sec-future.test.", 1), "sec-future.test.")
		if len(sigs) != 1 || !near(sigs[0].Inception, now.Add(2*day)) || !near(sigs[0].Expiration, now.Add(16*day)) {
			t.Fatalf("SOA signatures %v, want one valid from 2 days on", sigs)
		}
		if err := verifySigs(soa, sigs, keys, "sec-future.test.", now.Add(3*day)); err != nil {
			t.Errorf("signature does not verify inside its window: %v", err)
		}
		wantFail(t, "sec-future.test.", errSigPremature)
	})

	t.Run("badsig", func(t *testing.T) {
		const zone = "sec-badsig.test."
		wantFail(t, zone, errSigInvalid)
		// Only the SOA is broken: the DNSKEY RRset and NS validate.
		ds := validatedDS(t, l, "127.53.1.1", "test.", zone, testKeys, now)
		keys, err := trustedKeys(t, l, addr(zone, 1), zone, ds, now)
		if err != nil {
			t.Fatal(err)
		}
		r := dnssecQuery(t, l, addr(zone, 2), zone, dns.TypeNS)
		if ns, sigs := rrsetIn(r.Answer, zone, dns.TypeNS); verifySigs(ns, sigs, keys, zone, now) != nil {
			t.Error("NS signature does not verify")
		}
	})

	t.Run("DS wrong digest", func(t *testing.T) {
		const zone = "sec-ds-wrong-digest.test."
		ds := parentDS(t, l, zone)
		var ksk *dns.DNSKEY
		for _, k := range zoneKeys(t, l, addr(zone, 1), zone) {
			if k.Flags == 257 {
				ksk = k
			}
		}
		if len(ds) != 1 || ksk == nil || ds[0].KeyTag != ksk.KeyTag() || ds[0].Algorithm != ksk.Algorithm || ds[0].DigestType != 2 ||
			strings.EqualFold(ds[0].Digest, ksk.ToDS(2).Digest) {
			t.Errorf("DS %v, want the KSK's tag and algorithm with another digest than %s", ds, ksk.ToDS(2).Digest)
		}
		wantFail(t, zone, errNoDSMatch)
	})

	t.Run("DS for an unpublished key", func(t *testing.T) {
		const zone = "sec-ds-unpublished.test."
		ds := parentDS(t, l, zone)
		if tags := keyTags(zoneKeys(t, l, addr(zone, 1), zone)); len(ds) != 1 || slices.Contains(tags, ds[0].KeyTag) {
			t.Errorf("DS %v, zone keys %v", ds, tags)
		}
		wantFail(t, zone, errNoDSMatch)
	})

	t.Run("unsigned child", func(t *testing.T) {
		const zone = "sec-unsigned-child.test."
		if len(parentDS(t, l, zone)) != 1 {
			t.Error("no DS at test.")
		}
		for n := 1; n <= 2; n++ {
			r := dnssecQuery(t, l, addr(zone, n), zone, dns.TypeSOA)
			if len(r.Answer) != 1 || len(sigsOver(r.Answer)) != 0 {
				t.Errorf("ns%d: want an unsigned SOA\n%v", n, r)
			}
			r = dnssecQuery(t, l, addr(zone, n), zone, dns.TypeDNSKEY)
			if len(r.Answer) != 0 {
				t.Errorf("ns%d: DNSKEY served", n)
			}
		}
		wantFail(t, zone, errNoDNSKEY)
	})

	t.Run("rollover, stale DS left", func(t *testing.T) {
		const zone = "sec-rollover-stale-ds.test."
		ds := parentDS(t, l, zone)
		keys := zoneKeys(t, l, addr(zone, 1), zone)
		matched := 0
		for _, d := range ds {
			if slices.ContainsFunc(keys, func(k *dns.DNSKEY) bool { return dsMatches(d, k) }) {
				matched++
			}
		}
		if len(ds) != 2 || matched != 1 || len(keys) != 2 {
			t.Errorf("%d DS, %d matching, %d keys; want 2, 1, 2", len(ds), matched, len(keys))
		}
		for n := 1; n <= 2; n++ {
			if v, err := verdict(t, zone, n); v != verdictSecure {
				t.Errorf("ns%d: %s: %v", n, v, err)
			}
		}
	})

	t.Run("rollover, DS not updated", func(t *testing.T) {
		const zone = "sec-rollover-broken.test."
		ds := parentDS(t, l, zone)
		stale := parentDS(t, l, "sec-rollover-stale-ds.test.")
		if len(ds) != 1 || slices.Contains(keyTags(zoneKeys(t, l, addr(zone, 1), zone)), ds[0].KeyTag) || len(stale) != 2 {
			t.Errorf("DS %v", ds)
		}
		wantFail(t, zone, errNoDSMatch)
	})

	t.Run("stale DNSKEY on ns2", func(t *testing.T) {
		const zone = "sec-stale-dnskey.test."
		k1, k2 := keyTags(zoneKeys(t, l, addr(zone, 1), zone)), keyTags(zoneKeys(t, l, addr(zone, 2), zone))
		if len(k1) != 2 || len(k2) != 2 || slices.Equal(k1, k2) {
			t.Fatalf("DNSKEY tags ns1 %v, ns2 %v: want two sets of two that differ", k1, k2)
		}
		for n, tags := range map[int][]uint16{1: k1, 2: k2} {
			r := dnssecQuery(t, l, addr(zone, n), zone, dns.TypeSOA)
			_, sigs := rrsetIn(r.Answer, zone, dns.TypeSOA)
			if len(sigs) != 1 || !slices.Contains(k1, sigs[0].KeyTag) || slices.Contains(tags, sigs[0].KeyTag) != (n == 1) {
				t.Errorf("ns%d: SOA signed by %v; keys ns1 %v, ns2 %v", n, sigs, k1, k2)
			}
		}
		if v, err := verdict(t, zone, 1); v != verdictSecure {
			t.Errorf("ns1: %s: %v", v, err)
		}
		if v, err := verdict(t, zone, 2); v != verdictBogus || !errors.Is(err, errSigNoKey) {
			t.Errorf("ns2: %s (%v), want bogus: signing key missing", v, err)
		}
	})

	t.Run("NSEC3 iterations", func(t *testing.T) {
		for n := 1; n <= 2; n++ {
			if v, err := verdict(t, "sec-nsec3-iter.test.", n); v != verdictSecure {
				t.Errorf("ns%d: %s (%v), want secure: positive answers validate", n, v, err)
			}
			r := dnssecQuery(t, l, addr("sec-nsec3-iter.test.", n), "nx.sec-nsec3-iter.test.", dns.TypeA)
			for _, rr := range r.Ns {
				if n3, ok := rr.(*dns.NSEC3); ok && n3.Iterations <= nsec3IterationLimit {
					t.Errorf("ns%d: NSEC3 %s has %d iterations, want above %d: the denials must be the insecure ones", n, n3.Hdr.Name, n3.Iterations, nsec3IterationLimit)
				}
			}
		}
	})

	cds := func(t *testing.T, zone string) ([]dns.RR, []*dns.RRSIG, []dns.RR, []*dns.RRSIG) {
		t.Helper()
		r := dnssecQuery(t, l, addr(zone, 1), zone, dns.TypeCDS)
		c, cs := rrsetIn(r.Answer, zone, dns.TypeCDS)
		r = dnssecQuery(t, l, addr(zone, 2), zone, dns.TypeCDNSKEY)
		k, ks := rrsetIn(r.Answer, zone, dns.TypeCDNSKEY)
		return c, cs, k, ks
	}

	t.Run("CDS mismatch", func(t *testing.T) {
		const zone = "sec-cds-mismatch.test."
		keys := zoneKeys(t, l, addr(zone, 1), zone)
		c, cs, k, ks := cds(t, zone)
		if len(c) != 1 || len(k) != 1 {
			t.Fatalf("CDS %v CDNSKEY %v", c, k)
		}
		cdsRR := &c[0].(*dns.CDS).DS
		ds := parentDS(t, l, zone)
		if len(ds) != 1 || sameDS(ds[0], cdsRR) || cdsRR.KeyTag == ds[0].KeyTag {
			t.Errorf("CDS %v equals DS %v", cdsRR, ds)
		}
		// The CDS is the new KSK's, which is published and signs the
		// DNSKEY RRset; CDNSKEY is the same key.
		newKSK := k[0].(*dns.CDNSKEY).DNSKEY
		newKSK.Hdr.Rrtype = dns.TypeDNSKEY
		if !dsMatches(cdsRR, &newKSK) || !slices.Contains(keyTags(keys), newKSK.KeyTag()) {
			t.Errorf("CDS %v does not match the CDNSKEY key %d of %v", cdsRR, newKSK.KeyTag(), keyTags(keys))
		}
		r := dnssecQuery(t, l, addr(zone, 1), zone, dns.TypeDNSKEY)
		rrset, sigs := rrsetIn(r.Answer, zone, dns.TypeDNSKEY)
		if err := verifySigs(rrset, sigs, []*dns.DNSKEY{&newKSK}, zone, now); err != nil || len(sigs) != 2 {
			t.Errorf("new KSK does not sign the DNSKEY RRset (%d signatures): %v", len(sigs), err)
		}
		if err := verifySigs(c, cs, keys, zone, now); err != nil {
			t.Error(err)
		}
		if err := verifySigs(k, ks, keys, zone, now); err != nil {
			t.Error(err)
		}
		if v, err := verdict(t, zone, 1); v != verdictSecure {
			t.Errorf("%s: %v", v, err)
		}
	})

	t.Run("CDS delete", func(t *testing.T) {
		c, _, k, _ := cds(t, "sec-cds-delete.test.")
		if len(c) != 1 || len(k) != 1 {
			t.Fatalf("CDS %v CDNSKEY %v", c, k)
		}
		if d := c[0].(*dns.CDS); d.KeyTag != 0 || d.Algorithm != 0 || d.DigestType != 0 || d.Digest != "00" {
			t.Errorf("CDS %v, want 0 0 0 00", d)
		}
		if d := k[0].(*dns.CDNSKEY); d.Flags != 0 || d.Protocol != 3 || d.Algorithm != 0 || d.PublicKey != "AA==" {
			t.Errorf("CDNSKEY %v, want 0 3 0 AA==", d)
		}
	})

	t.Run("CDS signed by the ZSK only", func(t *testing.T) {
		const zone = "sec-cds-zsk-signed.test."
		ds := parentDS(t, l, zone)
		c, cs, k, ks := cds(t, zone)
		if len(c) != 1 || len(k) != 1 || len(ds) != 1 || !sameDS(&c[0].(*dns.CDS).DS, ds[0]) {
			t.Fatalf("CDS %v, DS %v: want equal", c, ds)
		}
		for _, sigs := range [][]*dns.RRSIG{cs, ks} {
			if len(sigs) != 1 || sigs[0].KeyTag == ds[0].KeyTag {
				t.Errorf("signatures %v: want one, not by the DS key %d", sigs, ds[0].KeyTag)
			}
		}
		keys := zoneKeys(t, l, addr(zone, 1), zone)
		if err := verifySigs(c, cs, keys, zone, now); err != nil {
			t.Error(err)
		}
		// The other zones sign CDS with the KSK too.
		_, cs, _, _ = cds(t, "sec-cds-mismatch.test.")
		if len(cs) != 3 {
			t.Errorf("sec-cds-mismatch.test. CDS has %d signatures, want 3 (two KSKs, the ZSK)", len(cs))
		}
	})

	t.Run("CDS and CDNSKEY differ between the servers", func(t *testing.T) {
		const zone = "sec-cds-drift.test."
		ds := parentDS(t, l, zone)
		if len(ds) != 1 {
			t.Fatalf("DS %v, want one", ds)
		}
		// Both servers publish the same DNSKEY RRset: the KSK the DS
		// matches, a new KSK and the ZSK. Both KSKs sign it on each.
		k1, k2 := zoneKeys(t, l, addr(zone, 1), zone), zoneKeys(t, l, addr(zone, 2), zone)
		if !slices.Equal(keyTags(k1), keyTags(k2)) || len(k1) != 3 {
			t.Fatalf("DNSKEY tags ns1 %v, ns2 %v: want the same three", keyTags(k1), keyTags(k2))
		}
		var current, next *dns.DNSKEY
		for _, k := range k1 {
			switch {
			case k.Flags != 257:
			case dsMatches(ds[0], k):
				current = k
			default:
				next = k
			}
		}
		if current == nil || next == nil {
			t.Fatalf("DS %v, keys %v: want a KSK the DS matches and one it does not", ds, k1)
		}
		// What each server asks the parent for: ns1 the current KSK, ns2
		// the new one.
		for n, want := range map[int]*dns.DNSKEY{1: current, 2: next} {
			r := dnssecQuery(t, l, addr(zone, n), zone, dns.TypeDNSKEY)
			rrset, sigs := rrsetIn(r.Answer, zone, dns.TypeDNSKEY)
			for _, k := range []*dns.DNSKEY{current, next} {
				if err := verifySigs(rrset, sigs, []*dns.DNSKEY{k}, zone, now); err != nil {
					t.Errorf("ns%d: DNSKEY RRset not signed by KSK %d: %v", n, k.KeyTag(), err)
				}
			}
			r = dnssecQuery(t, l, addr(zone, n), zone, dns.TypeCDS)
			c, cs := rrsetIn(r.Answer, zone, dns.TypeCDS)
			r = dnssecQuery(t, l, addr(zone, n), zone, dns.TypeCDNSKEY)
			k, ks := rrsetIn(r.Answer, zone, dns.TypeCDNSKEY)
			if len(c) != 1 || len(k) != 1 {
				t.Fatalf("ns%d: CDS %v CDNSKEY %v, want one each", n, c, k)
			}
			cdsRR := &c[0].(*dns.CDS).DS
			key := k[0].(*dns.CDNSKEY).DNSKEY
			key.Hdr.Rrtype = dns.TypeDNSKEY
			if !dsMatches(cdsRR, want) || key.KeyTag() != want.KeyTag() || key.PublicKey != want.PublicKey {
				t.Errorf("ns%d: CDS %v, CDNSKEY key %d; want both for KSK %d", n, cdsRR, key.KeyTag(), want.KeyTag())
			}
			if sameDS(cdsRR, ds[0]) != (n == 1) {
				t.Errorf("ns%d: CDS %v against DS %v: want equal on ns1 only", n, cdsRR, ds[0])
			}
			// Signed by both KSKs and the ZSK, so by the key the DS trusts.
			for _, set := range []struct {
				rrset []dns.RR
				sigs  []*dns.RRSIG
			}{{c, cs}, {k, ks}} {
				if len(set.sigs) != 3 {
					t.Errorf("ns%d: %d signatures over %s, want 3 (two KSKs, the ZSK)", n, len(set.sigs), dns.TypeToString[set.rrset[0].Header().Rrtype])
				}
				if err := verifySigs(set.rrset, set.sigs, []*dns.DNSKEY{current}, zone, now); err != nil {
					t.Errorf("ns%d: not signed by the DS key: %v", n, err)
				}
				if err := verifySigs(set.rrset, set.sigs, k1, zone, now); err != nil {
					t.Errorf("ns%d: %v", n, err)
				}
			}
			if v, err := verdict(t, zone, n); v != verdictSecure {
				t.Errorf("ns%d: %s: %v", n, v, err)
			}
		}
	})

	t.Run("DS for an algorithm the zone lacks", func(t *testing.T) {
		const zone = "sec-alg-ds-only.test."
		ds := parentDS(t, l, zone)
		var algs []uint8
		for _, d := range ds {
			algs = append(algs, d.Algorithm)
		}
		slices.Sort(algs)
		keys := zoneKeys(t, l, addr(zone, 1), zone)
		if !slices.Equal(algs, []uint8{13, 15}) || slices.ContainsFunc(keys, func(k *dns.DNSKEY) bool { return k.Algorithm != 13 }) {
			t.Errorf("DS algorithms %v, key tags %v", algs, keyTags(keys))
		}
		if v, err := verdict(t, zone, 2); v != verdictSecure {
			t.Errorf("%s: %v", v, err)
		}
	})

	t.Run("bad denial", func(t *testing.T) {
		const zone = "sec-bad-denial.test."
		wantFail(t, zone, errDenial)
		keys := zoneKeys(t, l, addr(zone, 1), zone)
		for _, qname := range []string{"a." + zone, "nope." + zone, "zzz." + zone} {
			r := dnssecQuery(t, l, addr(zone, 1), qname, dns.TypeA)
			nsecs, _, err := denialRecords(r.Ns, keys, zone, now)
			if err != nil || len(nsecs) != 1 || nsecCovers(nsecs[0], qname) {
				t.Errorf("%s: NSEC %v (%v), want one validly signed that does not cover the name", qname, nsecs, err)
			}
		}
		// NODATA is proved correctly.
		r := dnssecQuery(t, l, addr(zone, 1), "www."+zone, dns.TypeTXT)
		if err := checkNODATA(r, "www."+zone, dns.TypeTXT, zone, keys, now); err != nil {
			t.Error(err)
		}
	})

	t.Run("missing RRSIG", func(t *testing.T) {
		const zone = "sec-missing-rrsig.test."
		if soa, sigs := soaSigs(t, zone); len(soa) != 1 || len(sigs) != 0 {
			t.Errorf("SOA %v signatures %v, want the SOA unsigned", soa, sigs)
		}
		wantFail(t, zone, errSigMissing)
	})

	t.Run("DS on one test. server only", func(t *testing.T) {
		const zone = "sec-ds-drift.test."
		ds := validatedDS(t, l, "127.53.1.1", "test.", zone, testKeys, now)
		keys := zoneKeys(t, l, addr(zone, 1), zone)
		if len(ds) != 1 || !slices.ContainsFunc(keys, func(k *dns.DNSKEY) bool { return k.Flags == 257 && dsMatches(ds[0], k) }) {
			t.Errorf("ns1.nic.test: DS %v, want one for the KSK of %v", ds, keyTags(keys))
		}
		// ns2.nic.test's copy of test. is signed with test.'s keys and
		// proves that there is no DS.
		r := dnssecQuery(t, l, "127.53.1.2", zone, dns.TypeDS)
		if err := checkNODATA(r, zone, dns.TypeDS, "test.", testKeys, now); err != nil {
			t.Errorf("ns2.nic.test: %v\n%v", err, r)
		}
		if union := parentDSUnion(t, l, zone, testKeys, now); len(union) != 1 || !sameDS(union[0], ds[0]) {
			t.Errorf("DS union %v, want %v", union, ds)
		}
		for n := 1; n <= 2; n++ {
			if v, err := verdict(t, zone, n); v != verdictSecure {
				t.Errorf("ns%d: %s: %v", n, v, err)
			}
		}
	})

	t.Run("SOA signed with the wrong signer name", func(t *testing.T) {
		const zone = "sec-bad-signer.test."
		keys := zoneKeys(t, l, addr(zone, 1), zone)
		for n := 1; n <= 2; n++ {
			r := dnssecQuery(t, l, addr(zone, n), zone, dns.TypeSOA)
			soa, sigs := rrsetIn(r.Answer, zone, dns.TypeSOA)
			if len(sigs) != 1 || sigs[0].SignerName != "test." {
				t.Errorf("ns%d: SOA signatures %v, want one with signer test.", n, sigs)
				continue
			}
			// Only the signer name is wrong: the zone's ZSK made the
			// signature, as the same key at test. shows.
			var zsk *dns.DNSKEY
			for _, k := range keys {
				if k.KeyTag() == sigs[0].KeyTag && k.Flags == 256 {
					c := *k
					c.Hdr.Name = "test."
					zsk = &c
				}
			}
			if zsk == nil {
				t.Errorf("ns%d: SOA signed by key %d, not the zone's ZSK", n, sigs[0].KeyTag)
			} else if err := sigs[0].Verify(zsk, soa); err != nil {
				t.Errorf("ns%d: the signature does not verify even at test.: %v", n, err)
			}
			// The other RRsets are signed by the zone.
			r = dnssecQuery(t, l, addr(zone, n), zone, dns.TypeNS)
			if ns, sigs := rrsetIn(r.Answer, zone, dns.TypeNS); verifySigs(ns, sigs, keys, zone, now) != nil {
				t.Errorf("ns%d: NS signature does not verify", n)
			}
		}
		wantFail(t, zone, errSigSigner)
	})

	t.Run("SOA TTL longer than the signature lasts", func(t *testing.T) {
		const zone = "sec-long-ttl.test."
		const ttl = 30 * 24 * 3600
		soa, sigs := soaSigs(t, zone)
		if len(soa) != 1 || soa[0].Header().Ttl != ttl || len(sigs) != 1 || sigs[0].Hdr.Ttl != ttl || sigs[0].OrigTtl != ttl {
			t.Fatalf("SOA %v signatures %v, want TTL and original TTL %d", soa, sigs, ttl)
		}
		if !near(sigs[0].Expiration, now.Add(14*day)) {
			t.Errorf("signature expires %d, want in 14 days", sigs[0].Expiration)
		}
		// Negative answers carry the SOA with the minimum as its TTL; the
		// signature still verifies, with the original TTL.
		keys := zoneKeys(t, l, addr(zone, 2), zone)
		r := dnssecQuery(t, l, addr(zone, 2), "nope."+zone, dns.TypeA)
		if err := checkNXDOMAIN(r, "nope."+zone, zone, keys, now); err != nil {
			t.Error(err)
		}
		if soa, sigs := rrsetIn(r.Ns, zone, dns.TypeSOA); len(soa) != 1 || soa[0].Header().Ttl != 300 || len(sigs) != 1 || sigs[0].OrigTtl != ttl {
			t.Errorf("negative answer SOA %v signatures %v, want TTL 300, original TTL %d", soa, sigs, ttl)
		}
		for n := 1; n <= 2; n++ {
			if v, err := verdict(t, zone, n); v != verdictSecure {
				t.Errorf("ns%d: %s: %v", n, v, err)
			}
		}
	})

	t.Run("GOST DS only", func(t *testing.T) {
		const zone = "sec-unsupported.test."
		ds := parentDS(t, l, zone)
		var ksk *dns.DNSKEY
		for _, k := range zoneKeys(t, l, addr(zone, 1), zone) {
			if k.Flags == 257 {
				ksk = k
			}
		}
		if len(ds) != 1 || ksk == nil || ds[0].DigestType != dns.GOST94 || ds[0].KeyTag != ksk.KeyTag() || ds[0].Algorithm != ksk.Algorithm {
			t.Fatalf("DS %v, KSK %v: want one GOST DS for the KSK", ds, ksk)
		}
		// The digest is the KSK's (TestGOSTDS checks the hash against RFC 5933).
		if want := gostDS(ksk); want == nil || !strings.EqualFold(ds[0].Digest, want.Digest) {
			t.Errorf("DS digest %s, want %v", ds[0].Digest, want)
		}
		if len(usableDS(ds)) != 0 {
			t.Error("the GOST DS counts as usable")
		}
		// The zone is otherwise signed correctly: a SHA-256 DS for the same
		// KSK would make it secure.
		for n := 1; n <= 2; n++ {
			if v, err := serverVerdict(t, l, addr(zone, n), zone, []*dns.DS{ksk.ToDS(dns.SHA256)}, now); v != verdictSecure {
				t.Errorf("ns%d with a SHA-256 DS: %s: %v", n, v, err)
			}
		}
	})

	t.Run("DS for a revoked KSK", func(t *testing.T) {
		const zone = "sec-revoked-ksk.test."
		ds := parentDS(t, l, zone)
		r := dnssecQuery(t, l, addr(zone, 1), zone, dns.TypeDNSKEY)
		rrset, sigs := rrsetIn(r.Answer, zone, dns.TypeDNSKEY)
		var active, revoked *dns.DNSKEY
		for _, rr := range rrset {
			switch k := rr.(*dns.DNSKEY); k.Flags {
			case 257:
				active = k
			case 385:
				revoked = k
			}
		}
		if len(rrset) != 3 || active == nil || revoked == nil || len(ds) != 2 {
			t.Fatalf("DNSKEY %v, DS %v: want an active and a revoked KSK, a ZSK, and two DS", rrset, ds)
		}
		// test. has a DS for each KSK, the revoked one's over flags 385;
		// each KSK signs the DNSKEY RRset, the revoked one as RFC 5011
		// section 2.1 asks.
		var revokedDS []*dns.DS
		for _, k := range []*dns.DNSKEY{active, revoked} {
			i := slices.IndexFunc(ds, func(d *dns.DS) bool { return dsMatches(d, k) })
			if i < 0 {
				t.Errorf("no DS matches key %d (flags %d)", k.KeyTag(), k.Flags)
			} else if k == revoked {
				revokedDS = ds[i : i+1]
			}
			if err := verifySigs(rrset, sigs, []*dns.DNSKEY{k}, zone, now); err != nil {
				t.Errorf("key %d (flags %d): %v", k.KeyTag(), k.Flags, err)
			}
		}
		// The revoked key's DS alone leads nowhere; with both, the zone
		// validates through the active KSK.
		if _, err := trustedKeys(t, l, addr(zone, 1), zone, revokedDS, now); !errors.Is(err, errNoDSMatch) {
			t.Errorf("trusted through the revoked key's DS alone: %v", err)
		}
		for n := 1; n <= 2; n++ {
			if v, err := verdict(t, zone, n); v != verdictSecure {
				t.Errorf("ns%d: %s: %v", n, v, err)
			}
		}
	})

	t.Run("SHA-1 DS only", func(t *testing.T) {
		const zone = "sec-sha1-only.test."
		ds := parentDS(t, l, zone)
		keys := zoneKeys(t, l, addr(zone, 1), zone)
		if len(ds) != 1 || ds[0].DigestType != dns.SHA1 || !slices.ContainsFunc(keys, func(k *dns.DNSKEY) bool { return dsMatches(ds[0], k) }) {
			t.Errorf("DS %v, want one SHA-1 DS matching a key", ds)
		}
	})
}

func TestDNSSECClock(t *testing.T) {
	now := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
	l, err := Start(Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	for _, tc := range []struct {
		addr, zone            string
		inception, expiration time.Time
	}{
		{"127.53.0.1", ".", now.Add(-time.Hour), now.Add(14 * day)},
		{"127.53.30.2", "sec-healthy.test.", now.Add(-time.Hour), now.Add(14 * day)},
		{"127.53.34.1", "sec-expired.test.", now.Add(-16 * day), now.Add(-2 * day)},
		{"127.53.35.1", "sec-future.test.", now.Add(2 * day), now.Add(16 * day)},
	} {
		r := dnssecQuery(t, l, tc.addr, tc.zone, dns.TypeSOA)
		sigs := sigsOver(r.Answer)
		if len(sigs) != 1 || sigs[0].Inception != uint32(tc.inception.Unix()) || sigs[0].Expiration != uint32(tc.expiration.Unix()) {
			t.Errorf("%s: signatures %v, want %s to %s", tc.zone, sigs, tc.inception, tc.expiration)
		}
	}
	// At the lab's clock the chain validates; at the real one it does not.
	_, testKeys := chain(t, l, now)
	ds := validatedDS(t, l, "127.53.1.1", "test.", "sec-healthy.test.", testKeys, now)
	if v, err := serverVerdict(t, l, "127.53.30.1", "sec-healthy.test.", ds, now); v != verdictSecure {
		t.Errorf("%s: %v", v, err)
	}
	if _, err := trustedKeys(t, l, "127.53.0.1", ".", anchors(t, l), time.Now()); !errors.Is(err, errSigPremature) {
		t.Errorf("root DNSKEY at the real clock: %v, want not yet valid", err)
	}
}

func TestDNSSECTruncation(t *testing.T) {
	l := startLab(t)
	// An RSA-signed NXDOMAIN with its NSEC proof exceeds 512 bytes.
	q := new(dns.Msg)
	q.SetQuestion("nope.sec-rsa.test.", dns.TypeA)
	q.SetEdns0(512, true)
	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second, UDPSize: 4096}
	r, _, err := c.Exchange(q, net.JoinHostPort("127.53.33.1", strconv.Itoa(l.Port())))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Truncated || r.Len() > 512 {
		t.Errorf("UDP 512: TC=%v, %d bytes; want TC=1 within 512", r.Truncated, r.Len())
	}
	c.Net = "tcp"
	r, _, err = c.Exchange(q, net.JoinHostPort("127.53.33.1", strconv.Itoa(l.Port())))
	if err != nil {
		t.Fatal(err)
	}
	if r.Truncated || len(sigsOver(r.Ns)) < 2 || r.Len() <= 512 {
		t.Errorf("TCP: TC=%v, %d RRSIGs, %d bytes; want the whole signed answer", r.Truncated, len(sigsOver(r.Ns)), r.Len())
	}
	// Every DO answer the probe needs fits in 1232 bytes or is truncated.
	for _, qtype := range []uint16{dns.TypeDNSKEY, dns.TypeSOA, dns.TypeNS, dns.TypeANY} {
		q.SetQuestion("sec-rsa.test.", qtype)
		q.Extra = nil
		q.SetEdns0(1232, true)
		c.Net = "udp"
		r, _, err := c.Exchange(q, net.JoinHostPort("127.53.33.2", strconv.Itoa(l.Port())))
		if err != nil {
			t.Fatal(err)
		}
		if r.Len() > 1232 {
			t.Errorf("%s: %d bytes over UDP 1232", dns.TypeToString[qtype], r.Len())
		}
		t.Logf("sec-rsa.test. %s: %d bytes, TC=%v", dns.TypeToString[qtype], r.Len(), r.Truncated)
	}
}

func TestTrustAnchors(t *testing.T) {
	l := startLab(t)
	ta := anchors(t, l)
	keys := zoneKeys(t, l, "127.53.0.1", ".")
	if len(ta) != 1 || len(keys) != 2 {
		t.Fatalf("anchors %v, root keys %v", ta, keys)
	}
	for _, k := range keys {
		if dsMatches(ta[0], k) != (k.Flags == 257) {
			t.Errorf("anchor %v vs key %d flags %d", ta[0], k.KeyTag(), k.Flags)
		}
	}
	if !strings.HasPrefix(l.TrustAnchors(), ";") {
		t.Errorf("anchors %q", l.TrustAnchors())
	}
	// A second lab has its own keys.
	other, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if other.TrustAnchors() == l.TrustAnchors() {
		t.Error("two labs share a root key")
	}
}

func TestStartTime(t *testing.T) {
	var total time.Duration
	const n = 3
	for range n {
		start := time.Now()
		l, err := Start(Options{})
		if err != nil {
			t.Fatal(err)
		}
		total += time.Since(start)
		l.Close()
	}
	t.Logf("Start takes %s on average", total/n)
}

func TestKeys(t *testing.T) {
	specs := []keySpec{
		{id: "z./a", zone: "z.", alg: dns.ED25519, ksk: true},
		{id: "z./b", zone: "z.", alg: dns.ED25519},
		{id: "z./c", zone: "z.", alg: dns.ECDSAP256SHA256},
	}
	a, err := generateKeys(specs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := generateKeys(specs)
	if err != nil {
		t.Fatal(err)
	}
	if a["z./a"].dnskey.PublicKey != b["z./a"].dnskey.PublicKey || a["z./c"].dnskey.PublicKey == b["z./c"].dnskey.PublicKey {
		t.Error("Ed25519 keys should be fixed and ECDSA keys random")
	}
	if a["z./a"].dnskey.Flags != 257 || a["z./b"].dnskey.Flags != 256 {
		t.Error("flags")
	}
	if _, err := generateKeys(append(specs, specs[0])); err == nil {
		t.Error("duplicate key ID accepted")
	}
}

// parentOf returns the servers, name and validated keys of demo d's
// parent: test., or the demo zone d is nested under.
func parentOf(t *testing.T, l *Lab, d *demo, testKeys []*dns.DNSKEY, now time.Time) ([]string, string, []*dns.DNSKEY) {
	t.Helper()
	if d.parent == "" {
		return []string{"127.53.1.1", "127.53.1.2"}, "test.", testKeys
	}
	p := demoByName(t, d.parent)
	servers, parent, keys := parentOf(t, l, p, testKeys, now)
	ds := usableDS(dsUnionAt(t, l, servers, parent, p.Name, keys, now))
	pk, err := trustedKeys(t, l, p.servers[0].addr, p.Name, ds, now)
	if err != nil {
		t.Fatalf("keys of %s: %v", p.Name, err)
	}
	var addrs []string
	for _, s := range p.servers {
		addrs = append(addrs, s.addr)
	}
	return addrs, p.Name, pk
}

// optOutProof reports whether r denies zone's DS with an opt-out NSEC3
// that covers it (RFC 5155 section 7.2.7); its signatures are checked by
// the probe's validator, not here.
func optOutProof(r *dns.Msg, zone string) bool {
	for _, rr := range r.Ns {
		if n, ok := rr.(*dns.NSEC3); ok && n.Flags&1 != 0 && nsec3Covers(n, zone) {
			return true
		}
	}
	return false
}
