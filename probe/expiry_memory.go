package probe

import (
	"slices"
	"sync"
	"time"
)

// ExpiryMemory remembers, per zone, when the exporter last saw the zone's
// signatures replaced and how much time the replaced ones had left: the
// refresh margin learned from the zone itself. The Prober owns it, so it
// survives a configuration reload and is lost on restart. It is bounded:
// at most maxZones zones (the least recently probed is forgotten first)
// and maxRRsets RRsets per zone. The zero value is not usable; nil
// remembers nothing.
type ExpiryMemory struct {
	mu       sync.Mutex
	maxZones int
	zones    map[string]*zoneRhythm
}

// DefaultExpiryZones bounds the memory of NewProber.
const DefaultExpiryZones = 10000

const (
	// maxRRsets bounds the RRsets remembered per zone: the apex types
	// and up to 20 records, with room to spare.
	maxRRsets = 64
	// marginHistory is how many re-signings are remembered per zone; the
	// smallest margin among them is the one applied, so that an RRset
	// re-signed early because its data changed does not raise it.
	marginHistory = 4
)

// zoneRhythm is what is remembered of one zone.
type zoneRhythm struct {
	seen time.Time
	// expiration is the latest expiration seen per RRset ("owner/type").
	expiration map[string]time.Time
	// margins are the remaining times at the last re-signings, oldest
	// first.
	margins []time.Duration
}

// NewExpiryMemory returns a memory of at most maxZones zones.
func NewExpiryMemory(maxZones int) *ExpiryMemory {
	return &ExpiryMemory{maxZones: maxZones, zones: map[string]*zoneRhythm{}}
}

// Learned returns the refresh margin learned for zone, or 0 when the
// zone has not been seen re-signed.
func (m *ExpiryMemory) Learned(zone string) time.Duration {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	z := m.zones[zone]
	if z == nil || len(z.margins) == 0 {
		return 0
	}
	return slices.Min(z.margins)
}

// Len returns how many zones are remembered.
func (m *ExpiryMemory) Len() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.zones)
}

// observe records the signatures one probe of zone saw at now. An RRset
// whose signature now expires later than the one seen before was
// re-signed since: the old signature had (old expiration − now) left at
// the latest, which bounds the signer's refresh margin from below. The
// SOA is left out: it is re-signed at every change of the zone, whatever
// the signing policy.
func (m *ExpiryMemory) observe(zone string, sigs []sigTimes, now time.Time) {
	if m == nil || len(sigs) == 0 {
		return
	}
	latest := map[string]time.Time{}
	for _, s := range sigs {
		if s.rtype == "SOA" || s.expiration.IsZero() {
			continue
		}
		k := s.owner + "/" + s.rtype
		if s.expiration.After(latest[k]) {
			latest[k] = s.expiration
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	z := m.zones[zone]
	if z == nil {
		m.evict()
		z = &zoneRhythm{expiration: map[string]time.Time{}}
		m.zones[zone] = z
	}
	if now.Before(z.seen) {
		return // a clock that went back says nothing of the rhythm
	}
	z.seen = now
	resigned, margin := false, time.Duration(0)
	for k, exp := range latest {
		old, ok := z.expiration[k]
		if ok && exp.After(old) {
			if left := old.Sub(now); left > 0 && (!resigned || left < margin) {
				resigned, margin = true, left
			}
		}
		if ok || len(z.expiration) < maxRRsets {
			z.expiration[k] = exp
		}
	}
	if resigned {
		z.margins = append(z.margins, margin)
		if len(z.margins) > marginHistory {
			z.margins = z.margins[1:]
		}
	}
}

// evict forgets the least recently probed zone when the memory is full.
func (m *ExpiryMemory) evict() {
	if len(m.zones) < m.maxZones {
		return
	}
	var oldest string
	var at time.Time
	for name, z := range m.zones {
		if oldest == "" || z.seen.Before(at) {
			oldest, at = name, z.seen
		}
	}
	delete(m.zones, oldest)
}
