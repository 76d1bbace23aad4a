// Package validate is the DNSSEC validator the probe uses, with no I/O:
// verifying an RRset against a key set and its RRSIGs (RFC 4035 section
// 5.3), matching DS to DNSKEY (RFC 4034 section 5.1.4), selecting the keys
// a DS set or trust anchor vouches for (RFC 4035 section 5), proving
// NSEC/NSEC3 denial of existence (RFC 4035 section 5.4, RFC 5155 section
// 8), and canonical names and their ordering (RFC 4034 section 6.1).
//
// It opens no socket and keeps no global state: the caller passes the
// time, the cost bounds (Limits) and, when it wants one, the memo of
// signature checks (Memo) it owns.
package validate
