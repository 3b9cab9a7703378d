//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json` without
//! authentication. Choice lists (roles, platforms, …) come from the domain and error codes from
//! [`ALL_CODES`], so they cannot drift; a test checks the paths match the registered routes.

use std::sync::LazyLock;

use axum::Json;
use humas_domain::inbox::{Category, HateCategory, MessageKind, PiiKind, Sentiment, Status};
use humas_domain::publish::limits::PROBLEM_CODES;
use humas_domain::publish::{DeliveryState, PostState};
use humas_domain::{AccountStatus, DelegationKind, Locale, OpdKind, Platform, Role, UserZone};
use serde_json::{Map, Value, json};

use super::audit::DEFAULT_LIMIT as AUDIT_DEFAULT_LIMIT;
use super::posts::PUBLISH_ERROR_CODES;
use super::query::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::error::ALL_CODES;

/// The calendar, slots and narasi tunggal paths and schemas.
mod calendar_doc;
/// The event outbox path and schemas.
mod events_doc;
/// The import path and its result.
mod import_doc;

static DOCUMENT: LazyLock<Value> = LazyLock::new(document);

pub(super) async fn serve() -> Json<Value> {
    Json(DOCUMENT.clone())
}

/// The whole document.
pub(crate) fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Humas API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": DESCRIPTION,
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearerAuth": [] }],
        "tags": TAGS.map(|name| json!({ "name": name })),
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token from `humas user token create` or the profile \
                        page. It acts with its owner's role and OPD.",
                },
            },
            "parameters": parameters(),
            "responses": {
                "Error": {
                    "description": "The request failed; `error.code` says why.",
                    "content": { "application/json": { "schema": schema_ref("Error") } },
                },
            },
            "schemas": schemas(),
        },
    })
}

const TAGS: [&str; 13] = [
    "me",
    "opds",
    "accounts",
    "users",
    "delegations",
    "messages",
    "replies",
    "compliance",
    "posts",
    "media",
    "deliveries",
    "audit",
    "meta",
];

const DESCRIPTION: &str = "Official accounts of the provincial government's OPDs, the people \
    who run them, acting-official (Plt/Plh) delegations, the inbox of messages from the public \
    with its replies and response-time compliance, and the tamper-evident audit log.\n\n\
    Authenticate with `Authorization: Bearer <token>`. Lists answer `{items, next_cursor}`: pass \
    `next_cursor` back as `cursor` until it is null. Failures answer \
    `{error: {code, message}}`; `code` is stable. Request bodies refuse unknown fields and \
    endpoints refuse unknown query parameters (400 `malformed_body`).";

// --- Paths ------------------------------------------------------------------------------------

fn paths() -> Value {
    let id = [param_ref("Id")];
    let mut paths = json!({
        "/api/v1/openapi.json": { "get": openapi_operation() },
        "/api/v1/me": {
            "get": Op::new("me", "getMe", "The caller, and where they act as approver today")
                .ok("200", "Me")
                .done(),
        },
        "/api/v1/opds": collection("opds", "Opd", "OpdInput", false),
        "/api/v1/opds/{id}": {
            "parameters": id,
            "get": read_one("opds", "getOpd", "One OPD", "Opd"),
            "put": replace_one("opds", "replaceOpd", "Change an OPD (supervisors)", "Opd"),
        },
        "/api/v1/accounts": collection("accounts", "Account", "AccountInput", true),
        "/api/v1/accounts/{id}": {
            "parameters": id,
            "get": read_one("accounts", "getAccount", "One account", "Account"),
            "put": replace_one("accounts", "replaceAccount", "Change an account", "Account"),
            "delete": Op::new("accounts", "deleteAccount", "Remove an account")
                .found()
                .no_content()
                .done(),
        },
        "/api/v1/users": collection("users", "User", "NewUserInput", true),
        "/api/v1/users/{id}": {
            "parameters": id,
            "get": read_one("users", "getUser", "One person", "User"),
            "put": Op::new("users", "replaceUser", "Change a person (supervisors)")
                .found()
                .body("UserUpdateInput")
                .ok("200", "User")
                .done(),
        },
        "/api/v1/delegations": collection("delegations", "Delegation", "DelegationInput", true),
        "/api/v1/delegations/{id}/revoke": {
            "parameters": id,
            "post": Op::new("delegations", "revokeDelegation", "End a delegation early")
                .found()
                .ok("200", "Delegation")
                .done(),
        },
        "/api/v1/audit": { "get": audit_operation() },
    });
    if let (Value::Object(all), Value::Object(inbox)) = (&mut paths, inbox_paths()) {
        all.extend(inbox);
    }
    if let (Value::Object(all), Value::Object(publish)) = (&mut paths, publish_paths()) {
        all.extend(publish);
    }
    if let (Value::Object(all), Value::Object(more)) = (&mut paths, events_doc::paths()) {
        all.extend(more);
    }
    if let (Value::Object(all), Value::Object(more)) = (&mut paths, calendar_doc::paths()) {
        all.extend(more);
    }
    if let (Value::Object(all), Value::Object(more)) = (&mut paths, import_doc::paths()) {
        all.extend(more);
    }
    paths
}

