package probe

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Hand-built observations for the rollover classifier: a KSK 100 and a
// ZSK 200 of algorithm 13, a DS for the KSK, TTLs of an hour (DNSKEY), a
// day (DS) and a day (the zone's largest), an hour's propagation.
var rollT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// day is expiry.go's.
const hour = time.Hour

func ksk(tag uint16, alg uint8, ds bool) RolloverKey {
	return RolloverKey{Tag: tag, Algorithm: alg, SEP: true, SignsKeySet: true, HasDS: ds}
}

func zsk(tag uint16, alg uint8, signs bool) RolloverKey {
	return RolloverKey{Tag: tag, Algorithm: alg, SignsData: signs}
}

func rollObs(now time.Time, keys []RolloverKey, ds ...RolloverDS) RolloverObs {
	algs := map[uint8]bool{}
	for _, k := range keys {
		if k.SignsData {
			algs[k.Algorithm] = true
		}
	}
	return RolloverObs{Now: now, Keys: keys, DS: ds, CDSMatchesDS: true, SigAlgorithms: algs,
		DNSKEYTTL: hour, DSTTL: day, MaxTTL: day, Propagation: hour, StuckAfter: 14 * day}
}

// hist is a memory that began a week before T0 with the given sightings;
// a sighting with only First set is present.
func hist(seen map[string]Sighting) RolloverHistory {
	return RolloverHistory{Since: rollT0.Add(-7 * day), Seen: seen}
}

// complete adds what a memory always holds: every item of this probe,
// present since the memory's start unless the test says otherwise.
func complete(o RolloverObs, h RolloverHistory) RolloverHistory {
	for _, id := range o.items() {
		if _, ok := h.Seen[id]; !ok {
			h.Seen[id] = Sighting{First: h.Since, Last: o.Now}
		}
	}
	return h
}

// coldHistory is what the memory holds on the first probe of a zone.
func coldHistory(o RolloverObs) RolloverHistory {
	h := RolloverHistory{Since: o.Now, Seen: map[string]Sighting{}}
	for _, id := range o.items() {
		h.Seen[id] = Sighting{First: o.Now, Last: o.Now}
	}
	return h
}

func findingIDs(fs []raised) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.check))
	}
	slices.Sort(out)
	return out
}

func at(first time.Time) Sighting { return Sighting{First: first, Last: rollT0} }
func goneAt(first, gone time.Time) Sighting {
	return Sighting{First: first, Last: gone.Add(-time.Minute), Gone: gone}
}
func withCDS(o RolloverObs, cds ...RolloverDS) RolloverObs {
	o.CDS, o.CDSMatchesDS = cds, false
	return o
}

