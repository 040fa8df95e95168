{{/* Egress rules shared by several NetworkPolicies. */}}

{{/* To Redis: the built-in pod, or the external host's port, or each cluster node's (at networkPolicy.externalRedisTo). */}}
{{- define "switchyard.networkPolicy.redisEgress" -}}
{{- if .Values.redis.enabled -}}
- to:
    - podSelector:
        matchLabels:
          {{- include "switchyard.selectorLabels" (dict "root" . "component" "redis") | nindent 10 }}
  ports:
    - port: 6379
      protocol: TCP
{{- else -}}
- ports:
    {{- if eq (include "switchyard.redis.cluster" .) "true" }}
    {{- range include "switchyard.redis.clusterPorts" . | fromJsonArray }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
    {{- else }}
    - port: {{ .Values.externalRedis.port }}
      protocol: TCP
    {{- end }}
  {{- with .Values.networkPolicy.externalRedisTo }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end -}}

{{/*
To the OTLP collector: the release's Jaeger, or the port of telemetry.otlpEndpoint (at networkPolicy.otlpTo).
Nothing when spans go nowhere. Arguments: root, port (the endpoint's port; 0 for none).
*/}}
{{- define "switchyard.networkPolicy.otlpEgress" -}}
{{- if .root.Values.jaeger.enabled -}}
- to:
    - podSelector:
        matchLabels:
          {{- include "switchyard.selectorLabels" (dict "root" .root "component" "jaeger") | nindent 10 }}
  ports:
    - port: 4317
      protocol: TCP
    - port: 4318
      protocol: TCP
{{- else if .port -}}
- ports:
    - port: {{ .port }}
      protocol: TCP
  {{- with .root.Values.networkPolicy.otlpTo }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end -}}