/// `/api/v1/posts`, `/api/v1/media` and `/api/v1/deliveries`.
fn publish_paths() -> Value {
    let id = [param_ref("Id")];
    let post_action = |op: &str, summary: &str, input: Option<&str>| {
        let o = Op::new("posts", op, summary).found();
        let o = match input {
            Some(i) => o.body(i),
            None => o.respond("409", error_ref()).respond("422", error_ref()),
        };
        o.ok("200", "Post").done()
    };
    json!({
        "/api/v1/posts": {
            "get": Op::new("posts", "listPosts", "Posts of the OPDs the caller sees, by scheduled time")
                .params(["OpdFilter", "PostStateFilter", "Limit", "Cursor"].map(param_ref).to_vec())
                .query_errors()
                .respond("422", error_ref())
                .ok("200", "PostPage")
                .done(),
            "post": Op::new("posts", "createPost", "Write a draft (operators, approvers, the province)")
                .body("PostInput")
                .created("Post")
                .done(),
        },
        "/api/v1/posts/check": {
            "post": Op::new(
                "posts",
                "checkPost",
                "Check a post being written against each account's platform rules and the coach; \
                    messages in the caller's language",
            )
            .body("CheckInput")
            .ok("200", "Check")
            .done(),
        },
        "/api/v1/posts/{id}": {
            "parameters": id,
            "get": read_one("posts", "getPost", "A post with its media, deliveries, approvals, chain and checks", "PostView"),
            "put": Op::new("posts", "replacePost", "Change a draft")
                .found()
                .body("PostInput")
                .ok("200", "Post")
                .done(),
        },
        "/api/v1/posts/{id}/submit": {
            "parameters": id,
            "post": post_action("submitPost", "Submit a draft for approval (refused while a channel breaks its platform's rules)", None),
        },
        "/api/v1/posts/{id}/approve": {
            "parameters": id,
            "post": post_action("approvePost", "Approve the current step of the chain; the last approval queues one delivery per account", None),
        },
        "/api/v1/posts/{id}/reject": {
            "parameters": id,
            "post": post_action("rejectPost", "Send a post in review back to its author as a draft, with a note", Some("NoteInput")),
        },
        "/api/v1/posts/{id}/emergency": {
            "parameters": id,
            "post": post_action("emergencyPublish", "Publish at once without the chain (supervisors; flagged in the audit log)", Some("ReasonInput")),
        },
        "/api/v1/media": {
            "post": Op::new("media", "uploadMedia", "Upload an image or video (identified by its bytes, not its name)")
                .multipart()
                .created("Media")
                .done(),
        },
        "/api/v1/media/{id}": {
            "parameters": id,
            "get": read_one("media", "getMedia", "An uploaded medium's facts", "Media"),
            "patch": Op::new("media", "setAltText", "Change a medium's alt text")
                .found()
                .body("AltTextInput")
                .ok("200", "Media")
                .done(),
        },
        "/api/v1/deliveries/{id}/retry": {
            "parameters": id,
            "post": Op::new("deliveries", "retryDelivery", "Send a failed or uncertain delivery again (approvers, the province)")
                .found()
                .respond("409", error_ref())
                .ok("200", "Delivery")
                .done(),
        },
        "/api/v1/deliveries/{id}/confirm": {
            "parameters": id,
            "post": Op::new("deliveries", "confirmDelivery", "Record that an uncertain delivery is live, with its link")
                .found()
                .body("ConfirmInput")
                .ok("200", "Delivery")
                .done(),
        },
    })
}

