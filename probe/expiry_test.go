package probe

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// signerModel is a signer re-signing each RRset on its own schedule: a
// new signature valid from signing−offset until signing+validity−jitter,
// replaced when it has refresh left (at the next run of the signer when
// run is set), until stall.
type signerModel struct {
	validity, refresh, offset, run time.Duration
	spread                         time.Duration // RRset i is first signed spread·i after epoch
	jitter                         time.Duration // RRset i's expiration is cut by (i·3h) mod jitter
	epoch, stall                   time.Time
	types                          []string
	ttl                            time.Duration
}

func (m signerModel) at(t time.Time) []sigTimes {
	until := t
	if !m.stall.IsZero() && m.stall.Before(t) {
		until = m.stall
	}
	var out []sigTimes
	for i, typ := range m.types {
		s := m.epoch.Add(time.Duration(i) * m.spread)
		var j time.Duration
		if m.jitter > 0 {
			j = (time.Duration(i) * 3 * time.Hour) % m.jitter
		}
		for {
			next := s.Add(m.validity - j - m.refresh)
			if m.run > 0 {
				next = m.epoch.Add((next.Sub(m.epoch) + m.run - 1) / m.run * m.run)
			}
			if next.After(until) {
				break
			}
			s = next
		}
		out = append(out, sigTimes{owner: "zone.test.", rtype: typ, inception: s.Add(-m.offset), expiration: s.Add(m.validity - j), ttl: m.ttl})
	}
	return out
}

var epoch = time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)

// defaultSigners models each signer's default policy as its documentation
// describes it (docs/configuration.md), with a zone whose largest TTL is
// an hour.
func defaultSigners() map[string]signerModel {
	types := []string{"SOA", "NS", "DNSKEY", "A", "TXT"}
	return map[string]signerModel{
		// BIND re-signs each RRset 5 days before it expires; RRsets
		// signed at different times stay spread.
		"bind": {validity: 14 * day, refresh: 5 * day, offset: time.Hour, spread: 6 * time.Hour, epoch: epoch, types: types, ttl: time.Hour},
		// Knot re-signs the zone propagation-delay + max TTL = 2h before
		// the earliest expiry.
		"knot": {validity: 14 * day, refresh: 2 * time.Hour, offset: 90 * time.Minute, epoch: epoch, types: types, ttl: time.Hour},
		// PowerDNS: signatures from a week back to two weeks ahead,
		// replaced every week.
		"powerdns": {validity: 14 * day, refresh: 7 * day, offset: 7 * day, epoch: epoch, types: types, ttl: time.Hour},
		// OpenDNSSEC: 14 days less up to 12 h of jitter, refreshed 3
		// days before expiry by a signer that runs every 2 hours.
		"opendnssec": {validity: 14 * day, refresh: 3 * day, offset: time.Hour, run: 2 * time.Hour, jitter: 12 * time.Hour, epoch: epoch, types: types, ttl: time.Hour},
	}
}

// TestHealthyDefaultCyclesNeverWarn drives a zone on each default policy
// through two full signing cycles, probed every 30 minutes: with the
// policy named, with nothing named on a cold start (no memory), and with
// nothing named but the memory learning; not one expiry finding.
func TestHealthyDefaultCyclesNeverWarn(t *testing.T) {
	for name, sm := range defaultSigners() {
		policy := signingPolicies[name]
		for _, mode := range []string{"named", "cold", "learning"} {
			t.Run(name+"/"+mode, func(t *testing.T) {
				mem := NewExpiryMemory(10)
				var lowest time.Duration = -1
				for now := epoch.Add(time.Hour); now.Before(epoch.Add(2*(sm.validity+sm.offset) + 2*day)); now = now.Add(30 * time.Minute) {
					sigs := sm.at(now)
					var p *SigningPolicy
					learned := time.Duration(0)
					switch mode {
					case "named":
						p = &policy
					case "learning":
						learned = mem.Learned("zone.test.")
					}
					rep, fs := judgeExpiry("zone.test.", sigs, p, learned, now)
					if len(fs) > 0 {
						t.Fatalf("%s: healthy zone raised %v: %s (report %+v)", now, checksOf(fs), fs[0].message, *rep)
					}
					mem.observe("zone.test.", sigs, now)
					f, _ := factsOf(sigs)
					if left := f.earliest.expiration.Sub(now); lowest < 0 || left < lowest {
						lowest = left
					}
				}
				// The model did reach its refresh point: the healthy
				// cycle went as low as the policy lets it.
				if lowest > sm.refresh+sm.run+30*time.Minute {
					t.Errorf("lowest time left %s, above the refresh margin %s: the cycle never reached a re-signing", lowest, sm.refresh)
				}
				if mode == "learning" && mem.Learned("zone.test.") == 0 {
					t.Errorf("two cycles seen and no margin learned")
				}
			})
		}
	}
}

