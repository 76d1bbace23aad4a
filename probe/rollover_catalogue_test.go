package probe

import (
	"testing"
	"time"
)

// rolloverCatalogue is the judgement catalogue's entries for the rollover
// checks: classifyRollover over hand-built observations and memories (the
// helpers are in rollover_test.go), each with its closest neighbour.
func rolloverCatalogue() []catalogueEntry {
	old := rollT0.Add(-7 * day) // the memory's start
	classify := func(o RolloverObs, h RolloverHistory) []raised {
		_, fs := classifyRollover(o, complete(o, h))
		return fs
	}
	// The new ZSK 201 signs alone, published 30 minutes or 3 hours ago
	// (DNSKEY TTL 1h + 1h propagation).
	zskSwap := func(published time.Time) func(*testing.T, *catFixture) []raised {
		return func(*testing.T, *catFixture) []raised {
			return classify(rollObs(rollT0, []RolloverKey{ksk(100, 13, true), zsk(200, 13, false), zsk(201, 13, true)}, RolloverDS{100, 13}),
				hist(map[string]Sighting{"data/13/200": goneAt(old, rollT0.Add(-10*time.Minute)), "key/13/201": at(published), "data/13/201": at(rollT0.Add(-10 * time.Minute))}))
		}
	}
	// ZSK 200 left an hour ago; ZSK 201 began signing 3 hours or 3 days
	// ago (the zone's largest TTL is a day).
	zskRemoved := func(began time.Time) func(*testing.T, *catFixture) []raised {
		return func(*testing.T, *catFixture) []raised {
			return classify(rollObs(rollT0, []RolloverKey{ksk(100, 13, true), zsk(201, 13, true)}, RolloverDS{100, 13}),
				hist(map[string]Sighting{"key/13/200": goneAt(old, rollT0.Add(-time.Hour)), "data/13/200": goneAt(old, rollT0.Add(-time.Hour)), "key/13/201": at(began.Add(-day)), "data/13/201": at(began)}))
		}
	}
	// Algorithm 15's DNSKEYs appeared an hour ago; its signatures covered
	// every RRset from an hour or 3 days ago.
	algKeys := func(sigs time.Time) func(*testing.T, *catFixture) []raised {
		return func(*testing.T, *catFixture) []raised {
			return classify(withSigAlg(rollObs(rollT0, []RolloverKey{ksk(100, 13, true), zsk(200, 13, true), ksk(300, 15, false), zsk(400, 15, true)}, RolloverDS{100, 13}), 15, true),
				hist(map[string]Sighting{"alg/15": at(sigs), "sigall/15": at(sigs), "key/15/300": at(rollT0.Add(-time.Hour)), "key/15/400": at(rollT0.Add(-time.Hour))}))
		}
	}
	// The CDS for KSK 101 has differed from the DS for 15 or 13 days.
	stuck := func(since time.Time) func(*testing.T, *catFixture) []raised {
		return func(*testing.T, *catFixture) []raised {
			o := withCDS(rollObs(rollT0, []RolloverKey{ksk(100, 13, true), ksk(101, 13, false), zsk(200, 13, true)}, RolloverDS{100, 13}), RolloverDS{101, 13})
			h := hist(map[string]Sighting{"key/13/101": at(since), "cds/13/101": at(since)})
			h.Since, h.State, h.StateSince, h.Started = rollT0.Add(-30*day), RolloverCDSPending, since, since
			return classify(o, h)
		}
	}
	return []catalogueEntry{
		{CheckRolloverNewKeyTooEarly, "a new ZSK signing alone 30 minutes after it was published, or 3 hours", zskSwap(rollT0.Add(-30 * time.Minute)), zskSwap(rollT0.Add(-3 * time.Hour))},
		{CheckRolloverRemovedTooEarly, "an old ZSK removed 2 hours after the new one began to sign, or 3 days", zskRemoved(rollT0.Add(-3 * time.Hour)), zskRemoved(rollT0.Add(-3 * day))},
		{CheckRolloverAlgorithmOrder, "a new algorithm's DNSKEYs published with its signatures, or 3 days after", algKeys(rollT0.Add(-time.Hour)), algKeys(rollT0.Add(-3 * day))},
		{CheckRolloverStuck, "a CDS pending for 15 days, or 13 (rollover_stuck_after 14 days)", stuck(rollT0.Add(-15 * day)), stuck(rollT0.Add(-13 * day))},
	}
}
