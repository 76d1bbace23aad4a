package main

import (
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/common/version"
)

// buildVersion is what github.com/prometheus/common/version reports on
// --version, on the landing page and in dnshealth_exporter_build_info.
type buildVersion struct {
	Version, Revision, Branch, BuildUser, BuildDate string
}

// develVersion is reported when neither the ldflags nor the Go toolchain
// recorded a version; it is the toolchain's own word for it.
const develVersion = "(devel)"

// buildDateLayout is the layout of version.BuildDate in Prometheus builds
// (promu) and in ours (.goreleaser.yaml, Dockerfile).
const buildDateLayout = "20060102-15:04:05"

// init runs before main and before any test, so that everything that reads
// prometheus/common/version (kingpin's --version, the landing page, the
// build_info collector, the start-up log line) sees the completed values.
func init() {
	info, _ := debug.ReadBuildInfo()
	v := withBuildInfo(buildVersion{
		Version:   version.Version,
		Revision:  version.Revision,
		Branch:    version.Branch,
		BuildUser: version.BuildUser,
		BuildDate: version.BuildDate,
	}, info)
	version.Version, version.Revision, version.Branch = v.Version, v.Revision, v.Branch
	version.BuildUser, version.BuildDate = v.BuildUser, v.BuildDate
}

// withBuildInfo fills what the release build's -ldflags -X left empty from
// the Go toolchain's build information, so that a plain `go build` in a
// checkout and `go install …@vX.Y.Z` still say what they are:
//
//   - Version: the main module's version without its "v" (as goreleaser's
//     {{.Version}} has it): the tag for `go install …@v0.1.0`; for `go build`
//     in a checkout, Go 1.24 and later derive it from the VCS tags (a
//     pseudo-version between tags, "+dirty" with uncommitted changes).
//   - Revision: vcs.revision, with "-modified" when vcs.modified is true (as
//     prometheus/common/version.GetRevision does); else the commit hash in a
//     pseudo-version, which is all a `go install` of an untagged commit has.
//   - BuildDate: vcs.time, the commit's time: Go records no build time.
//
// Values set by the ldflags are kept as they are.
func withBuildInfo(v buildVersion, info *debug.BuildInfo) buildVersion {
	if info == nil {
		if v.Version == "" {
			v.Version = develVersion
		}
		return v
	}
	settings := make(map[string]string, len(info.Settings))
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if v.Version == "" {
		v.Version = develVersion
		if mv := info.Main.Version; mv != "" && mv != develVersion {
			v.Version = strings.TrimPrefix(mv, "v")
		}
	}
	if v.Revision == "" {
		if rev := settings["vcs.revision"]; rev != "" {
			v.Revision = rev
			if settings["vcs.modified"] == "true" {
				v.Revision += "-modified"
			}
		} else {
			v.Revision = pseudoVersionRevision(info.Main.Version)
		}
	}
	if v.BuildDate == "" {
		if t, err := time.Parse(time.RFC3339, settings["vcs.time"]); err == nil {
			v.BuildDate = t.UTC().Format(buildDateLayout)
		}
	}
	return v
}

// pseudoVersionRe matches the tail of a Go pseudo-version
// (https://go.dev/ref/mod#pseudo-versions): a 14-digit UTC timestamp, then
// the 12-character commit hash, then optional build metadata.
var pseudoVersionRe = regexp.MustCompile(`[-.][0-9]{14}-([0-9a-f]{12})(\+.*)?$`)

// pseudoVersionRevision returns the commit hash a pseudo-version carries, or
// "" for a release version such as v0.1.0.
func pseudoVersionRevision(v string) string {
	if m := pseudoVersionRe.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return ""
}
