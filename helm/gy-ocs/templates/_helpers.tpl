{{- define "gy-ocs.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gy-ocs.fullname" -}}
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

{{- define "gy-ocs.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* What selects the server's pods: never changes across upgrades. */}}
{{- define "gy-ocs.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gy-ocs.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The server's pods, apart from the CronJobs' pods of the same release. */}}
{{- define "gy-ocs.serverSelectorLabels" -}}
{{ include "gy-ocs.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "gy-ocs.labels" -}}
helm.sh/chart: {{ include "gy-ocs.chart" . }}
{{ include "gy-ocs.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: gy-ocs
{{- end -}}

{{- define "gy-ocs.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{- define "gy-ocs.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "gy-ocs.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The chart's own Secret holds every secret given by value, none given by an existing Secret. */}}
{{- define "gy-ocs.ownSecretNeeded" -}}
{{- range $name, $s := .Values.secrets -}}
{{- if and (not $s.existingSecret) $s.value -}}yes{{- end -}}
{{- end -}}
{{- end -}}

{{/* An env entry from a Secret for one of .Values.secrets, or none: (list <ctx> <secrets key> <ENV NAME>). */}}
{{- define "gy-ocs.secretEnv" -}}
{{- $ctx := index . 0 -}}
{{- $s := index $ctx.Values.secrets (index . 1) -}}
{{- if or $s.existingSecret $s.value -}}
{{- $ref := dict "name" ($s.existingSecret | default (include "gy-ocs.fullname" $ctx)) "key" $s.key -}}
{{- list (dict "name" (index . 2) "valueFrom" (dict "secretKeyRef" $ref)) | toJson -}}
{{- else -}}
[]
{{- end -}}
{{- end -}}

{{/* REDIS_URL (from a Secret, or redis.url) and REDIS_PASSWORD, as a JSON list. */}}
{{- define "gy-ocs.redisEnv" -}}
{{- $url := .Values.secrets.redisUrl -}}
{{- $env := include "gy-ocs.secretEnv" (list . "redisUrl" "REDIS_URL") | fromJsonArray -}}
{{- if not $env -}}
{{- $env = list (dict "name" "REDIS_URL" "value" (required "redis.url, or secrets.redisUrl: the Redis the servers share" .Values.redis.url)) -}}
{{- end -}}
{{- concat $env (include "gy-ocs.secretEnv" (list . "redisPassword" "REDIS_PASSWORD") | fromJsonArray) | toJson -}}
{{- end -}}

{{/* The server's secrets: Redis, the admin tokens and the metrics token, as a YAML list. */}}
{{- define "gy-ocs.serverSecretEnv" -}}
{{- $env := include "gy-ocs.redisEnv" . | fromJsonArray -}}
{{- $env = concat $env (include "gy-ocs.secretEnv" (list . "adminToken" "ADMIN_TOKEN") | fromJsonArray) -}}
{{- $env = concat $env (include "gy-ocs.secretEnv" (list . "adminTokens" "ADMIN_TOKENS") | fromJsonArray) -}}
{{- $env = concat $env (include "gy-ocs.secretEnv" (list . "metricsToken" "METRICS_TOKEN") | fromJsonArray) -}}
{{- toYaml $env -}}
{{- end -}}

{{- define "gy-ocs.adminTokenSet" -}}
{{- $s := .Values.secrets -}}
{{- if or $s.adminToken.existingSecret $s.adminToken.value $s.adminTokens.existingSecret $s.adminTokens.value -}}yes{{- end -}}
{{- end -}}

{{- define "gy-ocs.exportClaimName" -}}
{{- .Values.cdrExport.persistence.existingClaim | default (printf "%s-export" (include "gy-ocs.fullname" .)) -}}
{{- end -}}

{{/* The volume of exported CDRs: (list <ctx> <true in the server's pods>). */}}
{{- define "gy-ocs.exportVolume" -}}
{{- $ctx := index . 0 -}}
{{- $p := $ctx.Values.cdrExport.persistence -}}
{{- $replicas := ternary $ctx.Values.autoscaling.maxReplicas $ctx.Values.replicaCount $ctx.Values.autoscaling.enabled -}}
{{- if and (index . 1) $p.enabled $p.mountInServers (gt (int $replicas) 1) (not (has "ReadWriteMany" $p.accessModes)) -}}
{{- fail "cdrExport.persistence.mountInServers with more than one replica needs accessModes [ReadWriteMany]: a ReadWriteOnce claim holds the replicas to one node" -}}
{{- end -}}
- name: export
{{- if and $p.enabled (or (not (index . 1)) $p.mountInServers) }}
  persistentVolumeClaim:
    claimName: {{ include "gy-ocs.exportClaimName" $ctx }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{/* The pod-level settings every pod of the chart shares. */}}
{{- define "gy-ocs.podCommon" -}}
serviceAccountName: {{ include "gy-ocs.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext: {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}
