//! The OpenAPI description of the calendar, publishing slots and narasi tunggal endpoints
//! ([`crate::api::calendar`], [`crate::api::narratives`]), merged into the document by the
//! parent module.

use humas_domain::publish::{DeliveryState, PostState};
use humas_domain::{Platform, UserZone};
use serde_json::{Value, json};

use super::{
    Op, choices, date, error_ref, input, nullable_time, object, page, param_ref, query_param,
    string, text, time, uuid,
};

fn zones() -> Value {
    choices(UserZone::ALL.iter().map(|z| z.as_str()))
}

fn zone_param() -> Value {
    query_param(
        "zone",
        "The zone local times are written in: wib, wita or wit; the caller's own when absent.",
        zones(),
    )
}

fn platform_list() -> Value {
    json!({ "type": "array", "items": choices(Platform::ALL.iter().map(|p| p.as_str())) })
}

/// The paths.
pub(super) fn paths() -> Value {
    let id = [param_ref("Id")];
    json!({
        "/api/v1/calendar": {
            "get": Op::new(
                "calendar",
                "getCalendar",
                "Posts by day for a week or month (whole weeks, Monday first), per OPD or for \
                    every OPD the caller sees, and open posts without a time",
            )
            .params(vec![
                query_param("view", "`week` (default) or `month`.", choices(["week", "month"])),
                query_param("date", "A day inside the week or month; today when absent.", date()),
                param_ref("OpdFilter"),
                zone_param(),
            ])
            .query_errors()
            .ok("200", "Calendar")
            .done(),
        },
        "/api/v1/posts/{id}/reschedule": {
            "parameters": id,
            "post": Op::new(
                "posts",
                "reschedulePost",
                "Move a draft, a post in review, or (approvers and the province) an approved \
                    post with its waiting deliveries to another time",
            )
            .found()
            .body("RescheduleInput")
            .ok("200", "CalendarPost")
            .done(),
        },
        "/api/v1/accounts/{id}/slots": {
            "parameters": id,
            "get": Op::new("accounts", "getAccountSlots", "An account's weekly publishing slots (WIB)")
                .found()
                .ok("200", "Slots")
                .done(),
            "put": Op::new(
                "accounts",
                "replaceAccountSlots",
                "Replace an account's weekly publishing slots (the OPD's approver or the province)",
            )
            .found()
            .body("SlotsInput")
            .ok("200", "Slots")
            .done(),
        },
        "/api/v1/accounts/{id}/next-slot": {
            "parameters": id,
            "get": Op::new(
                "accounts",
                "getNextFreeSlot",
                "The account's next slot that no post of its OPD takes yet (422 `no_slots` or \
                    `no_free_slot` when there is none)",
            )
            .params(vec![zone_param()])
            .found()
            .query_errors()
            .respond("422", error_ref())
            .ok("200", "NextSlot")
            .done(),
        },
        "/api/v1/narratives": {
            "get": Op::new(
                "narratives",
                "listNarratives",
                "Central narratives: all for province roles, those sent to the caller's OPD otherwise",
            )
            .params(["Limit", "Cursor"].map(param_ref).to_vec())
            .query_errors()
            .ok("200", "NarrativePage")
            .done(),
            "post": Op::new(
                "narratives",
                "sendNarrative",
                "Send a central narrative (supervisors): each chosen OPD receives a draft for \
                    its active accounts",
            )
            .body("NarrativeInput")
            .created("Narrative")
            .done(),
        },
        "/api/v1/narratives/{id}": {
            "parameters": id,
            "get": Op::new(
                "narratives",
                "trackNarrative",
                "Per OPD and account: the draft, delivery state, when it went out, the link, and \
                    who is late (OPD people see their own OPD)",
            )
            .found()
            .ok("200", "NarrativeTracking")
            .done(),
        },
    })
}

fn calendar_post_schema() -> Value {
    object(json!({
        "id": uuid(),
        "opd_id": uuid(),
        "title": string(),
        "state": choices(PostState::ALL.iter().map(|s| s.as_str())),
        "scheduled_at": nullable_time(),
        "local_time": { "type": ["string", "null"], "description": "`YYYY-MM-DDTHH:MM` in the answer's zone." },
        "platforms": platform_list(),
        "account_ids": { "type": "array", "items": uuid() },
        "narrative_id": { "type": ["string", "null"], "format": "uuid" },
    }))
}

