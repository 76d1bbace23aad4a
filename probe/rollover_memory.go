package probe

import (
	"container/list"
	"sync"
	"time"
)

// RolloverMemory remembers, per zone, when the exporter first and last saw
// each key, key role, DS, CDS and signature algorithm, and the rollover
// state it last classified the zone in, so that "stuck since" and "too
// early" are facts, not guesses. It lives on the Prober: it survives
// configuration reloads and is lost on restart (docs/metrics.md says so).
// Memory is bounded: at most maxZones zones (the least recently probed
// go first) and maxItems items per zone (the longest gone go first).
type RolloverMemory struct {
	mu       sync.Mutex
	maxZones int
	zones    map[string]*list.Element // of *zoneMemory
	lru      *list.List
}

// rolloverItemsPerZone bounds the items remembered for one zone: a zone
// in an algorithm rollover with two KSKs and two ZSKs per algorithm has
// about 40.
const rolloverItemsPerZone = 128

// goneForget is how long an item that disappeared is remembered.
const goneForget = 90 * 24 * time.Hour

type zoneMemory struct {
	key  string
	hist RolloverHistory
}

// NewRolloverMemory returns a memory for at most maxZones zones.
func NewRolloverMemory(maxZones int) *RolloverMemory {
	return &RolloverMemory{maxZones: max(maxZones, 1), zones: map[string]*list.Element{}, lru: list.New()}
}

// Len returns the number of zones remembered.
func (m *RolloverMemory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

// Observe records the items one probe of zone saw at now and returns the
// zone's history with them: a present item keeps its first sighting, an
// absent one that was present gets its Gone time.
func (m *RolloverMemory) Observe(zone string, items []string, now time.Time) RolloverHistory {
	m.mu.Lock()
	defer m.mu.Unlock()
	var zm *zoneMemory
	if e, ok := m.zones[zone]; ok {
		m.lru.MoveToFront(e)
		zm = e.Value.(*zoneMemory)
	} else {
		zm = &zoneMemory{key: zone, hist: RolloverHistory{Since: now, Seen: map[string]Sighting{}}}
		m.zones[zone] = m.lru.PushFront(zm)
		for m.lru.Len() > m.maxZones {
			old := m.lru.Back()
			m.lru.Remove(old)
			delete(m.zones, old.Value.(*zoneMemory).key)
		}
	}
	present := map[string]bool{}
	for _, id := range items {
		present[id] = true
		s := zm.hist.Seen[id]
		if s.First.IsZero() || !s.Gone.IsZero() {
			// New, or back after it was gone: a new appearance.
			s = Sighting{First: now}
		}
		s.Last = now
		zm.hist.Seen[id] = s
	}
	for id, s := range zm.hist.Seen {
		switch {
		case present[id]:
		case s.Gone.IsZero():
			s.Gone = now
			zm.hist.Seen[id] = s
		case now.Sub(s.Gone) > goneForget:
			delete(zm.hist.Seen, id)
		}
	}
	for len(zm.hist.Seen) > rolloverItemsPerZone {
		oldest := ""
		for id, s := range zm.hist.Seen {
			if present[id] {
				continue
			}
			if oldest == "" || s.Gone.Before(zm.hist.Seen[oldest].Gone) {
				oldest = id
			}
		}
		if oldest == "" {
			break // every item is present: keep them all
		}
		delete(zm.hist.Seen, oldest)
	}
	return cloneHistory(zm.hist)
}

// SetState records the state a probe classified the zone in.
func (m *RolloverMemory) SetState(zone string, rep RolloverReport) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.zones[zone]; ok {
		zm := e.Value.(*zoneMemory)
		zm.hist.State, zm.hist.StateSince, zm.hist.Started = rep.State, rep.StateSince, rep.Started
	}
}

func cloneHistory(h RolloverHistory) RolloverHistory {
	out := h
	out.Seen = make(map[string]Sighting, len(h.Seen))
	for k, v := range h.Seen {
		out.Seen[k] = v
	}
	return out
}
