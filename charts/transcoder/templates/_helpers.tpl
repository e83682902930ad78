{{- define "transcoder.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{- define "transcoder.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
transcoder/region: {{ .Values.region }}
{{- end -}}

{{- define "transcoder.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "transcoder.image" -}}
{{ printf "%s/%s:%s" .root.Values.image.registry .name .root.Values.image.tag }}
{{- end -}}

{{/* Settings every pod shares: cluster membership, Postgres, object store. */}}
{{- define "transcoder.commonEnv" -}}
- name: Cluster__ClusterId
  value: {{ .Values.cluster.clusterId | quote }}
- name: Cluster__ServiceId
  value: {{ .Values.cluster.serviceId | quote }}
- name: Cluster__RedisConnectionString
  valueFrom:
    secretKeyRef: {name: {{ .Values.secrets.redis.name }}, key: {{ .Values.secrets.redis.key }}}
- name: Postgres__ConnectionString
  valueFrom:
    secretKeyRef: {name: {{ .Values.secrets.postgres.name }}, key: {{ .Values.secrets.postgres.key }}}
- name: Postgres__MigrateOnStart
  value: {{ (not .Values.migrations.enabled) | quote }}
- name: ObjectStore__Bucket
  value: {{ .Values.objectStore.bucket | quote }}
- name: ObjectStore__Region
  value: {{ .Values.objectStore.region | quote }}
- name: ObjectStore__PublicBaseUrl
  value: {{ .Values.objectStore.publicBaseUrl | quote }}
- name: ObjectStore__CreateBucket
  value: {{ .Values.objectStore.createBucket | quote }}
- name: ObjectStore__ArchiveAfterDays
  value: {{ .Values.objectStore.archiveAfterDays | quote }}
- name: ObjectStore__ArchiveStorageClass
  value: {{ .Values.objectStore.archiveStorageClass | quote }}
{{- range $i, $origin := .Values.objectStore.corsOrigins }}
- name: ObjectStore__CorsOrigins__{{ $i }}
  value: {{ $origin | quote }}
{{- end }}
{{- with .Values.objectStore.serviceUrl }}
- name: ObjectStore__ServiceUrl
  value: {{ . | quote }}
{{- end }}
{{- if .Values.secrets.webhooks.name }}
- name: Webhooks__SigningKey
  valueFrom:
    secretKeyRef: {name: {{ .Values.secrets.webhooks.name }}, key: {{ .Values.secrets.webhooks.key }}}
{{- end }}
{{- if .Values.secrets.s3.name }}
- name: ObjectStore__AccessKey
  valueFrom:
    secretKeyRef: {name: {{ .Values.secrets.s3.name }}, key: {{ .Values.secrets.s3.accessKeyKey }}}
- name: ObjectStore__SecretKey
  valueFrom:
    secretKeyRef: {name: {{ .Values.secrets.s3.name }}, key: {{ .Values.secrets.s3.secretKeyKey }}}
{{- end }}
{{- end -}}