fn calendar_schema() -> Value {
    let posts = json!({ "type": "array", "items": super::schema_ref("CalendarPost") });
    object(json!({
        "view": choices(["week", "month"]),
        "zone": zones(),
        "opd_id": { "type": ["string", "null"], "format": "uuid" },
        "from": date(),
        "to": date(),
        "days": { "type": "array", "items": object(json!({
            "date": date(),
            "in_range": { "type": "boolean", "description": "Inside the month asked for." },
            "posts": posts.clone(),
        })) },
        "unscheduled": posts,
    }))
}

fn slots_schema() -> Value {
    object(json!({
        "account_id": uuid(),
        "zone": { "type": "string", "const": "wib" },
        "slots": { "type": "array", "items": object(json!({
            "weekday": { "type": "integer", "minimum": 1, "maximum": 7, "description": "1 = Monday." },
            "time": { "type": "string", "description": "`HH:MM`, WIB." },
            "label": { "type": "string", "description": "As PUT takes it: `1 07:00`." },
        })) },
    }))
}

fn narrative_schema() -> Value {
    object(json!({
        "id": uuid(),
        "title": string(),
        "body": string(),
        "key_messages": { "type": "array", "items": string() },
        "media_ids": { "type": "array", "items": uuid() },
        "deadline": time(),
        "opd_ids": { "type": "array", "items": uuid() },
        "created_by": uuid(),
        "created_at": time(),
    }))
}

fn tracking_schema() -> Value {
    let delivery = {
        let mut d = choices(DeliveryState::ALL.iter().map(|s| s.as_str()));
        d["type"] = json!(["string", "null"]);
        if let Some(names) = d["enum"].as_array_mut() {
            names.push(Value::Null);
        }
        d["description"] = json!("Null until the OPD's post is approved.");
        d
    };
    object(json!({
        "narrative": super::schema_ref("Narrative"),
        "opds": { "type": "array", "items": object(json!({
            "opd_id": uuid(),
            "post_id": { "type": ["string", "null"], "format": "uuid" },
            "post_state": { "type": ["string", "null"] },
            "published": { "type": "boolean", "description": "Every account published." },
            "late": { "type": "boolean", "description": "The deadline passed before every account published, or one went out after it." },
            "channels": { "type": "array", "items": object(json!({
                "account_id": uuid(),
                "platform": choices(Platform::ALL.iter().map(|p| p.as_str())),
                "handle": string(),
                "state": delivery,
                "published_at": nullable_time(),
                "url": { "type": ["string", "null"] },
                "last_error": { "type": ["string", "null"] },
            })) },
        })) },
    }))
}

/// The schemas.
pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("CalendarPost", calendar_post_schema()),
        ("Calendar", calendar_schema()),
        (
            "RescheduleInput",
            input(
                &["at"],
                json!({
                    "at": { "type": "string", "description": "Local `YYYY-MM-DDTHH:MM`." },
                    "zone": zones(),
                }),
            ),
        ),
        ("Slots", slots_schema()),
        (
            "SlotsInput",
            input(
                &["slots"],
                json!({
                    "slots": { "type": "array", "maxItems": 50, "items": {
                        "type": "string",
                        "description": "ISO weekday and WIB time, e.g. `1 07:00`.",
                    } },
                }),
            ),
        ),
        (
            "NextSlot",
            object(json!({
                "account_id": uuid(),
                "at": time(),
                "local_time": { "type": "string", "description": "`YYYY-MM-DDTHH:MM` in `zone`." },
                "zone": zones(),
            })),
        ),
        ("Narrative", narrative_schema()),
        ("NarrativePage", page("Narrative")),
        ("NarrativeTracking", tracking_schema()),
        (
            "NarrativeInput",
            input(
                &["title", "body", "deadline", "opd_ids"],
                json!({
                    "title": text(1, 200),
                    "body": text(1, 63_206),
                    "key_messages": { "type": "array", "maxItems": 10, "items": text(1, 300) },
                    "media_ids": { "type": "array", "items": uuid() },
                    "deadline": { "type": "string", "description": "Local `YYYY-MM-DDTHH:MM`." },
                    "zone": zones(),
                    "opd_ids": { "type": "array", "minItems": 1, "maxItems": 100, "items": uuid() },
                }),
            ),
        ),
    ]
}
