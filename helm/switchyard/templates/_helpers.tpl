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

{{/*
Name of one of the release's objects: the full name and a suffix, the full name cut so that the whole fits
`max` characters (63 for most names; 52 for a StatefulSet, whose controller-revision-hash label appends 11).
Arguments: root, suffix, max (default 63).
*/}}
{{- define "switchyard.objectName" -}}
{{- $max := default 63 .max -}}
{{- $room := sub $max (add1 (len .suffix)) | int -}}
{{- printf "%s-%s" (include "switchyard.fullname" .root | trunc $room | trimSuffix "-") .suffix -}}
{{- end -}}

{{/*
An image reference: registry (global.imageRegistry, else the image's own registry), repository, tag and
digest. Arguments: root, image (the values with registry, repository, tag, digest).
*/}}
{{- define "switchyard.imageRef" -}}
{{- $registry := default .image.registry .root.Values.global.imageRegistry -}}
{{- $ref := .image.repository -}}
{{- if $registry -}}{{- $ref = printf "%s/%s" $registry $ref -}}{{- end -}}
{{- $ref = printf "%s:%s" $ref (toString .image.tag) -}}
{{- if .image.digest -}}{{- $ref = printf "%s@%s" $ref .image.digest -}}{{- end -}}
{{- $ref -}}
{{- end -}}

{{/* The Switchyard image; its tag defaults to the chart's appVersion. */}}
{{- define "switchyard.image" -}}
{{- $image := merge (dict "tag" (default .Chart.AppVersion .Values.image.tag)) .Values.image -}}
{{- include "switchyard.imageRef" (dict "root" . "image" $image) -}}
{{- end -}}

{{/* imagePullSecrets of every pod: global.imagePullSecrets and imagePullSecrets. */}}
{{- define "switchyard.imagePullSecrets" -}}
{{- $secrets := concat (default (list) .Values.global.imagePullSecrets) .Values.imagePullSecrets | uniq -}}
{{- with $secrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The ServiceAccount of the api and consumer pods; empty: the namespace's default. */}}
{{- define "switchyard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "switchyard.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- .Values.serviceAccount.name -}}
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

{{/* Name of a compute pool's objects: <fullname>-compute or <fullname>-compute-<pool>, within 63. */}}
{{- define "switchyard.computeName" -}}
{{- include "switchyard.objectName" (dict "root" .root "suffix" (include "switchyard.computeComponent" .pool)) -}}
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
