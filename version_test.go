package main

import (
	"bytes"
	"html"
	"io"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/version"
)

func TestWithBuildInfo(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2026-12-01T10:20:30Z"},
			{Key: "vcs.modified", Value: modified},
		}
	}
	info := func(mainVersion string, settings []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{
			Main:     debug.Module{Path: "github.com/dnshealth/dnshealth_exporter", Version: mainVersion},
			Settings: settings,
		}
	}
	ldflags := buildVersion{Version: "0.1.0", Revision: "fedcba9", Branch: "main", BuildUser: "ci@host", BuildDate: "20261202-08:00:00"}
	tests := []struct {
		name string
		in   buildVersion
		info *debug.BuildInfo
		want buildVersion
	}{
		{"go build on a tag", buildVersion{}, info("v0.1.0", vcs("false")),
			buildVersion{Version: "0.1.0", Revision: rev, BuildDate: "20261201-10:20:30"}},
		{"go build after a tag, uncommitted changes", buildVersion{}, info("v0.1.1-0.20261201102030-0123456789ab+dirty", vcs("true")),
			buildVersion{Version: "0.1.1-0.20261201102030-0123456789ab+dirty", Revision: rev + "-modified", BuildDate: "20261201-10:20:30"}},
		{"go build with -buildvcs=false", buildVersion{}, info("(devel)", nil),
			buildVersion{Version: develVersion}},
		{"go install at a tag", buildVersion{}, info("v0.1.0", nil),
			buildVersion{Version: "0.1.0"}},
		{"go install at a commit", buildVersion{}, info("v0.0.0-20261201102030-0123456789ab", nil),
			buildVersion{Version: "0.0.0-20261201102030-0123456789ab", Revision: "0123456789ab"}},
		{"go install at a commit after a pre-release", buildVersion{}, info("v0.2.0-rc.1.0.20261201102030-0123456789ab", nil),
			buildVersion{Version: "0.2.0-rc.1.0.20261201102030-0123456789ab", Revision: "0123456789ab"}},
		{"ldflags win", ldflags, info("v9.9.9", vcs("true")), ldflags},
		{"ldflags version only", buildVersion{Version: "0.1.0"}, info("(devel)", vcs("false")),
			buildVersion{Version: "0.1.0", Revision: rev, BuildDate: "20261201-10:20:30"}},
		{"no build information", buildVersion{}, nil, buildVersion{Version: develVersion}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := withBuildInfo(tc.in, tc.info); got != tc.want {
				t.Errorf("withBuildInfo\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestVersionShown checks that init filled prometheus/common/version and
// that --version, the landing page and dnshealth_exporter_build_info show it.
// A test binary carries no VCS information, so the version is the
// toolchain's "(devel)" unless -ldflags set one.
func TestVersionShown(t *testing.T) {
	info, _ := debug.ReadBuildInfo()
	want := withBuildInfo(buildVersion{}, info).Version
	if version.Version == "" || version.Version != want {
		t.Fatalf("version.Version = %q, want %q (from the build information)", version.Version, want)
	}

	var out bytes.Buffer
	app := newApp(&options{log: &promslog.Config{}}, &out, io.Discard)
	app.Terminate(func(int) {})
	_, _ = app.Parse([]string{"--version"})
	if !strings.Contains(out.String(), "version "+version.Version+" ") ||
		!strings.Contains(out.String(), "revision: "+version.GetRevision()+")") {
		t.Errorf("--version printed %q, want version %q and revision %q", out.String(), version.Version, version.GetRevision())
	}

	e, _ := newTestExporter(t)
	landing := do(t, e.mux, http.MethodGet, "/").Body.String()
	if !strings.Contains(landing, html.EscapeString("version="+version.Version+",")) {
		t.Errorf("landing page lacks version %q", version.Version)
	}
	w := do(t, e.mux, http.MethodGet, "/metrics")
	if w.Code != http.StatusOK {
		t.Fatalf("/metrics answered %d", w.Code)
	}
	re := regexp.MustCompile(`(?m)^dnshealth_exporter_build_info\{.*\bversion="` + regexp.QuoteMeta(version.Version) + `".*\} 1$`)
	if !re.MatchString(w.Body.String()) {
		t.Errorf("/metrics lacks dnshealth_exporter_build_info with version %q", version.Version)
	}
}
