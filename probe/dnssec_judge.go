package probe

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// The DNSSEC judgement: pure functions from what the chain walk, the
// parent servers and each zone address served to the DNSSEC report and its
// findings. They verify signatures and proofs with the validator (pure
// cryptography under the probe's budgets) and never send a query.

// dnssecObs is everything the probe observed for the DNSSEC verdict.
type dnssecObs struct {
	zone   string
	parent string // the parent zone, fully qualified
	// anchor is the closest trust anchor's zone; "" when none covers zone.
	anchor string
	// chain is the chain of trust from the anchor down to the parent, as
	// walked (unused when the zone is its own anchor).
	chain chainResult
	links []ChainLink
	// parentDS are the parent servers' replies to "<zone> DS".
	parentDS []dsReply
	// servers are the zone's answering addresses with their DNSSEC answers.
	servers []serverObs
	anchors *TrustAnchors
	records []RecordSpec
}

// dnssecJudge carries what every DNSSEC judgement needs: the validator
// (with the probe's budget) and the probe's clock reading.
type dnssecJudge struct {
	val *validate.Validator
	now time.Time
}

// judgeDNSSEC judges the zone's DNSSEC from the observations.
func (j dnssecJudge) judgeDNSSEC(o *dnssecObs) (*DNSSECReport, []raised) {
	d := &DNSSECReport{Status: DNSSECIndeterminate, Anchor: o.anchor}
	d.Chain = append(d.Chain, o.links...)
	if o.anchor == "" {
		d.Status = DNSSECInsecure
		d.Chain = append(d.Chain, ChainLink{Zone: o.zone, Status: DNSSECInsecure, Detail: "no trust anchor covers the zone"})
		return d, nil
	}
	var parentKeys []*dns.DNSKEY
	if o.anchor != o.zone {
		switch o.chain.status {
		case DNSSECInsecure:
			d.Status = DNSSECInsecure
			return d, nil
		case DNSSECBogus:
			d.Status = DNSSECBogus
			return d, []raised{raise(CheckChainBroken, "", "", "the chain of trust from %s breaks above %s: %s", zoneLabel(o.anchor), zoneLabel(o.zone), o.chain.detail)}
		case DNSSECIndeterminate:
			return d, nil
		}
		parentKeys = o.chain.keys
	}
	ds, status, fs := j.targetDS(o, parentKeys, d)
	if status != "" {
		d.Status = status
		return d, fs
	}
	return d, append(fs, j.judgeServers(o, ds, d)...)
}

// targetDS judges the DS RRsets the parent servers gave for the zone. It
// returns the DS records to trust, or a final status when the zone is
// insecure or bogus at the parent already.
func (j dnssecJudge) targetDS(o *dnssecObs, parentKeys []*dns.DNSKEY, d *DNSSECReport) ([]*dns.DS, DNSSECStatus, []raised) {
	zone := o.zone
	if o.anchor == zone {
		// The anchor's DS stand for the parent's: matchDS judges them.
		ds := o.anchors.DS[zone]
		for _, x := range ds {
			d.DS = append(d.DS, DSRecord{KeyTag: x.KeyTag, Algorithm: x.Algorithm, DigestType: x.DigestType, digest: x.Digest})
		}
		return ds, "", nil
	}
	t := j.tallyParentDS(zone, o.parent, o.parentDS, parentKeys)
	fs := t.findings
	if len(t.sets) > 1 {
		fs = append(fs, raise(CheckDSInconsistent, "", "", "the parent servers serve %d different DS sets for %s (%d with DS, %d without)", len(t.sets), zoneLabel(zone), t.withDS, t.withoutDS))
	}
	switch {
	case t.bad > 0 && t.bad == t.answered:
		return nil, DNSSECBogus, fs
	case t.bad > 0:
		// Resolvers that meet a bad answer retry another parent server,
		// so only some lookups fail: intermittent, judged on the rest.
		d.Intermittent = true
		fs = append(fs, raise(CheckDNSSECIntermittent, "", "", "%d of %d parent servers that answered serve a DS answer for %s that does not validate: validating resolvers SERVFAIL it whenever they ask those",
			t.bad, t.answered, zoneLabel(zone)))
	case t.answered == 0:
		return nil, DNSSECIndeterminate, fs
	}
	if len(t.union) == 0 {
		d.Chain = append(d.Chain, ChainLink{Zone: zone, Status: DNSSECInsecure, Detail: "no DS at the parent: the zone is not signed, or not secured"})
		return nil, DNSSECInsecure, fs
	}
	for _, ds := range t.union {
		d.DS = append(d.DS, DSRecord{KeyTag: ds.KeyTag, Algorithm: ds.Algorithm, DigestType: ds.DigestType, digest: ds.Digest})
	}
	supported := validate.UsableDS(t.union)
	if len(supported) == 0 {
		fs = append(fs, raise(CheckUnsupportedAlgo, "", "", "every DS for %s uses an algorithm or digest type this exporter cannot validate (algorithms %v): validators treat the zone as insecure", zoneLabel(zone), dsAlgorithms(t.union)))
		d.Chain = append(d.Chain, ChainLink{Zone: zone, Status: DNSSECInsecure, Detail: "only unsupported DS algorithms or digest types"})
		return nil, DNSSECInsecure, fs
	}
	sha1Only := true
	for _, ds := range t.union {
		sha1Only = sha1Only && ds.DigestType == dns.SHA1
	}
	if sha1Only {
		fs = append(fs, raise(CheckDSDigestSHA1Only, "", "", "every DS for %s uses digest type 1 (SHA-1), which RFC 8624 says not to use; add a DS with digest type 2 (SHA-256)", zoneLabel(zone)))
	}
	return supported, "", fs
}

