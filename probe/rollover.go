package probe

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// RolloverState names where a zone stands in a key rollover. The set is
// closed: it is used as a label value (dnshealth_rollover_state).
type RolloverState string

// Rollover states. The methods are those of RFC 6781 section 4.1 and RFC
// 7583 section 3; the CDS states those of RFC 7344 and RFC 8078.
const (
	// RolloverSteady: one key set, one DS set, nothing in flight.
	RolloverSteady RolloverState = "steady"
	// RolloverZSKPrepublish: a second ZSK is published but does not sign
	// yet (RFC 7583 section 3.2.1, pre-publication).
	RolloverZSKPrepublish RolloverState = "zsk_prepublish"
	// RolloverZSKDoubleSignature: two ZSKs of one algorithm both sign the
	// zone's data (RFC 7583 section 3.2.2).
	RolloverZSKDoubleSignature RolloverState = "zsk_double_signature"
	// RolloverZSKRetire: the old ZSK no longer signs but is still
	// published, so that signatures by it still in caches validate.
	RolloverZSKRetire RolloverState = "zsk_retire"
	// RolloverKSKDoubleDS: the parent holds a DS for a key that is not in
	// the zone's DNSKEY RRset (RFC 7583 section 3.3.2, double-DS).
	RolloverKSKDoubleDS RolloverState = "ksk_double_ds"
	// RolloverKSKDoubleKSK: two KSKs are published (RFC 7583 section
	// 3.3.1, double-KSK).
	RolloverKSKDoubleKSK RolloverState = "ksk_double_ksk"
	// RolloverAlgorithm: keys, DS or signatures of two algorithms (RFC
	// 6781 section 4.1.4).
	RolloverAlgorithm RolloverState = "algorithm"
	// RolloverCDSPending: the zone's CDS/CDNSKEY asks for a DS set the
	// parent does not have yet (RFC 7344 section 4).
	RolloverCDSPending RolloverState = "cds_pending"
	// RolloverCDSDelete: the zone publishes the CDS delete form (RFC 8078
	// section 4).
	RolloverCDSDelete RolloverState = "cds_delete"
)

// RolloverStates lists the states in a fixed order, for the one-hot
// metric; dashboards/ lists them too.
var RolloverStates = []string{
	string(RolloverSteady), string(RolloverZSKPrepublish), string(RolloverZSKDoubleSignature),
	string(RolloverZSKRetire), string(RolloverKSKDoubleDS), string(RolloverKSKDoubleKSK),
	string(RolloverAlgorithm), string(RolloverCDSPending), string(RolloverCDSDelete),
}

// Module defaults for rollovers.
const (
	// DefaultRolloverPropagation is the allowance for a change to reach
	// every server and the parent: BIND's parent-propagation-delay default
	// (1 h) and Knot DNS's propagation-delay default (1 h).
	DefaultRolloverPropagation = time.Hour
	// DefaultRolloverStuckAfter is how long one rollover state may last
	// before rollover_stuck: longer than BIND's default ZSK retirement
	// (the 9-day sign delay of a 14-day validity re-signed 5 days ahead,
	// plus TTLs).
	DefaultRolloverStuckAfter = 14 * 24 * time.Hour
)

// RolloverReport is the classifier's verdict on the zone's keys.
type RolloverReport struct {
	State RolloverState `json:"state"`
	// Detail says in words what the keys, DS and CDS show.
	Detail string `json:"detail"`
	// NextStep is the next step of the rollover, for people; empty when
	// steady.
	NextStep string `json:"next_step,omitempty"`
	// NextStepSafe is the earliest time the next step is safe by the TTLs
	// (RFC 7583); zero when steady.
	NextStepSafe time.Time `json:"next_step_safe,omitempty"`
	// Started is when this exporter first saw the zone leave the steady
	// state; zero when steady. StateSince is when it first saw the current
	// state. Both are bounded by MemorySince: the exporter remembers
	// nothing from before its start.
	Started     time.Time `json:"started,omitempty"`
	StateSince  time.Time `json:"state_since"`
	MemorySince time.Time `json:"memory_since"`
	// The TTLs the timings were computed with: the DNSKEY RRset's, the
	// parent's DS RRset's, the largest TTL the probe saw in the zone, and
	// the module's propagation allowance.
	DNSKEYTTL   time.Duration `json:"dnskey_ttl"`
	DSTTL       time.Duration `json:"ds_ttl"`
	MaxTTL      time.Duration `json:"max_ttl"`
	Propagation time.Duration `json:"propagation"`
}