// TestRolloverClassifiesEveryState: each state from a hand-built
// observation, with its next step and the earliest time it is safe, and
// no finding; each with a close neighbour in another state.
func TestRolloverClassifiesEveryState(t *testing.T) {
	old := rollT0.Add(-7 * day) // the memory's start
	base := []RolloverKey{ksk(100, 13, true), zsk(200, 13, true)}
	ds100 := RolloverDS{100, 13}
	baseSeen := map[string]Sighting{"key/13/100": at(old), "key/13/200": at(old), "data/13/200": at(old), "ksig/13/100": at(old), "ds/13/100": at(old), "alg/13": at(old)}
	with := func(extra map[string]Sighting) RolloverHistory {
		m := map[string]Sighting{}
		for k, v := range baseSeen {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return hist(m)
	}
	cases := []struct {
		name     string
		obs      RolloverObs
		hist     RolloverHistory
		want     RolloverState
		step     string // a word of the next step
		safe     time.Time
		cold     bool // also from a cold start
		coldWant RolloverState
	}{
		{"steady", rollObs(rollT0, base, ds100), with(nil), RolloverSteady, "", time.Time{}, true, RolloverSteady},
		{"steady: a matching CDS is not pending", withMatchingCDS(rollObs(rollT0, base, ds100)), with(nil), RolloverSteady, "", time.Time{}, true, RolloverSteady},
		{"zsk_prepublish", rollObs(rollT0, append(slices.Clone(base), zsk(201, 13, false)), ds100),
			with(map[string]Sighting{"key/13/201": at(rollT0.Add(-hour))}), RolloverZSKPrepublish, "201", rollT0.Add(hour), true, RolloverZSKPrepublish},
		{"zsk_double_signature", rollObs(rollT0, append(slices.Clone(base), zsk(201, 13, true)), ds100),
			with(map[string]Sighting{"key/13/201": at(rollT0.Add(-2 * hour)), "data/13/201": at(rollT0.Add(-2 * hour))}), RolloverZSKDoubleSignature, "old ZSK", rollT0.Add(-2*hour + day + hour), true, RolloverZSKDoubleSignature},
		{"zsk_retire", rollObs(rollT0, []RolloverKey{ksk(100, 13, true), zsk(200, 13, false), zsk(201, 13, true)}, ds100),
			with(map[string]Sighting{"data/13/200": goneAt(old, rollT0.Add(-3*hour)), "key/13/201": at(rollT0.Add(-2 * day)), "data/13/201": at(rollT0.Add(-3 * hour))}),
			RolloverZSKRetire, "remove the old ZSK 200", rollT0.Add(-3*hour + day + hour), true, RolloverZSKPrepublish},
		{"ksk_double_ds: a pre-published DS", rollObs(rollT0, base, ds100, RolloverDS{101, 13}),
			with(map[string]Sighting{"ds/13/101": at(rollT0.Add(-hour))}), RolloverKSKDoubleDS, "publish key 101", rollT0.Add(-hour + day + hour), true, RolloverKSKDoubleDS},
		{"ksk_double_ds: a leftover DS", rollObs(rollT0, []RolloverKey{ksk(101, 13, true), zsk(200, 13, true)}, RolloverDS{100, 13}, RolloverDS{101, 13}),
			with(map[string]Sighting{"key/13/100": goneAt(old, rollT0.Add(-2*day)), "key/13/101": at(rollT0.Add(-4 * day)), "ksig/13/101": at(rollT0.Add(-4 * day)), "ds/13/101": at(rollT0.Add(-4 * day))}),
			RolloverKSKDoubleDS, "remove the DS of key 100", rollT0.Add(-2*day + 2*hour), true, RolloverKSKDoubleDS},
		{"ksk_double_ksk: the new KSK has no DS", rollObs(rollT0, append(slices.Clone(base), ksk(101, 13, false)), ds100),
			with(map[string]Sighting{"key/13/101": at(rollT0.Add(-30 * time.Minute))}), RolloverKSKDoubleKSK, "publish the DS of key 101", rollT0.Add(-30*time.Minute + 2*hour), true, RolloverKSKDoubleKSK},
		{"ksk_double_ksk: the old KSK's DS is gone", rollObs(rollT0, []RolloverKey{ksk(100, 13, false), ksk(101, 13, true), zsk(200, 13, true)}, RolloverDS{101, 13}),
			with(map[string]Sighting{"ds/13/100": goneAt(old, rollT0.Add(-6*hour)), "key/13/101": at(rollT0.Add(-4 * day)), "ksig/13/101": at(rollT0.Add(-4 * day)), "ds/13/101": at(rollT0.Add(-3 * day))}),
			RolloverKSKDoubleKSK, "remove the old KSK 100", rollT0.Add(-6*hour + day + hour), true, RolloverKSKDoubleKSK},
		{"algorithm: new signatures first", withSigAlg(rollObs(rollT0, base, ds100), 15, true), with(map[string]Sighting{"alg/15": at(rollT0.Add(-2 * hour)), "sigall/15": at(rollT0.Add(-2 * hour))}),
			RolloverAlgorithm, "publish the DNSKEYs of algorithm 15", rollT0.Add(-2*hour + day + hour), true, RolloverAlgorithm},
		{"algorithm: DNSKEYs of both, DS of the old", rollObs(rollT0, append(slices.Clone(base), ksk(300, 15, false), zsk(400, 15, true)), ds100),
			with(map[string]Sighting{"alg/15": at(rollT0.Add(-3 * day)), "sigall/15": at(rollT0.Add(-3 * day)), "key/15/300": at(rollT0.Add(-day)), "key/15/400": at(rollT0.Add(-day))}),
			RolloverAlgorithm, "replace the DS", rollT0.Add(-day + 2*hour), true, RolloverAlgorithm},
		{"algorithm: DS of the new, old DNSKEYs left", rollObs(rollT0, []RolloverKey{ksk(100, 13, false), zsk(200, 13, true), ksk(300, 15, true), zsk(400, 15, true)}, RolloverDS{300, 15}),
			with(map[string]Sighting{"alg/15": at(rollT0.Add(-3 * day)), "sigall/15": at(rollT0.Add(-3 * day)), "key/15/300": at(rollT0.Add(-2 * day)), "key/15/400": at(rollT0.Add(-2 * day)), "ds/15/300": at(rollT0.Add(-day)), "ds/13/100": goneAt(old, rollT0.Add(-day))}),
			RolloverAlgorithm, "remove the DNSKEYs of algorithm 13", rollT0.Add(-day + day + hour), false, ""},
		{"cds_pending", withCDS(rollObs(rollT0, append(slices.Clone(base), ksk(101, 13, false)), ds100), RolloverDS{101, 13}),
			with(map[string]Sighting{"key/13/101": at(rollT0.Add(-3 * day)), "cds/13/101": at(rollT0.Add(-day))}), RolloverCDSPending, "parent replaces", rollT0.Add(-day), true, RolloverCDSPending},
		{"cds_delete", withDelete(rollObs(rollT0, base, ds100)), with(map[string]Sighting{"cds/delete": at(rollT0.Add(-hour))}), RolloverCDSDelete, "removes the DS", rollT0.Add(-hour), true, RolloverCDSDelete},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, fs := classifyRollover(tc.obs, complete(tc.obs, tc.hist))
			if rep.State != tc.want || !strings.Contains(rep.NextStep, tc.step) || !rep.NextStepSafe.Equal(tc.safe) || len(fs) != 0 {
				t.Errorf("state %s, next step %q safe at %s, findings %v; want %s, %q, %s, none (%s)", rep.State, rep.NextStep, rep.NextStepSafe, findingIDs(fs), tc.want, tc.step, tc.safe, rep.Detail)
			}
			if tc.cold {
				rep, fs = classifyRollover(tc.obs, coldHistory(tc.obs))
				if rep.State != tc.coldWant || len(fs) != 0 {
					t.Errorf("cold start: state %s findings %v, want %s and none", rep.State, findingIDs(fs), tc.coldWant)
				}
			}
		})
	}
}

