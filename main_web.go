package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"

	"github.com/dnshealth/dnshealth_exporter/collector"
	"github.com/dnshealth/dnshealth_exporter/probe"
	"github.com/dnshealth/dnshealth_exporter/report"
	"github.com/dnshealth/dnshealth_exporter/triage"
)

// This file wires the HTML pages (/, /report, /runbook) and the two flags
// that place the exporter behind a reverse proxy, as Prometheus defines
// them: --web.external-url and --web.route-prefix.

// webURLOptions are the reverse-proxy flags.
type webURLOptions struct {
	externalURL string
	routePrefix string
}

func addWebURLFlags(app *kingpin.Application, o *webURLOptions) {
	app.Flag("web.external-url", "The URL under which the exporter is reachable, for example through a reverse proxy. Used for absolute links (the report's permalink, the debug view, log lines). If it has a path, that path prefixes every route unless --web.route-prefix is set. Default: http://<hostname>:<port>/ from the first --web.listen-address.").
		PlaceHolder("<url>").StringVar(&o.externalURL)
	app.Flag("web.route-prefix", "Prefix for every HTTP route, for a proxy that does not strip the path. Default: the path of --web.external-url.").
		PlaceHolder("<path>").StringVar(&o.routePrefix)
}

// computeExternalURL works out the external URL as Prometheus does: the
// flag's value, or http://<hostname>:<port>/ from the listen address; the
// path loses its trailing slash.
func computeExternalURL(u, listenAddr string) (*url.URL, error) {
	if u == "" {
		hostname, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("finding the hostname for --web.external-url: %w", err)
		}
		_, port, err := net.SplitHostPort(listenAddr)
		if err != nil {
			return nil, fmt.Errorf("finding the port for --web.external-url in %q: %w", listenAddr, err)
		}
		u = "http://" + net.JoinHostPort(hostname, port) + "/"
	}
	if strings.HasPrefix(u, `"`) || strings.HasPrefix(u, "'") || strings.HasSuffix(u, `"`) || strings.HasSuffix(u, "'") {
		return nil, errors.New("--web.external-url must not begin or end with quotes")
	}
	eu, err := url.Parse(u)
	if err != nil {
		return nil, fmt.Errorf("--web.external-url: %w", err)
	}
	if eu.Scheme != "http" && eu.Scheme != "https" || eu.Host == "" {
		return nil, fmt.Errorf("--web.external-url %q: want an absolute http or https URL", u)
	}
	p := strings.TrimRight(eu.Path, "/")
	if p != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	eu.Path, eu.RawPath = p, ""
	return eu, nil
}

// routePrefix is --web.route-prefix, defaulting to the external URL's
// path, always with a leading and a trailing slash ("/" when none).
func routePrefix(flag string, external *url.URL) string {
	if flag == "" {
		flag = external.Path
	}
	p := "/" + strings.Trim(flag, "/")
	if p != "/" {
		p += "/"
	}
	return p
}

// withRoutePrefix serves h under prefix: requests for prefix/x reach h as
// /x; "/" redirects to the prefix, as Prometheus does; anything else is
// not found.
func withRoutePrefix(prefix string, h http.Handler) http.Handler {
	if prefix == "/" {
		return h
	}
	mux := http.NewServeMux()
	// The pattern "/p/" also redirects "/p" to "/p/".
	mux.Handle(prefix, http.StripPrefix(strings.TrimSuffix(prefix, "/"), h))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, prefix, http.StatusFound)
	})
	return mux
}

// absolute is the external address of a path relative to the route prefix,
// such as "report?target=…".
func (e *exporter) absolute(rel string) string {
	return strings.TrimSuffix(e.externalURL.String(), "/") + "/" + rel
}

// webRoutes adds the HTML pages to e.mux and wraps it in the route prefix.
func (e *exporter) webRoutes(o *options, probes *collector.Handler) {
	runbook := triage.ParseRunbook(checksRunbook)
	probes.ReportURL = func(zone, module string) string { return e.absolute(report.Link(zone, module)) }
	e.mux.Handle("/report", probes.Page(func(w http.ResponseWriter, r *http.Request, rep *probe.Report) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		opts := report.Options{Runbook: runbook, Version: version.Version,
			Permalink: e.absolute(report.Link(rep.Zone, r.URL.Query().Get("module")))}
		if err := report.Write(w, rep, opts); err != nil {
			e.logger.Error("Writing the report page", "zone", rep.Zone, "err", err)
		}
	}))
	e.mux.HandleFunc("/runbook", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := report.WriteRunbook(w, checksRunbook, version.Version); err != nil {
			e.logger.Error("Writing the runbook page", "err", err)
		}
	})

	landing := &report.Landing{
		Version: version.Info(),
		Target:  "example.org",
		Module:  collector.DefaultModule,
		Modules: func() []string { return slices.Sorted(maps.Keys(e.config.Load().Modules)) },
		Logger:  e.logger.With("component", "landing"),
	}
	if e.lab != nil {
		b := &report.DemoBoard{Port: e.lab.Port(), Concurrency: report.DefaultDemoConcurrency,
			Timeout: report.DefaultDemoTimeout, TTL: report.DefaultDemoTTL,
			Probe: func(ctx context.Context, zone string) *probe.Report {
				m := e.config.Load().Modules[demoModule]
				if m == nil {
					return nil
				}
				return e.prober.Probe(ctx, zone, demoModule, m)
			},
		}
		for _, z := range e.lab.Zones() {
			b.Zones = append(b.Zones, report.DemoZone{Name: z.Name, Description: z.Description, Checks: z.Checks})
		}
		if len(b.Zones) > 0 {
			landing.Target, landing.Module = strings.TrimSuffix(b.Zones[0].Name, "."), demoModule
		}
		landing.Demo = b
		b.Refresh() // so that the first page finds the statuses ready
	}
	e.mux.Handle("/", landing)
	e.handler = withRoutePrefix(routePrefix(o.webURL.routePrefix, e.externalURL), e.mux)
}