// RolloverObs is what one probe saw of a zone's keys: the input of
// classifyRollover, built by the engine (rollover_engine.go) or by hand in
// tests.
type RolloverObs struct {
	Now  time.Time
	Keys []RolloverKey
	DS   []RolloverDS // the parent's DS set
	// CDS is the zone's CDS and CDNSKEY records as (key tag, algorithm);
	// CDSMatchesDS is false when they ask for another DS set than the
	// parent's. CDSDelete is the RFC 8078 delete form.
	CDS          []RolloverDS
	CDSMatchesDS bool
	CDSDelete    bool
	// SigAlgorithms maps each algorithm of the RRSIGs served over the
	// zone's data (not DNSKEY, CDS or CDNSKEY) to whether its signatures
	// cover every such RRset on every address checked.
	SigAlgorithms map[uint8]bool
	DNSKEYTTL     time.Duration
	DSTTL         time.Duration
	MaxTTL        time.Duration
	Propagation   time.Duration
	StuckAfter    time.Duration
}

// RolloverKey is one DNSKEY of the zone.
type RolloverKey struct {
	Tag       uint16
	Algorithm uint8
	SEP       bool // flags 257
	Revoked   bool
	// SignsKeySet: a valid RRSIG by the key covers the DNSKEY RRset.
	// SignsData: one covers another RRset (SOA, NS, the module's records).
	SignsKeySet bool
	SignsData   bool
	// HasDS: a DS at the parent names the key.
	HasDS bool
}

// RolloverDS names a DS (or CDS, CDNSKEY) by key tag and algorithm.
type RolloverDS struct {
	Tag       uint16
	Algorithm uint8
}

// ksk reports whether the key acts as a key-signing key.
func (k RolloverKey) ksk() bool { return k.SEP || k.SignsKeySet }

// Rollover item IDs: what the memory remembers first and last sightings of.
func keyItem(alg uint8, tag uint16) string     { return fmt.Sprintf("key/%d/%d", alg, tag) }
func dataItem(alg uint8, tag uint16) string    { return fmt.Sprintf("data/%d/%d", alg, tag) }
func keySignItem(alg uint8, tag uint16) string { return fmt.Sprintf("ksig/%d/%d", alg, tag) }
func dsItem(alg uint8, tag uint16) string      { return fmt.Sprintf("ds/%d/%d", alg, tag) }
func cdsItem(alg uint8, tag uint16) string     { return fmt.Sprintf("cds/%d/%d", alg, tag) }
func sigAlgItem(alg uint8) string              { return fmt.Sprintf("sigalg/%d", alg) }
func sigAllItem(alg uint8) string              { return fmt.Sprintf("sigall/%d", alg) }
func algItem(alg uint8) string                 { return fmt.Sprintf("alg/%d", alg) }

const cdsDeleteItem = "cds/delete"