// TestStalledSignerWarnsBeforeExpiry stops each default signer in the
// middle of its second cycle: with the policy named or learned, a
// warning comes no later than the refresh point less the grace; on a cold
// start no later than the smallest default margin less its grace; and
// signer_stalled comes with it once nothing at all was re-signed.
func TestStalledSignerWarnsBeforeExpiry(t *testing.T) {
	for name, sm := range defaultSigners() {
		policy := signingPolicies[name]
		for _, mode := range []string{"named", "cold", "learned"} {
			t.Run(name+"/"+mode, func(t *testing.T) {
				sm := sm
				sm.stall = epoch.Add(sm.validity + 3*day)
				mem := NewExpiryMemory(10)
				step := 30 * time.Minute
				var warnedLeft time.Duration
				stalled := false
				for now := epoch.Add(time.Hour); ; now = now.Add(step) {
					sigs := sm.at(now)
					var p *SigningPolicy
					learned := time.Duration(0)
					switch mode {
					case "named":
						p = &policy
					case "learned":
						learned = mem.Learned("zone.test.")
					}
					rep, fs := judgeExpiry("zone.test.", sigs, p, learned, now)
					mem.observe("zone.test.", sigs, now)
					f, _ := factsOf(sigs)
					left := f.earliest.expiration.Sub(now)
					if f.latest.expiration.Before(now) {
						break
					}
					if len(fs) > 0 && warnedLeft == 0 {
						if fs[0].check != CheckRRSIGExpiring {
							t.Fatalf("first finding %s, want rrsig_expiring", fs[0].check)
						}
						if now.Before(sm.stall) {
							t.Fatalf("%s: warned before the stall at %s: %s", now, sm.stall, fs[0].message)
						}
						warnedLeft = left
						if left < rep.Threshold-step {
							t.Errorf("warned with %s left, later than the threshold %s", left, rep.Threshold)
						}
						refresh := policy.refreshFor(time.Hour)
						switch mode {
						case "named":
							if left < refresh-policy.Grace-step {
								t.Errorf("warned with %s left; the refresh margin less grace is %s", left, refresh-policy.Grace)
							}
						case "learned":
							if left < refresh/2 {
								t.Errorf("warned with %s left, less than half the refresh margin %s", left, refresh)
							}
						}
					}
					if slices.Contains(checksOf(fs), CheckSignerStalled) {
						stalled = true
					}
				}
				if warnedLeft == 0 {
					t.Fatalf("the signer stopped and no warning came before expiry")
				}
				if !stalled {
					t.Errorf("no signer_stalled while every signature ran out")
				}
				t.Logf("first warning with %s left", warnedLeft)
			})
		}
	}
}

