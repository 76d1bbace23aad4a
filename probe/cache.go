package probe

import (
	"container/list"
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Cache holds parent-side data across probes: the servers of zones met on
// the way down from the root, the addresses of nameserver names, and the
// DNSKEYs of zones above the target once validated from the trust anchor
// down (for at most maxKeyCache, and never past a signature's expiry).
// What is measured about the target zone itself is never cached.
//
// Entries expire with their TTL. The cache is bounded in entries and in
// bytes (an estimate of what the entries hold); when an insert would go
// past either bound, the least recently used entries are dropped, from
// the tail of a list, so no insert scans the whole cache.
//
// The cache also coalesces fetches (join): while one probe asks for a
// referral or a zone's keys, other probes that need the same wait for it
// and then read the cache, so that 500 cold probes of zones under one TLD
// fetch the TLD's referral and keys once.
type Cache struct {
	mu       sync.Mutex
	max      int
	maxBytes int64
	bytes    int64
	entries  map[string]*list.Element // values are *cacheEntry
	lru      list.List                // front: most recently used
	evicted  uint64
	flights  map[string]*flight
}

type cacheEntry struct {
	key     string
	value   any // []NameServer for zone cuts and names, []*dns.DNSKEY for validated keys
	expires time.Time
	size    int64
}

// flight is a fetch in progress: done is closed when its leader is done.
type flight struct {
	done   chan struct{}
	leader any
}

// Cache key prefixes keep zone cuts, name addresses and keys apart.
const (
	cacheZone = "zone:"
	cacheAddr = "addr:"
	cacheKeys = "keys:"
)

// DefaultCacheBytes is the byte bound of NewCache.
const DefaultCacheBytes = 64 << 20

// entryOverhead is what one entry costs besides its key and value: the
// map slot, the list element and the entry itself, roughly.
const entryOverhead = 160

// NewCache returns a cache bounded to max entries and DefaultCacheBytes;
// max <= 0 disables caching.
func NewCache(max int) *Cache {
	return NewCacheLimits(max, DefaultCacheBytes)
}

// NewCacheLimits returns a cache bounded to maxEntries entries and about
// maxBytes bytes; either <= 0 disables caching.
func NewCacheLimits(maxEntries int, maxBytes int64) *Cache {
	if maxBytes <= 0 {
		maxEntries = 0
	}
	return &Cache{max: maxEntries, maxBytes: maxBytes, entries: map[string]*list.Element{}, flights: map[string]*flight{}}
}

func (c *Cache) get(key string, now time.Time) (any, bool) {
	if c == nil || c.max <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.removeLocked(el)
		return nil, false
	}
	c.lru.MoveToFront(el)
	return e.value, true
}

func (c *Cache) put(key string, value any, ttl time.Duration, now time.Time) {
	if c == nil || c.max <= 0 || ttl <= 0 {
		return
	}
	size := entryOverhead + int64(len(key)) + valueSize(value)
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.removeLocked(el)
	}
	e := &cacheEntry{key: key, value: value, expires: now.Add(ttl), size: size}
	c.entries[key] = c.lru.PushFront(e)
	c.bytes += size
	for len(c.entries) > c.max || c.bytes > c.maxBytes {
		c.removeLocked(c.lru.Back())
		c.evicted++
	}
}

func (c *Cache) removeLocked(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.bytes -= e.size
}

// valueSize estimates the bytes a cached value holds.
func valueSize(v any) int64 {
	var n int64
	switch v := v.(type) {
	case []NameServer:
		for _, s := range v {
			n += 64 + int64(len(s.Name)) + 24*int64(len(s.Addrs))
		}
	case []*dns.DNSKEY:
		for _, k := range v {
			n += 96 + int64(len(k.Hdr.Name)+len(k.PublicKey))
		}
	}
	return n
}

// Len returns the number of entries, expired ones included.
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Bytes returns the estimated size of the entries, expired ones included.
func (c *Cache) Bytes() int64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Evictions returns how many live entries were dropped to keep the cache
// within its bounds (expired entries dropped on lookup are not counted).
func (c *Cache) Evictions() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.evicted
}

// join coalesces fetches of key. If no fetch of key is in flight, the
// caller leads one: it fetches and caches, then calls done. Otherwise join
// waits until the leader is done (or ctx ends) and returns waited set:
// the caller should read the cache again, and fetch itself (without
// leading) only when the leader left nothing there. leader identifies the
// caller's probe, so that a probe never waits for itself: a nested lookup
// of the same key within one probe goes ahead at once.
func (c *Cache) join(ctx context.Context, key string, leader any) (done func(), waited bool) {
	if c == nil || c.max <= 0 {
		return func() {}, false
	}
	c.mu.Lock()
	if f, ok := c.flights[key]; ok {
		c.mu.Unlock()
		if f.leader == leader {
			return func() {}, false
		}
		select {
		case <-f.done:
		case <-ctx.Done():
		}
		return func() {}, true
	}
	f := &flight{done: make(chan struct{}), leader: leader}
	c.flights[key] = f
	c.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			delete(c.flights, key)
			c.mu.Unlock()
			close(f.done)
		})
	}, false
}

func (c *Cache) getZone(zone string, now time.Time) ([]NameServer, bool) {
	v, ok := c.get(cacheZone+zone, now)
	s, _ := v.([]NameServer)
	return s, ok && s != nil
}

func (c *Cache) putZone(zone string, servers []NameServer, ttl time.Duration, now time.Time) {
	c.put(cacheZone+zone, servers, ttl, now)
}

func (c *Cache) getAddrs(name string, now time.Time) ([]netip.Addr, bool) {
	v, ok := c.get(cacheAddr+name, now)
	s, _ := v.([]NameServer)
	if !ok || len(s) != 1 {
		return nil, false
	}
	return s[0].Addrs, true
}

func (c *Cache) putAddrs(name string, addrs []netip.Addr, ttl time.Duration, now time.Time) {
	c.put(cacheAddr+name, []NameServer{{Name: name, Addrs: addrs}}, ttl, now)
}

func (c *Cache) getKeys(zone string, now time.Time) ([]*dns.DNSKEY, bool) {
	v, ok := c.get(cacheKeys+zone, now)
	k, _ := v.([]*dns.DNSKEY)
	return k, ok && k != nil
}

func (c *Cache) putKeys(zone string, keys []*dns.DNSKEY, ttl time.Duration, now time.Time) {
	c.put(cacheKeys+zone, keys, ttl, now)
}