func withMatchingCDS(o RolloverObs) RolloverObs {
	o.CDS, o.CDSMatchesDS = []RolloverDS{{100, 13}}, true
	return o
}

func withDelete(o RolloverObs) RolloverObs {
	o.CDSDelete, o.CDSMatchesDS = true, false
	return o
}

func withSigAlg(o RolloverObs, alg uint8, everywhere bool) RolloverObs {
	o.SigAlgorithms = map[uint8]bool{13: true, alg: everywhere}
	return o
}

// TestRolloverFindingsAndNeighbours: each too-early and stuck finding
// from a hand-built observation, and a close neighbour (the same step
// taken once the TTLs had passed, or a cold start) that does not raise it.
func TestRolloverFindingsAndNeighbours(t *testing.T) {
	old := rollT0.Add(-7 * day) // the memory's start
	ds100, ds101 := RolloverDS{100, 13}, RolloverDS{101, 13}
	type tc struct {
		name string
		obs  RolloverObs
		hist RolloverHistory
		want []string
	}
	// The new ZSK 201 signs alone; it was published at T0-30m (DNSKEY TTL
	// 1h + 1h propagation: too early) or T0-3h (safe).
	zskSwap := func(published time.Time) tc {
		return tc{obs: rollObs(rollT0, []RolloverKey{ksk(100, 13, true), zsk(200, 13, false), zsk(201, 13, true)}, ds100),
			hist: hist(map[string]Sighting{"key/13/200": at(old), "data/13/200": goneAt(old, rollT0.Add(-10*time.Minute)), "key/13/201": at(published), "data/13/201": at(rollT0.Add(-10 * time.Minute))})}
	}
	// The new KSK 101 alone signs the DNSKEY RRset; its DS appeared at
	// T0-2h (DS TTL 1d: too early) or T0-2d (safe).
	kskSwap := func(dsSeen time.Time) tc {
		return tc{obs: rollObs(rollT0, []RolloverKey{ksk(101, 13, true), zsk(200, 13, true)}, ds100, ds101),
			hist: hist(map[string]Sighting{"ds/13/100": at(old), "ds/13/101": at(dsSeen), "key/13/101": at(dsSeen.Add(-day)), "ksig/13/101": at(rollT0.Add(-10 * time.Minute)), "key/13/100": goneAt(old, rollT0.Add(-10*time.Minute))})}
	}
	// ZSK 200 left the DNSKEY RRset at T0-1h; ZSK 201 began signing at
	// T0-3h (max TTL 1d: too early) or T0-3d (safe).
	zskRemoved := func(began time.Time) tc {
		return tc{obs: rollObs(rollT0, []RolloverKey{ksk(100, 13, true), zsk(201, 13, true)}, ds100),
			hist: hist(map[string]Sighting{"key/13/200": goneAt(old, rollT0.Add(-hour)), "data/13/200": goneAt(old, rollT0.Add(-hour)), "key/13/201": at(began.Add(-day)), "data/13/201": at(began)})}
	}
	// The DS of KSK 100 left the parent at T0-30m; KSK 101 began signing
	// the DNSKEY RRset at T0-1h (DNSKEY TTL 1h + 1h: too early) or T0-1d.
	dsRemoved := func(began time.Time) tc {
		return tc{obs: rollObs(rollT0, []RolloverKey{ksk(100, 13, false), ksk(101, 13, true), zsk(200, 13, true)}, ds101),
			hist: hist(map[string]Sighting{"ds/13/100": goneAt(old, rollT0.Add(-30*time.Minute)), "ds/13/101": at(old), "key/13/101": at(old), "ksig/13/101": at(began)})}
	}
	// Algorithm 15's DNSKEYs appeared at T0-1h; its signatures covered
	// every RRset from T0-1h (max TTL 1d: too early) or T0-3d (safe).
	algKeys := func(sigsEverywhere time.Time) tc {
		return tc{obs: withSigAlg(rollObs(rollT0, []RolloverKey{ksk(100, 13, true), zsk(200, 13, true), ksk(300, 15, false), zsk(400, 15, true)}, ds100), 15, true),
			hist: hist(map[string]Sighting{"alg/13": at(old), "alg/15": at(sigsEverywhere), "sigall/15": at(sigsEverywhere), "key/15/300": at(rollT0.Add(-hour)), "key/15/400": at(rollT0.Add(-hour))})}
	}
	// Algorithm 15's DS appeared at T0-30m; its DNSKEYs at T0-1h (DNSKEY
	// TTL 1h + 1h: too early) or T0-1d (safe). Its signatures long before.
	algDS := func(keys time.Time) tc {
		return tc{obs: withSigAlg(rollObs(rollT0, []RolloverKey{ksk(100, 13, true), zsk(200, 13, true), ksk(300, 15, true), zsk(400, 15, true)}, ds100, RolloverDS{300, 15}), 15, true),
			hist: hist(map[string]Sighting{"alg/13": at(old), "alg/15": at(old.Add(day)), "sigall/15": at(old.Add(day)), "key/15/300": at(keys), "key/15/400": at(keys), "ksig/15/300": at(keys), "ds/15/300": at(rollT0.Add(-30 * time.Minute))})}
	}
	// The CDS for KSK 101 has differed from the DS since T0-15d (stuck
	// after 14d) or T0-13d.
	stuck := func(since time.Time) tc {
		o := withCDS(rollObs(rollT0, []RolloverKey{ksk(100, 13, true), ksk(101, 13, false), zsk(200, 13, true)}, ds100), ds101)
		h := hist(map[string]Sighting{"key/13/101": at(since), "cds/13/101": at(since)})
		h.Since = rollT0.Add(-30 * day)
		h.State, h.StateSince, h.Started = RolloverCDSPending, since, since
		return tc{obs: o, hist: h}
	}
	// The parent's only DS (key 999) has never matched the KSK the zone
	// has always had: a broken zone (ds_no_matching_key), not a step.
	static := tc{obs: rollObs(rollT0, []RolloverKey{ksk(100, 13, false), zsk(200, 13, true)}, RolloverDS{999, 13}), hist: hist(map[string]Sighting{})}
	named := func(name string, c tc, want ...string) tc { c.name, c.want = name, want; return c }
	cases := []tc{
		named("new ZSK signs before its DNSKEY is cached", zskSwap(rollT0.Add(-30*time.Minute)), string(CheckRolloverNewKeyTooEarly)),
		named("neighbour: new ZSK published 3h before", zskSwap(rollT0.Add(-3*hour))),
		named("new KSK signs alone before its DS is cached", kskSwap(rollT0.Add(-2*hour)), string(CheckRolloverNewKeyTooEarly)),
		named("neighbour: its DS appeared 2d before", kskSwap(rollT0.Add(-2*day))),
		named("old ZSK removed while its signatures are cached", zskRemoved(rollT0.Add(-3*hour)), string(CheckRolloverRemovedTooEarly)),
		named("neighbour: new ZSK signed for 3d before", zskRemoved(rollT0.Add(-3*day))),
		named("old DS removed while the DNSKEY RRset signed by its key is cached", dsRemoved(rollT0.Add(-hour)), string(CheckRolloverRemovedTooEarly)),
		named("neighbour: new KSK signed for a day before", dsRemoved(rollT0.Add(-day))),
		named("new algorithm's DNSKEY before its signatures are cached", algKeys(rollT0.Add(-hour)), string(CheckRolloverAlgorithmOrder)),
		named("neighbour: its signatures were everywhere 3d before", algKeys(rollT0.Add(-3*day))),
		named("new algorithm's DS before its DNSKEY is cached", algDS(rollT0.Add(-hour)), string(CheckRolloverAlgorithmOrder)),
		named("neighbour: its DNSKEYs were published a day before", algDS(rollT0.Add(-day))),
		named("neighbour: a DS that never matched a key is no rollover step", static),
		named("CDS pending for 15 days", stuck(rollT0.Add(-15*day)), string(CheckRolloverStuck)),
		named("neighbour: CDS pending for 13 days", stuck(rollT0.Add(-13*day))),
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, fs := classifyRollover(c.obs, complete(c.obs, c.hist))
			if got := findingIDs(fs); !slices.Equal(got, c.want) {
				t.Errorf("findings %v, want %v (state %s: %s)", got, c.want, rep.State, rep.Detail)
				for _, f := range fs {
					t.Log(f.message)
				}
			}
			// On a cold start nothing was seen happen: no finding.
			if _, fs := classifyRollover(c.obs, coldHistory(c.obs)); len(fs) != 0 {
				t.Errorf("cold start raised %v", findingIDs(fs))
			}
		})
	}
}

