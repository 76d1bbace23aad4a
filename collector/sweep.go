package collector

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dnshealth/dnshealth_exporter/probe"
)

// The whole-zone sweep, from Report.Sweep: none of these exist for a
// module without a sweep, and those of a result only once one finished.
var (
	sweepLastAttemptDesc = newDesc(
		"dnshealth_sweep_last_attempt_success",
		"1 when the last attempt to transfer and check the whole zone succeeded, else 0.",
		nil)
	sweepAgeDesc = newDesc(
		"dnshealth_sweep_age_seconds",
		"Seconds from the start of the last whole-zone sweep that finished to this probe. Absent until one has finished.",
		nil)
	sweepDurationDesc = newDesc(
		"dnshealth_sweep_duration_seconds",
		"How long the last whole-zone sweep that finished took, transfer and validation, in seconds.",
		nil)
	sweepRecordsDesc = newDesc(
		"dnshealth_sweep_records",
		"Records the last whole-zone sweep received.",
		nil)
	sweepRRsetsDesc = newDesc(
		"dnshealth_sweep_rrsets",
		"Authoritative RRsets the last whole-zone sweep judged.",
		nil)
	sweepEarliestDesc = newDesc(
		"dnshealth_sweep_earliest_expiration_timestamp_seconds",
		"The first moment, as a Unix time, at which any RRset of the zone stops validating, as of the last whole-zone sweep. Absent for an unsigned zone.",
		nil)
	sweepExpiringDesc = newDesc(
		"dnshealth_sweep_rrsets_expiring",
		"RRsets whose signatures stop validating within the module's expiry_warning, as of the last whole-zone sweep.",
		nil)
	sweepUnsignedDesc = newDesc(
		"dnshealth_sweep_rrsets_unsigned",
		"Authoritative RRsets of the signed zone without any RRSIG, as of the last whole-zone sweep.",
		nil)
	sweepInvalidDesc = newDesc(
		"dnshealth_sweep_rrsets_invalid",
		"RRsets with RRSIGs of which none validates (expired, not yet valid, by a missing key, or not verifying), as of the last whole-zone sweep.",
		nil)
	sweepChainDesc = newDesc(
		"dnshealth_sweep_denial_chain_complete",
		"1 when the zone's NSEC or NSEC3 chain was complete at the last whole-zone sweep, else 0. Absent for an unsigned zone or when the chain could not be checked.",
		nil)
	sweepReorderedDesc = newDesc(
		"dnshealth_sweep_names_reordered",
		"Owner names whose records came back after leaving the sweep's window in the last transfer; raise the module's sweep window when not 0.",
		nil)
	sweepSerialDesc = newDesc(
		"dnshealth_sweep_primary_serial",
		"SOA serial of the zone the primary served at the last whole-zone sweep.",
		nil)
	sweepBehindDesc = newDesc(
		"dnshealth_sweep_serial_behind",
		"1 when this nameserver address serves an older SOA serial (RFC 1982) than the primary served at the last whole-zone sweep, else 0. Only for addresses with status ok.",
		[]string{"nameserver", "address"})
)

var sweepDescs = []*prometheus.Desc{
	sweepLastAttemptDesc, sweepAgeDesc, sweepDurationDesc, sweepRecordsDesc, sweepRRsetsDesc,
	sweepEarliestDesc, sweepExpiringDesc, sweepUnsignedDesc, sweepInvalidDesc, sweepChainDesc,
	sweepReorderedDesc, sweepSerialDesc, sweepBehindDesc,
}

// collectSweep renders r.Sweep.
func collectSweep(r *probe.Report, gauge func(*prometheus.Desc, float64, ...string)) {
	st := r.Sweep
	if st == nil {
		return
	}
	gauge(sweepLastAttemptDesc, boolValue(st.Error == "" && st.Result != nil))
	res := st.Result
	if res == nil {
		return
	}
	gauge(sweepAgeDesc, st.Age.Seconds())
	gauge(sweepDurationDesc, st.Duration.Seconds())
	gauge(sweepRecordsDesc, float64(res.Records))
	gauge(sweepRRsetsDesc, float64(res.RRsets))
	gauge(sweepReorderedDesc, float64(res.Reordered))
	gauge(sweepSerialDesc, float64(res.Serial))
	if res.Signed {
		if !res.EarliestExpiration.IsZero() {
			gauge(sweepEarliestDesc, float64(res.EarliestExpiration.Unix()))
		}
		gauge(sweepExpiringDesc, float64(res.Expiring))
		gauge(sweepUnsignedDesc, float64(res.Unsigned))
		gauge(sweepInvalidDesc, float64(res.Invalid))
		if res.ChainComplete != nil {
			gauge(sweepChainDesc, boolValue(*res.ChainComplete))
		}
	}
	behind := map[[2]string]bool{}
	for _, f := range r.Findings {
		if f.Check == probe.CheckSecondaryBehindPrimary {
			behind[[2]string{strings.TrimSuffix(f.Nameserver, "."), f.Address}] = true
		}
	}
	seen := map[[2]string]bool{}
	for _, s := range r.Servers {
		k := [2]string{strings.TrimSuffix(s.Nameserver, "."), s.Address}
		// The first observation of an address wins, as in Collect.
		first := !seen[k]
		seen[k] = true
		if !first || s.Status != probe.StatusOK {
			continue
		}
		gauge(sweepBehindDesc, boolValue(behind[k]), k[0], k[1])
	}
}
