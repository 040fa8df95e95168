{{/* Names, labels and image references shared by every template. */}}

{{- define "switchyard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "switchyard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "switchyard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select this release's pods; `component` names the part (api, compute, redis...). */}}
{{- define "switchyard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "switchyard.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "switchyard.labels" -}}
helm.sh/chart: {{ include "switchyard.chart" .root }}
{{ include "switchyard.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: switchyard
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selects every pod of this release: what may talk to Redis and Jaeger. */}}
{{- define "switchyard.releasePodLabels" -}}
app.kubernetes.io/name: {{ include "switchyard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "switchyard.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The lanes of the main compute pool and of every extra pool, as a list. */}}
{{- define "switchyard.computePools" -}}
{{- $main := omit .Values.compute "pools" -}}
{{- $_ := set $main "name" "" -}}
{{- $_ := set $main "lane" (default .Values.queue.cpuLane .Values.compute.lane) -}}
{{- $pools := list $main -}}
{{- range .Values.compute.pools -}}
{{- $pool := mergeOverwrite (deepCopy (omit $.Values.compute "pools" "lane")) (deepCopy .) -}}
{{- $pools = append $pools $pool -}}
{{- end -}}
{{- toJson $pools -}}
{{- end -}}

{{/* Name of a compute pool's objects: <fullname>-compute or <fullname>-compute-<pool>. */}}
{{- define "switchyard.computeName" -}}
{{- if .pool.name -}}
{{- printf "%s-compute-%s" (include "switchyard.fullname" .root) .pool.name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-compute" (include "switchyard.fullname" .root) -}}
{{- end -}}
{{- end -}}

{{/* Component label of a compute pool. */}}
{{- define "switchyard.computeComponent" -}}
{{- if .name -}}compute-{{ .name }}{{- else -}}compute{{- end -}}
{{- end -}}

{{- define "switchyard.ioLane" -}}
{{- default .Values.queue.ioLane .Values.ioConsumer.lane -}}
{{- end -}}

{{/* LANES for every app: the profile lanes, the io-consumer's and every compute pool's, deduplicated. */}}
{{- define "switchyard.lanes" -}}
{{- $lanes := list .Values.queue.ioLane .Values.queue.cpuLane (include "switchyard.ioLane" .) -}}
{{- range (include "switchyard.computePools" . | fromJsonArray) -}}
{{- $lanes = append $lanes .lane -}}
{{- end -}}
{{- $lanes | uniq | join "," -}}
{{- end -}}
