//! OpenTelemetry over OTLP/HTTP (protobuf, blocking reqwest client): a tracer provider for the
//! invocation spans and a logger provider for the security events, both behind batch processors
//! (export runs on their own threads, off the invocation), and a bounded flush.
//!
//! The endpoint and headers come from the standard `OTEL_EXPORTER_OTLP_*` variables (the usual
//! target is a collector extension on `localhost:4318`). gRPC is deliberately not offered: its
//! exporter deadlocks in `force_flush` on a current-thread runtime.
//!
//! Flushing: a dedicated thread calls `force_flush` (which blocks, with the SDK's 5 s internal
//! timeout); the invocation waits for it at most `telemetry.flush_timeout_ms`. A dead or slow
//! collector therefore costs an invocation at most that bound, once: while a flush is still
//! stuck, later invocations do not wait for another. Every event was already written to stdout
//! before export was attempted, so nothing that fails to export is lost.

use super::ocsf::{FunctionInfo, SecurityEvent, Severity as OcsfSeverity};
use opentelemetry::{
    logs::{AnyValue, LogRecord, Logger, LoggerProvider, Severity},
    trace::{SpanContext, TracerProvider},
    KeyValue,
};
use opentelemetry_otlp::{LogExporter, SpanExporter, WithExportConfig};
use opentelemetry_sdk::{
    logs::{SdkLogger, SdkLoggerProvider},
    trace::{SdkTracer, SdkTracerProvider},
    Resource,
};
use std::{
    sync::mpsc::{self, SyncSender, TrySendError},
    time::Duration,
};

/// How a bounded flush ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlushOutcome {
    /// Everything pending was exported.
    Done,
    /// The exporter reported an error (the collector refused or was unreachable).
    Failed,
    /// The bound passed; export goes on in the background.
    TimedOut,
    /// A previous flush is still stuck; this one did not wait.
    Busy,
}

/// The OTLP pipeline.
pub struct OtelPipeline {
    tracer_provider: SdkTracerProvider,
    logger_provider: SdkLoggerProvider,
    logger: SdkLogger,
    flush_requests: SyncSender<SyncSender<bool>>,
}

impl std::fmt::Debug for OtelPipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtelPipeline").finish_non_exhaustive()
    }
}

impl OtelPipeline {
    /// Builds the exporters from `OTEL_EXPORTER_OTLP_*`, with `export_timeout` per request.
    pub fn new(function: &FunctionInfo, export_timeout: Duration) -> Result<OtelPipeline, String> {
        let mut resource = Resource::builder().with_attributes([
            KeyValue::new("cloud.provider", "aws"),
            KeyValue::new("cloud.platform", "aws_lambda"),
            KeyValue::new("faas.name", function.name.clone()),
            KeyValue::new("faas.version", function.version.clone()),
            KeyValue::new("telemetry.distro.name", "lambda-guard"),
            KeyValue::new("telemetry.distro.version", super::ocsf::GUARD_VERSION),
        ]);
        if std::env::var_os("OTEL_SERVICE_NAME").is_none() && !function.name.is_empty() {
            resource = resource.with_service_name(function.name.clone());
        }
        if let Some(region) = &function.region {
            resource = resource.with_attribute(KeyValue::new("cloud.region", region.clone()));
        }
        let resource = resource.build();
        let spans = SpanExporter::builder()
            .with_http()
            .with_timeout(export_timeout)
            .build()
            .map_err(|e| format!("OTLP span exporter: {e}"))?;
        let logs = LogExporter::builder()
            .with_http()
            .with_timeout(export_timeout)
            .build()
            .map_err(|e| format!("OTLP log exporter: {e}"))?;
        let tracer_provider = SdkTracerProvider::builder()
            .with_batch_exporter(spans)
            .with_resource(resource.clone())
            .build();
        let logger_provider = SdkLoggerProvider::builder()
            .with_batch_exporter(logs)
            .with_resource(resource)
            .build();
        let logger = logger_provider.logger("lambda-guard");
        let (flush_requests, requests) = mpsc::sync_channel::<SyncSender<bool>>(1);
        let (tp, lp) = (tracer_provider.clone(), logger_provider.clone());
        std::thread::Builder::new()
            .name("lambda-guard-flush".into())
            .spawn(move || {
                while let Ok(done) = requests.recv() {
                    let traces = tp.force_flush().is_ok();
                    let logs = lp.force_flush().is_ok();
                    let _ = done.try_send(traces && logs);
                }
            })
            .map_err(|e| format!("cannot start the flush thread: {e}"))?;
        Ok(OtelPipeline {
            tracer_provider,
            logger_provider,
            logger,
            flush_requests,
        })
    }

    /// The tracer for `tracing-opentelemetry`.
    pub fn tracer(&self) -> SdkTracer {
        self.tracer_provider.tracer("lambda-guard")
    }

    /// Emits one security event as a log record (body: the OCSF JSON), in the invocation's
    /// trace when `span` is given.
    pub fn emit(&self, event: &SecurityEvent, body: &str, span: Option<&SpanContext>) {
        let mut record = self.logger.create_log_record();
        record.set_event_name(event.class.event_name);
        record.set_target("lambda_guard::ocsf");
        let (number, text) = match event.severity {
            OcsfSeverity::Informational => (Severity::Info, "INFO"),
            OcsfSeverity::Low | OcsfSeverity::Medium => (Severity::Warn, "WARN"),
            OcsfSeverity::High => (Severity::Error, "ERROR"),
            OcsfSeverity::Critical => (Severity::Fatal, "FATAL"),
        };
        record.set_severity_number(number);
        record.set_severity_text(text);
        record.set_timestamp(std::time::SystemTime::now());
        record.set_body(AnyValue::String(body.to_owned().into()));
        record.add_attribute("ocsf.class_uid", i64::from(event.class.uid));
        record.add_attribute("ocsf.version", super::ocsf::OCSF_VERSION);
        if let Some(uid) = event.value["metadata"]["correlation_uid"].as_str() {
            record.add_attribute("faas.invocation_id", uid.to_owned());
        }
        if let Some(span) = span.filter(|s| s.is_valid()) {
            record.set_trace_context(span.trace_id(), span.span_id(), Some(span.trace_flags()));
        }
        self.logger.emit(record);
    }

    /// Exports what is pending, waiting at most `bound`.
    pub fn flush(&self, bound: Duration) -> FlushOutcome {
        let (done, outcome) = mpsc::sync_channel(1);
        match self.flush_requests.try_send(done) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return FlushOutcome::Busy,
            Err(TrySendError::Disconnected(_)) => return FlushOutcome::Failed,
        }
        match outcome.recv_timeout(bound) {
            Ok(true) => FlushOutcome::Done,
            Ok(false) => FlushOutcome::Failed,
            Err(_) => FlushOutcome::TimedOut,
        }
    }

    /// Shuts both providers down, bounded (for SIGTERM at shutdown).
    pub fn shutdown(&self, bound: Duration) {
        let _ = self.tracer_provider.shutdown_with_timeout(bound);
        let _ = self.logger_provider.shutdown_with_timeout(bound);
    }
}
