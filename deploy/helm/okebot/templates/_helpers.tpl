{{/* Chart name, truncated to the 63 characters of a label value. */}}
{{- define "okebot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: fullnameOverride, else <release>-<name>, or the release name when it already contains the name. */}}
{{- define "okebot.fullname" -}}
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

{{- define "okebot.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "okebot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "okebot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "okebot.labels" -}}
helm.sh/chart: {{ include "okebot.chart" . }}
{{ include "okebot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "okebot.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "okebot.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "okebot.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* `--source` for a source other than oci (the default of both okebot serve and okebot config check): the bot and
its config-check hook read the same source, so a demo or snapshot release is never checked against OCI. */}}
{{- define "okebot.sourceArgs" -}}
{{- if ne .Values.source "oci" }}
- --source
- {{ .Values.source | quote }}
{{- end }}
{{- end }}

{{/* The container port: Socket Mode serves health and metrics on ports.health, HTTP mode everything on ports.http. */}}
{{- define "okebot.port" -}}
{{- if eq .Values.mode "http" }}{{ .Values.ports.http }}{{ else }}{{ .Values.ports.health }}{{ end }}
{{- end }}

{{/* "postgresql" or "sqlite" (or "unknown" for a URL from a Secret with store.type unset). */}}
{{- define "okebot.storeType" -}}
{{- if .Values.store.type }}
{{- .Values.store.type }}
{{- else if .Values.store.existingSecret }}
{{- "unknown" }}
{{- else if or (hasPrefix "postgresql://" .Values.store.url) (hasPrefix "postgres://" .Values.store.url) }}
{{- "postgresql" }}
{{- else }}
{{- "sqlite" }}
{{- end }}
{{- end }}

{{/* Settings that cannot work together: refuse them at render time, saying why and what to set. */}}
{{- define "okebot.validate" -}}
{{- $store := include "okebot.storeType" . }}
{{- if and (gt (int .Values.replicaCount) 1) (ne $store "postgresql") }}
{{- fail (printf "replicaCount is %d, but several replicas need PostgreSQL to share digests and audit; set store.type=postgresql with store.existingSecret (a postgresql:// URL), or store.url=postgresql://HOST/DB, or replicaCount=1 (store is %s)" (int .Values.replicaCount) $store) }}
{{- end }}
{{- if and (not .Values.store.existingSecret) .Values.store.type }}
{{- $urlIsPostgres := or (hasPrefix "postgresql://" .Values.store.url) (hasPrefix "postgres://" .Values.store.url) }}
{{- if and (eq .Values.store.type "postgresql") (not $urlIsPostgres) (eq .Values.store.url "sqlite:////tmp/okebot.db") }}
{{- fail "store.type is postgresql, but no PostgreSQL URL is given: set store.existingSecret to a Secret holding it (key store.existingSecretKey, OKEBOT_STORE_URL by default; a URL with a password belongs there), or store.url=postgresql://HOST/DB (store.url is still the chart's default SQLite file)" }}
{{- else if ne (ternary "postgresql" "sqlite" $urlIsPostgres) .Values.store.type }}
{{- fail (printf "store.type is %s but store.url is %s; make them agree" .Values.store.type .Values.store.url) }}
{{- end }}
{{- end }}
{{- if and (not .Values.store.existingSecret) (regexMatch "^[a-zA-Z0-9+.-]+://[^/@]*:[^/@]*@" .Values.store.url) }}
{{- fail "store.url holds a password; the chart never puts secrets in its values: put the URL in a Secret and set store.existingSecret (and store.existingSecretKey, store.type=postgresql)" }}
{{- end }}
{{- if le (int .Values.terminationGracePeriodSeconds) (int .Values.drainSeconds) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be above drainSeconds (%d), or Kubernetes kills okebot while it drains" (int .Values.terminationGracePeriodSeconds) (int .Values.drainSeconds)) }}
{{- end }}
{{- if not .Values.slack.existingSecret }}
{{- fail "slack.existingSecret is empty: create a Secret with the Slack tokens (docs/deploy.md) and name it here" }}
{{- end }}
{{- if and .Values.ingress.enabled (ne .Values.mode "http") }}
{{- fail "ingress.enabled needs mode=http: in Socket Mode Slack never connects to okebot" }}
{{- end }}
{{- if and .Values.ingress.enabled (not .Values.ingress.host) }}
{{- fail "ingress.enabled needs ingress.host (Slack's request URL is https://<host>/slack/events)" }}
{{- end }}
{{- if and (eq .Values.oci.auth "oke_workload_identity") (not .Values.serviceAccount.automountServiceAccountToken) }}
{{- fail "oci.auth=oke_workload_identity exchanges the pod's service-account token for an OCI token: set serviceAccount.automountServiceAccountToken=true, or choose another oci.auth" }}
{{- end }}
{{- end }}

{{/* okebot's settings as container env; shared by the Deployment and the config-check hook. */}}
{{- define "okebot.env" -}}
- name: SLACK_BOT_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.slack.existingSecret }}
      key: {{ .Values.slack.botTokenKey }}
{{- if eq .Values.mode "http" }}
- name: SLACK_SIGNING_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.slack.existingSecret }}
      key: {{ .Values.slack.signingSecretKey }}
{{- else }}
- name: SLACK_APP_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.slack.existingSecret }}
      key: {{ .Values.slack.appTokenKey }}
{{- end }}
- name: OKEBOT_CONFIG
  value: /etc/okebot/okebot.yaml
{{- if .Values.store.existingSecret }}
- name: OKEBOT_STORE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.store.existingSecret }}
      key: {{ .Values.store.existingSecretKey }}
{{- else }}
- name: OKEBOT_STORE_URL
  value: {{ .Values.store.url | quote }}
{{- end }}
- name: OKEBOT_LOG_FORMAT
  value: {{ .Values.logFormat | quote }}
- name: OKEBOT_DRAIN_SECONDS
  value: {{ .Values.drainSeconds | quote }}
- name: OKEBOT_ANSWER_CONCURRENCY
  value: {{ .Values.answerConcurrency | quote }}
- name: OKEBOT_OCI_AUTH
  value: {{ .Values.oci.auth | quote }}
{{- with .Values.oci.region }}
- name: OKEBOT_OCI_REGION
  value: {{ . | quote }}
{{- if eq $.Values.oci.auth "oke_workload_identity" }}
- name: OCI_RESOURCE_PRINCIPAL_REGION
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- with .Values.oci.compartments }}
- name: OKEBOT_OCI_COMPARTMENTS
  value: {{ join "," . | quote }}
{{- end }}
- name: OKEBOT_KUBE_ENABLED
  value: {{ .Values.kube.enabled | quote }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "okebot.volumes" -}}
- name: config
  configMap:
    name: {{ include "okebot.fullname" . }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- with .Values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "okebot.volumeMounts" -}}
- name: config
  mountPath: /etc/okebot
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- with .Values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}
