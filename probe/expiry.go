package probe

import (
	"fmt"
	"strings"
	"time"
)

// Signature expiry judged against the signer's rhythm. A signer replaces
// each signature when the time it has left falls below its refresh
// margin: BIND's default dnssec-policy 5 days before a 14-day signature
// expires, Knot DNS one propagation delay plus the zone's largest TTL
// before, so a healthy Knot zone routinely has two hours left while a
// BIND zone with two hours left has been stalled for five days. The
// judgement here is pure: observations of the signatures served, the
// policy the module names (or none), and what the Prober remembers of
// the zone's last re-signing (expiry_memory.go).

// Policy sources: where the refresh margin a zone is judged by came from.
// The set is closed: it is used as a label value.
const (
	MarginFromPolicy  = "policy"  // the module's signing_policy
	MarginFromLearned = "learned" // seen across probes: the remaining time at the last re-signing
	MarginFromDefault = "default" // cold start: the smallest margin any known default policy keeps
)

// MarginSources lists the margin sources in a fixed order.
var MarginSources = []string{MarginFromPolicy, MarginFromLearned, MarginFromDefault}

// SigningPolicy is what a signer does: how long its signatures are valid
// and how long before their expiration it replaces them.
type SigningPolicy struct {
	// Name is "bind", "knot", "powerdns", "opendnssec", or "custom" for
	// explicit durations.
	Name string
	// Validity is the lifetime of a new signature, informational.
	Validity time.Duration
	// Refresh is the remaining time at which the signer replaces a
	// signature. Zero with Name "knot" means Knot's default: its
	// propagation delay plus the zone's largest TTL (knotPropagation +
	// the largest TTL seen).
	Refresh time.Duration
	// Grace is the slack allowed past the refresh point before a
	// signature is overdue: how often the signer runs, and the time a
	// re-signed zone takes to reach every server.
	Grace time.Duration
}

// knotPropagation is Knot DNS's default propagation-delay.
const knotPropagation = time.Hour

// defaultGrace is the slack for explicit durations and for BIND.
const defaultGrace = time.Hour

// Default signing policies, as each signer's documentation gives them
// (docs/configuration.md cites the sources).
var signingPolicies = map[string]SigningPolicy{
	// BIND 9.18+ dnssec-policy "default": signatures-validity 14d,
	// signatures-refresh 5d (lib/dns/include/dns/kasp.h).
	"bind": {Name: "bind", Validity: 14 * day, Refresh: 5 * day, Grace: defaultGrace},
	// Knot DNS 3.x: rrsig-lifetime 14d, rrsig-refresh = propagation-delay
	// (1h) + the zone's maximum TTL. Knot re-signs on schedule; the
	// grace is for the transfer to secondaries.
	"knot": {Name: "knot", Validity: 14 * day, Grace: 15 * time.Minute},
	// PowerDNS online signing: 3-week validity, inception the Thursday a
	// week back, replaced every Thursday (an hour after midnight UTC), so
	// a signature is served until it has 7 days left.
	"powerdns": {Name: "powerdns", Validity: 21 * day, Refresh: 7 * day, Grace: 2 * time.Hour},
	// OpenDNSSEC's kasp.xml: Validity P14D, Refresh P3D, the signer
	// running every Resign PT2H.
	"opendnssec": {Name: "opendnssec", Validity: 14 * day, Refresh: 3 * day, Grace: 3 * time.Hour},
}

const day = 24 * time.Hour

// PolicyNames lists the named policies signing_policy accepts.
var PolicyNames = []string{"bind", "knot", "powerdns", "opendnssec"}

// refreshFor is the policy's refresh margin for a zone whose largest TTL
// seen is maxTTL.
func (p SigningPolicy) refreshFor(maxTTL time.Duration) time.Duration {
	if p.Name == "knot" && p.Refresh == 0 {
		return knotPropagation + maxTTL
	}
	return p.Refresh
}

// sigTimes is one RRset's signature window as one address serves it.
type sigTimes struct {
	owner, rtype          string
	inception, expiration time.Time
	ttl                   time.Duration
}

// expiryFacts sums up the signatures of one probe.
type expiryFacts struct {
	earliest, latest sigTimes // by expiration
	newestInception  time.Time
	oldestInception  time.Time
	validity         time.Duration // longest expiration − inception
	maxTTL           time.Duration
}

func factsOf(sigs []sigTimes) (expiryFacts, bool) {
	var f expiryFacts
	ok := false
	for _, s := range sigs {
		if s.expiration.IsZero() || s.inception.IsZero() {
			continue
		}
		if !ok || s.expiration.Before(f.earliest.expiration) {
			f.earliest = s
		}
		if !ok || s.expiration.After(f.latest.expiration) {
			f.latest = s
		}
		ok = true
		if s.inception.After(f.newestInception) {
			f.newestInception = s.inception
		}
		if f.oldestInception.IsZero() || s.inception.Before(f.oldestInception) {
			f.oldestInception = s.inception
		}
		f.validity = max(f.validity, s.expiration.Sub(s.inception))
		f.maxTTL = max(f.maxTTL, s.ttl)
	}
	return f, ok
}