// TestExpiryAcceptance: the cases, on hand-built signatures.
func TestExpiryAcceptance(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	window := func(left, validity time.Duration) []sigTimes {
		exp := now.Add(left)
		return []sigTimes{
			{owner: "zone.test.", rtype: "SOA", inception: exp.Add(-validity), expiration: exp, ttl: time.Hour},
			{owner: "zone.test.", rtype: "NS", inception: exp.Add(-validity), expiration: exp, ttl: time.Hour},
		}
	}
	bind := signingPolicies["bind"]

	// 3 days left of 30: with a BIND-style policy named, both findings,
	// the stall dated two days back.
	_, fs := judgeExpiry("zone.test.", window(3*day, 30*day), &bind, 0, now)
	if got := checksOf(fs); !slices.Equal(got, []CheckID{CheckRRSIGExpiring, CheckSignerStalled}) {
		t.Fatalf("bind policy, 3 days left: %v", got)
	}
	if !strings.Contains(fs[1].message, "should have re-signed 2d ago") {
		t.Errorf("stall message does not date the missed refresh: %s", fs[1].message)
	}

	// The same zone with no policy named, after the exporter saw it
	// re-signed once with 5 days left.
	mem := NewExpiryMemory(10)
	before := now.Add(-25 * day)
	mem.observe("zone.test.", []sigTimes{{owner: "zone.test.", rtype: "NS", inception: before.Add(-25 * day), expiration: before.Add(5 * day)}}, before)
	mem.observe("zone.test.", []sigTimes{{owner: "zone.test.", rtype: "NS", inception: before, expiration: before.Add(30 * day)}}, before)
	if got := mem.Learned("zone.test."); got != 5*day {
		t.Fatalf("learned margin %s, want 5d", got)
	}
	rep, fs := judgeExpiry("zone.test.", window(3*day, 30*day), nil, mem.Learned("zone.test."), now)
	if got := checksOf(fs); !slices.Equal(got, []CheckID{CheckRRSIGExpiring, CheckSignerStalled}) || rep.MarginSource != MarginFromLearned {
		t.Fatalf("learned 5d margin, 3 days left: %v, source %s", got, rep.MarginSource)
	}
	// On a cold start the same zone is quiet: 3 days is above every
	// default policy's floor.
	if _, fs := judgeExpiry("zone.test.", window(3*day, 30*day), nil, 0, now); len(fs) != 0 {
		t.Errorf("cold start, 3 days left: %v", checksOf(fs))
	}

	// A 14-day zone with 30 minutes left warns on a cold start.
	rep, fs = judgeExpiry("zone.test.", window(30*time.Minute, 14*day), nil, 0, now)
	if !slices.Contains(checksOf(fs), CheckRRSIGExpiring) || rep.MarginSource != MarginFromDefault {
		t.Errorf("cold start, 30 minutes left: %v (source %s)", checksOf(fs), rep.MarginSource)
	}
	// A healthy Knot zone with 2 hours left (max TTL 1h) is quiet on a
	// cold start, and so is BIND at 6 days with its policy named.
	if _, fs := judgeExpiry("zone.test.", window(2*time.Hour, 14*day), nil, 0, now); len(fs) != 0 {
		t.Errorf("cold start, Knot zone with 2h left: %v", checksOf(fs))
	}
	if _, fs := judgeExpiry("zone.test.", window(6*day, 14*day), &bind, 0, now); len(fs) != 0 {
		t.Errorf("bind policy, 6 days left: %v", checksOf(fs))
	}
}

// TestColdThresholdIsTheSmallestDefault: on a cold start the threshold
// is Knot's (propagation delay + largest TTL, less its grace) while that
// is the smallest, and follows the TTL.
func TestColdThresholdIsTheSmallestDefault(t *testing.T) {
	for _, c := range []struct{ ttl, want time.Duration }{
		{time.Hour, time.Hour + 45*time.Minute},
		{5 * time.Minute, 50 * time.Minute},
		{day, day + 45*time.Minute},
	} {
		if _, got := coldThreshold(c.ttl); got != c.want {
			t.Errorf("largest TTL %s: cold threshold %s, want %s", c.ttl, got, c.want)
		}
	}
	// With TTLs so long that Knot's margin passes OpenDNSSEC's, the
	// smaller of them applies.
	if _, got := coldThreshold(4 * day); got != 3*day-3*time.Hour {
		t.Errorf("largest TTL 4d: cold threshold %s, want OpenDNSSEC's 69h", got)
	}
}

