{{/* Where Redis is and how to authenticate: the built-in StatefulSet or externalRedis. */}}

{{- define "switchyard.redis.fullname" -}}
{{- include "switchyard.objectName" (dict "root" . "suffix" "redis" "max" 52) -}}
{{- end -}}

{{- define "switchyard.redis.host" -}}
{{- if .Values.redis.enabled -}}
{{- include "switchyard.redis.fullname" . -}}
{{- else -}}
{{- .Values.externalRedis.host -}}
{{- end -}}
{{- end -}}

{{/* The host as seen from another namespace (KEDA's operator): the built-in Service's full name. */}}
{{- define "switchyard.redis.clusterHost" -}}
{{- if .Values.redis.enabled -}}
{{- printf "%s.%s.svc" (include "switchyard.redis.fullname" .) .Release.Namespace -}}
{{- else -}}
{{- .Values.externalRedis.host -}}
{{- end -}}
{{- end -}}

{{- define "switchyard.redis.port" -}}
{{- if .Values.redis.enabled -}}6379{{- else -}}{{ .Values.externalRedis.port }}{{- end -}}
{{- end -}}

{{- define "switchyard.redis.tls" -}}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.tls.enabled -}}true{{- end -}}
{{- end -}}

{{/* "true" when the apps authenticate with a password. */}}
{{- define "switchyard.redis.hasPassword" -}}
{{- if or .Values.redis.enabled .Values.externalRedis.existingSecret .Values.externalRedis.password -}}true{{- end -}}
{{- end -}}

{{/* The Secret the chart creates (none when an existingSecret is given). */}}
{{- define "switchyard.redis.createSecret" -}}
{{- if .Values.redis.enabled -}}
{{- if not .Values.redis.auth.existingSecret -}}true{{- end -}}
{{- else if and .Values.externalRedis.password (not .Values.externalRedis.existingSecret) -}}true{{- end -}}
{{- end -}}

{{- define "switchyard.redis.secretName" -}}
{{- if and .Values.redis.enabled .Values.redis.auth.existingSecret -}}
{{- .Values.redis.auth.existingSecret -}}
{{- else if and (not .Values.redis.enabled) .Values.externalRedis.existingSecret -}}
{{- .Values.externalRedis.existingSecret -}}
{{- else -}}
{{- include "switchyard.redis.fullname" . -}}
{{- end -}}
{{- end -}}

{{- define "switchyard.redis.secretKey" -}}
{{- if and .Values.redis.enabled .Values.redis.auth.existingSecret -}}
{{- .Values.redis.auth.existingSecretPasswordKey -}}
{{- else if and (not .Values.redis.enabled) .Values.externalRedis.existingSecret -}}
{{- .Values.externalRedis.existingSecretPasswordKey -}}
{{- else -}}
redis-password
{{- end -}}
{{- end -}}

{{/* "true" for an external Redis Cluster (externalRedis.cluster.enabled): REDIS_MODE=cluster. */}}
{{- define "switchyard.redis.cluster" -}}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.cluster.enabled -}}true{{- end -}}
{{- end -}}

{{/*
REDIS_URL, without the password: the apps add the one in REDIS_PASSWORD_FILE. For a cluster, its seed
nodes as comma-separated URLs (a cluster has database 0 only).
*/}}
{{- define "switchyard.redis.url" -}}
{{- $scheme := ternary "rediss" "redis" (eq (include "switchyard.redis.tls" .) "true") -}}
{{- if eq (include "switchyard.redis.cluster" .) "true" -}}
{{- $urls := list -}}
{{- range .Values.externalRedis.cluster.nodes -}}
{{- $urls = append $urls (printf "%s://%s" $scheme .) -}}
{{- end -}}
{{- join "," $urls -}}
{{- else -}}
{{- $db := ternary 0 .Values.externalRedis.database .Values.redis.enabled -}}
{{- printf "%s://%s:%s/%v" $scheme (include "switchyard.redis.host" .) (include "switchyard.redis.port" .) $db -}}
{{- end -}}
{{- end -}}

{{/* The cluster nodes' ports, each once, as a JSON array (NetworkPolicy egress). */}}
{{- define "switchyard.redis.clusterPorts" -}}
{{- $ports := list -}}
{{- range .Values.externalRedis.cluster.nodes -}}
{{- $ports = append $ports (int (last (splitList ":" .))) -}}
{{- end -}}
{{- uniq $ports | toJson -}}
{{- end -}}

