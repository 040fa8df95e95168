{{/* Where Redis is and how to authenticate: the built-in StatefulSet or externalRedis. */}}

{{- define "switchyard.redis.fullname" -}}
{{- printf "%s-redis" (include "switchyard.fullname" .) -}}
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

{{/* REDIS_URL; the password comes from $(REDIS_PASSWORD), which must be defined before it in env. */}}
{{- define "switchyard.redis.url" -}}
{{- $scheme := ternary "rediss" "redis" (eq (include "switchyard.redis.tls" .) "true") -}}
{{- $auth := ternary ":$(REDIS_PASSWORD)@" "" (eq (include "switchyard.redis.hasPassword" .) "true") -}}
{{- $db := ternary 0 .Values.externalRedis.database .Values.redis.enabled -}}
{{- printf "%s://%s%s:%s/%v" $scheme $auth (include "switchyard.redis.host" .) (include "switchyard.redis.port" .) $db -}}
{{- end -}}