// TestExpiryMemoryIgnoresSOAAndKeepsTheSmallestMargin: an SOA re-signed
// at every zone change teaches nothing, and an RRset re-signed early
// (its data changed) does not raise the margin learned from the rest.
func TestExpiryMemoryIgnoresSOAAndKeepsTheSmallestMargin(t *testing.T) {
	mem := NewExpiryMemory(10)
	t0 := epoch
	sig := func(typ string, exp time.Time) sigTimes {
		return sigTimes{owner: "zone.test.", rtype: typ, inception: exp.Add(-14 * day), expiration: exp}
	}
	mem.observe("zone.test.", []sigTimes{sig("SOA", t0.Add(13*day)), sig("NS", t0.Add(6*day)), sig("A", t0.Add(13*day))}, t0)
	// The SOA is re-signed with 12 days left: nothing learned.
	t1 := t0.Add(day)
	mem.observe("zone.test.", []sigTimes{sig("SOA", t1.Add(14*day)), sig("NS", t0.Add(6*day)), sig("A", t0.Add(13*day))}, t1)
	if got := mem.Learned("zone.test."); got != 0 {
		t.Fatalf("learned %s from an SOA re-signed early", got)
	}
	// NS re-signed with 5 days left: learned.
	mem.observe("zone.test.", []sigTimes{sig("NS", t1.Add(14*day)), sig("A", t0.Add(13*day))}, t1)
	if got := mem.Learned("zone.test."); got != 5*day {
		t.Fatalf("learned %s, want 5d", got)
	}
	// A re-signed with 12 days left (its data changed): the margin stays.
	mem.observe("zone.test.", []sigTimes{sig("NS", t1.Add(14*day)), sig("A", t1.Add(14*day))}, t1)
	if got := mem.Learned("zone.test."); got != 5*day {
		t.Fatalf("learned %s after an early re-signing, want 5d", got)
	}
}

// TestExpiryMemoryIsBounded: past its size the least recently probed
// zone is forgotten.
func TestExpiryMemoryIsBounded(t *testing.T) {
	mem := NewExpiryMemory(3)
	for i := range 5 {
		zone := fmt.Sprintf("z%d.test.", i)
		mem.observe(zone, []sigTimes{{owner: zone, rtype: "NS", inception: epoch, expiration: epoch.Add(day)}}, epoch.Add(time.Duration(i)*time.Minute))
	}
	if mem.Len() != 3 {
		t.Fatalf("%d zones remembered, want 3", mem.Len())
	}
	mem.mu.Lock()
	defer mem.mu.Unlock()
	for _, gone := range []string{"z0.test.", "z1.test."} {
		if _, ok := mem.zones[gone]; ok {
			t.Errorf("%s, probed first, is still remembered", gone)
		}
	}
}

// TestLearnedMarginNeverLowersTheColdThreshold: a margin learned from a
// re-signing the probes saw late (an hour, for a Knot zone re-signed with
// two left) does not make the exporter warn later than on a cold start.
func TestLearnedMarginNeverLowersTheColdThreshold(t *testing.T) {
	now := epoch
	sigs := []sigTimes{{owner: "zone.test.", rtype: "NS", inception: now.Add(-14 * day), expiration: now.Add(90 * time.Minute), ttl: time.Hour}}
	rep, fs := judgeExpiry("zone.test.", sigs, nil, time.Hour, now)
	if rep.Threshold != time.Hour+45*time.Minute || rep.MarginSource != MarginFromLearned {
		t.Errorf("threshold %s (source %s), want the cold start's 1h45m", rep.Threshold, rep.MarginSource)
	}
	if !slices.Contains(checksOf(fs), CheckRRSIGExpiring) {
		t.Errorf("90 minutes left, learned margin 1h: %v, want rrsig_expiring", checksOf(fs))
	}
}

// TestInceptionSpreadTellsIncrementalFromWholeZoneSigners: BIND re-signs
// RRsets one at a time, so their inceptions spread; Knot signs the zone
// at once.
func TestInceptionSpreadTellsIncrementalFromWholeZoneSigners(t *testing.T) {
	signers := defaultSigners()
	now := epoch.Add(time.Hour)
	for name, want := range map[string]time.Duration{"bind": 24 * time.Hour, "knot": 0} {
		rep, _ := judgeExpiry("zone.test.", signers[name].at(now), nil, 0, now)
		if rep.InceptionSpread != want {
			t.Errorf("%s: inception spread %s, want %s", name, rep.InceptionSpread, want)
		}
	}
}
