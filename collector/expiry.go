package collector

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// The signing rhythm a zone's signatures were judged by (probe/expiry.go),
// from Report.DNSSEC.Expiry; none of these exist without a signature.
var (
	rrsigValidityDesc = newDesc(
		"dnshealth_rrsig_validity_seconds",
		"Longest validity period (expiration minus inception) of the signatures seen over the checked RRsets, in seconds: the signer's signature lifetime plus how far it back-dates inceptions.",
		nil)
	rrsigNewestInceptionDesc = newDesc(
		"dnshealth_rrsig_newest_inception_timestamp_seconds",
		"Latest inception, as a Unix time, of any signature seen over the checked RRsets: time() minus it is the age of the newest signature.",
		nil)
	rrsigInceptionSpreadDesc = newDesc(
		"dnshealth_rrsig_inception_spread_seconds",
		"Newest inception less the oldest over the signatures seen, in seconds: 0 for a signer that signs the whole zone at once, more for one that re-signs each RRset on its own schedule.",
		nil)
	rrsigRefreshMarginDesc = newDesc(
		"dnshealth_rrsig_refresh_margin_seconds",
		"The refresh margin the zone's signatures were judged by, in seconds: how long before expiry its signer replaces a signature. source is policy (the module's signing_policy), learned (seen across probes) or default (cold start: the smallest of every default policy's). One series.",
		[]string{"source"})
	rrsigLearnedMarginDesc = newDesc(
		"dnshealth_rrsig_learned_refresh_margin_seconds",
		"The refresh margin the exporter learned for the zone: the smallest time left at which it saw signatures replaced, over the last four re-signings. Absent until it has seen one; lost on restart.",
		nil)
	rrsigThresholdDesc = newDesc(
		"dnshealth_rrsig_expiry_threshold_seconds",
		"Time left, in seconds, below which the earliest-expiring signature raises rrsig_expiring (and the latest-expiring one signer_stalled): the refresh margin less the grace.",
		nil)
)

func init() {
	allDescs = append(allDescs, rrsigValidityDesc, rrsigNewestInceptionDesc, rrsigInceptionSpreadDesc, rrsigRefreshMarginDesc, rrsigLearnedMarginDesc, rrsigThresholdDesc)
}

// collectExpiry renders the signing rhythm of e; nothing when it is nil.
func collectExpiry(e *probe.ExpiryReport, gauge func(*prometheus.Desc, float64, ...string)) {
	if e == nil {
		return
	}
	gauge(rrsigValidityDesc, e.Validity.Seconds())
	gauge(rrsigNewestInceptionDesc, unixSeconds(e.NewestInception))
	gauge(rrsigInceptionSpreadDesc, e.InceptionSpread.Seconds())
	gauge(rrsigRefreshMarginDesc, e.Margin.Seconds(), e.MarginSource)
	if e.Learned > 0 {
		gauge(rrsigLearnedMarginDesc, e.Learned.Seconds())
	}
	gauge(rrsigThresholdDesc, e.Threshold.Seconds())
}
