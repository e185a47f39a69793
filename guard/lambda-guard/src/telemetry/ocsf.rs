//! OCSF event builders, one per class the guard emits, pinned to [`OCSF_VERSION`].
//!
//! ```
//! use lambda_guard::telemetry::ocsf::{self, FunctionInfo, InvocationInfo};
//! use lambda_guard::{Category, Finding, Trigger};
//! let function = FunctionInfo::default();
//! let invocation = InvocationInfo::new("req-1", Trigger::ApiGatewayHttp);
//! let finding = Finding::event(Category::Sqli, "sqli.tautology");
//! let event = ocsf::detection_finding(&function, &invocation, &finding, 0, "blocked", true);
//! assert_eq!(event.value["class_uid"], 2004);
//! assert_eq!(event.value["type_uid"], 200401);
//! assert_eq!(event.value["metadata"]["version"], ocsf::OCSF_VERSION);
//! ```
//!
//! Every event carries: `metadata.correlation_uid` (the invocation's request id), the `cloud`
//! profile (`cloud.provider`, `cloud.region`, `cloud.account.uid`), and under `unmapped.faas`
//! the function's name, version and ARN, the trigger, the cold-start flag and the X-Ray trace
//! id. The caller's address goes to `src_endpoint.ip` where the class has one (or to the
//! evidence's `src_endpoint` for findings). Custom fields live under `unmapped` only, so every
//! event validates against its class schema (the integration tests check that with the official
//! schemas).

use super::redact::{MaskedExcerpt, RedactedPath};
use crate::{
    decision::{Category, Finding},
    trigger::Trigger,
};
use serde_json::{json, Map, Value};

/// The OCSF schema version every event declares in `metadata.version`.
pub const OCSF_VERSION: &str = "1.5.0";

/// The guard's version, in `metadata.product.version`.
pub const GUARD_VERSION: &str = env!("CARGO_PKG_VERSION");

/// OCSF severity ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Severity {
    /// 1.
    Informational = 1,
    /// 2.
    Low = 2,
    /// 3.
    Medium = 3,
    /// 4.
    High = 4,
    /// 5.
    Critical = 5,
}

impl Severity {
    /// The caption.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Informational => "Informational",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }

    /// The `level` Lambda's advanced logging controls filter on.
    pub fn level(self) -> &'static str {
        match self {
            Severity::Informational => "INFO",
            Severity::Low | Severity::Medium => "WARN",
            Severity::High | Severity::Critical => "ERROR",
        }
    }
}

/// An OCSF class the guard emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    /// `class_uid`.
    pub uid: u32,
    /// `class_name`.
    pub name: &'static str,
    /// `category_uid`.
    pub category_uid: u32,
    /// `category_name`.
    pub category_name: &'static str,
    /// The OTel log record's event name.
    pub event_name: &'static str,
}

/// Authentication (3002).
pub const AUTHENTICATION: Class = Class {
    uid: 3002,
    name: "Authentication",
    category_uid: 3,
    category_name: "Identity & Access Management",
    event_name: "ocsf.authentication",
};
/// API Activity (6003).
pub const API_ACTIVITY: Class = Class {
    uid: 6003,
    name: "API Activity",
    category_uid: 6,
    category_name: "Application Activity",
    event_name: "ocsf.api_activity",
};
/// Detection Finding (2004).
pub const DETECTION_FINDING: Class = Class {
    uid: 2004,
    name: "Detection Finding",
    category_uid: 2,
    category_name: "Findings",
    event_name: "ocsf.detection_finding",
};
/// Application Error (6008).
pub const APPLICATION_ERROR: Class = Class {
    uid: 6008,
    name: "Application Error",
    category_uid: 6,
    category_name: "Application Activity",
    event_name: "ocsf.application_error",
};
/// File System Activity (1001).
pub const FILE_SYSTEM_ACTIVITY: Class = Class {
    uid: 1001,
    name: "File System Activity",
    category_uid: 1,
    category_name: "System Activity",
    event_name: "ocsf.file_activity",
};
/// Cloud Resources Inventory Info (5023).
pub const CLOUD_RESOURCES_INVENTORY: Class = Class {
    uid: 5023,
    name: "Cloud Resources Inventory Info",
    category_uid: 5,
    category_name: "Discovery",
    event_name: "ocsf.cloud_resources_inventory_info",
};