/// `/api/v1/messages`, `/api/v1/replies` and `/api/v1/compliance`.
fn inbox_paths() -> Value {
    let id = [param_ref("Id")];
    let filters = [
        "Platform",
        "AccountFilter",
        "SentimentFilter",
        "AbusiveFilter",
        "HateFilter",
        "PiiFilter",
        "CategoryFilter",
        "StatusFilter",
        "AssigneeFilter",
        "FromDate",
        "ToDate",
        "DeadlineFilter",
        "Search",
        "MessageCursor",
    ]
    .map(param_ref)
    .to_vec();
    let change = |op: &str, summary: &str, input: &str| {
        Op::new("messages", op, summary)
            .found()
            .body(input)
            .ok("200", "Message")
            .done()
    };
    json!({
        "/api/v1/messages": {
            "get": Op::new(
                "messages",
                "listMessages",
                "Messages of the OPDs the caller sees, newest first, personal data masked for \
                    roles that do not handle them",
            )
            .params(filters)
            .query_errors()
            .respond("422", error_ref())
            .ok("200", "MessagePage")
            .done(),
        },
        "/api/v1/messages/{id}": {
            "parameters": id,
            "get": read_one("messages", "getMessage", "A message with its thread, notes and replies", "Conversation"),
        },
        "/api/v1/messages/{id}/assign": {
            "parameters": id,
            "post": change("assignMessage", "Assign to someone of its OPD, or nobody", "AssignInput"),
        },
        "/api/v1/messages/{id}/status": {
            "parameters": id,
            "post": change("setMessageStatus", "Move through the workflow", "StatusInput"),
        },
        "/api/v1/messages/{id}/category": {
            "parameters": id,
            "post": change("setMessageCategory", "Set the SP4N-LAPOR! category (restarts the resolution clock)", "CategoryInput"),
        },
        "/api/v1/messages/{id}/notes": {
            "parameters": id,
            "post": Op::new("messages", "addNote", "Add an internal note")
                .found()
                .body("TextInput")
                .created("Note")
                .done(),
        },
        "/api/v1/messages/{id}/replies": {
            "parameters": id,
            "post": Op::new(
                "messages",
                "draftReply",
                "Reply: sent at once by approvers and the province, else waits for approval",
            )
            .found()
            .body("TextInput")
            .created("Reply")
            .done(),
        },
        "/api/v1/replies/{id}/approve": {
            "parameters": id,
            "post": Op::new("replies", "approveReply", "Approve a waiting reply, which is then sent (once)")
                .found()
                .respond("409", error_ref())
                .ok("200", "Reply")
                .done(),
        },
        "/api/v1/replies/{id}/reject": {
            "parameters": id,
            "post": Op::new("replies", "rejectReply", "Send a waiting reply back to its author")
                .found()
                .body("ReasonInput")
                .no_content()
                .done(),
        },
        "/api/v1/compliance": {
            "get": Op::new("compliance", "getCompliance", "Response-time compliance per OPD or operator")
                .params(["FromDate", "ToDate", "Per"].map(param_ref).to_vec())
                .query_errors()
                .respond("422", error_ref())
                .ok("200", "ComplianceReport")
                .done(),
        },
    })
}

/// A list (`GET`) and a create (`POST`) on one collection.
fn collection(tag: &str, item: &str, input: &str, opd_filter: bool) -> Value {
    let mut params = vec![param_ref("Limit"), param_ref("Cursor")];
    if opd_filter {
        params.insert(0, param_ref("OpdFilter"));
    }
    let list = Op::new(
        tag,
        &format!("list{item}s"),
        &format!("List {tag} the caller may see"),
    )
    .params(params)
    .query_errors()
    .ok("200", &format!("{item}Page"));
    let create = Op::new(tag, &format!("create{item}"), &format!("Add to {tag}"))
        .body(input)
        .created(item);
    json!({ "get": list.done(), "post": create.done() })
}

/// `GET` of one resource by `{id}`.
fn read_one(tag: &str, id: &str, summary: &str, schema: &str) -> Value {
    Op::new(tag, id, summary).found().ok("200", schema).done()
}

/// `PUT` of one resource by `{id}`, whose body is `<schema>Input`.
fn replace_one(tag: &str, id: &str, summary: &str, schema: &str) -> Value {
    Op::new(tag, id, summary)
        .found()
        .body(&format!("{schema}Input"))
        .ok("200", schema)
        .done()
}

fn openapi_operation() -> Value {
    json!({
        "tags": ["meta"],
        "operationId": "getOpenApi",
        "summary": "This document",
        "security": [],
        "responses": {
            "200": {
                "description": "The OpenAPI 3.1 document.",
                "content": { "application/json": { "schema": { "type": "object" } } },
            },
        },
    })
}

fn audit_operation() -> Value {
    let params = [
        "Actor",
        "ActionPrefix",
        "OpdFilter",
        "Since",
        "Until",
        "AuditCursor",
        "AuditLimit",
    ]
    .map(param_ref)
    .to_vec();
    Op::new(
        "audit",
        "queryAudit",
        "Audit log entries, newest first (supervisors)",
    )
    .params(params)
    .query_errors()
    .ok("200", "AuditEntryPage")
    .done()
}

/// One operation, built up step by step. Every operation may answer 401, 403 and 500.
struct Op(Map<String, Value>);

impl Op {
    fn new(tag: &str, id: &str, summary: &str) -> Self {
        let mut m = Map::new();
        m.insert("tags".into(), json!([tag]));
        m.insert("operationId".into(), json!(id));
        m.insert("summary".into(), json!(summary));
        let responses = json!({ "401": error_ref(), "403": error_ref(), "default": error_ref() });
        m.insert("responses".into(), responses);
        Self(m)
    }

    fn respond(mut self, status: &str, response: Value) -> Self {
        if let Some(Value::Object(r)) = self.0.get_mut("responses") {
            r.insert(status.to_owned(), response);
        }
        self
    }

    fn params(mut self, params: Vec<Value>) -> Self {
        self.0.insert("parameters".into(), Value::Array(params));
        self
    }

    /// The `{id}` may name nothing.
    fn found(self) -> Self {
        self.respond("404", error_ref())
    }

    /// Query parameters may be refused.
    fn query_errors(self) -> Self {
        self.respond("400", error_ref())
    }

    /// A JSON body, and the ways it can be refused.
    fn body(mut self, schema: &str) -> Self {
        let body = json!({
            "required": true,
            "content": { "application/json": { "schema": schema_ref(schema) } },
        });
        self.0.insert("requestBody".into(), body);
        ["400", "409", "413", "415", "422"]
            .into_iter()
            .fold(self, |op, status| op.respond(status, error_ref()))
    }

