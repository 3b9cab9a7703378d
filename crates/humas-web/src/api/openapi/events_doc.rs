//! The OpenAPI description of the event outbox ([`crate::api::events`]), merged into the
//! document by the parent module.

use humas_store::EventKind;
use serde_json::{Value, json};

use super::{Op, choices, limit_schema, nullable_time, object, param_ref, query_param, time, uuid};
use crate::api::events::DEFAULT_EVENT_LIMIT;

/// The paths.
pub(super) fn paths() -> Value {
    json!({
        "/api/v1/events": {
            "get": Op::new(
                "events",
                "listEvents",
                "Events to send on (deadline warnings), in id order after `after`, of the OPDs \
                    the caller sees. Poll with the `next` of the previous answer; a page shorter \
                    than `limit` means there is nothing more for now.",
            )
            .params(vec![
                query_param(
                    "after",
                    "Only events with a larger id: `next` of the previous answer, 0 (the \
                        default) for the start.",
                    json!({ "type": "integer", "minimum": 0, "default": 0 }),
                ),
                query_param("limit", "Events per answer.", limit_schema(DEFAULT_EVENT_LIMIT)),
                query_param(
                    "kind",
                    "Only these kinds, separated by commas.",
                    json!({ "type": "string", "examples": ["deadline.overdue"] }),
                ),
                param_ref("OpdFilter"),
            ])
            .query_errors()
            .ok("200", "EventPage")
            .done(),
        },
    })
}

/// The schemas.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    let kinds = choices(EventKind::ALL.map(EventKind::as_str));
    vec![
        (
            "Event",
            object(json!({
                "id": { "type": "integer", "description": "Increasing: the cursor." },
                "kind": kinds,
                "subject_id": { "type": "string", "format": "uuid", "description": "The message, for deadline events." },
                "opd_id": uuid(),
                "deadline": { "type": ["string", "null"], "enum": ["first_response", "resolution", null] },
                "due_at": nullable_time(),
                "assignee_id": { "type": ["string", "null"], "format": "uuid" },
                "created_at": time(),
                "payload": {
                    "type": "object",
                    "description": "Details without personal data: for deadline events \
                        `platform`, `account_id`, `status`, `category` and \
                        `category_suggested`.",
                },
            })),
        ),
        (
            "EventPage",
            object(json!({
                "items": { "type": "array", "items": { "$ref": "#/components/schemas/Event" } },
                "next": { "type": "integer", "description": "Pass as `after` next time; unchanged when nothing new came." },
            })),
        ),
    ]
}