// TestRolloverStateSinceCarriesOver: the state's start and the rollover's
// start come from the memory while the state lasts, and reset with it.
func TestRolloverStateSinceCarriesOver(t *testing.T) {
	o := rollObs(rollT0, []RolloverKey{ksk(100, 13, true), zsk(200, 13, true), zsk(201, 13, false)}, RolloverDS{100, 13})
	h := hist(map[string]Sighting{"key/13/201": at(rollT0.Add(-day))})
	h.State, h.StateSince, h.Started = RolloverZSKPrepublish, rollT0.Add(-day), rollT0.Add(-day)
	rep, _ := classifyRollover(o, h)
	if !rep.StateSince.Equal(rollT0.Add(-day)) || !rep.Started.Equal(rollT0.Add(-day)) {
		t.Errorf("same state: since %s started %s, want both a day ago", rep.StateSince, rep.Started)
	}
	h.State = RolloverSteady
	rep, _ = classifyRollover(o, h)
	if !rep.StateSince.Equal(rollT0) || !rep.Started.Equal(rollT0) {
		t.Errorf("new rollover: since %s started %s, want both now", rep.StateSince, rep.Started)
	}
	o.Keys = o.Keys[:2]
	h.State = RolloverZSKPrepublish
	if rep, _ = classifyRollover(o, h); !rep.Started.IsZero() || rep.State != RolloverSteady {
		t.Errorf("back to steady: state %s started %s, want steady and zero", rep.State, rep.Started)
	}
}
