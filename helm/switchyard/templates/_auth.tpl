{{/* The api's keys: which Secret holds the API_KEYS entries, where they are mounted, and their checksum. */}}

{{- define "switchyard.apiKeys.secretName" -}}
{{- default (include "switchyard.objectName" (dict "root" . "suffix" "api-keys")) .Values.auth.existingSecret -}}
{{- end -}}

{{- define "switchyard.apiKeys.secretKey" -}}
{{- ternary .Values.auth.existingSecretKey "api-keys" (not (empty .Values.auth.existingSecret)) -}}
{{- end -}}

{{/* The directory the keys Secret is mounted in; API_KEYS_FILE is the file `api-keys` inside it. */}}
{{- define "switchyard.apiKeys.mountPath" -}}
/etc/switchyard/api-keys
{{- end -}}

{{/*
What the api pods' checksum/secret is made of, so that new keys roll them (the api reads the file at start).
Entries in values: those entries. An existingSecret: its data as the cluster holds it at install or upgrade
(`helm template` cannot read it and hashes the Secret's name only), so after changing that Secret, run
`helm upgrade` or `kubectl rollout restart deployment/<release>-switchyard-api`.
*/}}
{{- define "switchyard.apiKeys.checksum" -}}
{{- if .Values.auth.existingSecret -}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace .Values.auth.existingSecret -}}
{{- $data := (get (default (dict) $secret) "data") | default (dict) -}}
{{- printf "%s/%s/%s" .Values.auth.existingSecret .Values.auth.existingSecretKey (get $data .Values.auth.existingSecretKey) | sha256sum -}}
{{- else -}}
{{- join "\n" .Values.auth.apiKeys | sha256sum -}}
{{- end -}}
{{- end -}}
