// dnshealth_exporter's monitoring mixin: alerts (prometheusAlerts),
// recording rules (prometheusRules) and the Grafana dashboard
// (grafanaDashboards), with the settings in _config (config.libsonnet).
(import 'config.libsonnet') +
(import 'alerts.libsonnet') +
(import 'rules.libsonnet') +
(import 'dashboards.libsonnet')
