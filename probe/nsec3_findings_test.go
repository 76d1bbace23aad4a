package probe

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestNSEC3Findings(t *testing.T) {
	tests := []struct {
		name       string
		p          NSEC3Param
		want       []CheckID
		mentions   []string // in the limit message
		notMention []string
	}{
		{name: "0 iterations, no salt", p: NSEC3Param{}, want: nil},
		{name: "10 iterations", p: NSEC3Param{Iterations: 10}, want: []CheckID{CheckNSEC3Iterations}},
		{name: "50 iterations, at the BIND and Knot limit", p: NSEC3Param{Iterations: 50}, want: []CheckID{CheckNSEC3Iterations}},
		{name: "51 iterations", p: NSEC3Param{Iterations: 51}, want: []CheckID{CheckNSEC3Iterations, CheckNSEC3IterationsLimit},
			mentions: []string{"BIND 9 (limit 50", "Knot Resolver (limit 50", "still validated by Unbound (limit 150)"}},
		{name: "150 iterations", p: NSEC3Param{Iterations: 150}, want: []CheckID{CheckNSEC3Iterations, CheckNSEC3IterationsLimit},
			mentions: []string{"BIND 9", "Knot Resolver", "still validated by Unbound"}},
		{name: "200 iterations", p: NSEC3Param{Iterations: 200}, want: []CheckID{CheckNSEC3Iterations, CheckNSEC3IterationsLimit},
			mentions: []string{"BIND 9 (limit 50", "Knot Resolver (limit 50", "Unbound (limit 150", "RFC 9276"}, notMention: []string{"still validated"}},
		{name: "salt, 0 iterations", p: NSEC3Param{SaltLength: 8}, want: []CheckID{CheckNSEC3Salt}},
		{name: "10 iterations and a 4-byte salt", p: NSEC3Param{Iterations: 10, SaltLength: 4}, want: []CheckID{CheckNSEC3Iterations, CheckNSEC3Salt}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := nsec3Findings(tt.p)
			var ids []CheckID
			for _, f := range got {
				ids = append(ids, f.check)
				if f.message == "" || strings.Contains(f.message, "\n") {
					t.Errorf("%s message %q is not one line", f.check, f.message)
				}
				switch f.check {
				case CheckNSEC3IterationsLimit:
					for _, m := range tt.mentions {
						if !strings.Contains(f.message, m) {
							t.Errorf("limit message %q does not mention %q", f.message, m)
						}
					}
					for _, m := range tt.notMention {
						if strings.Contains(f.message, m) {
							t.Errorf("limit message %q mentions %q", f.message, m)
						}
					}
				case CheckNSEC3Iterations:
					if !strings.Contains(f.message, fmt.Sprint(tt.p.Iterations)) {
						t.Errorf("iterations message %q does not give the count", f.message)
					}
				case CheckNSEC3Salt:
					if !strings.Contains(f.message, fmt.Sprintf("%d-byte", tt.p.SaltLength)) {
						t.Errorf("salt message %q does not give the length", f.message)
					}
				}
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("findings %v, want %v", ids, tt.want)
			}
		})
	}
}

// Above a validator's iteration limit the denials are insecure, and only
// they: judgeNSEC3 marks DenialsInsecure exactly when it raises
// nsec3_iterations_above_limit.
func TestJudgeNSEC3MarksOnlyTheDenialsInsecure(t *testing.T) {
	for _, c := range []struct {
		iterations uint16
		want       bool
	}{{0, false}, {50, false}, {51, true}, {200, true}} {
		p := &NSEC3Param{Iterations: c.iterations, DenialsInsecure: !c.want}
		fs := judgeNSEC3(p)
		raised := slices.ContainsFunc(fs, func(f nsec3Finding) bool { return f.check == CheckNSEC3IterationsLimit })
		if p.DenialsInsecure != c.want || raised != c.want {
			t.Errorf("%d iterations: denials insecure %t, limit finding %t; want %t", c.iterations, p.DenialsInsecure, raised, c.want)
		}
	}
}
