package probe

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
)

func TestClassifySOA(t *testing.T) {
	const zone = "zone.test."
	soa := "zone.test. 300 IN SOA ns1.zone.test. h.zone.test. 7 1 1 1 1"
	cases := []struct {
		name   string
		rcode  int
		aa     bool
		answer []string
		ns     []string
		want   Status
	}{
		{"ok", dns.RcodeSuccess, true, []string{soa}, nil, StatusOK},
		{"no aa", dns.RcodeSuccess, false, []string{soa}, nil, StatusNotAuthoritative},
		{"refused", dns.RcodeRefused, false, nil, nil, StatusRefused},
		{"servfail", dns.RcodeServerFailure, false, nil, nil, StatusServfail},
		{"formerr", dns.RcodeFormatError, false, nil, nil, StatusMalformed},
		{"nxdomain aa", dns.RcodeNameError, true, nil, []string{"test. 300 IN SOA a. b. 1 1 1 1 1"}, StatusWrongZone},
		{"nxdomain no aa", dns.RcodeNameError, false, nil, nil, StatusNotAuthoritative},
		{"other soa", dns.RcodeSuccess, true, []string{"other.test. 300 IN SOA a. b. 1 1 1 1 1"}, nil, StatusWrongZone},
		{"cname", dns.RcodeSuccess, true, []string{"zone.test. 300 IN CNAME x.test."}, nil, StatusWrongZone},
		{"upward", dns.RcodeSuccess, false, nil, []string{". 300 IN NS a.root-servers.test."}, StatusUpwardReferral},
		{"upward to tld", dns.RcodeSuccess, false, nil, []string{"test. 300 IN NS ns1.nic.test."}, StatusUpwardReferral},
		{"self referral", dns.RcodeSuccess, false, nil, []string{"zone.test. 300 IN NS ns1.zone.test."}, StatusReferral},
		{"nodata other zone", dns.RcodeSuccess, true, nil, []string{"test. 300 IN SOA a. b. 1 1 1 1 1"}, StatusWrongZone},
		{"empty no aa", dns.RcodeSuccess, false, nil, nil, StatusNotAuthoritative},
		{"empty aa", dns.RcodeSuccess, true, nil, nil, StatusMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := new(dns.Msg)
			m.SetQuestion(zone, dns.TypeSOA)
			m.Response, m.Rcode, m.Authoritative = true, tc.rcode, tc.aa
			for _, s := range tc.answer {
				m.Answer = append(m.Answer, dnstest.MustRR(t, s))
			}
			for _, s := range tc.ns {
				m.Ns = append(m.Ns, dnstest.MustRR(t, s))
			}
			got, detail, serial := classifySOA(m, zone)
			if got != tc.want {
				t.Fatalf("status = %s (%s), want %s", got, detail, tc.want)
			}
			if got == StatusOK && serial != 7 {
				t.Errorf("serial = %d, want 7", serial)
			}
			if got != StatusOK && detail == "" {
				t.Error("no detail for a lame status")
			}
		})
	}
}

func TestClassifyError(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want Status
	}{
		{"deadline", os.ErrDeadlineExceeded, StatusTimeout},
		{"op timeout", &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, StatusTimeout},
		{"conn refused", &net.OpError{Op: "read", Err: os.NewSyscallError("recvfrom", syscall.ECONNREFUSED)}, StatusNetworkError},
		{"net unreachable", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}, StatusFamilyUnreachable},
		{"mismatch", fmt.Errorf("%w: x", errMismatch), StatusMalformed},
		{"id", dns.ErrId, StatusMalformed},
		{"unpack", errors.New("dns: overflow unpacking uint16"), StatusMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := classifyError(tc.err); got != tc.want {
				t.Errorf("classifyError(%v) = %s, want %s", tc.err, got, tc.want)
			}
		})
	}
}

func TestSerialLess(t *testing.T) {
	cases := []struct {
		a, b uint32
		want bool
	}{
		{1, 2, true},
		{2, 1, false},
		{5, 5, false},
		{0xFFFFFFFF, 0, true}, // wraps: 0 is after 2^32-1 (RFC 1982)
		{0, 0xFFFFFFFF, false},
		{2026112601, 2026112701, true},
	}
	for _, tc := range cases {
		if got := serialLess(tc.a, tc.b); got != tc.want {
			t.Errorf("serialLess(%d, %d) = %t, want %t", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCheckCatalogue(t *testing.T) {
	seen := map[CheckID]bool{}
	for _, c := range Checks {
		if seen[c.ID] {
			t.Errorf("check %s listed twice", c.ID)
		}
		seen[c.ID] = true
	}
	for s, id := range lameCheck {
		if !seen[id] {
			t.Errorf("lame status %s maps to unlisted check %s", s, id)
		}
	}
	for _, s := range Statuses {
		if s.Lame() && lameCheck[s] == "" {
			t.Errorf("lame status %s has no check", s)
		}
	}
}
