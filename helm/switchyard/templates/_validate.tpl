{{/*
Checks that span several values (the schema checks each value alone). Collects every mistake and fails
once with all of them, each naming the value to change.
*/}}
{{- define "switchyard.validateValues" -}}
{{- $errors := list -}}
{{- $v := .Values -}}
{{- if eq (toString $v.image.tag) "latest" -}}
{{- $errors = append $errors "image.tag: `latest` is not reproducible; pin a version (or leave it empty for the chart's appVersion)" -}}
{{- end -}}
{{- $cluster := $v.externalRedis.cluster -}}
{{- if $cluster.enabled -}}
{{- if $v.redis.enabled -}}
{{- $errors = append $errors "externalRedis.cluster.enabled=true but redis.enabled=true: set redis.enabled=false to use the external Redis Cluster" -}}
{{- end -}}
{{- if not $cluster.nodes -}}
{{- $errors = append $errors "externalRedis.cluster.nodes: list the cluster's seed nodes as host:port (one is enough)" -}}
{{- end -}}
{{- if $v.externalRedis.host -}}
{{- $errors = append $errors "externalRedis.host is set with externalRedis.cluster.enabled=true: a cluster is reached through externalRedis.cluster.nodes; clear host" -}}
{{- end -}}
{{- if ne (int $v.externalRedis.database) 0 -}}
{{- $errors = append $errors "externalRedis.database: a Redis Cluster has database 0 only" -}}
{{- end -}}
{{- else if and (not $v.redis.enabled) (not $v.externalRedis.host) -}}
{{- $errors = append $errors "externalRedis.host: required when redis.enabled=false (or set redis.enabled=true for the built-in Redis)" -}}
{{- end -}}
{{- if and $v.redis.enabled $v.externalRedis.host -}}
{{- $errors = append $errors "externalRedis.host is set but redis.enabled=true: set redis.enabled=false to use the external Redis, or clear externalRedis.host" -}}
{{- end -}}
{{- if and $v.redis.auth.password $v.redis.auth.existingSecret -}}
{{- $errors = append $errors "redis.auth: give password or existingSecret, not both" -}}
{{- end -}}
{{- if and $v.externalRedis.password $v.externalRedis.existingSecret -}}
{{- $errors = append $errors "externalRedis: give password or existingSecret, not both" -}}
{{- end -}}
{{- range $key, $password := dict "redis.auth.password" $v.redis.auth.password "externalRedis.password" $v.externalRedis.password -}}
{{- if and $password (not (regexMatch "^[A-Za-z0-9._~-]+$" $password)) -}}
{{- $errors = append $errors (printf "%s: use only letters, digits and . _ ~ - (the built-in Redis reads it from a quoted line of its config file)" $key) -}}
{{- end -}}
{{- end -}}
{{- if and $v.externalRedis.tls.caSecret (not $v.externalRedis.tls.enabled) -}}
{{- $errors = append $errors "externalRedis.tls.caSecret is set but externalRedis.tls.enabled=false: enable TLS or clear caSecret" -}}
{{- end -}}
{{- if and $v.jaeger.enabled $v.telemetry.otlpEndpoint -}}
{{- $errors = append $errors "telemetry.otlpEndpoint is set and jaeger.enabled=true: spans go to one place; clear one of them" -}}
{{- end -}}
{{- $auth := $v.auth -}}
{{- if $auth.enabled -}}
{{- if and (not $auth.apiKeys) (not $auth.existingSecret) -}}
{{- $errors = append $errors "auth: the api refuses to start without API keys; set auth.apiKeys (entries from `switchyard keys create`) or auth.existingSecret (a Secret whose key auth.existingSecretKey holds them), or auth.enabled=false for a throwaway release (unsafe: no authentication)" -}}
{{- end -}}
{{- if and $auth.apiKeys $auth.existingSecret -}}
{{- $errors = append $errors "auth: give apiKeys or existingSecret, not both" -}}
{{- end -}}
{{- range $index, $entry := $auth.apiKeys -}}
{{- if not (regexMatch `^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}:(jobs:write|jobs:read|jobs:cancel|admin)(\+(jobs:write|jobs:read|jobs:cancel|admin))*:[0-9a-fA-F]{64}$` (toString $entry)) -}}
{{- /* Never echo the entry: a key pasted here by mistake must not land in a CI log. */ -}}
{{- $errors = append $errors (printf "auth.apiKeys[%d]: not an entry <tenant>:<scopes>:<sha256 hex of the key> (scopes jobs:write, jobs:read, jobs:cancel, admin joined by +); paste the `entry:` line of `switchyard keys create`, never the key itself" $index) -}}
{{- end -}}
{{- end -}}
{{- if and $v.lab.enabled (not $v.lab.apiKey.existingSecret) -}}
{{- $errors = append $errors "lab.apiKey.existingSecret: the lab Job submits through the api, which requires a key; create one with `switchyard keys create --tenant lab --scopes jobs:write+jobs:read+admin` (admin: the misrouting experiment moves CPU jobs onto the io lane), add its entry to auth.apiKeys or auth.existingSecret, and put the key in a Secret named here (key lab.apiKey.existingSecretKey)" -}}
{{- end -}}
{{- else if or $auth.apiKeys $auth.existingSecret -}}
{{- $errors = append $errors "auth.enabled=false ignores auth.apiKeys and auth.existingSecret: clear them, or set auth.enabled=true" -}}
{{- end -}}
{{- if and $v.api.adminPort (eq (int $v.api.adminPort) (int $v.api.port)) -}}
{{- $errors = append $errors (printf "api.adminPort (%v) equals api.port: the admin port must be another port, or 0 for none" $v.api.adminPort) -}}
{{- end -}}
{{- /* A consumer's grace period: the drain, then 5 s to close Redis and flush telemetry. */ -}}
{{- $minGrace := add (div (add (int64 $v.config.drainTimeoutMs) 999) 1000) 5 -}}
{{- if lt (int $v.ioConsumer.terminationGracePeriodSeconds) (int $minGrace) -}}
{{- $errors = append $errors (printf "ioConsumer.terminationGracePeriodSeconds (%v) must be at least config.drainTimeoutMs / 1000 + 5 = %d, or active jobs are killed mid-drain" $v.ioConsumer.terminationGracePeriodSeconds $minGrace) -}}
{{- end -}}
{{- if lt (int $v.api.terminationGracePeriodSeconds) (int (add $v.api.preStopSleepSeconds 5)) -}}
{{- $errors = append $errors (printf "api.terminationGracePeriodSeconds (%v) must be at least api.preStopSleepSeconds + 5 = %d: the preStop sleep counts against it, then the api shuts down" $v.api.terminationGracePeriodSeconds (add $v.api.preStopSleepSeconds 5)) -}}
{{- end -}}
{{- if $v.redis.enabled -}}
{{- $maxmemory := include "switchyard.redis.maxmemoryBytes" . -}}
{{- $limit := include "switchyard.redis.memoryLimitBytes" . -}}
{{- if not $maxmemory -}}
{{- $errors = append $errors "redis: set redis.resources.limits.memory (maxmemory is a share of it) or redis.maxmemory" -}}
{{- else if and $limit (gt (mulf (float64 $maxmemory) 100.0) (mulf (float64 $limit) (float64 $v.redis.maxmemoryPercent))) -}}
{{- $errors = append $errors (printf "redis.maxmemory (%s) exceeds %v %% of the memory limit (%s): an AOF rewrite forks and needs the rest; lower it or raise the limit" $v.redis.maxmemory $v.redis.maxmemoryPercent (toString $v.redis.resources.limits.memory)) -}}
{{- end -}}
{{- end -}}
{{- if and $v.serviceAccount.name (not $v.serviceAccount.create) $v.serviceAccount.annotations -}}
{{- $errors = append $errors "serviceAccount.annotations apply to a ServiceAccount the chart creates: set serviceAccount.create=true or clear them" -}}
{{- end -}}
{{- $keda := $v.ioConsumer.autoscaling.keda -}}
{{- if gt (int $keda.minReplicaCount) (int $keda.maxReplicaCount) -}}
{{- $errors = append $errors "ioConsumer.autoscaling.keda: minReplicaCount exceeds maxReplicaCount" -}}
{{- end -}}
{{- $poolNames := list -}}
{{- range $index, $pool := include "switchyard.computePools" . | fromJsonArray -}}
{{- $path := ternary "compute" (printf "compute.pools[%d]" (sub $index 1)) (eq $index 0) -}}
{{- if gt $index 0 -}}
{{- if not $pool.name -}}
{{- $errors = append $errors (printf "%s.name: required (it names the pool's Deployment)" $path) -}}
{{- else if has $pool.name $poolNames -}}
{{- $errors = append $errors (printf "%s.name: %q is used by another pool; names must be unique" $path $pool.name) -}}
{{- end -}}
{{- $poolNames = append $poolNames $pool.name -}}
{{- end -}}
{{- if and $pool.autoscaling.hpa.enabled $pool.autoscaling.keda.enabled -}}
{{- $errors = append $errors (printf "%s.autoscaling: hpa and keda are both enabled; they would fight over replicas, enable one" $path) -}}
{{- end -}}
{{- if gt (int $pool.autoscaling.hpa.minReplicas) (int $pool.autoscaling.hpa.maxReplicas) -}}
{{- $errors = append $errors (printf "%s.autoscaling.hpa: minReplicas exceeds maxReplicas" $path) -}}
{{- end -}}
{{- if gt (int $pool.autoscaling.keda.minReplicaCount) (int $pool.autoscaling.keda.maxReplicaCount) -}}
{{- $errors = append $errors (printf "%s.autoscaling.keda: minReplicaCount exceeds maxReplicaCount" $path) -}}
{{- end -}}
{{- if lt (int $pool.terminationGracePeriodSeconds) (int $minGrace) -}}
{{- $errors = append $errors (printf "%s.terminationGracePeriodSeconds (%v) must be at least config.drainTimeoutMs / 1000 + 5 = %d, or active jobs are killed mid-drain" $path $pool.terminationGracePeriodSeconds $minGrace) -}}
{{- end -}}
{{- if and (not $pool.poolSize) (not (dig "limits" "cpu" "" $pool.resources)) -}}
{{- $errors = append $errors (printf "%s: poolSize is 0 (from the CPU limit) but resources.limits.cpu is unset; set one of them" $path) -}}
{{- end -}}
{{- end -}}
{{- if $errors -}}
{{- fail (printf "\n\nswitchyard: %d invalid value(s):\n  - %s\n" (len $errors) (join "\n  - " $errors)) -}}
{{- end -}}
{{- end -}}