    /// A `multipart/form-data` upload, and the ways it can be refused.
    fn multipart(mut self) -> Self {
        let body = json!({
            "required": true,
            "content": { "multipart/form-data": { "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": { "type": "string", "format": "binary" },
                    "opd_id": { "type": "string", "format": "uuid", "description": "Defaults to the caller's OPD." },
                    "alt_text": text(0, humas_app::publish::media::MAX_ALT_TEXT_CHARS),
                },
            } } },
        });
        self.0.insert("requestBody".into(), body);
        ["400", "413", "415", "422"]
            .into_iter()
            .fold(self, |op, status| op.respond(status, error_ref()))
    }

    fn ok(self, status: &str, schema: &str) -> Self {
        self.respond(status, json_response("Success.", schema))
    }

    fn created(self, schema: &str) -> Self {
        let mut response = json_response("Created.", schema);
        response["headers"] = json!({
            "Location": {
                "description": "Where the new resource can be read.",
                "schema": { "type": "string" },
            },
        });
        self.respond("201", response)
    }

    fn no_content(self) -> Self {
        self.respond("204", json!({ "description": "Done." }))
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

fn json_response(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": schema_ref(schema) } },
    })
}

fn error_ref() -> Value {
    json!({ "$ref": "#/components/responses/Error" })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn param_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

// --- Parameters -------------------------------------------------------------------------------

fn query_param(name: &str, description: &str, schema: Value) -> Value {
    json!({
        "name": name,
        "in": "query",
        "required": false,
        "description": description,
        "schema": schema,
    })
}

fn limit_schema(default: usize) -> Value {
    json!({ "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": default })
}

fn parameters() -> Value {
    let time = json!({ "type": "string", "format": "date-time" });
    json!({
        "Id": {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The identifier; anything else answers 404.",
            "schema": uuid(),
        },
        "Limit": query_param("limit", "Items per page.", limit_schema(DEFAULT_LIMIT)),
        "Cursor": query_param("cursor", "`next_cursor` of the previous page.", string()),
        "OpdFilter": query_param("opd", "Only this OPD.", uuid()),
        "Actor": query_param("actor", "Only this actor: a username, `cli` or `system`.", string()),
        "ActionPrefix": query_param("action", "Only actions starting so, e.g. `opd.`", string()),
        "Since": query_param("since", "Only at or after this time.", time.clone()),
        "Until": query_param("until", "Only before this time.", time),
        "AuditCursor": query_param(
            "cursor",
            "`next_cursor` of the previous page: only entries older than that sequence number.",
            string(),
        ),
        "AuditLimit": query_param("limit", "Entries per page.", limit_schema(AUDIT_DEFAULT_LIMIT)),
        "Platform": query_param("platform", "Only this platform.", platforms()),
        "AccountFilter": query_param("account", "Only this account.", uuid()),
        "SentimentFilter": query_param("sentiment", "Only this sentiment.", sentiments()),
        "AbusiveFilter": query_param("abusive", "Abusive (`yes`) or not (`no`).", yes_no()),
        "HateFilter": query_param(
            "hate",
            "`any` for any hate speech, `no` for none, or one category.",
            choices(["any", "no"].into_iter().chain(HateCategory::ALL.iter().map(|c| c.as_str()))),
        ),
        "PiiFilter": query_param("pii", "With personal data (`yes`) or without (`no`).", yes_no()),
        "CategoryFilter": query_param("category", "The category set, or else suggested.", categories()),
        "StatusFilter": query_param(
            "status",
            "A status, or `open` for new, assigned and awaiting approval.",
            choices(std::iter::once("open").chain(Status::ALL.iter().map(|s| s.as_str()))),
        ),
        "AssigneeFilter": query_param(
            "assignee",
            "`me`, `none`, or a person's id.",
            string(),
        ),
        "FromDate": query_param("from", "First day (WIB), inclusive.", date()),
        "ToDate": query_param("to", "Last day (WIB), inclusive.", date()),
        "DeadlineFilter": query_param(
            "deadline",
            "`overdue`, `due_soon` (within 24 hours) or `on_time` (nothing unmet).",
            choices(["overdue", "due_soon", "on_time"]),
        ),
        "Search": query_param("q", "Words that must all appear (stems match).", string()),
        "MessageCursor": query_param("cursor", "`next_cursor` of the previous page.", string()),
        "Per": query_param("per", "One row per OPD (default) or per operator.", choices(["opd", "operator"])),
        "PostStateFilter": query_param(
            "state",
            "Only posts in these states, comma-separated.",
            string(),
        ),
    })
}

// --- Schemas ----------------------------------------------------------------------------------

fn choices(all: impl IntoIterator<Item = &'static str>) -> Value {
    json!({ "type": "string", "enum": all.into_iter().collect::<Vec<_>>() })
}

fn opd_kinds() -> Value {
    choices(OpdKind::ALL.iter().map(|k| k.as_str()))
}

fn platforms() -> Value {
    choices(Platform::ALL.iter().map(|p| p.as_str()))
}

fn roles() -> Value {
    choices(Role::ALL.iter().map(|r| r.as_str()))
}

fn delegation_kinds() -> Value {
    choices(DelegationKind::ALL.iter().map(|k| k.as_str()))
}

fn sentiments() -> Value {
    choices(Sentiment::ALL.iter().map(|s| s.as_str()))
}

fn categories() -> Value {
    choices(Category::ALL.iter().map(|c| c.as_str()))
}

fn yes_no() -> Value {
    choices(["yes", "no"])
}

fn nullable_choice(all: impl IntoIterator<Item = &'static str>) -> Value {
    let mut v = choices(all);
    v["type"] = json!(["string", "null"]);
    if let Some(names) = v["enum"].as_array_mut() {
        names.push(Value::Null);
    }
    v
}

fn nullable(ty: &str, format: Option<&str>) -> Value {
    let mut v = json!({ "type": [ty, "null"] });
    if let Some(f) = format {
        v["format"] = json!(f);
    }
    v
}

fn uuid() -> Value {
    json!({ "type": "string", "format": "uuid" })
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn text(min: usize, max: usize) -> Value {
    json!({ "type": "string", "minLength": min, "maxLength": max })
}

/// An object schema whose every property is required.
fn object(properties: Value) -> Value {
    let required: Vec<String> = properties
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    json!({ "type": "object", "required": required, "properties": properties })
}

/// A request body schema: `required` as given, nothing else allowed.
fn input(required: &[&str], properties: Value) -> Value {
    json!({
        "type": "object",
        "required": required,
        "additionalProperties": false,
        "properties": properties,
    })
}

fn page(item: &str) -> Value {
    object(json!({
        "items": { "type": "array", "items": schema_ref(item) },
        "next_cursor": nullable("string", None),
    }))
}

fn schemas() -> Value {
    let mut s = Map::new();
    let named = [
        ("Error", error_schema()),
        ("Opd", opd_schema()),
        ("Account", account_schema()),
        ("User", user_schema()),
        ("Me", me_schema()),
        ("Delegation", delegation_schema()),
        ("AuditEntry", audit_entry_schema()),
        ("OpdInput", opd_input()),
        ("AccountInput", account_input()),
        ("NewUserInput", new_user_input()),
        ("UserUpdateInput", user_update_input()),
        ("DelegationInput", delegation_input()),
        ("Message", message_schema()),
        ("Conversation", conversation_schema()),
        ("Note", note_schema()),
        ("Reply", reply_schema()),
        ("ComplianceRow", compliance_row_schema()),
        ("ComplianceReport", compliance_report_schema()),
        (
            "AssignInput",
            input(
                &["assignee"],
                json!({
                    "assignee": { "type": ["string", "null"], "description": "`me`, a person's id, or null to unassign." },
                }),
            ),
        ),
        (
            "StatusInput",
            input(
                &["status"],
                json!({ "status": choices(Status::ALL.iter().map(|s| s.as_str())) }),
            ),
        ),
        (
            "CategoryInput",
            input(&["category"], json!({ "category": categories() })),
        ),
        (
            "TextInput",
            input(&["text"], json!({ "text": text(1, 10_000) })),
        ),
        (
            "ReasonInput",
            input(&["reason"], json!({ "reason": text(1, 2_000) })),
        ),
    ];
    for (name, schema) in named.into_iter().chain(publish_schemas()) {
        s.insert(name.to_owned(), schema);
    }
    for (name, schema) in events_doc::schemas() {
        s.insert(name.to_owned(), schema);
    }
    for (name, schema) in calendar_doc::schemas()
        .into_iter()
        .chain(import_doc::schemas())
    {
        s.insert(name.to_owned(), schema);
    }
    for item in [
        "Opd",
        "Account",
        "User",
        "Delegation",
        "AuditEntry",
        "Message",
        "Post",
    ] {
        s.insert(format!("{item}Page"), page(item));
    }
    Value::Object(s)
}

fn error_schema() -> Value {
    let mut codes: Vec<&str> = ALL_CODES.to_vec();
    codes.extend(
        PUBLISH_ERROR_CODES
            .iter()
            .filter(|c| !ALL_CODES.contains(c)),
    );
    codes.extend(super::calendar::CALENDAR_ERROR_CODES);
    codes.extend(super::import::IMPORT_ERROR_CODES);
    object(json!({
        "error": object(json!({
            "code": { "type": "string", "enum": codes, "description": "Stable; branch on it." },
            "message": { "type": "string", "description": "English explanation." },
        })),
    }))
}

fn opd_schema() -> Value {
    object(json!({
        "id": uuid(),
        "slug": string(),
        "name": string(),
        "kind": opd_kinds(),
        "parent_id": nullable("string", Some("uuid")),
    }))
}

fn account_schema() -> Value {
    object(json!({
        "id": uuid(),
        "opd_id": uuid(),
        "platform": platforms(),
        "handle": string(),
        "api_base_url": nullable("string", Some("uri")),
        "status": choices(AccountStatus::ALL.iter().map(|s| s.as_str())),
    }))
}

fn user_properties() -> Value {
    json!({
        "id": uuid(),
        "username": string(),
        "display_name": string(),
        "role": roles(),
        "opd_id": nullable("string", Some("uuid")),
        "locale": choices(Locale::ALL.iter().map(|l| l.as_str())),
        "zone": choices(UserZone::ALL.iter().map(|z| z.as_str())),
        "active": { "type": "boolean" },
    })
}

fn user_schema() -> Value {
    object(user_properties())
}

fn me_schema() -> Value {
    let mut props = user_properties();
    props["acting_approver_for"] = json!({ "type": "array", "items": uuid() });
    object(props)
}

fn delegation_schema() -> Value {
    object(json!({
        "id": uuid(),
        "opd_id": uuid(),
        "from_user_id": uuid(),
        "to_user_id": uuid(),
        "kind": delegation_kinds(),
        "starts_on": date(),
        "ends_on": date(),
        "reason": string(),
        "revoked": { "type": "boolean" },
    }))
}

fn audit_entry_schema() -> Value {
    object(json!({
        "seq": { "type": "integer", "minimum": 1 },
        "at": { "type": "string", "format": "date-time", "description": "UTC." },
        "actor": string(),
        "actor_id": nullable("string", Some("uuid")),
        "action": { "type": "string", "description": "`noun.verb`, e.g. `opd.create`." },
        "target_kind": string(),
        "target_id": string(),
        "opd_id": nullable("string", Some("uuid")),
        "before": { "description": "State before the change; null for creations." },
        "after": { "description": "State after the change; null for deletions." },
        "hash": string(),
        "prev_hash": string(),
    }))
}

fn time() -> Value {
    json!({ "type": "string", "format": "date-time" })
}

fn nullable_time() -> Value {
    nullable("string", Some("date-time"))
}

fn message_schema() -> Value {
    object(json!({
        "id": uuid(),
        "opd_id": uuid(),
        "account_id": uuid(),
        "platform": platforms(),
        "kind": choices(MessageKind::ALL.iter().map(|k| k.as_str())),
        "external_id": string(),
        "author": object(json!({ "handle": string(), "display_name": nullable("string", None) })),
        "title": nullable("string", None),
        "text": { "type": "string", "description": "Personal data is replaced by `[NIK]`-style \
            placeholders for roles that do not handle the message; empty once erased." },
        "permalink": nullable("string", Some("uri")),
        "published_at": time(),
        "received_at": time(),
        "erased_at": nullable_time(),
        "analysis": object(json!({
            "sentiment": nullable_choice(Sentiment::ALL.iter().map(|s| s.as_str())),
            "abusive": { "type": "boolean" },
            "hate_speech": { "type": "boolean" },
            "hate_categories": { "type": "array", "items": choices(HateCategory::ALL.iter().map(|c| c.as_str())) },
            "threat": { "type": "boolean" },
            "personal_data": { "type": "array", "items": choices(PiiKind::ALL.iter().map(|k| k.as_str())) },
        })),
        "workflow": object(json!({
            "status": choices(Status::ALL.iter().map(|s| s.as_str())),
            "assignee_id": nullable("string", Some("uuid")),
            "category": nullable_choice(Category::ALL.iter().map(|c| c.as_str())),
            "suggested_category": nullable_choice(Category::ALL.iter().map(|c| c.as_str())),
            "first_response_due": nullable_time(),
            "resolution_due": nullable_time(),
            "first_response_at": nullable_time(),
            "resolved_at": nullable_time(),
            "deadline_state": choices(["not_set", "on_track", "due_soon", "overdue", "met", "met_late"]),
        })),
    }))
}

fn note_schema() -> Value {
    object(json!({
        "id": uuid(),
        "author_id": uuid(),
        "author_name": string(),
        "text": string(),
        "created_at": time(),
    }))
}

fn reply_schema() -> Value {
    object(json!({
        "id": uuid(),
        "message_id": uuid(),
        "text": string(),
        "state": choices(["awaiting_approval", "approved", "sending", "sent", "failed", "rejected"]),
        "drafted_by": uuid(),
        "approved_by": nullable("string", Some("uuid")),
        "external_id": nullable("string", None),
        "error": { "type": ["string", "null"], "description": "Why sending failed, or why the approver sent it back." },
        "created_at": time(),
        "updated_at": time(),
    }))
}

fn conversation_schema() -> Value {
    object(json!({
        "message": schema_ref("Message"),
        "thread": { "type": "array", "items": schema_ref("Message") },
        "notes": { "type": "array", "items": schema_ref("Note") },
        "replies": { "type": "array", "items": schema_ref("Reply") },
    }))
}

fn compliance_row_schema() -> Value {
    let n = json!({ "type": "integer", "minimum": 0 });
    object(json!({
        "opd_id": nullable("string", Some("uuid")),
        "assignee_id": nullable("string", Some("uuid")),
        "with_deadline": n,
        "first_response_met": n,
        "first_response_breached": n,
        "resolution_met": n,
        "resolution_breached": n,
        "pending": n,
        "met_percent": { "type": ["number", "null"], "minimum": 0, "maximum": 100,
            "description": "Met deadlines out of met and breached ones; null when none was judged." },
    }))
}

fn compliance_report_schema() -> Value {
    object(json!({
        "from": date(),
        "to": date(),
        "per": choices(["opd", "operator"]),
        "items": { "type": "array", "items": schema_ref("ComplianceRow") },
    }))
}

fn opd_input() -> Value {
    input(
        &["slug", "name", "kind"],
        json!({
            "slug": {
                "type": "string",
                "pattern": "^[a-z][a-z0-9-]{1,39}$",
                "description": "No doubled or trailing hyphen.",
                "examples": ["dinkes"],
            },
            "name": text(3, 200),
            "kind": opd_kinds(),
            "parent_id": nullable("string", Some("uuid")),
        }),
    )
}

fn account_input() -> Value {
    let mut status = choices(AccountStatus::ALL.iter().map(|s| s.as_str()));
    status["type"] = json!(["string", "null"]);
    if let Some(names) = status["enum"].as_array_mut() {
        names.push(Value::Null);
    }
    status["description"] = json!("Null for `disconnected`.");
    input(
        &["opd_id", "platform", "handle"],
        json!({
            "opd_id": uuid(),
            "platform": platforms(),
            "handle": text(1, 200),
            "api_base_url": {
                "type": ["string", "null"],
                "format": "uri",
                "description": "Null for the platform's documented default.",
            },
            "status": status,
        }),
    )
}

fn new_user_input() -> Value {
    input(
        &["username", "role", "password"],
        json!({
            "username": {
                "type": "string",
                "description": "3–32 of a-z, 0-9, `.`, `_`, `-`, starting with a letter.",
            },
            "display_name": { "type": "string", "description": "The username when empty." },
            "role": roles(),
            "opd_id": { "type": ["string", "null"], "format": "uuid", "description": "For \
                approver, operator and trainee; null otherwise." },
            "password": { "type": "string", "minLength": 10, "maxLength": 128, "writeOnly": true },
        }),
    )
}

fn user_update_input() -> Value {
    input(
        &["display_name", "role", "active"],
        json!({
            "display_name": text(1, 100),
            "role": roles(),
            "opd_id": nullable("string", Some("uuid")),
            "active": { "type": "boolean" },
        }),
    )
}

fn delegation_input() -> Value {
    let required = [
        "from_user_id",
        "to_user_id",
        "kind",
        "starts_on",
        "ends_on",
        "reason",
    ];
    input(
        &required,
        json!({
            "from_user_id": { "type": "string", "format": "uuid", "description": "An approver." },
            "to_user_id": uuid(),
            "kind": delegation_kinds(),
            "starts_on": date(),
            "ends_on": date(),
            "reason": text(1, 500),
        }),
    )
}

// --- Publishing -------------------------------------------------------------------------------

fn post_states() -> Value {
    choices(PostState::ALL.iter().map(|s| s.as_str()))
}

fn post_schema() -> Value {
    object(json!({
        "id": uuid(),
        "opd_id": uuid(),
        "author_id": uuid(),
        "title": string(),
        "body": string(),
        "channels": { "type": "array", "items": object(json!({
            "account_id": uuid(),
            "platform": platforms(),
            "text": { "type": ["string", "null"], "description": "The variant; null inherits the base text." },
            "effective_text": string(),
        })) },
        "media_ids": { "type": "array", "items": uuid() },
        "scheduled_at": { "type": ["string", "null"], "format": "date-time", "description": "Null: as soon as approved." },
        "state": post_states(),
        "emergency": { "type": "boolean", "description": "Published through the supervisor's fast lane." },
        "review_round": { "type": "integer", "minimum": 0 },
        "created_at": time(),
        "updated_at": time(),
    }))
}

fn media_schema() -> Value {
    object(json!({
        "id": uuid(),
        "opd_id": uuid(),
        "uploaded_by": uuid(),
        "file_name": string(),
        "mime": { "type": "string", "description": "Found by reading the file." },
        "kind": choices(["image", "video"]),
        "bytes": { "type": "integer", "minimum": 0 },
        "width": nullable("integer", None),
        "height": nullable("integer", None),
        "duration_ms": nullable("integer", None),
        "sha256": string(),
        "alt_text": nullable("string", None),
        "created_at": time(),
    }))
}

fn delivery_schema() -> Value {
    object(json!({
        "id": uuid(),
        "post_id": uuid(),
        "account_id": uuid(),
        "state": choices(DeliveryState::ALL.iter().map(|s| s.as_str())),
        "due_at": time(),
        "attempts": { "type": "integer", "minimum": 0 },
        "external_id": nullable("string", None),
        "url": nullable("string", Some("uri")),
        "last_error": { "type": ["string", "null"], "description": "The platform's reason for the last failure." },
        "published_at": nullable_time(),
        "updated_at": time(),
    }))
}

fn check_schema() -> Value {
    object(json!({
        "channels": { "type": "array", "items": object(json!({
            "account_id": uuid(),
            "platform": platforms(),
            "measure": { "oneOf": [{ "type": "null" }, object(json!({
                "used": { "type": "integer" },
                "limit": { "type": "integer" },
                "unit": choices(["characters", "weighted_characters", "graphemes", "bytes", "utf16_units"]),
                "unit_label": string(),
                "over": { "type": "boolean" },
                "text": { "type": "string", "description": "The counter in words, in the caller's language." },
            }))] },
            "problems": { "type": "array", "items": object(json!({
                "code": choices(PROBLEM_CODES.iter().copied()),
                "severity": choices(["error", "warning"]),
                "media_index": nullable("integer", None),
                "message": { "type": "string", "description": "In the caller's language." },
            })) },
        })) },
        "hints": { "type": "array", "items": object(json!({
            "code": string(),
            "detail": string(),
            "message": { "type": "string", "description": "In the caller's language." },
        })) },
        "has_errors": { "type": "boolean", "description": "Whether anything blocks submission." },
    }))
}

fn post_view_schema() -> Value {
    object(json!({
        "post": schema_ref("Post"),
        "media": { "type": "array", "items": schema_ref("Media") },
        "deliveries": { "type": "array", "items": schema_ref("Delivery") },
        "approvals": { "type": "array", "items": object(json!({
            "round": { "type": "integer" },
            "step": { "type": "integer", "description": "0-based." },
            "approver_id": uuid(),
            "on_behalf_of_id": { "type": ["string", "null"], "format": "uuid", "description": "Whose place a Plt/Plh took." },
            "at": time(),
        })) },
        "chain": { "oneOf": [{ "type": "null" }, { "type": "array", "items": object(json!({
            "label": string(),
            "mode": choices(["any_of", "all_of"]),
            "approver_ids": { "type": "array", "items": uuid() },
        })) }] },
        "progress": { "oneOf": [{ "type": "null" }, object(json!({
            "complete": { "type": "boolean" },
            "step": nullable("integer", None),
            "waiting_for": { "type": "array", "items": uuid() },
        }))] },
        "check": schema_ref("Check"),
        "can_approve": { "type": "boolean" },
        "can_edit": { "type": "boolean" },
    }))
}

fn channel_input() -> Value {
    input(
        &["account_id"],
        json!({
            "account_id": uuid(),
            "text": { "type": ["string", "null"], "description": "Null or empty inherits the base text." },
        }),
    )
}

fn publish_schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("Post", post_schema()),
        ("PostView", post_view_schema()),
        ("Media", media_schema()),
        ("Delivery", delivery_schema()),
        ("Check", check_schema()),
        (
            "PostInput",
            input(
                &["title", "channels"],
                json!({
                    "opd_id": { "type": "string", "format": "uuid", "description": "Creation only; defaults to the caller's OPD." },
                    "title": text(1, 200),
                    "body": text(0, 63_206),
                    "channels": { "type": "array", "items": channel_input(), "minItems": 1, "maxItems": 50 },
                    "media_ids": { "type": "array", "items": uuid(), "maxItems": 35 },
                    "scheduled_at": { "type": ["string", "null"], "format": "date-time", "description": "With its offset; null publishes as soon as approved." },
                }),
            ),
        ),
        (
            "CheckInput",
            input(
                &[],
                json!({
                    "body": string(),
                    "channels": { "type": "array", "items": channel_input() },
                    "media": { "type": "array", "items": uuid() },
                }),
            ),
        ),
        (
            "NoteInput",
            input(&["note"], json!({ "note": text(1, 2_000) })),
        ),
        (
            "AltTextInput",
            input(
                &["alt_text"],
                json!({ "alt_text": nullable("string", None) }),
            ),
        ),
        (
            "ConfirmInput",
            input(
                &["url"],
                json!({ "url": { "type": "string", "format": "uri" } }),
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];

    #[test]
    fn every_api_route_is_documented_and_nothing_else() {
        let registered: BTreeSet<(String, String)> = crate::route_table()
            .into_iter()
            .filter(|(_, path)| path.starts_with("/api/v1/") || path == "/api/v1")
            .map(|(method, path)| (method.to_lowercase(), path))
            .collect();
        let doc = document();
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| METHODS.contains(&k.as_str()))
                    .map(move |m| (m.clone(), path.clone()))
            })
            .collect();
        assert!(!registered.is_empty());
        assert_eq!(registered, documented);
    }

    fn collect_refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| collect_refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(refs.len() > 20);
        for r in refs {
            let pointer = r.strip_prefix('#').unwrap();
            assert!(doc.pointer(pointer).is_some(), "dangling {r}");
        }
    }

    #[test]
    fn every_operation_has_a_unique_id_and_a_success_response() {
        let doc = document();
        let mut ids = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let id = op["operationId"].as_str().unwrap();
                assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
                let responses = op["responses"].as_object().unwrap();
                assert!(
                    responses.keys().any(|s| s.starts_with('2')),
                    "{method} {path} has no success response"
                );
            }
        }
    }

    #[test]
    fn it_is_openapi_3_1_with_bearer_auth() {
        let doc = document();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        assert_eq!(
            doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
            "bearer"
        );
        assert_eq!(
            doc["paths"]["/api/v1/openapi.json"]["get"]["security"],
            json!([])
        );
    }
}
