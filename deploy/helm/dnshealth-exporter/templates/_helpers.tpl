{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "dnshealth.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the object name prefix. */}}
{{- define "dnshealth.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels that select the exporter's pods. */}}
{{- define "dnshealth.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dnshealth.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "dnshealth.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "dnshealth.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The exporter's configuration file. */}}
{{- define "dnshealth.config" -}}
{{- toYaml (dict "modules" (.Values.config.modules | default dict)) }}
{{- end }}

{{/* Where the Probes send their scrapes: the Service, as host:port. */}}
{{- define "dnshealth.proberURL" -}}
{{- printf "%s.%s.svc:%d" (include "dnshealth.fullname" .) .Release.Namespace (int .Values.port) }}
{{- end }}

{{/* "true" when config.autoReloadInterval turns auto-reload on, else empty. */}}
{{- define "dnshealth.autoReload" -}}
{{- if not (has (toString (.Values.config.autoReloadInterval | default "0")) (list "0" "0s" "0m" "0h")) }}true{{ end }}
{{- end }}

{{/* Labels of the monitoring.coreos.com objects; extra: further labels. */}}
{{- define "dnshealth.monitoringLabels" -}}
{{ include "dnshealth.labels" .root }}
{{- with .root.Values.monitoringLabels }}
{{ toYaml . }}
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end }}
