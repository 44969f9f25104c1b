{{- define "containerd-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "containerd-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "containerd-exporter.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "containerd-exporter.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "containerd-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "containerd-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "containerd-exporter.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "containerd-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "containerd-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "containerd-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "containerd-exporter.scheme" -}}
{{- if .Values.webConfig.tls }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}

{{- define "containerd-exporter.webConfigSecret" -}}
{{- default (printf "%s-web-config" (include "containerd-exporter.fullname" .)) .Values.webConfig.existingSecret }}
{{- end }}

{{/* A file of the repository (alerts/, dashboards/) as the chart carries it under files/; fails when absent. */}}
{{- define "containerd-exporter.requiredFile" -}}
{{- $content := .root.Files.Get .path }}
{{- if not $content }}
{{- fail (printf "%s is missing from the chart: it links to the repository's file of that name" .path) }}
{{- end }}
{{- $content }}
{{- end }}

{{/* The `groups` of a Prometheus rule file under files/, as a YAML list. */}}
{{- define "containerd-exporter.ruleGroups" -}}
{{- $file := include "containerd-exporter.requiredFile" . | fromYaml }}
{{- if hasKey $file "Error" }}
{{- fail (printf "%s is not YAML: %s" .path $file.Error) }}
{{- end }}
{{- toYaml (required (printf "%s has no groups" .path) $file.groups) }}
{{- end }}
