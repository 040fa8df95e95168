{{/* Pieces every Switchyard pod shares: env, probes, volumes, scheduling. */}}

{{/*
Environment of a Switchyard container. Order matters: Kubernetes expands $(VAR) only from variables
defined above, so POD_NAME/POD_NAMESPACE precede OTEL_RESOURCE_ATTRIBUTES and REDIS_PASSWORD precedes REDIS_URL.
Arguments: root, serviceName (OTEL_SERVICE_NAME), workload (the Deployment/Job name), env (extra entries).
*/}}
{{- define "switchyard.appEnv" -}}
{{- $root := .root -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: OTEL_SERVICE_NAME
  value: {{ .serviceName | quote }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE),k8s.deployment.name=%s,service.namespace=%s,service.version=%s" .workload $root.Release.Name $root.Chart.AppVersion | quote }}
{{- if eq (include "switchyard.redis.hasPassword" $root) "true" }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "switchyard.redis.secretName" $root }}
      key: {{ include "switchyard.redis.secretKey" $root }}
{{- end }}
- name: REDIS_URL
  value: {{ include "switchyard.redis.url" $root | quote }}
{{- if and (not $root.Values.redis.enabled) $root.Values.externalRedis.tls.caSecret }}
- name: NODE_EXTRA_CA_CERTS
  value: /etc/switchyard/redis-ca/{{ $root.Values.externalRedis.tls.caSecretKey }}
{{- end }}
{{- with .env }}
{{ toYaml . }}
{{- end }}
{{- with $root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "switchyard.envFrom" -}}
envFrom:
  - configMapRef:
      name: {{ include "switchyard.fullname" . }}
{{- end -}}

{{/* Probes on a Switchyard HTTP port: /healthz says the process lives, /readyz that Redis answers. */}}
{{- define "switchyard.probes" -}}
startupProbe:
  httpGet:
    path: /healthz
    port: {{ . }}
  periodSeconds: 2
  failureThreshold: 30
livenessProbe:
  httpGet:
    path: /healthz
    port: {{ . }}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: {{ . }}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end -}}

{{/* A writable /tmp on a read-only root filesystem, and the external Redis CA when given. */}}
{{- define "switchyard.volumeMounts" -}}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- if and (not .Values.redis.enabled) .Values.externalRedis.tls.caSecret }}
  - name: redis-ca
    mountPath: /etc/switchyard/redis-ca
    readOnly: true
{{- end }}
{{- end -}}

{{- define "switchyard.volumes" -}}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
{{- if and (not .Values.redis.enabled) .Values.externalRedis.tls.caSecret }}
  - name: redis-ca
    secret:
      secretName: {{ .Values.externalRedis.tls.caSecret }}
{{- end }}
{{- end -}}

{{/* nodeSelector, tolerations and affinity of one component's values. */}}
{{- define "switchyard.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Pod annotations. Checksums roll the pods when what they read at start changes: the ConfigMap, and for the
api its keys Secret (secretChecksum). scrapePort: the port serving /metrics, announced to a Prometheus that
discovers pods by annotation (metrics.podAnnotations). The component's podAnnotations win over all of them.
*/}}
{{- define "switchyard.podAnnotations" -}}
{{- $annotations := dict "checksum/config" (include (print .root.Template.BasePath "/configmap.yaml") .root | sha256sum) -}}
{{- with .secretChecksum -}}
{{- $_ := set $annotations "checksum/secret" . -}}
{{- end -}}
{{- if and .scrapePort .root.Values.metrics.podAnnotations -}}
{{- $_ := set $annotations "prometheus.io/scrape" "true" -}}
{{- $_ := set $annotations "prometheus.io/port" (toString .scrapePort) -}}
{{- $_ := set $annotations "prometheus.io/path" "/metrics" -}}
{{- end -}}
{{- toYaml (merge (deepCopy (default (dict) .annotations)) $annotations) -}}
{{- end -}}

{{/*
The key a helm test Pod or the lab sends as SWITCHYARD_API_KEY, from an existing Secret; nothing when none
is named (`.` is the apiKey values: existingSecret, existingSecretKey).
*/}}
{{- define "switchyard.clientApiKeyEnv" -}}
{{- if .existingSecret -}}
- name: SWITCHYARD_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .existingSecretKey }}
{{- end -}}
{{- end -}}