{{/* Where the apps find the Redis password: a Secret volume, one file. */}}
{{- define "switchyard.redis.passwordDir" -}}
/etc/switchyard/redis
{{- end -}}

{{- define "switchyard.redis.passwordFile" -}}
{{- include "switchyard.redis.passwordDir" . }}/password
{{- end -}}

{{/*
The password of the Secret the chart creates: the values' password; else the one the cluster's Secret holds
(`lookup`, on install and upgrade); else a random one. `helm template` has no cluster, so a generated
password changes on every render: GitOps users set redis.auth.password or existingSecret. Memoized in
.Values so that the Secret and the checksums of one render agree.
*/}}
{{- define "switchyard.redis.password" -}}
{{- $memo := .Values.redis.auth -}}
{{- if not (hasKey $memo "_rendered") -}}
{{- $password := ternary .Values.redis.auth.password .Values.externalRedis.password .Values.redis.enabled -}}
{{- if not $password -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "switchyard.redis.fullname" .) -}}
{{- if and $existing $existing.data (index $existing.data "redis-password") -}}
{{- $password = index $existing.data "redis-password" | b64dec -}}
{{- else -}}
{{- $password = randAlphaNum 32 -}}
{{- end -}}
{{- end -}}
{{- $_ := set $memo "_rendered" $password -}}
{{- end -}}
{{- $memo._rendered -}}
{{- end -}}

{{/*
What checksum/secret is made of for every pod reading the Redis password (Redis itself included), so that
a new password rolls them together. An existingSecret: its data as the cluster holds it at install or
upgrade (`helm template` hashes the Secret's name and key only).
*/}}
{{- define "switchyard.redis.checksum" -}}
{{- if eq (include "switchyard.redis.createSecret" .) "true" -}}
{{- include "switchyard.redis.password" . | sha256sum -}}
{{- else if eq (include "switchyard.redis.hasPassword" .) "true" -}}
{{- $name := include "switchyard.redis.secretName" . -}}
{{- $key := include "switchyard.redis.secretKey" . -}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace $name -}}
{{- $data := (get (default (dict) $secret) "data") | default (dict) -}}
{{- printf "%s/%s/%s" $name $key (get $data $key) | sha256sum -}}
{{- end -}}
{{- end -}}

{{/*
The built-in Redis's maxmemory in bytes: redis.maxmemory when given, else redis.maxmemoryPercent (60) of the
container's memory limit. The rest of the limit is for what Redis holds beyond its data: an AOF rewrite
forks, and the child's copy-on-write pages grow with the writes during the rewrite, plus client buffers and
fragmentation. Empty when neither can be worked out (validateValues then says so).
*/}}
{{- define "switchyard.redis.maxmemoryBytes" -}}
{{- $r := .Values.redis -}}
{{- if $r.maxmemory -}}
{{- include "switchyard.bytes" (dict "quantity" $r.maxmemory "units" (dict "b" 1 "kb" 1024 "mb" 1048576 "gb" 1073741824)) -}}
{{- else -}}
{{- $limit := include "switchyard.redis.memoryLimitBytes" . -}}
{{- if $limit -}}
{{- divf (mulf (float64 $limit) (float64 $r.maxmemoryPercent)) 100 | floor | int64 -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "switchyard.redis.memoryLimitBytes" -}}
{{- $limit := dig "limits" "memory" "" .Values.redis.resources | toString -}}
{{- if $limit -}}
{{- include "switchyard.bytes" (dict "quantity" $limit "units" (dict "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "k" 1000 "K" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000)) -}}
{{- end -}}
{{- end -}}

{{/* A quantity (`<number><unit>`) in bytes, or empty when it does not parse. Arguments: quantity, units. */}}
{{- define "switchyard.bytes" -}}
{{- $parts := regexFindAll "^([0-9]+(?:\\.[0-9]+)?)([A-Za-z]*)$" (toString .quantity) -1 -}}
{{- if $parts -}}
{{- $number := regexReplaceAll "[A-Za-z]+$" (toString .quantity) "" -}}
{{- $unit := regexReplaceAll "^[0-9.]+" (toString .quantity) "" -}}
{{- if not $unit -}}
{{- $number | float64 | floor | int64 -}}
{{- else if hasKey .units $unit -}}
{{- mulf (float64 $number) (float64 (get .units $unit)) | floor | int64 -}}
{{- end -}}
{{- end -}}
{{- end -}}
