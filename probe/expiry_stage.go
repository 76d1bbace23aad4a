package probe

import (
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// judgeRhythm is the expiry stage: it gathers the signature windows the
// zone's servers serve, judges them (judgeExpiry), records the verdict
// in d.Expiry and lets the Prober's memory learn from them. It runs after
// the DNSSEC judgement. When they validated no signature (the
// zone is insecure: no DS, or only DS the exporter cannot use; or the
// chain above it broke), the windows are read, unverified, from the
// RRSIGs over the SOA and NS that every server already sent, so that days
// to expiry is reported for every signed zone.
func judgeRhythm(p *Prober, m *Module, zone string, d *DNSSECReport, servers []serverObs, now time.Time) []raised {
	if d == nil {
		return nil
	}
	sigs := validatedWindows(d.Signatures)
	if len(sigs) == 0 {
		sigs = servedWindows(zone, servers, now)
		for _, s := range sigs {
			if d.EarliestExpiration.IsZero() || s.expiration.Before(d.EarliestExpiration) {
				d.EarliestExpiration = s.expiration
			}
		}
	}
	learned := p.Expiry.Learned(zone)
	er, findings := judgeExpiry(zone, sigs, m.signingPolicy, learned, now)
	d.Expiry = er
	p.Expiry.observe(zone, sigs, now)
	return findings
}

// validatedWindows are the windows of the signatures the DNSSEC checks
// examined.
func validatedWindows(obs []SignatureObs) []sigTimes {
	var out []sigTimes
	for _, o := range obs {
		if o.Expiration.IsZero() || o.Inception.IsZero() {
			continue
		}
		out = append(out, sigTimes{owner: o.Owner, rtype: o.Type, inception: o.Inception, expiration: o.Expiration,
			ttl: time.Duration(o.TTL) * time.Second})
	}
	return out
}

// servedWindows reads, without verifying them, the windows of the zone's
// own RRSIGs over its SOA and NS in the replies of the servers that
// answered. Of several RRSIGs over one RRset the latest expiration
// counts, as a validator would use the longest-lived valid one.
func servedWindows(zone string, servers []serverObs, now time.Time) []sigTimes {
	var out []sigTimes
	for _, s := range servers {
		if s.result == nil || s.result.Status != StatusOK {
			continue
		}
		for _, msg := range []*dns.Msg{s.soa, s.ns} {
			if msg == nil {
				continue
			}
			var w sigTimes
			for _, rr := range msg.Answer {
				sig, ok := rr.(*dns.RRSIG)
				if !ok || !dns.IsSubDomain(zone, sig.Hdr.Name) || !strings.EqualFold(sig.SignerName, zone) {
					continue
				}
				exp, inc := validate.SigTime(sig.Expiration, now), validate.SigTime(sig.Inception, now)
				if exp.After(w.expiration) {
					w = sigTimes{owner: dns.CanonicalName(sig.Hdr.Name), rtype: dns.TypeToString[sig.TypeCovered],
						inception: inc, expiration: exp, ttl: time.Duration(sig.Hdr.Ttl) * time.Second}
				}
			}
			if !w.expiration.IsZero() {
				out = append(out, w)
			}
		}
	}
	return out
}
