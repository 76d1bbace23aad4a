package collector

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// collectDNSSEC renders r.DNSSEC. It sends nothing when the probe did not
// check DNSSEC. Every labelled family is deduplicated on its label values:
// a repeated label set would make the registry reject the whole scrape.
func collectDNSSEC(r *probe.Report, gauge func(*prometheus.Desc, float64, ...string)) {
	d := r.DNSSEC
	if d == nil {
		return
	}

	for _, st := range probe.DNSSECStatuses {
		gauge(dnssecStatusDesc, boolValue(st == d.Status), string(st))
	}
	gauge(dnssecIntermittentDesc, boolValue(d.Intermittent))
	collectRollover(r, gauge)

	// Days from the probe's own clock, so a probe that ran near the end of
	// the scrape still says what it saw; without a clock there is no answer.
	if !d.EarliestExpiration.IsZero() && !r.Time.IsZero() {
		gauge(rrsigDaysDesc, d.EarliestExpiration.Sub(r.Time).Hours()/24)
	}
	collectExpiry(d.Expiry, gauge)

	for _, b := range []struct {
		desc *prometheus.Desc
		v    *bool
	}{
		{dsMatchesDNSKEYDesc, d.DSMatchesDNSKEY},
		{dnskeyConsistentDesc, d.DNSKEYConsistent},
		{cdsMatchesDSDesc, d.CDSMatchesDS},
	} {
		if b.v != nil {
			gauge(b.desc, boolValue(*b.v))
		}
	}

	keys := map[[3]string]bool{}
	for _, k := range d.DNSKEYs {
		l := [3]string{u16(k.KeyTag), u8(k.Algorithm), u16(k.Flags)}
		if !keys[l] {
			keys[l] = true
			gauge(dnskeyInfoDesc, 1, l[:]...)
		}
	}
	ds := map[[4]string]bool{}
	for _, x := range d.DS {
		l := [4]string{u16(x.KeyTag), u8(x.Algorithm), u8(x.DigestType), strconv.FormatBool(x.Matched)}
		if !ds[l] {
			ds[l] = true
			gauge(dsInfoDesc, 1, l[:]...)
		}
	}

	if n := d.NSEC3; n != nil {
		gauge(nsec3IterationsDesc, float64(n.Iterations))
		gauge(nsec3SaltDesc, float64(n.SaltLength))
		gauge(nsec3OptOutDesc, boolValue(n.OptOut))
		gauge(nsec3DenialsInsecureDesc, boolValue(n.DenialsInsecure))
	}

	// Several RRsets of one type at one address (the apex A and a `records`
	// entry's A, say) fold into one series: the earliest expiration, the
	// latest inception, and valid only if all of them are.
	type sigAgg struct {
		exp, inc time.Time
		valid    bool
	}
	sigs := map[[3]string]*sigAgg{}
	var sigOrder [][3]string
	for _, s := range d.Signatures {
		key := [3]string{s.Nameserver, s.Address, s.Type}
		a := sigs[key]
		if a == nil {
			a = &sigAgg{valid: true}
			sigs[key] = a
			sigOrder = append(sigOrder, key)
		}
		a.valid = a.valid && s.Valid
		if !s.Expiration.IsZero() && (a.exp.IsZero() || s.Expiration.Before(a.exp)) {
			a.exp = s.Expiration
		}
		if s.Inception.After(a.inc) {
			a.inc = s.Inception
		}
	}
	for _, key := range sigOrder {
		a := sigs[key]
		gauge(rrsigValidDesc, boolValue(a.valid), key[:]...)
		if !a.exp.IsZero() {
			gauge(rrsigExpirationDesc, unixSeconds(a.exp), key[:]...)
		}
		if !a.inc.IsZero() {
			gauge(rrsigInceptionDesc, unixSeconds(a.inc), key[:]...)
		}
	}

	denials := map[[2]string]bool{} // false once any observation is invalid
	var denialOrder [][2]string
	for _, x := range d.Denials {
		key := [2]string{x.Nameserver, x.Address}
		valid, seen := denials[key]
		if !seen {
			denialOrder = append(denialOrder, key)
			valid = true
		}
		denials[key] = valid && x.Valid
	}
	for _, key := range denialOrder {
		gauge(denialValidDesc, boolValue(denials[key]), key[:]...)
	}
}

func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

func u8(v uint8) string   { return strconv.FormatUint(uint64(v), 10) }
func u16(v uint16) string { return strconv.FormatUint(uint64(v), 10) }
