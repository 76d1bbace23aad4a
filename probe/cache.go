package probe

import (
	"net/netip"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Cache holds parent-side data across probes: the servers of zones met on
// the way down from the root, the addresses of nameserver names, and the
// DNSKEYs of zones above the target once validated from the trust anchor
// down (for at most maxKeyCache, and never past a signature's expiry). Entries
// expire with their TTL; when full, the entry closest to expiry is dropped.
// What is measured about the target zone itself is never cached.
type Cache struct {
	mu      sync.Mutex
	max     int
	entries map[string]cacheEntry
}

type cacheEntry struct {
	value   any // []NameServer for zone cuts and names, []*dns.DNSKEY for validated keys
	expires time.Time
}

// Cache key prefixes keep zone cuts, name addresses and keys apart.
const (
	cacheZone = "zone:"
	cacheAddr = "addr:"
	cacheKeys = "keys:"
)

// NewCache returns a cache bounded to max entries; max <= 0 disables caching.
func NewCache(max int) *Cache {
	return &Cache{max: max, entries: map[string]cacheEntry{}}
}

func (c *Cache) get(key string, now time.Time) (any, bool) {
	if c == nil || c.max <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	if !now.Before(e.expires) {
		delete(c.entries, key)
		return nil, false
	}
	return e.value, true
}

func (c *Cache) put(key string, value any, ttl time.Duration, now time.Time) {
	if c == nil || c.max <= 0 || ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.max {
		c.evictLocked(now)
	}
	c.entries[key] = cacheEntry{value: value, expires: now.Add(ttl)}
}

// evictLocked drops expired entries, or else the one that expires first.
func (c *Cache) evictLocked(now time.Time) {
	var oldest string
	var oldestT time.Time
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
			continue
		}
		if oldest == "" || e.expires.Before(oldestT) {
			oldest, oldestT = k, e.expires
		}
	}
	if len(c.entries) >= c.max && oldest != "" {
		delete(c.entries, oldest)
	}
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
