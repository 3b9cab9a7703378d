//! The OpenAPI description of `POST /api/v1/accounts/{id}/import` ([`crate::api::import`]),
//! merged into the document by the parent module.

use serde_json::{Map, Value, json};

use super::{Op, error_ref, object, param_ref, query_param, string, uuid};
use crate::api::import::{MEDIA_TYPES, PATH};
use crate::import_stream::IMPORT_UPLOAD_LIMIT;

/// The path.
pub(super) fn paths() -> Value {
    let mut content = Map::new();
    for (media_type, _) in MEDIA_TYPES {
        content.insert(
            media_type.to_owned(),
            json!({ "schema": { "type": "string", "format": "binary" } }),
        );
    }
    let mut op = Op::new(
        "accounts",
        "importMessages",
        "Import a file of messages into an account's inbox (the province and the OPD's \
            operators and approvers): NDJSON, one object per line, or CSV with a header row \
            naming id, author, text, published_at and optionally author_name, title, permalink, \
            parent_id, thread_id, kind. Bad lines are rejected with their number and reason, the \
            rest stored; messages already stored are skipped, so a file can be sent again.",
    )
    .params(vec![query_param(
        "file_name",
        "The file's name, kept in the audit log.",
        string(),
    )])
    .found()
    .respond("400", error_ref())
    .respond("413", error_ref())
    .respond("415", error_ref())
    .respond("422", error_ref())
    .ok("200", "ImportResult");
    op.0.insert(
        "requestBody".into(),
        json!({
            "required": true,
            "description": format!(
                "The file, at most {} MiB (larger: 413 `import_too_large`). A CSV header that \
                 cannot be used answers 422 `import_unreadable`.",
                IMPORT_UPLOAD_LIMIT / (1024 * 1024)
            ),
            "content": content,
        }),
    );
    json!({ PATH: { "parameters": [param_ref("Id")], "post": op.done() } })
}

/// The schemas.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let count = json!({ "type": "integer", "minimum": 0 });
    vec![(
        "ImportResult",
        object(json!({
            "account_id": uuid(),
            "file_name": string(),
            "format": { "type": "string", "enum": ["ndjson", "csv"] },
            "inserted": count,
            "duplicates": count,
            "rejected_count": count,
            "rejected": {
                "type": "array",
                "description": "The first 1,000 rejected lines.",
                "items": object(json!({
                    "line": { "type": "integer", "minimum": 1 },
                    "code": {
                        "type": "string",
                        "description": format!(
                            "A stable code for the problem: one of {}, or a domain error code \
                             (invalid_external_id, invalid_author, invalid_choice, empty_message, \
                             message_too_long).",
                            humas_connectors::import::LINE_PROBLEM_CODES.join(", ")
                        ),
                    },
                    "reason": { "type": "string", "description": "The problem, in English." },
                })),
            },
        })),
    )]
}