// ExpiryReport is the signing rhythm the probe judged the zone by.
type ExpiryReport struct {
	// Validity is the longest validity period (expiration − inception)
	// of the signatures seen.
	Validity time.Duration `json:"validity"`
	// NewestInception is the latest inception of any signature seen.
	NewestInception time.Time `json:"newest_inception"`
	// InceptionSpread is the newest inception less the oldest: zero for a
	// signer that signs the zone at once (Knot, PowerDNS), hours or days
	// for one that re-signs each RRset on its own schedule (BIND).
	InceptionSpread time.Duration `json:"inception_spread"`
	// Margin is the refresh margin applied, and MarginSource where it
	// came from (MarginFromPolicy, MarginFromLearned, MarginFromDefault).
	Margin       time.Duration `json:"refresh_margin"`
	MarginSource string        `json:"refresh_margin_source"`
	// Learned is the margin the Prober's memory learned, zero when none.
	Learned time.Duration `json:"learned_refresh_margin,omitempty"`
	// Policy names the module's signing_policy, empty without one.
	Policy string `json:"policy,omitempty"`
	// Threshold is the remaining time below which rrsig_expiring fires:
	// the margin less the grace.
	Threshold time.Duration `json:"threshold"`
}

// coldThreshold is the threshold without a named policy or a learned
// margin: the smallest one of every default policy, for a zone whose
// largest TTL seen is maxTTL. A zone on any default policy stays above it
// through its whole healthy cycle.
func coldThreshold(maxTTL time.Duration) (margin, threshold time.Duration) {
	first := true
	for _, name := range PolicyNames {
		p := signingPolicies[name]
		r := p.refreshFor(maxTTL)
		if t := r - p.Grace; first || t < threshold {
			margin, threshold, first = r, t, false
		}
	}
	return margin, threshold
}

// learnedGrace is the slack for a learned margin: the probes that saw the
// re-signing may have come late, and the next re-signing may come a
// little later than the last.
func learnedGrace(margin time.Duration) time.Duration {
	return max(30*time.Minute, margin/10)
}

// judgeExpiry judges the signatures seen at now against the policy (nil
// when the module names none) or the learned margin (zero when none was
// learned). It raises rrsig_expiring when the earliest signature has less
// left than the threshold, and signer_stalled when even the latest has
// (but has not expired): then nothing was re-signed when it should have
// been.
func judgeExpiry(zone string, sigs []sigTimes, policy *SigningPolicy, learned time.Duration, now time.Time) (*ExpiryReport, []raised) {
	f, ok := factsOf(sigs)
	if !ok {
		return nil, nil
	}
	rep := &ExpiryReport{Validity: f.validity, NewestInception: f.newestInception,
		InceptionSpread: f.newestInception.Sub(f.oldestInception), Learned: learned}
	var grace time.Duration
	var rule string
	switch {
	case policy != nil:
		rep.Policy = policy.Name
		rep.Margin, rep.MarginSource, grace = policy.refreshFor(f.maxTTL), MarginFromPolicy, policy.Grace
		rule = fmt.Sprintf("the module's signing_policy %s re-signs %s before expiry", policy.Name, roundDuration(rep.Margin))
	case learned > 0:
		rep.Margin, rep.MarginSource, grace = learned, MarginFromLearned, learnedGrace(learned)
		rule = fmt.Sprintf("the zone was last seen re-signed with %s left", roundDuration(learned))
	default:
		var threshold time.Duration
		rep.Margin, threshold = coldThreshold(f.maxTTL)
		rep.MarginSource, grace = MarginFromDefault, rep.Margin-threshold
		rule = fmt.Sprintf("every default signing policy re-signs at least %s before expiry", roundDuration(rep.Margin))
	}
	rep.Threshold = rep.Margin - grace
	if policy == nil {
		// Learning only ever raises the threshold above the cold-start
		// one, which no default policy's healthy cycle goes below.
		_, cold := coldThreshold(f.maxTTL)
		if rep.Threshold < cold {
			rep.Threshold = cold
		}
	}
	var out []raised
	if left := f.earliest.expiration.Sub(now); left > 0 && left < rep.Threshold {
		out = append(out, raise(CheckRRSIGExpiring, "", "",
			"the signature over %s %s expires in %s (%s), below the refresh margin of %s: %s, so the signer missed its refresh",
			zoneLabel(f.earliest.owner), f.earliest.rtype, roundDuration(left), f.earliest.expiration.UTC().Format(time.RFC3339),
			roundDuration(rep.Margin), rule))
	}
	// Once every signature has expired, rrsig_expired says so.
	if latestLeft := f.latest.expiration.Sub(now); latestLeft > 0 && latestLeft < rep.Threshold {
		out = append(out, raise(CheckSignerStalled, "", "",
			"no signature of %s was replaced when it should have been: the newest (inception %s, %s ago) has %s left, so the signer should have re-signed %s ago (%s)",
			zoneLabel(zone), f.newestInception.UTC().Format(time.RFC3339), roundDuration(now.Sub(f.newestInception)),
			roundDuration(latestLeft), roundDuration(rep.Margin-latestLeft), rule))
	}
	return rep, out
}

// roundDuration writes d for people: days and hours past a day, minutes
// past an hour.
func roundDuration(d time.Duration) string {
	switch {
	case d >= day:
		d = d.Round(time.Hour)
		s := fmt.Sprintf("%dd", d/day)
		if h := (d % day) / time.Hour; h > 0 {
			s += fmt.Sprintf("%dh", h)
		}
		return s
	case d >= time.Hour:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	default:
		return d.Round(time.Second).String()
	}
}
