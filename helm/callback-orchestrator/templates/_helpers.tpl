{{/* Chart name. */}}
{{- define "callback-orchestrator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name, room left for "-worker" / "-migrate" suffixes. */}}
{{- define "callback-orchestrator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "callback-orchestrator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "callback-orchestrator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "callback-orchestrator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "callback-orchestrator.labels" -}}
helm.sh/chart: {{ include "callback-orchestrator.chart" . }}
{{ include "callback-orchestrator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "callback-orchestrator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "callback-orchestrator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "callback-orchestrator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Secret with DATABASE_URL, REDIS_URL and vendor secrets. */}}
{{- define "callback-orchestrator.secretName" -}}
{{- default (include "callback-orchestrator.fullname" .) .Values.existingSecret }}
{{- end }}

{{- define "callback-orchestrator.secretData" -}}
DATABASE_URL: {{ required "database.url is required unless existingSecret is set" .Values.database.url | b64enc | quote }}
REDIS_URL: {{ required "redis.url is required unless existingSecret is set" .Values.redis.url | b64enc | quote }}
{{- range $name, $value := .Values.vendorSecrets }}
{{ $name }}: {{ $value | toString | b64enc | quote }}
{{- end }}
{{- end }}

{{/* Non-secret settings, as env (ConfigMap data and the migration Job). */}}
{{- define "callback-orchestrator.settings" -}}
PORT: "3000"
QUEUE_PREFIX: {{ .Values.redis.queuePrefix | quote }}
ACCOUNTS_FILE: "/etc/callback-orchestrator/accounts.yaml"
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
LOG_PRETTY: {{ .Values.config.logPretty | toString | quote }}
MIGRATE_ON_BOOT: {{ not .Values.migrations.enabled | toString | quote }}
SHUTDOWN_GRACE_MS: {{ mul .Values.config.shutdownGraceSeconds 1000 | toString | quote }}
CALLING_WINDOW_DEFAULT: {{ .Values.config.callingWindowDefault | quote }}
SCHEDULE_HORIZON_DAYS: {{ .Values.config.scheduleHorizonDays | int | toString | quote }}
CLOCK_SKEW_MS: {{ .Values.config.clockSkewMs | int | toString | quote }}
BODY_LIMIT_BYTES: {{ .Values.config.bodyLimitBytes | int | toString | quote }}
IDEMPOTENCY_TTL_HOURS: {{ .Values.config.idempotencyTtlHours | int | toString | quote }}
RECONCILE_INTERVAL_MS: {{ .Values.config.reconcileIntervalMs | int | toString | quote }}
THROTTLE_LIMIT: {{ .Values.config.throttleLimit | int | toString | quote }}
THROTTLE_WINDOW_MS: {{ .Values.config.throttleWindowMs | int | toString | quote }}
THROTTLE_CLIENT_LIMITS: {{ .Values.config.throttleClientLimits | quote }}
API_KEY_CACHE_MS: {{ .Values.config.apiKeyCacheMs | int | toString | quote }}
BULL_BOARD_READ_ONLY: {{ .Values.config.bullBoardReadOnly | toString | quote }}
RETENTION_DAYS: {{ .Values.config.retentionDays | int | toString | quote }}
RETENTION_MODE: {{ .Values.config.retentionMode | quote }}
WORKER_CONCURRENCY: {{ .Values.config.workerConcurrency | int | toString | quote }}
{{- end }}

{{/*
Pod template shared by the api and worker Deployments.
Call with (dict "root" $ "role" "api" "values" .Values.api).
*/}}
{{- define "callback-orchestrator.podTemplate" -}}
{{- $root := .root }}
{{- $v := .values }}
{{- $preStop := 0 }}
{{- if eq .role "api" }}{{ $preStop = int $v.preStopSleepSeconds }}{{ end -}}
metadata:
  labels:
    {{- include "callback-orchestrator.selectorLabels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .role }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- if not $root.Values.existingSecret }}
    checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
    {{- end }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "callback-orchestrator.serviceAccountName" $root }}
  automountServiceAccountToken: false
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  terminationGracePeriodSeconds: {{ add $root.Values.config.shutdownGraceSeconds $root.Values.config.terminationExtraSeconds $preStop }}
  containers:
    - name: {{ .role }}
      image: {{ include "callback-orchestrator.image" $root }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args: ["node", "dist/main.js"]
      env:
        - name: ROLE
          value: {{ .role | quote }}
        {{- with $root.Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      envFrom:
        - configMapRef:
            name: {{ include "callback-orchestrator.fullname" $root }}
        - secretRef:
            name: {{ include "callback-orchestrator.secretName" $root }}
        {{- with $root.Values.extraEnvFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        - name: http
          containerPort: 3000
          protocol: TCP
      startupProbe:
        httpGet: { path: /health/live, port: http }
        {{- toYaml $root.Values.probes.startup | nindent 8 }}
      livenessProbe:
        httpGet: { path: /health/live, port: http }
        {{- toYaml $root.Values.probes.liveness | nindent 8 }}
      readinessProbe:
        httpGet: { path: /health/ready, port: http }
        {{- toYaml $root.Values.probes.readiness | nindent 8 }}
      {{- if gt $preStop 0 }}
      lifecycle:
        preStop:
          exec:
            command: ["sleep", "{{ $preStop }}"]
      {{- end }}
      resources:
        {{- toYaml $v.resources | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        - name: accounts
          mountPath: /etc/callback-orchestrator
          readOnly: true
  volumes:
    - name: tmp
      emptyDir: {}
    - name: accounts
      configMap:
        name: {{ include "callback-orchestrator.fullname" $root }}-accounts
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
