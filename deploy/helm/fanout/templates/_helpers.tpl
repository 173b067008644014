{{- define "fanout.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fanout.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "fanout.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fanout.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: edge
{{- end -}}

{{- define "fanout.labels" -}}
{{ include "fanout.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "fanout.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "fanout.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* "true" when the pod runs more than one edge worker (workers: "auto" or > 1). */}}
{{- define "fanout.multiWorker" -}}
{{- $w := toString .Values.workers -}}
{{- if or (eq $w "auto") (gt (int $w) 1) -}}true{{- end -}}
{{- end -}}

{{/* The container port the probes and metrics scrapes use: the supervisor's with several workers. */}}
{{- define "fanout.adminPortName" -}}
{{- if include "fanout.multiWorker" . -}}admin{{- else -}}ws{{- end -}}
{{- end -}}