// items lists what the observation shows, for the memory.
func (o RolloverObs) items() []string {
	var out []string
	for _, k := range o.Keys {
		if k.Revoked {
			continue
		}
		out = append(out, keyItem(k.Algorithm, k.Tag), algItem(k.Algorithm))
		if k.SignsData {
			out = append(out, dataItem(k.Algorithm, k.Tag))
		}
		if k.SignsKeySet {
			out = append(out, keySignItem(k.Algorithm, k.Tag))
		}
	}
	for _, d := range o.DS {
		out = append(out, dsItem(d.Algorithm, d.Tag), algItem(d.Algorithm))
	}
	for _, c := range o.CDS {
		out = append(out, cdsItem(c.Algorithm, c.Tag))
	}
	if o.CDSDelete {
		out = append(out, cdsDeleteItem)
	}
	for alg, all := range o.SigAlgorithms {
		out = append(out, sigAlgItem(alg), algItem(alg))
		if all {
			out = append(out, sigAllItem(alg))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// RolloverHistory is what the memory holds for one zone: the first and
// last sighting of each item, and the state it was last classified in.
type RolloverHistory struct {
	// Since is when the memory first saw the zone.
	Since      time.Time
	Seen       map[string]Sighting
	State      RolloverState
	StateSince time.Time
	Started    time.Time
}

// Sighting is the memory of one item. Gone is the first probe that did
// not see it after one that did; zero while it is present.
type Sighting struct {
	First, Last, Gone time.Time
}

// rollCtx carries one classification.
type rollCtx struct {
	o   RolloverObs
	h   RolloverHistory
	out []raised
}

// rollSteps names the state and its next step; rollTiming judges the
// steps taken against the TTLs. Both read the classification's rollCtx.
type (
	rollSteps  struct{ *rollCtx }
	rollTiming struct{ *rollCtx }
)

// first is when the item was first seen; the probe's time when never.
func (c *rollCtx) first(id string) time.Time {
	if s, ok := c.h.Seen[id]; ok && !s.First.IsZero() {
		return s.First
	}
	return c.o.Now
}

// appeared reports whether the memory saw the item appear: it was first
// seen after the memory began. On a cold start nothing has.
func (c *rollCtx) appeared(id string) bool {
	s, ok := c.h.Seen[id]
	return ok && s.First.After(c.h.Since)
}

func (c *rollCtx) seen(id string) (Sighting, bool) {
	s, ok := c.h.Seen[id]
	return s, ok
}

// ids lists the remembered items in a fixed order.
func (c *rollCtx) ids() []string {
	out := make([]string, 0, len(c.h.Seen))
	for id := range c.h.Seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func (c *rollCtx) raise(check CheckID, format string, args ...any) {
	c.out = append(c.out, raise(check, "", "", format, args...))
}

func (c *rollCtx) keyTTL() time.Duration { return c.o.DNSKEYTTL + c.o.Propagation }
func (c *rollCtx) dsTTL() time.Duration  { return c.o.DSTTL + c.o.Propagation }
func (c *rollCtx) maxTTL() time.Duration { return c.o.MaxTTL + c.o.Propagation }

// classifyRollover names the rollover state of the zone, its next step and
// when that step is safe, and judges the steps already taken against the
// TTLs (RFC 7583, RFC 6781 section 4.1.4). It is pure: h is the memory
// before this probe's sightings are forgotten or added, with this probe's
// items already recorded (RolloverMemory.Observe).
func classifyRollover(o RolloverObs, h RolloverHistory) (RolloverReport, []raised) {
	c := &rollCtx{o: o, h: h}
	rep := RolloverReport{MemorySince: h.Since, DNSKEYTTL: o.DNSKEYTTL, DSTTL: o.DSTTL, MaxTTL: o.MaxTTL, Propagation: o.Propagation}
	rep.State, rep.Detail, rep.NextStep, rep.NextStepSafe = rollSteps{c}.state()
	switch {
	case h.State == rep.State && !h.StateSince.IsZero():
		rep.StateSince = h.StateSince
	default:
		rep.StateSince = o.Now
	}
	if rep.State != RolloverSteady {
		rep.Started = o.Now
		if h.State != "" && h.State != RolloverSteady && !h.Started.IsZero() {
			rep.Started = h.Started
		}
	}
	rollTiming{c}.tooEarly()
	if rep.State != RolloverSteady && o.StuckAfter > 0 && o.Now.Sub(rep.StateSince) > o.StuckAfter {
		c.raise(CheckRolloverStuck, "the zone has been in rollover state %s since %s (%s, longer than the module's rollover_stuck_after of %s); next step: %s",
			rep.State, rep.StateSince.UTC().Format(time.RFC3339), fmtDuration(o.Now.Sub(rep.StateSince)), fmtDuration(o.StuckAfter), rep.NextStep)
	}
	return rep, c.out
}

// fmtDuration writes a duration in days and hours when it is long.
func fmtDuration(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd%dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	}
	return d.Round(time.Second).String()
}

func (c *rollCtx) active() []RolloverKey {
	var out []RolloverKey
	for _, k := range c.o.Keys {
		if !k.Revoked {
			out = append(out, k)
		}
	}
	return out
}

// algorithms are the algorithms of the keys, the DS set and the data's
// signatures, sorted.
func (c *rollCtx) algorithms() []uint8 {
	var out []uint8
	for _, k := range c.active() {
		out = append(out, k.Algorithm)
	}
	for _, d := range c.o.DS {
		out = append(out, d.Algorithm)
	}
	for a := range c.o.SigAlgorithms {
		out = append(out, a)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// state picks the state and its next step, most specific first.
func (c rollSteps) state() (RolloverState, string, string, time.Time) {
	o := c.o
	if o.CDSDelete {
		return RolloverCDSDelete, "the zone publishes the CDS/CDNSKEY delete form",
			"the parent removes the DS; keep the zone signed until the DS TTL has passed after that", c.first(cdsDeleteItem)
	}
	if algs := c.algorithms(); len(algs) > 1 {
		return c.algorithmState(algs)
	}
	if len(o.CDS) > 0 && !o.CDSMatchesDS {
		safe := c.first(cdsItem(o.CDS[0].Algorithm, o.CDS[0].Tag))
		for _, x := range o.CDS {
			if t := c.first(keyItem(x.Algorithm, x.Tag)).Add(c.keyTTL()); t.After(safe) {
				safe = t
			}
		}
		return RolloverCDSPending, fmt.Sprintf("the CDS/CDNSKEY set (key tags %v) differs from the parent's DS (key tags %v)", dsTagList(o.CDS), dsTagList(o.DS)),
			"the parent replaces its DS set with the one the CDS/CDNSKEY names (by its CDS scan, or by hand at the registrar)", safe
	}
	var kskKeys, zskKeys []RolloverKey
	for _, k := range c.active() {
		if k.ksk() {
			kskKeys = append(kskKeys, k)
		} else {
			zskKeys = append(zskKeys, k)
		}
	}
	for _, d := range o.DS {
		if !slices.ContainsFunc(kskKeys, func(k RolloverKey) bool { return k.Tag == d.Tag && k.Algorithm == d.Algorithm }) {
			return c.doubleDS(d)
		}
	}
	if len(kskKeys) > 1 {
		return c.doubleKSK(kskKeys)
	}
	if len(zskKeys) > 1 {
		return c.zskState(zskKeys)
	}
	return RolloverSteady, "one key set, one DS set, no rollover in flight", "", time.Time{}
}

// doubleDS: the parent has a DS for a key the zone does not publish.
func (c rollSteps) doubleDS(d RolloverDS) (RolloverState, string, string, time.Time) {
	if s, ok := c.seen(keyItem(d.Algorithm, d.Tag)); ok && !s.Gone.IsZero() {
		return RolloverKSKDoubleDS, fmt.Sprintf("the parent still has the DS of key %d, which the zone no longer publishes", d.Tag),
			fmt.Sprintf("remove the DS of key %d at the parent", d.Tag), s.Gone.Add(c.keyTTL())
	}
	return RolloverKSKDoubleDS, fmt.Sprintf("the parent has a DS for key %d, which the zone does not publish yet (a pre-published DS)", d.Tag),
		fmt.Sprintf("publish key %d and sign the DNSKEY RRset with it in place of the old KSK", d.Tag), c.first(dsItem(d.Algorithm, d.Tag)).Add(c.dsTTL())
}

// doubleKSK: two key-signing keys are published.
func (c rollSteps) doubleKSK(keys []RolloverKey) (RolloverState, string, string, time.Time) {
	tags := keyTagList(keys)
	for _, k := range keys {
		if k.HasDS {
			continue
		}
		if _, hadDS := c.seen(dsItem(k.Algorithm, k.Tag)); hadDS {
			s, _ := c.seen(dsItem(k.Algorithm, k.Tag))
			return RolloverKSKDoubleKSK, fmt.Sprintf("KSKs %v are published; the parent's DS for key %d is gone", tags, k.Tag),
				fmt.Sprintf("remove the old KSK %d from the DNSKEY RRset", k.Tag), s.Gone.Add(c.dsTTL())
		}
		return RolloverKSKDoubleKSK, fmt.Sprintf("KSKs %v are published; the parent has no DS for the new key %d yet", tags, k.Tag),
			fmt.Sprintf("have the parent publish the DS of key %d in place of the old KSK's (publish CDS/CDNSKEY for it if the parent scans)", k.Tag),
			c.first(keyItem(k.Algorithm, k.Tag)).Add(c.keyTTL())
	}
	// Every KSK has a DS: the newest one waits for the old one to go.
	old, newest := keys[0], keys[0]
	for _, k := range keys {
		if c.first(keyItem(k.Algorithm, k.Tag)).Before(c.first(keyItem(old.Algorithm, old.Tag))) {
			old = k
		}
		if !c.first(keyItem(k.Algorithm, k.Tag)).Before(c.first(keyItem(newest.Algorithm, newest.Tag))) {
			newest = k
		}
	}
	return RolloverKSKDoubleKSK, fmt.Sprintf("KSKs %v are published, each with a DS at the parent", tags),
		fmt.Sprintf("remove the DS of the old KSK %d at the parent, then the key", old.Tag), c.first(keySignItem(newest.Algorithm, newest.Tag)).Add(c.keyTTL())
}

// zskState: two zone-signing keys are published.
func (c rollSteps) zskState(keys []RolloverKey) (RolloverState, string, string, time.Time) {
	tags := keyTagList(keys)
	var signing, idle []RolloverKey
	for _, k := range keys {
		if k.SignsData {
			signing = append(signing, k)
		} else {
			idle = append(idle, k)
		}
	}
	if len(signing) > 1 {
		latest := c.o.Now.Add(-100 * 365 * 24 * time.Hour)
		for _, k := range signing {
			if t := c.first(dataItem(k.Algorithm, k.Tag)); t.After(latest) {
				latest = t
			}
		}
		return RolloverZSKDoubleSignature, fmt.Sprintf("ZSKs %v all sign the zone's data", tags),
			"stop signing with the old ZSK and remove it", latest.Add(max(c.o.DNSKEYTTL, c.o.MaxTTL) + c.o.Propagation)
	}
	for _, k := range idle {
		if s, ok := c.seen(dataItem(k.Algorithm, k.Tag)); ok && !s.Gone.IsZero() {
			return RolloverZSKRetire, fmt.Sprintf("ZSKs %v are published; key %d no longer signs", tags, k.Tag),
				fmt.Sprintf("remove the old ZSK %d from the DNSKEY RRset", k.Tag), s.Gone.Add(c.maxTTL())
		}
	}
	k := idle[0]
	return RolloverZSKPrepublish, fmt.Sprintf("ZSKs %v are published; key %d does not sign yet", tags, k.Tag),
		fmt.Sprintf("sign the zone with the new ZSK %d in place of the old", k.Tag), c.first(keyItem(k.Algorithm, k.Tag)).Add(c.keyTTL())
}

// oldNew names the old and the new algorithm: the one seen first and the
// one seen last; on a cold start the DS set's is the old one.
func (c *rollCtx) oldNew(algs []uint8) (uint8, uint8) {
	dsAlgs := map[uint8]bool{}
	for _, d := range c.o.DS {
		dsAlgs[d.Algorithm] = true
	}
	sorted := slices.Clone(algs)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := c.first(algItem(sorted[i])), c.first(algItem(sorted[j]))
		if !a.Equal(b) {
			return a.Before(b)
		}
		return dsAlgs[sorted[i]] && !dsAlgs[sorted[j]]
	})
	return sorted[0], sorted[len(sorted)-1]
}

// algorithmState follows RFC 6781 section 4.1.4: the new algorithm's
// signatures everywhere, then its DNSKEYs, then its DS; then the old DS,
// the old DNSKEYs and last the old signatures go.
func (c rollSteps) algorithmState(algs []uint8) (RolloverState, string, string, time.Time) {
	o := c.o
	dsAlgs := map[uint8]bool{}
	for _, d := range o.DS {
		dsAlgs[d.Algorithm] = true
	}
	oldAlg, newAlg := c.oldNew(algs)
	keysOf := func(alg uint8) []RolloverKey {
		var out []RolloverKey
		for _, k := range c.active() {
			if k.Algorithm == alg {
				out = append(out, k)
			}
		}
		return out
	}
	earliestKey := func(keys []RolloverKey) time.Time {
		t := o.Now
		for _, k := range keys {
			t = minTime(t, c.first(keyItem(k.Algorithm, k.Tag)))
		}
		return t
	}
	detail := fmt.Sprintf("an algorithm rollover from algorithm %d to %d", oldAlg, newAlg)
	newKeys, oldKeys := keysOf(newAlg), keysOf(oldAlg)
	switch {
	case len(newKeys) == 0:
		return RolloverAlgorithm, detail + ": the new algorithm signs, its DNSKEYs are not published yet",
			fmt.Sprintf("publish the DNSKEYs of algorithm %d once its signatures cover every RRset", newAlg), c.first(sigAllItem(newAlg)).Add(c.maxTTL())
	case !dsAlgs[newAlg]:
		return RolloverAlgorithm, detail + ": both algorithms sign and are published, the DS is of the old one",
			fmt.Sprintf("replace the DS at the parent with one for a key of algorithm %d", newAlg), earliestKey(newKeys).Add(c.keyTTL())
	case dsAlgs[oldAlg]:
		return RolloverAlgorithm, detail + ": the parent has DS records of both algorithms",
			fmt.Sprintf("remove the DS of algorithm %d at the parent", oldAlg), c.first(dsItem(newAlg, dsOfAlg(o.DS, newAlg).Tag)).Add(c.dsTTL())
	case len(oldKeys) > 0:
		safe := c.first(dsItem(newAlg, dsOfAlg(o.DS, newAlg).Tag))
		for id, s := range c.h.Seen {
			if strings.HasPrefix(id, fmt.Sprintf("ds/%d/", oldAlg)) && !s.Gone.IsZero() {
				safe = maxTime(safe, s.Gone)
			}
		}
		return RolloverAlgorithm, detail + ": the DS is of the new algorithm, the old one's DNSKEYs are still published",
			fmt.Sprintf("remove the DNSKEYs of algorithm %d", oldAlg), safe.Add(c.dsTTL())
	default:
		var safe time.Time
		for id, s := range c.h.Seen {
			if strings.HasPrefix(id, fmt.Sprintf("key/%d/", oldAlg)) && !s.Gone.IsZero() {
				safe = maxTime(safe, s.Gone)
			}
		}
		if safe.IsZero() {
			safe = o.Now // removed before the memory began: count from now
		}
		return RolloverAlgorithm, detail + ": only the old algorithm's signatures remain",
			fmt.Sprintf("stop signing with algorithm %d", oldAlg), safe.Add(c.keyTTL())
	}
}

// tooEarly judges the steps taken against the TTLs. A resolver may hold
// any copy of an RRset fetched within one TTL before now; each check asks
// whether every such copy still works with what the zone and the parent
// serve now. The memory knows the past only from its start: before that,
// what it saw at its start is taken to have always been there, so on a
// cold start nothing fires.
func (c rollTiming) tooEarly() {
	o := c.o
	var keys, dataSigners, keySigners, ds []string
	for _, k := range c.active() {
		keys = append(keys, algTag(k.Algorithm, k.Tag))
		if k.SignsData {
			dataSigners = append(dataSigners, algTag(k.Algorithm, k.Tag))
		}
		if k.SignsKeySet {
			keySigners = append(keySigners, algTag(k.Algorithm, k.Tag))
		}
	}
	for _, d := range o.DS {
		ds = append(ds, algTag(d.Algorithm, d.Tag))
	}
	// The data's signers against the DNSKEY RRsets in caches.
	if t, ok := c.uncovered("key", "data", dataSigners, c.keyTTL()); !ok {
		c.raise(CheckRolloverNewKeyTooEarly, "the zone's data is signed only by key(s) %v, but a resolver may hold a DNSKEY RRset fetched at %s without them until %s (DNSKEY TTL %s plus propagation %s): publish a new ZSK that long before it signs",
			dataSigners, t.UTC().Format(time.RFC3339), t.Add(c.keyTTL()).UTC().Format(time.RFC3339), o.DNSKEYTTL, o.Propagation)
	}
	// The DNSKEY RRset's signers against the DS RRsets in caches.
	if t, ok := c.uncovered("ds", "ksig", keySigners, c.dsTTL()); !ok {
		c.raise(CheckRolloverNewKeyTooEarly, "the DNSKEY RRset is signed only by key(s) %v, but a resolver may hold a DS RRset fetched at %s that names none of them until %s (the parent's DS TTL %s plus propagation %s): sign with the new KSK alone only after that",
			keySigners, t.UTC().Format(time.RFC3339), t.Add(c.dsTTL()).UTC().Format(time.RFC3339), o.DSTTL, o.Propagation)
	}
	// The data in caches against the keys published now.
	if t, ok := c.uncovered("data", "key", keys, c.maxTTL()); !ok {
		c.raise(CheckRolloverRemovedTooEarly, "data signed at %s only by key(s) %v, no longer in the DNSKEY RRset, may be in caches until %s (the zone's maximum TTL %s plus propagation %s): a ZSK was removed before its signatures expired from caches",
			t.UTC().Format(time.RFC3339), c.setAt("data", t), t.Add(c.maxTTL()).UTC().Format(time.RFC3339), o.MaxTTL, o.Propagation)
	}
	// The DNSKEY RRsets in caches against the DS set now.
	if t, ok := c.uncovered("ksig", "ds", ds, c.keyTTL()); !ok {
		c.raise(CheckRolloverRemovedTooEarly, "a DNSKEY RRset signed at %s only by key(s) %v, which no DS at the parent names any more, may be in caches until %s (DNSKEY TTL %s plus propagation %s): a DS was removed too early",
			t.UTC().Format(time.RFC3339), c.setAt("ksig", t), t.Add(c.keyTTL()).UTC().Format(time.RFC3339), o.DNSKEYTTL, o.Propagation)
	}
	c.algorithmOrder()
}

func algTag(alg uint8, tag uint16) string { return fmt.Sprintf("%d/%d", alg, tag) }

// presentAt reports whether an item was there at t. An item seen at the
// memory's start counts as there before it.
func (c *rollCtx) presentAt(s Sighting, t time.Time) bool {
	return (!s.First.After(t) || s.First.Equal(c.h.Since)) && (s.Gone.IsZero() || s.Gone.After(t))
}

// setAt lists the "alg/tag" of the items of kind prefix present at t.
func (c *rollCtx) setAt(prefix string, t time.Time) []string {
	var out []string
	for _, id := range c.ids() {
		if rest, ok := strings.CutPrefix(id, prefix+"/"); ok && c.presentAt(c.h.Seen[id], t) {
			out = append(out, rest)
		}
	}
	return out
}

// uncovered checks that, at every time within window before now, the
// items of kind prefix then present include one of current, items of kind
// currentKind (an empty set then, as before a zone was first signed, needs
// nothing). It returns the first time that fails. Only a change the
// memory saw counts: an item of either kind arrived or gone since the
// memory began. A zone that was always so (a DS that
// never matched) is not a rollover taken too early.
func (c rollTiming) uncovered(prefix, currentKind string, current []string, window time.Duration) (time.Time, bool) {
	if len(current) == 0 {
		return time.Time{}, true
	}
	changed := false
	for _, id := range c.ids() {
		if strings.HasPrefix(id, prefix+"/") || strings.HasPrefix(id, currentKind+"/") {
			changed = changed || c.appeared(id) || !c.h.Seen[id].Gone.IsZero()
		}
	}
	if !changed {
		return time.Time{}, true
	}
	from := c.o.Now.Add(-window)
	times := []time.Time{from}
	for _, id := range c.ids() {
		if !strings.HasPrefix(id, prefix+"/") {
			continue
		}
		s := c.h.Seen[id]
		for _, t := range []time.Time{s.First, s.Gone} {
			if t.After(from) && !t.After(c.o.Now) {
				times = append(times, t)
			}
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	for _, t := range times {
		then := c.setAt(prefix, t)
		if len(then) > 0 && !slices.ContainsFunc(then, func(x string) bool { return slices.Contains(current, x) }) {
			return t, false
		}
	}
	return time.Time{}, true
}

// algorithmOrder checks RFC 6781 section 4.1.4's order: a new
// algorithm's signatures cover every RRset for the zone's maximum TTL
// before its DNSKEYs are published, and its DNSKEYs are published for the
// DNSKEY TTL before its DS.
func (c rollTiming) algorithmOrder() {
	o := c.o
	algs := c.algorithms()
	if len(algs) < 2 {
		return
	}
	_, newAlg := c.oldNew(algs)
	for _, alg := range []uint8{newAlg} {
		if !c.appeared(algItem(alg)) {
			continue // a cold start
		}
		keyFirst := time.Time{}
		for _, k := range c.active() {
			if k.Algorithm == alg {
				keyFirst = minNonZero(keyFirst, c.first(keyItem(k.Algorithm, k.Tag)))
			}
		}
		if keyFirst.IsZero() {
			continue
		}
		sigAll, ok := c.seen(sigAllItem(alg))
		switch {
		case !ok || sigAll.First.IsZero():
			c.raise(CheckRolloverAlgorithmOrder, "algorithm %d's DNSKEYs are published but its signatures do not cover every RRset: publish its DNSKEYs only after its signatures have been everywhere for the zone's maximum TTL (RFC 6781 section 4.1.4)", alg)
		case keyFirst.Before(sigAll.First.Add(c.maxTTL())) && o.Now.Before(sigAll.First.Add(c.maxTTL())):
			c.raise(CheckRolloverAlgorithmOrder, "algorithm %d's DNSKEYs were published at %s, less than the maximum TTL (%s) plus the propagation allowance after its signatures covered every RRset (%s): caches may hold RRsets without its signatures until %s",
				alg, keyFirst.UTC().Format(time.RFC3339), o.MaxTTL, sigAll.First.UTC().Format(time.RFC3339), sigAll.First.Add(c.maxTTL()).UTC().Format(time.RFC3339))
		}
		for _, d := range o.DS {
			if d.Algorithm != alg {
				continue
			}
			dsFirst := c.first(dsItem(d.Algorithm, d.Tag))
			if dsFirst.Before(keyFirst.Add(c.keyTTL())) && o.Now.Before(keyFirst.Add(c.keyTTL())) {
				c.raise(CheckRolloverAlgorithmOrder, "the DS of algorithm %d appeared at %s, less than the DNSKEY TTL (%s) plus the propagation allowance after its DNSKEYs (%s): resolvers may hold a DNSKEY RRset without them until %s",
					alg, dsFirst.UTC().Format(time.RFC3339), o.DNSKEYTTL, keyFirst.UTC().Format(time.RFC3339), keyFirst.Add(c.keyTTL()).UTC().Format(time.RFC3339))
			}
		}
	}
}

func dsOfAlg(ds []RolloverDS, alg uint8) RolloverDS {
	for _, d := range ds {
		if d.Algorithm == alg {
			return d
		}
	}
	return RolloverDS{}
}

func keyTagList(keys []RolloverKey) []uint16 {
	var out []uint16
	for _, k := range keys {
		out = append(out, k.Tag)
	}
	return out
}

func dsTagList(ds []RolloverDS) []uint16 {
	var out []uint16
	for _, d := range ds {
		out = append(out, d.Tag)
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func minNonZero(a, b time.Time) time.Time {
	if a.IsZero() {
		return b
	}
	return minTime(a, b)
}
