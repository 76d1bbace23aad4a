// Package chartcheck tests the Helm chart in ../dnshealth-exporter with
// Helm's own Go code: it lints and renders the chart, decodes every object
// strictly into the Kubernetes and Prometheus Operator Go types, checks
// that the alerts select the Probes' job, and that the exporter accepts
// the rendered configuration.
package chartcheck