// dsTally is what the parent servers' DS replies add up to.
type dsTally struct {
	union                            []*dns.DS
	sets                             []string
	withDS, withoutDS, answered, bad int
	findings                         []raised
}

// tallyParentDS checks each parent server's DS reply, or its proof that
// there is none, with the parent's keys.
func (j dnssecJudge) tallyParentDS(zone, parent string, replies []dsReply, parentKeys []*dns.DNSKEY) dsTally {
	var t dsTally
	for _, rep := range replies {
		// A server that fails the query proves nothing either way:
		// resolvers ask another parent server (RFC 4035 section 5).
		if rep.err != nil || rep.msg == nil {
			t.findings = append(t.findings, raise(CheckParentServerError, rep.nameserver, rep.address, "parent zone server gave no answer to %s DS: %v", zoneLabel(zone), rep.err))
			continue
		}
		if rc := rep.msg.Rcode; rc != dns.RcodeSuccess && rc != dns.RcodeNameError {
			t.findings = append(t.findings, raise(CheckParentServerError, rep.nameserver, rep.address, "parent zone server answered %s DS with %s", zoneLabel(zone), dns.RcodeToString[rc]))
			continue
		}
		t.answered++
		dsSet, sigs := validate.SplitSigs(rep.msg.Answer, zone, dns.TypeDS)
		if len(dsSet) == 0 {
			dv := j.val.VerifyDenial(rep.msg, parent, zone, dns.TypeDS, parentKeys, j.now)
			if !dv.Valid {
				t.findings = append(t.findings, raise(checkOf(dv.Reason), rep.nameserver, rep.address, "the parent server's proof that %s has no DS does not hold: %s", zoneLabel(zone), dv.Detail))
				t.bad++
				continue
			}
			t.withoutDS++
			t.sets = appendUnique(t.sets, "")
			continue
		}
		if v := j.val.VerifyRRset(dsSet, sigs, parentKeys, parent, j.now); !v.Valid {
			t.findings = append(t.findings, raise(checkOf(v.Reason), rep.nameserver, rep.address, "the DS RRset for %s from this parent server does not validate: %s", zoneLabel(zone), v.Detail))
			t.bad++
			continue
		}
		t.withDS++
		var desc []string
		for _, rr := range dsSet {
			ds := rr.(*dns.DS)
			desc = append(desc, strings.ToLower(ds.String()[len(ds.Hdr.String()):]))
			if !slices.ContainsFunc(t.union, func(x *dns.DS) bool { return sameDS(x, ds) }) {
				t.union = append(t.union, ds)
			}
		}
		sort.Strings(desc)
		t.sets = appendUnique(t.sets, strings.Join(desc, ","))
	}
	return t
}

// judgeServers judges every answering address's DNSSEC material with the
// DS set, then compares them: the zone's status, keys, CDS and NSEC3.
func (j dnssecJudge) judgeServers(o *dnssecObs, ds []*dns.DS, d *DNSSECReport) []raised {
	var fs []raised
	var checked []*serverMaterial
	for i := range o.servers {
		s := &o.servers[i]
		if s.result == nil || s.result.Status != StatusOK || s.dnssec == nil {
			continue
		}
		c := j.judgeServer(o, s, ds)
		fs = append(fs, c.findings...)
		if !c.out.checked {
			continue
		}
		checked = append(checked, c.out)
		d.Signatures = append(d.Signatures, c.obs...)
		d.Denials = append(d.Denials, c.denied...)
	}
	for _, sig := range d.Signatures {
		if !sig.Expiration.IsZero() && (d.EarliestExpiration.IsZero() || sig.Expiration.Before(d.EarliestExpiration)) {
			d.EarliestExpiration = sig.Expiration
		}
	}
	if len(checked) == 0 {
		return fs
	}
	fs = append(fs, compareKeys(o.zone, ds, checked, d)...)
	fs = append(fs, compareCDS(o.zone, ds, checked, d)...)
	d.rollObs = rolloverObsOf(o, checked, d, j.now)
	return append(fs, zoneStatus(o.zone, checked, d)...)
}

// zoneStatus is the verdict over the checked addresses, and the NSEC3
// parameters' findings (RFC 9276).
func zoneStatus(zone string, checked []*serverMaterial, d *DNSSECReport) []raised {
	var fs []raised
	secure := 0
	for _, s := range checked {
		if s.secure {
			secure++
		}
		if s.nsec3 != nil && d.NSEC3 == nil {
			d.NSEC3 = s.nsec3
		}
	}
	switch {
	case secure == len(checked):
		d.Status = DNSSECSecure
	case secure == 0:
		d.Status = DNSSECBogus
	default:
		d.Status = DNSSECBogus
		d.Intermittent = true
		fs = append(fs, raise(CheckDNSSECIntermittent, "", "", "%d of %d nameserver addresses serve data that validates and %d do not: validating resolvers SERVFAIL %s whenever they ask the others",
			secure, len(checked), len(checked)-secure, zoneLabel(zone)))
	}
	if d.NSEC3 != nil {
		// Above the validators' limits only denials are downgraded
		// (judgeNSEC3): the status of positive answers stands.
		for _, f := range judgeNSEC3(d.NSEC3) {
			fs = append(fs, raise(f.check, "", "", "%s", f.message))
		}
	}
	return fs
}
