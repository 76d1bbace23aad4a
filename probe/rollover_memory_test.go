package probe

import (
	"fmt"
	"testing"
	"time"
)

// TestRolloverMemoryRemembersFirstSightingAndGone: an item keeps its
// first sighting while present, gets a Gone time on the first probe
// without it, and starts afresh when it comes back.
func TestRolloverMemoryRemembersFirstSightingAndGone(t *testing.T) {
	m := NewRolloverMemory(10)
	t0 := rollT0
	m.Observe("z", []string{"key/13/1", "key/13/2"}, t0)
	h := m.Observe("z", []string{"key/13/1"}, t0.Add(hour))
	if s := h.Seen["key/13/1"]; !s.First.Equal(t0) || !s.Last.Equal(t0.Add(hour)) || !s.Gone.IsZero() {
		t.Errorf("present key: %+v, want first %s last %s", s, t0, t0.Add(hour))
	}
	if s := h.Seen["key/13/2"]; !s.Gone.Equal(t0.Add(hour)) || !s.Last.Equal(t0) {
		t.Errorf("gone key: %+v, want gone at %s, last seen %s", s, t0.Add(hour), t0)
	}
	if !h.Since.Equal(t0) {
		t.Errorf("since %s, want %s", h.Since, t0)
	}
	h = m.Observe("z", []string{"key/13/1"}, t0.Add(2*hour))
	if s := h.Seen["key/13/2"]; !s.Gone.Equal(t0.Add(hour)) {
		t.Errorf("gone key after another probe: %+v, want gone still at %s", s, t0.Add(hour))
	}
	h = m.Observe("z", []string{"key/13/1", "key/13/2"}, t0.Add(3*hour))
	if s := h.Seen["key/13/2"]; !s.First.Equal(t0.Add(3*hour)) || !s.Gone.IsZero() {
		t.Errorf("returned key: %+v, want a new first sighting at %s", s, t0.Add(3*hour))
	}
	h = m.Observe("z", []string{"key/13/1"}, t0.Add(4*hour))
	h = m.Observe("z", []string{"key/13/1"}, t0.Add(4*hour+goneForget+time.Second))
	if _, ok := h.Seen["key/13/2"]; ok {
		t.Errorf("an item gone for longer than %s is still remembered", goneForget)
	}
}

// TestRolloverMemoryIsBounded: the least recently probed zone goes first,
// and a zone keeps at most rolloverItemsPerZone items, dropping the
// longest gone.
func TestRolloverMemoryIsBounded(t *testing.T) {
	m := NewRolloverMemory(2)
	m.Observe("a", []string{"x"}, rollT0)
	m.Observe("b", []string{"x"}, rollT0)
	m.Observe("a", []string{"x"}, rollT0.Add(time.Minute))
	m.Observe("c", []string{"x"}, rollT0.Add(2*time.Minute))
	if m.Len() != 2 {
		t.Fatalf("%d zones remembered, want 2", m.Len())
	}
	if h := m.Observe("b", []string{"x"}, rollT0.Add(3*time.Minute)); !h.Since.Equal(rollT0.Add(3 * time.Minute)) {
		t.Errorf("b, the least recently probed, was kept (since %s)", h.Since)
	}
	if h := m.Observe("c", []string{"x"}, rollT0.Add(4*time.Minute)); !h.Since.Equal(rollT0.Add(2 * time.Minute)) {
		t.Errorf("c was forgotten (since %s)", h.Since)
	}

	m = NewRolloverMemory(1)
	for i := range rolloverItemsPerZone + 10 {
		m.Observe("z", []string{"keep", fmt.Sprintf("key/13/%d", i)}, rollT0.Add(time.Duration(i)*time.Minute))
	}
	h := m.Observe("z", []string{"keep"}, rollT0.Add(day))
	if len(h.Seen) > rolloverItemsPerZone {
		t.Errorf("%d items remembered, want at most %d", len(h.Seen), rolloverItemsPerZone)
	}
	if _, ok := h.Seen["keep"]; !ok {
		t.Error("the present item was dropped")
	}
	if _, ok := h.Seen[fmt.Sprintf("key/13/%d", rolloverItemsPerZone+9)]; !ok {
		t.Error("the most recently gone item was dropped before older ones")
	}
}
