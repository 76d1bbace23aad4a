package probe

import (
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// NS targets and `records` entries that are aliases.
//
// RFC 2181 section 10.3: the target of an NS record must not be an alias
// (a CNAME owner). Resolvers differ: Unbound follows the CNAME to an
// address, BIND skips such a nameserver ("skipping nameserver ... because
// it is a CNAME", lib/dns/adb.c; its resolver system test "all-cnames"
// SERVFAILs a zone whose every NS target is one). The walk follows
// aliases as Unbound does, and the probe raises ns_target_cname.

// cnameTarget returns the target of the CNAME owned by name in m's answer
// section, or "".
func cnameTarget(m *dns.Msg, name string) string {
	if m == nil {
		return ""
	}
	for _, rr := range m.Answer {
		if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, name) {
			return strings.ToLower(c.Target)
		}
	}
	return ""
}

// answerTTL is the largest TTL in m's answer, capped: an alias stays known
// at least as long as the addresses found through it are cached.
func answerTTL(m *dns.Msg) time.Duration {
	var ttl time.Duration
	for _, rr := range m.Answer {
		ttl = max(ttl, time.Duration(rr.Header().Ttl)*time.Second)
	}
	return min(ttl, maxCacheTTL)
}

// noteAlias remembers, for this probe and in the cache, that name is an
// alias when m's answer has a CNAME at name.
func (r *run) noteAlias(m *dns.Msg, name string) {
	target := cnameTarget(m, name)
	if target == "" {
		return
	}
	r.mu.Lock()
	if r.aliases == nil {
		r.aliases = map[string]string{}
	}
	r.aliases[strings.ToLower(name)] = target
	r.mu.Unlock()
	r.p.Cache.put(r.cacheScope()+"alias:"+strings.ToLower(name), target, answerTTL(m), r.now)
}

// aliasOf returns the CNAME target of name met by this probe or cached.
func (r *run) aliasOf(name string) (string, bool) {
	name = strings.ToLower(name)
	r.mu.Lock()
	t, ok := r.aliases[name]
	r.mu.Unlock()
	if ok {
		return t, true
	}
	if v, ok := r.p.Cache.get(r.cacheScope()+"alias:"+name, r.now); ok {
		t, ok := v.(string)
		return t, ok
	}
	return "", false
}

// nsAliasFinding is ns_target_cname for the delegated name, an alias
// of target.
func nsAliasFinding(name, target string) raised {
	return raise(CheckNSTargetCNAME, name, "", "nameserver name %s is an alias (CNAME to %s): RFC 2181 section 10.3 forbids NS records that point at an alias; Unbound follows it, BIND skips this nameserver",
		strings.TrimSuffix(name, "."), strings.TrimSuffix(target, "."))
}

// recordAlias: a `records` entry answered with a CNAME instead of the type
// asked for is reported (record_cname), and the CNAME's own signatures are
// judged: it is what a validator checks for that name.
func (c *serverJudgement) recordAlias(m *dns.Msg, owner string, qtype uint16) {
	target := cnameTarget(m, owner)
	if target == "" || qtype == dns.TypeCNAME {
		return
	}
	c.raise(CheckRecordCNAME, "the records entry %s %s is answered with a CNAME to %s: its signatures were checked on the CNAME, not on %s records at the target",
		strings.TrimSuffix(owner, "."), dns.TypeToString[qtype], strings.TrimSuffix(target, "."), dns.TypeToString[qtype])
	if set, sigs := validate.SplitSigs(m.Answer, owner, dns.TypeCNAME); len(set) > 0 {
		c.judge(owner, dns.TypeCNAME, set, sigs)
	}
}
