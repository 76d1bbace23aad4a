package probe

import (
	"fmt"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// rolloverNotes is what one address's DNSSEC check noted for the rollover
// classifier: which keys sign the zone's data, which algorithms its
// RRSIGs have, and the largest TTL it saw.
type rolloverNotes struct {
	dataSigners map[uint16]bool
	sigAlgs     map[uint8]int // data RRsets with an RRSIG of the algorithm
	dataRRsets  int
	maxTTL      uint32
}

// noteRollover records one judged RRset for the rollover classifier.
func (c *serverJudgement) noteRollover(qtype uint16, rrset []dns.RR, sigs []*dns.RRSIG, v validate.SigVerdict) {
	n := &c.out.roll
	if n.dataSigners == nil {
		n.dataSigners, n.sigAlgs = map[uint16]bool{}, map[uint8]int{}
	}
	for _, rr := range rrset {
		n.maxTTL = max(n.maxTTL, rr.Header().Ttl)
	}
	for _, s := range sigs {
		n.maxTTL = max(n.maxTTL, s.OrigTtl)
	}
	switch qtype {
	case dns.TypeDNSKEY, dns.TypeCDS, dns.TypeCDNSKEY:
		return // signed by the KSK: not the zone's data
	}
	n.dataRRsets++
	algs := map[uint8]bool{}
	for _, s := range sigs {
		algs[s.Algorithm] = true
	}
	for a := range algs {
		n.sigAlgs[a]++
	}
	for _, t := range v.KeyTags {
		n.dataSigners[t] = true
	}
}

// rolloverObsOf gathers the classifier's observation from what every
// checked address served (judgeServers calls it, pure). It returns nil
// when some answering address could not be checked, so that a key one
// address failed to serve is not taken for a key removed. A DS names a key
// by key tag and algorithm. The module's timings are filled in by the run.
func rolloverObsOf(o *dnssecObs, checked []*serverMaterial, d *DNSSECReport, now time.Time) *RolloverObs {
	answering := 0
	for _, s := range o.servers {
		if s.result != nil && s.result.Status == StatusOK && s.dnssec != nil {
			answering++
		}
	}
	if len(checked) == 0 || len(checked) < answering || len(d.DNSKEYs) == 0 {
		return nil
	}
	ro := RolloverObs{Now: now, SigAlgorithms: map[uint8]bool{}, CDSMatchesDS: d.CDSMatchesDS == nil || *d.CDSMatchesDS}
	dataSigners := map[uint16]bool{}
	var maxTTL uint32
	for _, s := range checked {
		for t := range s.roll.dataSigners {
			dataSigners[t] = true
		}
		maxTTL = max(maxTTL, s.roll.maxTTL)
		if len(s.keyset) > 0 {
			ro.DNSKEYTTL = max(ro.DNSKEYTTL, time.Duration(s.keyset[0].Hdr.Ttl)*time.Second)
		}
		for _, c := range s.cds {
			if c.Algorithm == 0 {
				ro.CDSDelete = true
				continue
			}
			ro.CDS = appendRollDS(ro.CDS, RolloverDS{c.KeyTag, c.Algorithm})
		}
		for _, k := range s.cdnskey {
			if k.Algorithm == 0 {
				ro.CDSDelete = true
				continue
			}
			ro.CDS = appendRollDS(ro.CDS, RolloverDS{cdnskeyAsKey(k).KeyTag(), k.Algorithm})
		}
	}
	// An algorithm covers the data everywhere when every address serves
	// an RRSIG of it over every data RRset it was asked for.
	for _, s := range checked {
		for a := range s.roll.sigAlgs {
			ro.SigAlgorithms[a] = true
		}
	}
	for a := range ro.SigAlgorithms {
		for _, s := range checked {
			if s.roll.sigAlgs[a] < s.roll.dataRRsets || s.roll.dataRRsets == 0 {
				ro.SigAlgorithms[a] = false
			}
		}
	}
	for _, rec := range d.DS {
		ro.DS = appendRollDS(ro.DS, RolloverDS{rec.KeyTag, rec.Algorithm})
	}
	for _, k := range d.DNSKEYs {
		rk := RolloverKey{Tag: k.KeyTag, Algorithm: k.Algorithm, SEP: k.Flags&dns.SEP != 0, Revoked: k.Flags&dns.REVOKE != 0,
			SignsKeySet: k.SignsKeySet, SignsData: dataSigners[k.KeyTag]}
		for _, x := range ro.DS {
			rk.HasDS = rk.HasDS || (x.Tag == k.KeyTag && x.Algorithm == k.Algorithm)
		}
		if k.Flags&dns.ZONE != 0 {
			ro.Keys = append(ro.Keys, rk)
		}
	}
	for _, rep := range o.parentDS {
		if rep.msg == nil {
			continue
		}
		for _, rr := range rep.msg.Answer {
			if rr.Header().Rrtype == dns.TypeDS {
				ro.DSTTL = max(ro.DSTTL, time.Duration(rr.Header().Ttl)*time.Second)
			}
		}
	}
	ro.MaxTTL = max(time.Duration(maxTTL)*time.Second, ro.DNSKEYTTL)
	return &ro
}

// judgeRollover classifies the zone's rollover state (rollover.go) with
// the Prober's memory of earlier probes, records it in the report and
// raises the classifier's findings. Nothing is said, and the memory is
// left alone, when the observation is partial or the validation budget
// ran out.
func (r *run) judgeRollover(d *DNSSECReport) {
	mem := r.p.Rollover
	if mem == nil || d == nil || d.rollObs == nil || r.val.Budget.Exhausted() {
		return
	}
	o := *d.rollObs
	o.Propagation, o.StuckAfter = r.m.RolloverPropagation, r.m.RolloverStuckAfter
	key := fmt.Sprintf("%d|%s", r.m.Port, r.report.Zone)
	h := mem.Observe(key, o.items(), r.now)
	rep, findings := classifyRollover(o, h)
	mem.SetState(key, rep)
	d.Rollover = &rep
	r.record(findings)
}

func appendRollDS(list []RolloverDS, d RolloverDS) []RolloverDS {
	for _, x := range list {
		if x == d {
			return list
		}
	}
	return append(list, d)
}