/// One built OCSF event.
#[derive(Debug, Clone)]
pub struct SecurityEvent {
    /// Its class.
    pub class: Class,
    /// Its severity.
    pub severity: Severity,
    /// The event, as it is written (after masking).
    pub value: Value,
}

/// What the function is, read once at init.
#[derive(Debug, Clone, Default)]
pub struct FunctionInfo {
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub name: String,
    /// `AWS_LAMBDA_FUNCTION_VERSION`.
    pub version: String,
    /// `AWS_REGION`.
    pub region: Option<String>,
}

impl FunctionInfo {
    /// From the process environment.
    pub fn from_env() -> FunctionInfo {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
        FunctionInfo {
            name: var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default(),
            version: var("AWS_LAMBDA_FUNCTION_VERSION").unwrap_or_default(),
            region: var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")),
        }
    }
}

/// What is known about one invocation. Holds no input value but the caller's address and a
/// redacted path.
#[derive(Debug, Clone, Default)]
pub struct InvocationInfo {
    /// The request id.
    pub request_id: String,
    /// The X-Ray trace header, when tracing is on.
    pub xray_trace_id: Option<String>,
    /// The invoked function ARN.
    pub arn: String,
    /// The trigger (`None` outside an invocation).
    pub trigger: Option<Trigger>,
    /// The caller's address, where the trigger reports one.
    pub source_ip: Option<String>,
    /// The HTTP method, for HTTP triggers.
    pub method: Option<String>,
    /// The route template, else the redacted path, for HTTP triggers.
    pub route: Option<RedactedPath>,
    /// The first invocation of this environment.
    pub cold_start: bool,
    /// The verified subject, only when `telemetry.include_subject` is on.
    pub subject: Option<String>,
}

impl InvocationInfo {
    /// A minimal context (tests, examples).
    pub fn new(request_id: &str, trigger: Trigger) -> InvocationInfo {
        InvocationInfo {
            request_id: request_id.to_owned(),
            trigger: Some(trigger),
            ..InvocationInfo::default()
        }
    }

    /// The account id, from the ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`).
    pub fn account(&self) -> Option<&str> {
        self.arn
            .split(':')
            .nth(4)
            .filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
    }

