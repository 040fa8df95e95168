{{/* Pieces every Switchyard pod shares: env, probes, volumes, scheduling. */}}

{{/*
Environment of a Switchyard container. Order matters: Kubernetes expands $(VAR) only from variables
defined above, so POD_NAME/POD_NAMESPACE precede OTEL_RESOURCE_ATTRIBUTES. The Redis password is never in
env: the apps read it from the file REDIS_PASSWORD_FILE (a Secret volume, see switchyard.volumes).
Arguments: root, serviceName (OTEL_SERVICE_NAME), workload (the Deployment/Job name), env (extra entries),
extraEnv (the component's own extraEnv, after the global one), noRedis (the lab: no Redis settings).
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
{{- if not .noRedis }}
{{- if eq (include "switchyard.redis.hasPassword" $root) "true" }}
- name: REDIS_PASSWORD_FILE
  value: {{ include "switchyard.redis.passwordFile" $root | quote }}
{{- end }}
- name: REDIS_URL
  value: {{ include "switchyard.redis.url" $root | quote }}
{{- if eq (include "switchyard.redis.cluster" $root) "true" }}
- name: REDIS_MODE
  value: cluster
{{- end }}
{{- if and (not $root.Values.redis.enabled) $root.Values.externalRedis.tls.caSecret }}
- name: NODE_EXTRA_CA_CERTS
  value: /etc/switchyard/redis-ca/{{ $root.Values.externalRedis.tls.caSecretKey }}
{{- end }}
{{- end }}
{{- with .env }}
{{ toYaml . }}
{{- end }}
{{- with $root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with .extraEnv }}
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

{{/*
A writable /tmp on a read-only root filesystem, the Redis password file, the external Redis CA when given,
and the component's extraVolumeMounts. Arguments: root, values (the component's values), noRedis.
*/}}
{{- define "switchyard.volumeMounts" -}}
{{- $root := .root -}}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- if not .noRedis }}
{{- if eq (include "switchyard.redis.hasPassword" $root) "true" }}
  - name: redis-password
    mountPath: {{ include "switchyard.redis.passwordDir" $root }}
    readOnly: true
{{- end }}
{{- if and (not $root.Values.redis.enabled) $root.Values.externalRedis.tls.caSecret }}
  - name: redis-ca
    mountPath: /etc/switchyard/redis-ca
    readOnly: true
{{- end }}
{{- end }}
{{- with .values.extraVolumeMounts }}
{{ toYaml . | indent 2 }}
{{- end }}
{{- end -}}

{{- define "switchyard.volumes" -}}
{{- $root := .root -}}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
{{- if not .noRedis }}
{{- if eq (include "switchyard.redis.hasPassword" $root) "true" }}
  - name: redis-password
    secret:
      secretName: {{ include "switchyard.redis.secretName" $root }}
      items:
        - key: {{ include "switchyard.redis.secretKey" $root }}
          path: password
{{- end }}
{{- if and (not $root.Values.redis.enabled) $root.Values.externalRedis.tls.caSecret }}
  - name: redis-ca
    secret:
      secretName: {{ $root.Values.externalRedis.tls.caSecret }}
{{- end }}
{{- end }}
{{- with .values.extraVolumes }}
{{ toYaml . | indent 2 }}
{{- end }}
{{- end -}}

{{/*
The pod-level settings every pod of the chart shares: pull secrets, the ServiceAccount (token unmounted),
priority class, nodeSelector, tolerations, affinity and topology spread: the component's own
topologySpreadConstraints, else (topologySpread.enabled, `spread`) a soft spread over nodes and zones.
Arguments: root, values (the component's values), component (its label), spread, serviceAccount.
*/}}
{{- define "switchyard.podCommon" -}}
{{- $root := .root -}}
{{- $v := .values -}}
{{- include "switchyard.imagePullSecrets" $root }}
{{- with .serviceAccount }}
serviceAccountName: {{ . }}
{{- end }}
automountServiceAccountToken: false
{{- with $v.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if $v.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml $v.topologySpreadConstraints | nindent 2 }}
{{- else if and .spread $root.Values.topologySpread.enabled }}
topologySpreadConstraints:
  {{- range $key := list "kubernetes.io/hostname" "topology.kubernetes.io/zone" }}
  - maxSkew: {{ $root.Values.topologySpread.maxSkew }}
    topologyKey: {{ $key }}
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "switchyard.selectorLabels" (dict "root" $root "component" $.component) | nindent 8 }}
  {{- end }}
{{- end }}
{{- with $v.initContainers }}
initContainers:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Pod labels: the standard ones, switchyard.dev/metrics on pods serving /metrics, and podLabels. */}}
{{- define "switchyard.podLabels" -}}
{{- include "switchyard.labels" (dict "root" .root "component" .component) }}
{{- if .metrics }}
switchyard.dev/metrics: "true"
{{- end }}
{{- with .podLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Pod annotations. Checksums roll the pods when what they read at start changes: checksum/config (the
ConfigMap) and checksum/secret (the Redis password, and the api's keys: `secretChecksum`). scrapePort:
the port serving /metrics, announced to a Prometheus that discovers pods by annotation
(metrics.podAnnotations). The component's podAnnotations win over all of them. Arguments: root,
annotations, secretChecksum, scrapePort, noRedis.
*/}}
{{- define "switchyard.podAnnotations" -}}
{{- $annotations := dict "checksum/config" (include (print .root.Template.BasePath "/configmap.yaml") .root | sha256sum) -}}
{{- $secrets := list .secretChecksum -}}
{{- if not .noRedis -}}
{{- $secrets = append $secrets (include "switchyard.redis.checksum" .root) -}}
{{- end -}}
{{- $secrets = compact $secrets -}}
{{- if $secrets -}}
{{- $_ := set $annotations "checksum/secret" (join "," $secrets | sha256sum) -}}
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
