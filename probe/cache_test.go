package probe

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"
)

var cacheT0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func servers(n int) []NameServer {
	return []NameServer{{Name: "ns.example.", Addrs: make([]netip.Addr, n)}}
}

// TestCacheEvictsLeastRecentlyUsedAtEntryBound: at its entry bound the
// cache drops the entry used longest ago, not one just read.
func TestCacheEvictsLeastRecentlyUsedAtEntryBound(t *testing.T) {
	c := NewCache(3)
	for _, k := range []string{"a.", "b.", "c."} {
		c.putZone(k, servers(1), time.Hour, cacheT0)
	}
	if _, ok := c.getZone("a.", cacheT0); !ok {
		t.Fatal("a. not cached")
	}
	c.putZone("d.", servers(1), time.Hour, cacheT0)
	if c.Len() != 3 || c.Evictions() != 1 {
		t.Errorf("after a fourth insert: %d entries, %d evictions; want 3 and 1", c.Len(), c.Evictions())
	}
	for k, want := range map[string]bool{"a.": true, "b.": false, "c.": true, "d.": true} {
		if _, ok := c.getZone(k, cacheT0); ok != want {
			t.Errorf("%s cached = %v, want %v", k, ok, want)
		}
	}
}

// TestCacheStaysWithinByteBound: however many entries go in, the
// estimated size never passes the byte bound, and an entry larger than
// the whole bound is not cached at all.
func TestCacheStaysWithinByteBound(t *testing.T) {
	const bound = 4000
	c := NewCacheLimits(1000, bound)
	for i := range 200 {
		c.putZone(fmt.Sprintf("z%d.", i), servers(i%8+1), time.Hour, cacheT0)
		if b := c.Bytes(); b > bound || b <= 0 {
			t.Fatalf("after %d inserts: %d bytes, bound %d", i+1, b, bound)
		}
	}
	if c.Len() >= 200 || c.Evictions() == 0 {
		t.Errorf("%d entries and %d evictions after 200 inserts into %d bytes", c.Len(), c.Evictions(), bound)
	}
	if _, ok := c.getZone("z199.", cacheT0); !ok {
		t.Error("the newest entry was evicted")
	}
	c.putZone("huge.", servers(1000), time.Hour, cacheT0)
	if _, ok := c.getZone("huge.", cacheT0); ok {
		t.Error("an entry larger than the byte bound was cached")
	}
}

// TestCacheReplacesAndExpires: a second insert of a key replaces the first
// without counting twice, and an entry is gone at its expiry.
func TestCacheReplacesAndExpires(t *testing.T) {
	c := NewCache(10)
	c.putZone("a.", servers(1), time.Hour, cacheT0)
	before := c.Bytes()
	c.putZone("a.", servers(1), time.Minute, cacheT0)
	if c.Len() != 1 || c.Bytes() != before {
		t.Errorf("after replacing: %d entries, %d bytes; want 1 and %d", c.Len(), c.Bytes(), before)
	}
	if _, ok := c.getZone("a.", cacheT0.Add(time.Minute)); ok {
		t.Error("entry served at its expiry")
	}
	if c.Len() != 0 || c.Bytes() != 0 {
		t.Errorf("expired entry still held: %d entries, %d bytes", c.Len(), c.Bytes())
	}
}

// TestJoinMakesFollowersWaitForTheLeader: a second probe joining a key in
// flight waits until the first is done, then is told it waited.
func TestJoinMakesFollowersWaitForTheLeader(t *testing.T) {
	c := NewCache(10)
	done, waited := c.join(t.Context(), "k", 1)
	if waited {
		t.Fatal("the first caller waited")
	}
	joined := make(chan bool)
	go func() {
		d, w := c.join(t.Context(), "k", 2)
		d()
		joined <- w
	}()
	select {
	case <-joined:
		t.Fatal("the follower did not wait for the leader")
	case <-time.After(50 * time.Millisecond):
	}
	done()
	if !<-joined {
		t.Error("the follower was not told it waited")
	}
	// The key is free again: the next caller leads.
	d, w := c.join(t.Context(), "k", 3)
	d()
	if w {
		t.Error("a caller after the flight waited")
	}
}

// TestJoinNeverWaitsForItsOwnProbe: a probe joining a key it leads (a
// nested lookup) goes on at once rather than wait for itself.
func TestJoinNeverWaitsForItsOwnProbe(t *testing.T) {
	c := NewCache(10)
	done, _ := c.join(t.Context(), "k", 1)
	defer done()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	d, waited := c.join(ctx, "k", 1)
	d()
	if waited {
		t.Error("the probe waited for its own fetch")
	}
}

// BenchmarkCachePut: inserting into a full cache costs the same at 1,000
// and 100,000 entries (eviction takes the list's tail; nothing scans).
func BenchmarkCachePut(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := NewCacheLimits(n, 1<<40)
			for i := range n {
				c.putZone(fmt.Sprintf("z%d.", i), servers(1), time.Hour, cacheT0)
			}
			keys := make([]string, 4096)
			for i := range keys {
				keys[i] = fmt.Sprintf("new%d.", i)
			}
			i := 0
			for b.Loop() {
				c.putZone(keys[i%len(keys)], servers(1), time.Hour, cacheT0)
				i++
			}
		})
	}
}