    /// `METHOD route`, for HTTP triggers.
    pub fn operation(&self) -> Option<String> {
        match (&self.method, &self.route) {
            (Some(m), Some(r)) => Some(format!("{m} {}", r.as_str())),
            (None, Some(r)) => Some(r.as_str().to_owned()),
            (Some(m), None) => Some(m.clone()),
            (None, None) => None,
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// The attributes every event shares.
fn base(
    class: Class,
    activity: (u32, &str),
    severity: Severity,
    function: &FunctionInfo,
    invocation: Option<&InvocationInfo>,
    uid: String,
    message: String,
) -> Map<String, Value> {
    let mut event = Map::with_capacity(24);
    event.insert("activity_id".into(), activity.0.into());
    event.insert("activity_name".into(), activity.1.into());
    event.insert("category_uid".into(), class.category_uid.into());
    event.insert("category_name".into(), class.category_name.into());
    event.insert("class_uid".into(), class.uid.into());
    event.insert("class_name".into(), class.name.into());
    event.insert(
        "type_uid".into(),
        (u64::from(class.uid) * 100 + u64::from(activity.0)).into(),
    );
    event.insert(
        "type_name".into(),
        format!("{}: {}", class.name, activity.1).into(),
    );
    event.insert("severity_id".into(), (severity as u8).into());
    event.insert("severity".into(), severity.name().into());
    event.insert("time".into(), now_ms().into());
    event.insert("message".into(), message.into());
    let mut metadata = json!({
        "version": OCSF_VERSION,
        "product": {"name": "lambda-guard", "vendor_name": "lambda-guard", "version": GUARD_VERSION},
        "profiles": ["cloud"],
        "log_name": "lambda-guard",
        "uid": uid,
    });
    let mut cloud = json!({"provider": "AWS"});
    if let Some(region) = &function.region {
        cloud["region"] = region.as_str().into();
    }
    let mut faas = json!({"name": function.name, "version": function.version});
    if let Some(inv) = invocation {
        metadata["correlation_uid"] = inv.request_id.as_str().into();
        if let Some(account) = inv.account() {
            cloud["account"] = json!({"uid": account, "type": "AWS Account", "type_id": 10});
        }
        faas["invocation_id"] = inv.request_id.as_str().into();
        faas["arn"] = inv.arn.as_str().into();
        faas["coldstart"] = inv.cold_start.into();
        if let Some(trigger) = inv.trigger {
            faas["trigger"] = trigger.name().into();
        }
        if let Some(xray) = &inv.xray_trace_id {
            faas["xray_trace_id"] = xray.as_str().into();
        }
    }
    event.insert("metadata".into(), metadata);
    event.insert("cloud".into(), cloud);
    event.insert("unmapped".into(), json!({ "faas": faas }));
    event
}

fn function_resource(function: &FunctionInfo, invocation: Option<&InvocationInfo>) -> Value {
    let mut r = json!({
        "name": function.name,
        "type": "AWS::Lambda::Function",
        "version": function.version,
    });
    if let Some(inv) = invocation.filter(|i| !i.arn.is_empty()) {
        r["uid"] = inv.arn.as_str().into();
    }
    if let Some(region) = &function.region {
        r["region"] = region.as_str().into();
    }
    r
}

/// The caller: the trigger's service (so the endpoint stays valid when `ip` is masked) and its
/// address where the trigger reports one.
fn src_endpoint(invocation: &InvocationInfo) -> Value {
    let mut endpoint =
        json!({ "svc_name": invocation.trigger.map(Trigger::name).unwrap_or("unknown") });
    if let Some(ip) = invocation
        .source_ip
        .as_ref()
        .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
    {
        endpoint["ip"] = ip.as_str().into();
    }
    endpoint
}

fn user(invocation: &InvocationInfo) -> Value {
    match &invocation.subject {
        Some(sub) => json!({"uid": sub, "type_id": 1, "type": "User"}),
        // OCSF requires one of name, uid, account: the caller is not identified.
        None => json!({"name": "unknown", "type_id": 0, "type": "Unknown"}),
    }
}

fn http_request(invocation: &InvocationInfo) -> Option<Value> {
    let method = invocation.method.as_ref()?;
    let mut request = json!({ "http_method": method });
    if let Some(route) = &invocation.route {
        request["url"] = json!({ "path": route.as_str() });
    }
    Some(request)
}

fn event_uid(invocation: &InvocationInfo, n: usize) -> String {
    format!("{}-{n}", invocation.request_id)
}

/// The invocation's event uid, or, outside any invocation (init, shutdown), one made of `what`
/// and the time.
fn event_uid_or(invocation: Option<&InvocationInfo>, what: &str, n: usize) -> String {
    invocation.map_or_else(|| format!("{what}-{}-{n}", now_ms()), |i| event_uid(i, n))
}

fn unmapped(event: &mut Map<String, Value>, key: &str, value: Value) {
    if let Some(Value::Object(u)) = event.get_mut("unmapped") {
        u.insert(key.to_owned(), value);
    }
}

/// How authentication ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthResult<'a> {
    /// A valid token.
    Success,
    /// Refused, with the stable reason kind (`missing_token`, `expired`, …).
    Failure(&'a str),
}

/// Authentication (3002): a bearer token verified or refused.
pub fn authentication(
    function: &FunctionInfo,
    invocation: &InvocationInfo,
    result: AuthResult<'_>,
    n: usize,
) -> SecurityEvent {
    let (severity, status, message) = match result {
        AuthResult::Success => (
            Severity::Informational,
            (1, "Success"),
            "bearer token accepted".to_owned(),
        ),
        AuthResult::Failure(kind) => (
            Severity::Medium,
            (2, "Failure"),
            format!("bearer token refused: {kind}"),
        ),
    };
    let mut event = base(
        AUTHENTICATION,
        (1, "Logon"),
        severity,
        function,
        Some(invocation),
        event_uid(invocation, n),
        message,
    );
    event.insert("auth_protocol_id".into(), 6.into());
    event.insert("auth_protocol".into(), "OAUTH 2.0".into());
    event.insert("is_remote".into(), true.into());
    event.insert("status_id".into(), status.0.into());
    event.insert("status".into(), status.1.into());
    if let AuthResult::Failure(kind) = result {
        event.insert("status_detail".into(), kind.into());
    }
    event.insert("user".into(), user(invocation));
    event.insert(
        "service".into(),
        json!({"name": function.name, "version": function.version, "uid": invocation.arn}),
    );
    event.insert("src_endpoint".into(), src_endpoint(invocation));
    if let Some(request) = http_request(invocation) {
        event.insert("http_request".into(), request);
    }
    SecurityEvent {
        class: AUTHENTICATION,
        severity,
        value: Value::Object(event),
    }
}

/// The guard's decision, as API Activity and span attributes carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionSummary<'a> {
    /// `allow`, `deny` or `filter`.
    pub decision: &'a str,
    /// The deny reason (`unauthenticated`, `injection`, …).
    pub reason: Option<&'a str>,
    /// The HTTP status the caller got, for denials.
    pub status_code: Option<u16>,
    /// How many findings.
    pub findings: usize,
}

/// API Activity (6003): the guard's authorization decision on an HTTP request.
pub fn api_activity(
    function: &FunctionInfo,
    invocation: &InvocationInfo,
    decision: DecisionSummary<'_>,
    n: usize,
) -> SecurityEvent {
    let activity = match invocation.method.as_deref() {
        Some("POST") => (1, "Create"),
        Some("GET" | "HEAD") => (2, "Read"),
        Some("PUT" | "PATCH") => (3, "Update"),
        Some("DELETE") => (4, "Delete"),
        _ => (99, "Other"),
    };
    let allowed = decision.decision != "deny";
    let severity = if allowed {
        Severity::Informational
    } else {
        Severity::Medium
    };
    let operation = invocation
        .operation()
        .unwrap_or_else(|| "invoke".to_owned());
    let message = match decision.reason {
        Some(reason) => format!("{} {operation}: {reason}", decision.decision),
        None => format!("{} {operation}", decision.decision),
    };
    let mut event = base(
        API_ACTIVITY,
        activity,
        severity,
        function,
        Some(invocation),
        event_uid(invocation, n),
        message,
    );
    event.insert("status_id".into(), if allowed { 1 } else { 2 }.into());
    event.insert(
        "status".into(),
        if allowed { "Success" } else { "Failure" }.into(),
    );
    if let Some(reason) = decision.reason {
        event.insert("status_detail".into(), reason.into());
    }
    if let Some(code) = decision.status_code {
        event.insert("status_code".into(), code.to_string().into());
        event.insert("http_response".into(), json!({ "code": code }));
    }
    event.insert("actor".into(), json!({ "user": user(invocation) }));
    event.insert(
        "api".into(),
        json!({
            "operation": operation,
            "service": {"name": function.name, "version": function.version},
            "request": {"uid": invocation.request_id},
        }),
    );
    event.insert("src_endpoint".into(), src_endpoint(invocation));
    if let Some(request) = http_request(invocation) {
        event.insert("http_request".into(), request);
    }
    event.insert(
        "resources".into(),
        json!([function_resource(function, Some(invocation))]),
    );
    unmapped(
        &mut event,
        "guard",
        json!({"decision": decision.decision, "findings": decision.findings}),
    );
    SecurityEvent {
        class: API_ACTIVITY,
        severity,
        value: Value::Object(event),
    }
}

fn category_title(category: Category) -> &'static str {
    match category {
        Category::Malformed => "Malformed event",
        Category::Limit => "Size or structure limit exceeded",
        Category::Auth => "Authentication failure",
        Category::Sqli => "SQL injection",
        Category::Nosqli => "NoSQL operator injection",
        Category::Xss => "Cross-site scripting",
        Category::CommandInjection => "OS command injection",
        Category::PathTraversal => "Path traversal",
        Category::Ssrf => "Server-side request forgery",
        Category::Ssti => "Server-side template injection",
        Category::Xxe => "XML external entity",
        Category::LogInjection => "Log injection",
        Category::PrototypePollution => "Prototype pollution",
        Category::SessionFixation => "Session fixation",
        Category::CodeInjection => "Server-side code injection",
        Category::LdapInjection => "LDAP injection",
        Category::XpathInjection => "XPath injection",
        Category::FormulaInjection => "Formula injection",
        Category::Scanner => "Attack tool",
        Category::Schema => "Schema violation",
        #[allow(unreachable_patterns, reason = "the enum is non_exhaustive")]
        _ => "Finding",
    }
}

/// Detection Finding (2004): one injection (or malformed, limit) finding. `action` is what the
/// guard did (`blocked`, `filtered`, `monitored`); `masked` drops even the masked excerpt
/// (the finding lies in a `telemetry.mask_fields` input path).
pub fn detection_finding(
    function: &FunctionInfo,
    invocation: &InvocationInfo,
    finding: &Finding,
    n: usize,
    action: &str,
    masked: bool,
) -> SecurityEvent {
    let severity = match (finding.category, action) {
        (Category::Malformed | Category::Limit | Category::Schema, _) => Severity::Low,
        (_, "monitored") => Severity::Medium,
        _ => Severity::High,
    };
    let title = category_title(finding.category);
    let mut event = base(
        DETECTION_FINDING,
        (1, "Create"),
        severity,
        function,
        Some(invocation),
        event_uid(invocation, n),
        format!("{title} ({}) at {}: {action}", finding.rule, finding.path),
    );
    event.insert("status_id".into(), 1.into());
    event.insert("status".into(), "New".into());
    event.insert("is_alert".into(), (action != "monitored").into());
    event.insert(
        "finding_info".into(),
        json!({
            "uid": event_uid(invocation, n),
            "title": title,
            "types": [finding.category.name()],
            "analytic": {"uid": finding.rule, "name": finding.rule, "type_id": 1, "type": "Rule"},
        }),
    );
    let mut data = json!({
        "path": finding.path,
        "transforms": finding.transforms,
    });
    if let Some(record) = finding.record {
        data["record"] = record.into();
    }
    if !masked && !finding.excerpt.is_empty() {
        data["excerpt"] =
            serde_json::to_value(MaskedExcerpt::new(&finding.excerpt)).unwrap_or(Value::Null);
    }
    let mut evidence = json!({ "data": data, "src_endpoint": src_endpoint(invocation) });
    if let Some(operation) = invocation.operation() {
        evidence["api"] = json!({ "operation": operation });
    }
    event.insert("evidences".into(), json!([evidence]));
    event.insert(
        "resources".into(),
        json!([function_resource(function, Some(invocation))]),
    );
    unmapped(
        &mut event,
        "guard",
        json!({"action": action, "category": finding.category.name()}),
    );
    SecurityEvent {
        class: DETECTION_FINDING,
        severity,
        value: Value::Object(event),
    }
}

/// Detection Finding (2004) for residue found between invocations (hygiene): what kind of
/// residue (`tmp_file`, `child_process`, `env_var`, …) and how many. Never a file name or content.
pub fn residue_finding(
    function: &FunctionInfo,
    invocation: Option<&InvocationInfo>,
    kind: &str,
    count: u64,
    n: usize,
) -> SecurityEvent {
    let uid = event_uid_or(invocation, "residue", n);
    let mut event = base(
        DETECTION_FINDING,
        (1, "Create"),
        Severity::Medium,
        function,
        invocation,
        uid.clone(),
        format!("residue between invocations: {count} {kind}"),
    );
    event.insert("status_id".into(), 1.into());
    event.insert("status".into(), "New".into());
    event.insert(
        "finding_info".into(),
        json!({
            "uid": uid,
            "title": "Residue between invocations",
            "types": ["residue"],
            "analytic": {"uid": format!("hygiene.residue.{kind}"), "name": "hygiene residue", "type_id": 1, "type": "Rule"},
        }),
    );
    event.insert(
        "evidences".into(),
        json!([{ "data": {"kind": kind, "count": count} }]),
    );
    event.insert(
        "resources".into(),
        json!([function_resource(function, invocation)]),
    );
    SecurityEvent {
        class: DETECTION_FINDING,
        severity: Severity::Medium,
        value: Value::Object(event),
    }
}

/// Application Error (6008): a panic or a critical error. `what` is a fixed description (a
/// panic's location, an error type): never a panic payload or error message, which may hold data.
pub fn application_error(
    function: &FunctionInfo,
    invocation: Option<&InvocationInfo>,
    what: &str,
    severity: Severity,
    n: usize,
) -> SecurityEvent {
    let uid = event_uid_or(invocation, "error", n);
    let mut event = base(
        APPLICATION_ERROR,
        (1, "General Error"),
        severity,
        function,
        invocation,
        uid,
        what.to_owned(),
    );
    event.insert("status_id".into(), 2.into());
    event.insert("status".into(), "Failure".into());
    SecurityEvent {
        class: APPLICATION_ERROR,
        severity,
        value: Value::Object(event),
    }
}

/// File System Activity (1001), activity Delete: a wipe of a directory's contents by hygiene.
/// Carries the directory and counts, never the names of what was removed.
pub fn wipe(
    function: &FunctionInfo,
    invocation: Option<&InvocationInfo>,
    dir: &str,
    removed: u64,
    bytes: u64,
    n: usize,
) -> SecurityEvent {
    let uid = event_uid_or(invocation, "wipe", n);
    let mut event = base(
        FILE_SYSTEM_ACTIVITY,
        (4, "Delete"),
        Severity::Informational,
        function,
        invocation,
        uid,
        format!("wiped {removed} entries ({bytes} bytes) under {dir}"),
    );
    let name = dir.rsplit('/').find(|s| !s.is_empty()).unwrap_or("/");
    event.insert("status_id".into(), 1.into());
    event.insert("status".into(), "Success".into());
    event.insert(
        "file".into(),
        json!({"name": name, "path": dir, "type_id": 2, "type": "Folder"}),
    );
    event.insert(
        "actor".into(),
        json!({"app_name": "lambda-guard", "process": {"pid": std::process::id()}}),
    );
    event.insert(
        "device".into(),
        json!({"type_id": 6, "type": "Virtual", "hostname": function.name}),
    );
    unmapped(
        &mut event,
        "wipe",
        json!({"removed": removed, "bytes": bytes}),
    );
    SecurityEvent {
        class: FILE_SYSTEM_ACTIVITY,
        severity: Severity::Informational,
        value: Value::Object(event),
    }
}

/// Cloud Resources Inventory Info (5023): the function's attack surface (`inventory` is built by
/// [`super::inventory::Inventory::snapshot`]).
pub fn inventory(
    function: &FunctionInfo,
    invocation: Option<&InvocationInfo>,
    inventory: Value,
    uid: String,
) -> SecurityEvent {
    let mut event = base(
        CLOUD_RESOURCES_INVENTORY,
        (2, "Collect"),
        Severity::Informational,
        function,
        invocation,
        uid,
        "attack-surface inventory".to_owned(),
    );
    event.insert("status_id".into(), 1.into());
    event.insert("status".into(), "Success".into());
    event.insert(
        "resources".into(),
        json!([function_resource(function, invocation)]),
    );
    unmapped(&mut event, "inventory", inventory);
    SecurityEvent {
        class: CLOUD_RESOURCES_INVENTORY,
        severity: Severity::Informational,
        value: Value::Object(event),
    }
}
