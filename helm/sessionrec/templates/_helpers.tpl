{{/*
Shared names, labels and environment for every Sessionrec workload, so the Deployments,
the migration Job and the ConfigMap cannot drift apart.
*/}}

{{- define "sessionrec.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sessionrec.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sessionrec.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sessionrec.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sessionrec.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sessionrec.labels" -}}
helm.sh/chart: {{ include "sessionrec.chart" . }}
{{ include "sessionrec.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sessionrec
{{- end }}

{{- define "sessionrec.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sessionrec.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sessionrec.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Non-secret settings as NAME: "value" lines: the ConfigMap's data, and inlined into the
migration Job, which runs before the ConfigMap exists on a first install.
*/}}
{{- define "sessionrec.configData" -}}
HOST: "0.0.0.0"
LOG_LEVEL: {{ .Values.logLevel | quote }}
NATS_URL: {{ required "nats.url is required" .Values.nats.url | quote }}
NATS_NAMESPACE: {{ .Values.nats.namespace | quote }}
NATS_REPLICAS: {{ .Values.nats.replicas | quote }}
STORAGE_URL: {{ required "storage.url is required" .Values.storage.url | quote }}
{{- if .Values.storage.s3.endpoint }}
S3_ENDPOINT: {{ .Values.storage.s3.endpoint | quote }}
{{- end }}
S3_REGION: {{ .Values.storage.s3.region | quote }}
S3_FORCE_PATH_STYLE: {{ .Values.storage.s3.forcePathStyle | quote }}
{{- if .Values.otel.endpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ .Values.otel.endpoint | quote }}
{{- end }}
{{- range $key, $value := .Values.extraEnv }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/*
Variables read from Secrets the operator created: the database URL always, NATS and S3
credentials when configured.
*/}}
{{- define "sessionrec.secretEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret is required" .Values.database.existingSecret }}
      key: {{ .Values.database.urlKey }}
{{- if .Values.nats.existingSecret }}
{{- range list "NATS_USER" "NATS_PASSWORD" "NATS_TOKEN" }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.nats.existingSecret }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end }}
{{- if .Values.storage.s3.existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .Values.storage.s3.existingSecret }}
      key: {{ .Values.storage.s3.accessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.storage.s3.existingSecret }}
      key: {{ .Values.storage.s3.secretAccessKeyKey }}
{{- end }}
{{- end }}
