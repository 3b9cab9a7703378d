//! The authorisation matrix: every route × every role × own OPD / other OPD → the expected
//! outcome. A route registered in the router but missing here fails the test, and so does an
//! entry here that names no route.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failure should stop the test at that line"
)]

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use humas_app::App;
use humas_app::publish::{FsMediaStore, MediaStore};
use humas_domain::inbox::{Author, ExternalId, Inbound, MessageKind};
use humas_domain::publish::{Channel, Post, PostState, PostText};
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, Delegation, DelegationId, DelegationKind,
    MediaId, MessageId, OpdId, Platform, PostId, PublishJobId, RoutingRuleId,
};
use humas_store::{AuditActor, Reply, ReplyId, ReplyState, SavedReply, SavedReplyId};
use support::{TestApp, hidden_field};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Did what was asked, or refused the input (validation), but never for lack of rights.
    Allowed,
    /// 403.
    Forbidden,
    /// Sent to sign in (303 to /login for pages, 401).
    SignIn,
}
use Outcome::{Allowed, Forbidden, SignIn};

/// Who asks. `own` is their OPD (dinkes for roles without one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Supervisor,
    Leadership,
    Approver,
    Operator,
    Trainer,
    Trainee,
}

const EVERYONE: [Who; 6] = [
    Who::Supervisor,
    Who::Leadership,
    Who::Approver,
    Who::Operator,
    Who::Trainer,
    Who::Trainee,
];

impl Who {
    fn username(self) -> &'static str {
        match self {
            Self::Supervisor => "supervisor",
            Self::Leadership => "pimpinan",
            Self::Approver => "approver.dinkes",
            Self::Operator => "operator.dinkes",
            Self::Trainer => "trainer.bpsdm",
            Self::Trainee => "trainee.bpsdm",
        }
    }
    fn own_slug(self) -> &'static str {
        if self == Self::Trainee {
            "bpsdm"
        } else {
            "dinkes"
        }
    }
    fn sees_all(self) -> bool {
        matches!(self, Self::Supervisor | Self::Leadership | Self::Trainer)
    }
}

/// Things in one OPD that requests can point at.
struct Scope {
    opd: OpdId,
    account: AccountId,
    staff: String,
    approver: String,
    /// A message from the public in this OPD's inbox.
    message: MessageId,
    /// The OPD's Facebook account (text posts pass every platform rule there).
    facebook: AccountId,
    /// Where uploaded media bytes go in this test.
    media_dir: std::path::PathBuf,
}

/// Routes anyone may use without signing in.
const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/lang"),
    ("GET", "/healthz"),
    ("GET", "/metrics"),
    ("GET", "/assets/{file}"),
    ("GET", "/api/v1/openapi.json"),
];

/// Routes that answer to a signature instead of a session (tested in `tests/webhooks.rs`).
const SIGNED: &[(&str, &str)] = &[
    ("GET", "/webhooks/meta"),
    ("POST", "/webhooks/meta"),
    ("POST", "/webhooks/ingest/{account}"),
    ("GET", "/media/{id}/{token}"),
];

/// The expected outcome for a signed-in person. `None`: the route is not in the matrix.
fn expected(method: &str, route: &str, who: Who, own: bool) -> Option<Outcome> {
    if let Some(o) = calendar_expected(method, route, who, own) {
        return Some(o);
    }
    if let Some(o) = import_expected(method, route, who, own) {
        return Some(o);
    }
    let sup = |w: Who| {
        if w == Who::Supervisor {
            Allowed
        } else {
            Forbidden
        }
    };
    let view_opd = |w: Who| {
        if w.sees_all() || own {
            Allowed
        } else {
            Forbidden
        }
    };
    let manage_accounts = |w: Who| match w {
        Who::Supervisor => Allowed,
        Who::Approver if own => Allowed,
        _ => Forbidden,
    };
    // Seeing an account of another OPD is already forbidden, whatever the role.
    let manage_account_in = |w: Who| {
        if view_opd(w) == Forbidden {
            Forbidden
        } else {
            manage_accounts(w)
        }
    };
    let view_users_of = |w: Who| match w {
        Who::Supervisor | Who::Leadership => Allowed,
        Who::Approver if own => Allowed,
        _ => Forbidden,
    };
    let list_users = |w: Who| match w {
        Who::Supervisor | Who::Leadership | Who::Approver => Allowed,
        _ => Forbidden,
    };
    let manage_delegations = manage_accounts;
    // The inbox: everyone reads what they see; the province and the OPD's own operators and
    // approvers handle; only the province and the OPD's approver approve, hide or delete.
    let handle = |w: Who| match w {
        Who::Supervisor => Allowed,
        Who::Approver | Who::Operator if own => Allowed,
        _ => Forbidden,
    };
    let approve = manage_accounts;
    let read_rules = |w: Who| {
        if w.sees_all() { Allowed } else { Forbidden }
    };
    Some(match (method, route) {
        ("GET", "/inbox")
        | ("GET", "/inbox/holidays")
        | ("GET", "/inbox/policies")
        | ("GET", "/inbox/saved-replies")
        | ("GET", "/inbox/compliance")
        | ("GET", "/api/v1/messages")
        | ("GET", "/api/v1/compliance") => Allowed,
        ("GET", "/inbox/{id}") | ("GET", "/api/v1/messages/{id}") => view_opd(who),
        // The event outbox: the OPDs one sees, as in the inbox; asking for another OPD's is refused.
        ("GET", "/api/v1/events") => view_opd(who),
        ("POST", "/inbox/{id}/assign")
        | ("POST", "/inbox/{id}/status")
        | ("POST", "/inbox/{id}/category")
        | ("POST", "/inbox/{id}/notes")
        | ("POST", "/inbox/{id}/replies")
        | ("POST", "/api/v1/messages/{id}/assign")
        | ("POST", "/api/v1/messages/{id}/status")
        | ("POST", "/api/v1/messages/{id}/category")
        | ("POST", "/api/v1/messages/{id}/notes")
        | ("POST", "/api/v1/messages/{id}/replies") => handle(who),
        ("POST", "/inbox/{id}/moderate")
        | ("POST", "/inbox/replies/{id}/approve")
        | ("POST", "/inbox/replies/{id}/reject")
        | ("POST", "/inbox/replies/{id}/retry")
        | ("POST", "/api/v1/replies/{id}/approve")
        | ("POST", "/api/v1/replies/{id}/reject") => approve(who),
        // An OPD's own templates and response standard are its approver's; the rest the
        // province's.
        ("POST", "/inbox/saved-replies") | ("POST", "/inbox/saved-replies/{id}/delete") => {
            approve(who)
        }
        ("POST", "/inbox/policies") => approve(who),
        ("GET", "/inbox/rules") => read_rules(who),
        ("POST", "/inbox/rules")
        | ("POST", "/inbox/rules/{id}")
        | ("POST", "/inbox/rules/{id}/delete")
        | ("POST", "/inbox/holidays")
        | ("POST", "/inbox/holidays/{date}/delete")
        | ("GET", "/inbox/privacy")
        | ("POST", "/inbox/privacy/retention")
        | ("POST", "/inbox/privacy/erase") => sup(who),

        // --- webhooks (lead) ---
        // Webhooks are authenticated by the sender's signature, never by a session: a
        // signed-in person without the signature is refused like anyone else.
        ("POST", "/webhooks/ingest/{account}") | ("POST", "/webhooks/meta") => SignIn,
        // The handshake needs Meta's verify token; without it every caller is refused.
        ("GET", "/webhooks/meta") => Forbidden,
        ("GET", "/") | ("GET", "/opds") | ("GET", "/accounts") | ("GET", "/delegations") => Allowed,
        ("GET", "/profile")
        | ("POST", "/profile")
        | ("POST", "/profile/password")
        | ("POST", "/profile/tokens") => Allowed,
        ("POST", "/logout") => Allowed,
        // The token revoked is always the supervisor's: only its owner may revoke it.
        ("POST", "/profile/tokens/{id}/revoke") => sup(who),
        ("POST", "/opds") | ("POST", "/opds/{id}") => sup(who),
        ("GET", "/opds/{id}") => view_opd(who),
        ("POST", "/accounts") => manage_accounts(who),
        ("POST", "/accounts/{id}") | ("POST", "/accounts/{id}/delete") => manage_account_in(who),
        // Connecting an account (its tokens) is managing it.
        ("GET", "/accounts/{id}/connection")
        | ("POST", "/accounts/{id}/connection")
        | ("POST", "/accounts/{id}/oauth/start") => manage_account_in(who),
        // The callback answers everyone signed in; without the sealed cookie it refuses (422),
        // and the exchange itself checks the person again.
        ("GET", "/oauth/callback") => Allowed,
        ("GET", "/media/{id}/{token}") => Allowed,
        ("GET", "/users") => list_users(who),
        ("POST", "/users") | ("POST", "/users/{id}") | ("POST", "/users/{id}/password") => sup(who),
        ("GET", "/users/{id}") => view_users_of(who),
        ("POST", "/delegations") | ("POST", "/delegations/{id}/revoke") => manage_delegations(who),
        ("GET", "/audit") | ("GET", "/audit/export.csv") => sup(who),

        ("GET", "/api/v1/me")
        | ("GET", "/api/v1/opds")
        | ("GET", "/api/v1/accounts")
        | ("GET", "/api/v1/delegations") => Allowed,
        ("POST", "/api/v1/opds") | ("PUT", "/api/v1/opds/{id}") => sup(who),
        ("GET", "/api/v1/opds/{id}") | ("GET", "/api/v1/accounts/{id}") => view_opd(who),
        ("POST", "/api/v1/accounts") => manage_accounts(who),
        ("PUT", "/api/v1/accounts/{id}") | ("DELETE", "/api/v1/accounts/{id}") => {
            manage_account_in(who)
        }
        ("GET", "/api/v1/users") => list_users(who),
        ("POST", "/api/v1/users") | ("PUT", "/api/v1/users/{id}") => sup(who),
        ("GET", "/api/v1/users/{id}") => view_users_of(who),
        ("POST", "/api/v1/delegations") | ("POST", "/api/v1/delegations/{id}/revoke") => {
            manage_delegations(who)
        }
        ("GET", "/api/v1/audit") => sup(who),
        _ => return publishing_expected(method, route, who, own),
    })
}

/// Publishing: everyone who sees an OPD reads its posts and media and may ask for a check;
/// the province and the OPD's own operators and approvers write, submit and upload; approving
/// is decided by the chain (someone who sees the post but is not its approver is refused as
/// input, 422, by the chain rule); sending back and settling deliveries is the OPD's approvers'
/// and the province's; the fast lane and the chains are the province's.
fn publishing_expected(method: &str, route: &str, who: Who, own: bool) -> Option<Outcome> {
    let view_opd = if who.sees_all() || own {
        Allowed
    } else {
        Forbidden
    };
    let compose = match who {
        Who::Supervisor => Allowed,
        Who::Approver | Who::Operator if own => Allowed,
        _ => Forbidden,
    };
    let approver_or_province = match who {
        Who::Supervisor => Allowed,
        Who::Approver if own => Allowed,
        _ => Forbidden,
    };
    let province = if who == Who::Supervisor {
        Allowed
    } else {
        Forbidden
    };
    Some(match (method, route) {
        ("GET", "/posts")
        | ("GET", "/posts/{id}")
        | ("POST", "/posts/{id}/approve")
        | ("POST", "/posts/check")
        | ("GET", "/posts/media/{id}")
        | ("GET", "/api/v1/posts")
        | ("GET", "/api/v1/posts/{id}")
        | ("POST", "/api/v1/posts/{id}/approve")
        | ("POST", "/api/v1/posts/check")
        | ("GET", "/api/v1/media/{id}") => view_opd,
        ("GET", "/posts/new")
        | ("POST", "/posts")
        | ("GET", "/posts/{id}/edit")
        | ("POST", "/posts/{id}/edit")
        | ("POST", "/posts/{id}/submit")
        | ("POST", "/posts/media")
        | ("POST", "/posts/media/{id}")
        | ("POST", "/api/v1/posts")
        | ("PUT", "/api/v1/posts/{id}")
        | ("POST", "/api/v1/posts/{id}/submit")
        | ("POST", "/api/v1/media")
        | ("PATCH", "/api/v1/media/{id}") => compose,
        ("POST", "/posts/{id}/reject")
        | ("POST", "/deliveries/{id}/retry")
        | ("POST", "/deliveries/{id}/confirm")
        | ("POST", "/api/v1/posts/{id}/reject")
        | ("POST", "/api/v1/deliveries/{id}/retry")
        | ("POST", "/api/v1/deliveries/{id}/confirm") => approver_or_province,
        ("POST", "/posts/{id}/emergency")
        | ("POST", "/api/v1/posts/{id}/emergency")
        | ("GET", "/opds/{id}/approval-chain")
        | ("POST", "/opds/{id}/approval-chain")
        | ("POST", "/opds/{id}/approval-chain/delete") => province,
        _ => return None,
    })
}

/// A body that passes authorisation questions but is refused as input, so allowed requests
/// change nothing (except where the route's whole point is a change, see `fresh_*`).
enum Body {
    None,
    Form(Vec<(&'static str, String)>),
    Json(serde_json::Value),
    /// A multipart upload: text parts, then a file part named `file`.
    Upload(Vec<(&'static str, String)>, Vec<u8>),
    /// A file as the whole body, with its content type.
    Raw(&'static str, Vec<u8>),
}

async fn fresh_account(t: &TestApp, opd: OpdId) -> AccountId {
    let a = Account {
        id: AccountId::generate(),
        opd,
        platform: Platform::Telegram,
        handle: AccountHandle::parse(&format!("@matrix{}", uuid::Uuid::now_v7().simple())).unwrap(),
        api_base_url: None,
        status: AccountStatus::Active,
    };
    t.store()
        .create_account(&AuditActor::system(), &a)
        .await
        .unwrap();
    a.id
}

async fn fresh_delegation(t: &TestApp, opd: OpdId, approver: &str, staff: &str) -> DelegationId {
    let d = Delegation {
        id: DelegationId::generate(),
        opd,
        from_user: approver.parse().unwrap(),
        to_user: staff.parse().unwrap(),
        kind: DelegationKind::Plh,
        starts_on: "2030-01-01".parse().unwrap(),
        ends_on: "2030-01-02".parse().unwrap(),
        reason: "matrix".into(),
        revoked: false,
    };
    t.store()
        .create_delegation(&AuditActor::system(), &d)
        .await
        .unwrap();
    d.id
}

/// A message from the public on `account`, ingested as a connector would.
async fn fresh_message(t: &TestApp, account: AccountId) -> MessageId {
    let account = t.store().get_account(account).await.unwrap();
    let now = t.app.clock().now();
    let inbound = Inbound {
        platform: account.platform,
        external_id: ExternalId::parse(&uuid::Uuid::now_v7().simple().to_string()).unwrap(),
        kind: MessageKind::Comment,
        author: Author::parse("@warga_matrix", Some("Warga Matrix")).unwrap(),
        text: "Mohon info jam buka kantor layanan".into(),
        title: None,
        permalink: None,
        parent_external_id: None,
        thread_external_id: None,
        published_at: now,
    };
    let report = t
        .app
        .ingest(&AuditActor::system(), &account, vec![inbound], None)
        .await
        .unwrap();
    report.inserted[0]
}

/// A reply to `message` in `state`, written by `drafter`.
async fn fresh_reply(t: &TestApp, message: MessageId, drafter: &str, state: ReplyState) -> ReplyId {
    let now = t.app.clock().now();
    let drafter = drafter.parse().unwrap();
    let r = Reply {
        id: ReplyId(uuid::Uuid::now_v7()),
        message,
        text: "Terima kasih, jadwal ada di puskesmas terdekat.".into(),
        state,
        drafted_by: drafter,
        approved_by: (state == ReplyState::Failed).then_some(drafter),
        external_id: None,
        error: None,
        created_at: now,
        updated_at: now,
    };
    t.store()
        .create_reply(&AuditActor::system(), &r)
        .await
        .unwrap();
    r.id
}

async fn fresh_rule(t: &TestApp, opd: OpdId) -> RoutingRuleId {
    let input = humas_app::inbox::RuleInput {
        name: format!("matrix {}", uuid::Uuid::now_v7().simple()),
        opd: opd.to_string(),
        expression: "zzmatrixzz".into(),
        priority: None,
        enabled: false,
    };
    t.app
        .create_routing_rule(&App::cli_actor(), &input)
        .await
        .unwrap()
        .id
}

async fn fresh_holiday(t: &TestApp) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = i32::try_from(NEXT.fetch_add(1, Ordering::Relaxed)).unwrap();
    let date = jiff::civil::date(2031, 1, 1)
        .checked_add(jiff::Span::new().days(n))
        .unwrap()
        .to_string();
    t.app
        .put_holiday(&App::cli_actor(), &date, "regional", "Matrix")
        .await
        .unwrap();
    date
}

async fn fresh_saved_reply(t: &TestApp, opd: OpdId) -> SavedReplyId {
    let r = SavedReply {
        id: SavedReplyId(uuid::Uuid::now_v7()),
        opd: Some(opd),
        title: "Matrix".into(),
        body: "Halo {nama}".into(),
    };
    t.store()
        .put_saved_reply(&AuditActor::system(), &r)
        .await
        .unwrap();
    r.id
}

/// The request for an inbox route, if `route` is one.
async fn inbox_request(
    t: &TestApp,
    method: &str,
    route: &str,
    s: &Scope,
) -> Option<(String, Body)> {
    let form = |pairs: &[(&'static str, String)]| Body::Form(pairs.to_vec());
    let msg = s.message.to_string();
    let at_message = route.replace("{id}", &msg);
    let back = ("message", msg.clone());
    Some(match (method, route) {
        ("GET", "/inbox/{id}") | ("GET", "/api/v1/messages/{id}") => (at_message, Body::None),
        ("GET", "/api/v1/events") => (format!("{route}?opd={}&after=0", s.opd), Body::None),
        // Unassigning, a move the workflow refuses, an empty note or reply: the rights are
        // checked first, then the input.
        ("POST", "/inbox/{id}/assign") => (at_message, form(&[("assignee", "none".into())])),
        ("POST", "/inbox/{id}/status") => (at_message, form(&[("status", "replied".into())])),
        ("POST", "/inbox/{id}/category") => (at_message, form(&[("category", "complaint".into())])),
        ("POST", "/inbox/{id}/notes") => (at_message, form(&[("text", String::new())])),
        ("POST", "/inbox/{id}/replies") => (
            at_message,
            form(&[("text", String::new()), ("action", "send".into())]),
        ),
        ("POST", "/inbox/{id}/moderate") => (
            at_message,
            form(&[("action", "hide".into()), ("reason", String::new())]),
        ),
        ("POST", "/inbox/replies/{id}/approve")
        | ("POST", "/inbox/replies/{id}/reject")
        | ("POST", "/inbox/replies/{id}/retry") => {
            let state = if route.ends_with("retry") {
                ReplyState::Failed
            } else {
                ReplyState::AwaitingApproval
            };
            let r = fresh_reply(t, s.message, &s.staff, state).await;
            (
                route.replace("{id}", &r.0.to_string()),
                form(&[back, ("reason", String::new())]),
            )
        }
        ("POST", "/api/v1/messages/{id}/assign") => (
            at_message,
            Body::Json(serde_json::json!({"assignee": null})),
        ),
        ("POST", "/api/v1/messages/{id}/status") => (
            at_message,
            Body::Json(serde_json::json!({"status": "replied"})),
        ),
        ("POST", "/api/v1/messages/{id}/category") => (
            at_message,
            Body::Json(serde_json::json!({"category": "complaint"})),
        ),
        ("POST", "/api/v1/messages/{id}/notes") | ("POST", "/api/v1/messages/{id}/replies") => {
            (at_message, Body::Json(serde_json::json!({"text": ""})))
        }
        ("POST", "/api/v1/replies/{id}/approve") => {
            let r = fresh_reply(t, s.message, &s.staff, ReplyState::AwaitingApproval).await;
            (route.replace("{id}", &r.0.to_string()), Body::None)
        }
        ("POST", "/api/v1/replies/{id}/reject") => {
            let r = fresh_reply(t, s.message, &s.staff, ReplyState::AwaitingApproval).await;
            (
                route.replace("{id}", &r.0.to_string()),
                Body::Json(serde_json::json!({"reason": ""})),
            )
        }
        ("POST", "/inbox/rules") | ("POST", "/inbox/rules/{id}") => (
            route.replace("{id}", &RoutingRuleId::generate().to_string()),
            form(&[
                ("name", "Matrix".into()),
                ("opd", s.opd.to_string()),
                ("expression", "(banjir".into()),
            ]),
        ),
        ("POST", "/inbox/rules/{id}/delete") => (
            route.replace("{id}", &fresh_rule(t, s.opd).await.to_string()),
            form(&[]),
        ),
        ("POST", "/inbox/holidays") => (
            route.into(),
            form(&[
                ("date", "not-a-date".into()),
                ("kind", "regional".into()),
                ("name", "Matrix".into()),
            ]),
        ),
        ("POST", "/inbox/holidays/{date}/delete") => {
            (route.replace("{date}", &fresh_holiday(t).await), form(&[]))
        }
        // Zero days is refused by the domain, after the rights.
        ("POST", "/inbox/policies") => (
            route.into(),
            form(&[
                ("opd", s.opd.to_string()),
                ("first_response_days", "0".into()),
                ("information_request_days", "5".into()),
                ("complaint_days", "5".into()),
                ("dispute_days", "14".into()),
                ("field_check_days", "60".into()),
            ]),
        ),
        ("POST", "/inbox/saved-replies") => (
            route.into(),
            form(&[
                ("opd", s.opd.to_string()),
                ("title", String::new()),
                ("body", "x".into()),
            ]),
        ),
        ("POST", "/inbox/saved-replies/{id}/delete") => (
            route.replace("{id}", &fresh_saved_reply(t, s.opd).await.0.to_string()),
            form(&[]),
        ),
        ("POST", "/inbox/privacy/retention") => (
            route.into(),
            form(&[("account", s.account.to_string()), ("days", "0".into())]),
        ),
        ("POST", "/inbox/privacy/erase") => (
            route.into(),
            form(&[("platform", "x".into()), ("handle", String::new())]),
        ),
        _ => return None,
    })
}

/// A post of the scope's OPD on its Facebook account, written by its staff member, in `state`.
async fn fresh_post(t: &TestApp, s: &Scope, state: PostState) -> PostId {
    let now = t.app.clock().now();
    let post = Post {
        id: PostId::generate(),
        opd: s.opd,
        author: s.staff.parse().unwrap(),
        title: "Matrix".into(),
        body: PostText::parse("Vaksinasi gratis Sabtu pukul 08.00 WIB di balai desa").unwrap(),
        channels: vec![Channel {
            account: s.facebook,
            platform: Platform::Facebook,
            text: None,
        }],
        media: Vec::new(),
        scheduled_at: None,
        state,
        emergency: false,
        narrative: None,
        review_round: u32::from(state == PostState::InReview),
        created_at: now,
        updated_at: now,
    };
    t.store()
        .create_post(&AuditActor::system(), &post)
        .await
        .unwrap();
    post.id
}

/// A delivery of a post published through the fast lane (scheduled, so retrying or
/// confirming it is refused as a conflict after the rights are checked).
async fn fresh_delivery(t: &TestApp, s: &Scope) -> PublishJobId {
    let post = fresh_post(t, s, PostState::Draft).await;
    t.app
        .emergency_publish(&App::cli_actor(), post, "matrix")
        .await
        .unwrap();
    t.store().post_jobs(post).await.unwrap()[0].id
}

/// An image uploaded for the scope's OPD, its bytes in the test's media folder.
async fn fresh_media(t: &TestApp, s: &Scope) -> MediaId {
    let store: Arc<dyn MediaStore> = Arc::new(FsMediaStore::new(&s.media_dir));
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    for (kind, data) in [
        (*b"IHDR", [0, 0, 4, 56, 0, 0, 4, 56, 8, 6, 0, 0, 0].to_vec()),
        (*b"IEND", Vec::new()),
    ] {
        png.extend(u32::try_from(data.len()).unwrap().to_be_bytes());
        png.extend(kind);
        png.extend(data);
        png.extend([0, 0, 0, 0]);
    }
    // Uploaded by a real person: the store keeps who uploaded it.
    let sup = t
        .app
        .bearer(&t.token("supervisor").await)
        .await
        .unwrap()
        .actor;
    t.app
        .upload_media(&sup, &store, s.opd, "matrix.png", &png, "")
        .await
        .unwrap()
        .id
}

/// The request for a publishing route, if `route` is one. Allowed requests are refused as
/// input where they can be (an empty title or note, a file that is not an image), so they
/// change nothing shared.
async fn publishing_request(
    t: &TestApp,
    method: &str,
    route: &str,
    s: &Scope,
) -> Option<(String, Body)> {
    let form = |pairs: &[(&'static str, String)]| Body::Form(pairs.to_vec());
    let opd = s.opd.to_string();
    let at = |id: &dyn ToString| route.replace("{id}", &id.to_string());
    let check = || {
        Body::Json(
            serde_json::json!({"body": "Matrix", "channels": [{"account": s.facebook.to_string(), "text": null}], "media": []}),
        )
    };
    Some(match (method, route) {
        ("GET", "/posts") | ("GET", "/api/v1/posts") => (format!("{route}?opd={opd}"), Body::None),
        ("GET", "/posts/new") => (format!("/posts/new?opd={opd}"), Body::None),
        ("POST", "/posts") => (
            route.into(),
            form(&[("opd", opd.clone()), ("title", String::new())]),
        ),
        ("POST", "/api/v1/posts") => (
            route.into(),
            Body::Json(serde_json::json!({"opd_id": opd, "title": "", "channels": []})),
        ),
        ("POST", "/posts/check") | ("POST", "/api/v1/posts/check") => (route.into(), check()),
        ("GET", "/posts/{id}") | ("GET", "/api/v1/posts/{id}") => {
            (at(&fresh_post(t, s, PostState::Draft).await), Body::None)
        }
        ("GET", "/posts/{id}/edit") => (at(&fresh_post(t, s, PostState::Draft).await), Body::None),
        ("POST", "/posts/{id}/edit") => (
            at(&fresh_post(t, s, PostState::Draft).await),
            form(&[("title", String::new())]),
        ),
        ("PUT", "/api/v1/posts/{id}") => (
            at(&fresh_post(t, s, PostState::Draft).await),
            Body::Json(serde_json::json!({"title": "", "channels": []})),
        ),
        ("POST", "/posts/{id}/submit") => {
            (at(&fresh_post(t, s, PostState::Draft).await), form(&[]))
        }
        ("POST", "/api/v1/posts/{id}/submit") => {
            (at(&fresh_post(t, s, PostState::Draft).await), Body::None)
        }
        ("POST", "/posts/{id}/approve") => {
            (at(&fresh_post(t, s, PostState::InReview).await), form(&[]))
        }
        ("POST", "/api/v1/posts/{id}/approve") => {
            (at(&fresh_post(t, s, PostState::InReview).await), Body::None)
        }
        ("POST", "/posts/{id}/reject") => (
            at(&fresh_post(t, s, PostState::InReview).await),
            form(&[("note", String::new())]),
        ),
        ("POST", "/api/v1/posts/{id}/reject") => (
            at(&fresh_post(t, s, PostState::InReview).await),
            Body::Json(serde_json::json!({"note": ""})),
        ),
        ("POST", "/posts/{id}/emergency") => (
            at(&fresh_post(t, s, PostState::Draft).await),
            form(&[("reason", String::new())]),
        ),
        ("POST", "/api/v1/posts/{id}/emergency") => (
            at(&fresh_post(t, s, PostState::Draft).await),
            Body::Json(serde_json::json!({"reason": ""})),
        ),
        ("POST", "/posts/media") => (
            route.into(),
            Body::Upload(vec![("opd", opd.clone())], b"not an image".to_vec()),
        ),
        ("POST", "/api/v1/media") => (
            route.into(),
            Body::Upload(vec![("opd_id", opd.clone())], b"not an image".to_vec()),
        ),
        ("GET", "/posts/media/{id}") | ("GET", "/api/v1/media/{id}") => {
            (at(&fresh_media(t, s).await), Body::None)
        }
        // A capability address: the token opens the file for anyone, signed in or not.
        ("GET", "/media/{id}/{token}") => {
            let id = fresh_media(t, s).await;
            (
                format!("/media/{id}/{}", t.app.public_media_token(id)),
                Body::None,
            )
        }
        // Longer than any alt text may be: refused after the rights.
        ("POST", "/posts/media/{id}") => (
            at(&fresh_media(t, s).await),
            form(&[("alt_text", "x".repeat(1_600))]),
        ),
        ("PATCH", "/api/v1/media/{id}") => (
            at(&fresh_media(t, s).await),
            Body::Json(serde_json::json!({"alt_text": "x".repeat(1_600)})),
        ),
        ("POST", "/deliveries/{id}/retry") => (at(&fresh_delivery(t, s).await), form(&[])),
        ("POST", "/deliveries/{id}/confirm") => (
            at(&fresh_delivery(t, s).await),
            form(&[("url", "not a link".into())]),
        ),
        ("POST", "/api/v1/deliveries/{id}/retry") => (at(&fresh_delivery(t, s).await), Body::None),
        ("POST", "/api/v1/deliveries/{id}/confirm") => (
            at(&fresh_delivery(t, s).await),
            Body::Json(serde_json::json!({"url": "not a link"})),
        ),
        ("GET", "/opds/{id}/approval-chain") => (at(&s.opd), Body::None),
        // A chain without steps is refused; removing one the OPD does not have changes nothing.
        ("POST", "/opds/{id}/approval-chain") => (at(&s.opd), form(&[("label_0", String::new())])),
        ("POST", "/opds/{id}/approval-chain/delete") => (at(&s.opd), form(&[])),
        _ => return None,
    })
}

async fn request_for(t: &TestApp, method: &str, route: &str, s: &Scope) -> (String, Body) {
    if let Some(r) = inbox_request(t, method, route, s).await {
        return r;
    }
    if let Some(r) = publishing_request(t, method, route, s).await {
        return r;
    }
    if let Some(r) = calendar_request(t, method, route, s).await {
        return r;
    }
    if let Some(r) = import_request(method, route, s) {
        return r;
    }
    match (method, route) {
        ("POST", "/webhooks/ingest/{account}") => {
            return (
                format!("/webhooks/ingest/{}", s.account),
                Body::Json(serde_json::json!({"messages": []})),
            );
        }
        ("POST", "/webhooks/meta") => {
            return (
                "/webhooks/meta".to_owned(),
                Body::Json(serde_json::json!({"object": "page", "entry": []})),
            );
        }
        ("GET", "/webhooks/meta") => {
            return (
                "/webhooks/meta?hub.mode=subscribe&hub.verify_token=x&hub.challenge=abc".to_owned(),
                Body::None,
            );
        }
        _ => {}
    }
    let id = |v: &dyn ToString| v.to_string();
    let form = |pairs: &[(&'static str, &str)]| {
        Body::Form(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
    };
    match (method, route) {
        ("GET", "/opds/{id}") | ("GET", "/api/v1/opds/{id}") => {
            (route.replace("{id}", &id(&s.opd)), Body::None)
        }
        ("POST", "/opds") => ("/opds".into(), form(&[("name", "")])),
        ("POST", "/opds/{id}") => (format!("/opds/{}", s.opd), form(&[("name", "")])),
        ("POST", "/accounts") => (
            "/accounts".into(),
            form(&[("opd", &id(&s.opd)), ("platform", "x"), ("handle", "")]),
        ),
        ("POST", "/accounts/{id}") => (
            format!("/accounts/{}", s.account),
            form(&[("status", "bogus")]),
        ),
        ("GET", "/accounts/{id}/connection") => {
            (format!("/accounts/{}/connection", s.account), Body::None)
        }
        ("POST", "/accounts/{id}/oauth/start") => {
            (format!("/accounts/{}/oauth/start", s.account), form(&[]))
        }
        ("GET", "/oauth/callback") => ("/oauth/callback?code=c&state=s".to_owned(), Body::None),
        // Empty fields keep what is stored; a fresh account keeps the shared one untouched.
        ("POST", "/accounts/{id}/connection") => (
            format!("/accounts/{}/connection", fresh_account(t, s.opd).await),
            form(&[("access_token", ""), ("webhook_secret", "")]),
        ),
        ("POST", "/accounts/{id}/delete") => (
            format!("/accounts/{}/delete", fresh_account(t, s.opd).await),
            form(&[]),
        ),
        ("GET", "/api/v1/accounts/{id}") => (format!("/api/v1/accounts/{}", s.account), Body::None),
        ("POST", "/users") => ("/users".into(), form(&[("username", "")])),
        ("GET", "/users/{id}") | ("GET", "/api/v1/users/{id}") => {
            (route.replace("{id}", &s.staff), Body::None)
        }
        ("POST", "/users/{id}") => (format!("/users/{}", s.staff), form(&[("display_name", "")])),
        ("POST", "/users/{id}/password") => (
            format!("/users/{}/password", s.staff),
            form(&[("password", "")]),
        ),
        ("POST", "/delegations") => (
            "/delegations".into(),
            form(&[("from_user", &s.approver), ("to_user", "")]),
        ),
        ("POST", "/delegations/{id}/revoke") | ("POST", "/api/v1/delegations/{id}/revoke") => {
            let d = fresh_delegation(t, s.opd, &s.approver, &s.staff).await;
            (
                route.replace("{id}", &d.to_string()),
                if route.starts_with("/api") {
                    Body::None
                } else {
                    form(&[])
                },
            )
        }
        ("POST", "/profile") => ("/profile".into(), form(&[("display_name", "")])),
        ("POST", "/profile/password") => (
            "/profile/password".into(),
            form(&[("current", "wrong"), ("new", "")]),
        ),
        ("POST", "/profile/tokens") => ("/profile/tokens".into(), form(&[("name", "")])),
        ("POST", "/logout") => ("/logout".into(), form(&[])),
        ("POST", "/profile/tokens/{id}/revoke") => {
            let owner = t.user_id("supervisor").await;
            let (token, _) = t
                .app
                .create_api_token(&App::cli_actor(), owner, "matrix")
                .await
                .unwrap();
            (format!("/profile/tokens/{}/revoke", token.id.0), form(&[]))
        }
        ("POST", "/api/v1/opds") => (
            route.into(),
            Body::Json(
                serde_json::json!({"slug": "Not A Slug", "name": "Matrix", "kind": "dinas"}),
            ),
        ),
        ("PUT", "/api/v1/opds/{id}") => (
            route.replace("{id}", &id(&s.opd)),
            Body::Json(
                serde_json::json!({"slug": "Not A Slug", "name": "Matrix", "kind": "dinas"}),
            ),
        ),
        ("POST", "/api/v1/accounts") => (
            route.into(),
            Body::Json(serde_json::json!({"opd_id": id(&s.opd), "platform": "x", "handle": ""})),
        ),
        ("PUT", "/api/v1/accounts/{id}") => (
            route.replace("{id}", &id(&s.account)),
            Body::Json(
                serde_json::json!({"opd_id": id(&s.opd), "platform": "x", "handle": "", "status": "active"}),
            ),
        ),
        ("DELETE", "/api/v1/accounts/{id}") => (
            route.replace("{id}", &fresh_account(t, s.opd).await.to_string()),
            Body::None,
        ),
        ("POST", "/api/v1/users") => (
            route.into(),
            Body::Json(serde_json::json!({"username": "", "role": "operator", "password": ""})),
        ),
        ("PUT", "/api/v1/users/{id}") => (
            route.replace("{id}", &s.staff),
            Body::Json(
                serde_json::json!({"display_name": "", "role": "operator", "opd_id": id(&s.opd), "active": true}),
            ),
        ),
        ("POST", "/api/v1/delegations") => (
            route.into(),
            Body::Json(
                serde_json::json!({"from_user_id": s.approver, "to_user_id": "", "kind": "plh", "starts_on": "", "ends_on": "", "reason": ""}),
            ),
        ),
        _ => (
            route.into(),
            if method == "GET" {
                Body::None
            } else {
                form(&[])
            },
        ),
    }
}

fn classify(route: &str, status: u16, location: Option<&str>) -> Outcome {
    match status {
        401 => SignIn,
        303 if location.is_some_and(|l| l.starts_with("/login")) && route != "/logout" => SignIn,
        403 => Forbidden,
        404 | 405 | 500.. => panic!(
            "{route}: unexpected status {status}: the matrix fixture is wrong or the server failed"
        ),
        _ => Allowed,
    }
}

async fn send(
    t: &TestApp,
    client: &reqwest::Client,
    method: &str,
    path: &str,
    body: Body,
    csrf: Option<&str>,
    token: Option<&str>,
) -> (u16, Option<String>, String) {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client.request(m, t.url(path));
    if let Some(tok) = token {
        req = req.bearer_auth(tok);
    }
    req = match body {
        Body::None => req,
        Body::Form(mut pairs) => {
            if let Some(c) = csrf {
                pairs.push(("_csrf", c.to_owned()));
            }
            req.form(&pairs)
        }
        // Our pages' scripts send JSON with the session's token as a header.
        Body::Json(v) => match csrf {
            Some(c) => req.header("x-csrf-token", c).json(&v),
            None => req.json(&v),
        },
        Body::Upload(parts, bytes) => {
            // The token comes first, as the composer's form sends it.
            let mut form = reqwest::multipart::Form::new();
            if let Some(c) = csrf {
                form = form.text("_csrf", c.to_owned());
            }
            for (k, v) in parts {
                form = form.text(k, v);
            }
            let file = reqwest::multipart::Part::bytes(bytes).file_name("matrix.txt");
            req.multipart(form.part("file", file))
        }
        Body::Raw(content_type, bytes) => req.header("content-type", content_type).body(bytes),
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, location, resp.text().await.unwrap_or_default())
}

async fn scope(t: &TestApp, slug: &str, media_dir: &std::path::Path) -> Scope {
    let opd = t.opd(slug).await;
    let accounts = t.store().list_accounts(Some(opd)).await.unwrap();
    let account = accounts[0].id;
    let facebook = accounts
        .iter()
        .find(|a| a.platform == Platform::Facebook)
        .unwrap()
        .id;
    let sup = humas_app::App::cli_actor();
    let mk = |username: String, role: &str| humas_app::people::NewUserInput {
        username,
        display_name: String::new(),
        role: role.into(),
        opd: Some(opd.to_string()),
        password: support::PASSWORD.into(),
    };
    let staff = t
        .app
        .create_user(&sup, &mk(format!("staff.{slug}"), "operator"))
        .await
        .unwrap()
        .id
        .to_string();
    let approver = match slug {
        "dinkes" => t.user_id("approver.dinkes").await.to_string(),
        _ => t
            .app
            .create_user(&sup, &mk(format!("approver.{slug}"), "approver"))
            .await
            .unwrap()
            .id
            .to_string(),
    };
    let message = fresh_message(t, account).await;
    Scope {
        opd,
        account,
        staff,
        approver,
        message,
        facebook,
        media_dir: media_dir.to_path_buf(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_every_role_every_scope() {
    let media = tempfile::tempdir().unwrap();
    let t = TestApp::spawn_configured(
        humas_app::AuthSettings::for_tests(),
        humas_web::WebSettings {
            media_dir: media.path().to_path_buf(),
            ..humas_web::WebSettings::default()
        },
    )
    .await;
    let routes: BTreeSet<(String, String)> = humas_web::route_table().into_iter().collect();

    let unlisted: Vec<_> = routes
        .iter()
        .filter(|(m, r)| {
            !PUBLIC.contains(&(m.as_str(), r.as_str()))
                && expected(m, r, Who::Supervisor, true).is_none()
        })
        .collect();
    assert!(
        unlisted.is_empty(),
        "routes missing from the authorisation matrix: {unlisted:?}"
    );
    for (m, r) in PUBLIC {
        assert!(
            routes.contains(&((*m).to_owned(), (*r).to_owned())),
            "PUBLIC names a route that does not exist: {m} {r}"
        );
    }

    let dinkes = scope(&t, "dinkes", media.path()).await;
    let bpsdm = scope(&t, "bpsdm", media.path()).await;
    let bpbd = scope(&t, "bpbd", media.path()).await;
    let mut checked = 0;
    let mut failures = Vec::new();

    for who in EVERYONE {
        let browser = t.signed_in(who.username()).await;
        let csrf = t.csrf(&browser).await;
        let token = t.token(who.username()).await;
        let own = if who.own_slug() == "bpsdm" {
            &bpsdm
        } else {
            &dinkes
        };
        for (method, route) in &routes {
            if PUBLIC.contains(&(method.as_str(), route.as_str())) {
                continue;
            }
            for (is_own, s) in [(true, own), (false, &bpbd)] {
                let want = expected(method, route, who, is_own).unwrap();
                // Signing out ends the session, so it gets a session of its own.
                let fresh;
                let (client, csrf) = if route == "/logout" {
                    fresh = t.signed_in(who.username()).await;
                    let c = t.csrf(&fresh).await;
                    (&fresh, c)
                } else {
                    (&browser, csrf.clone())
                };
                let (path, body) = request_for(&t, method, route, s).await;
                let api = route.starts_with("/api/");
                let (status, location, text) = send(
                    &t,
                    client,
                    method,
                    &path,
                    body,
                    (!api).then_some(csrf.as_str()),
                    api.then_some(token.as_str()),
                )
                .await;
                let got = classify(route, status, location.as_deref());
                checked += 1;
                if got != want {
                    failures.push(format!("{who:?} {method} {path} (own={is_own}): want {want:?}, got {got:?} ({status}) {}", text.chars().take(160).collect::<String>()));
                }
            }
        }
    }

    // Without signing in, nothing but the public routes answers.
    let anon = TestApp::browser();
    for (method, route) in &routes {
        let (path, body) = request_for(&t, method, route, &dinkes).await;
        let (status, location, _) = send(&t, &anon, method, &path, body, None, None).await;
        let public = PUBLIC.contains(&(method.as_str(), route.as_str()))
            || SIGNED.contains(&(method.as_str(), route.as_str()));
        if public {
            continue;
        }
        let got = classify(route, status, location.as_deref());
        checked += 1;
        if got != SignIn {
            failures.push(format!(
                "anonymous {method} {path}: want SignIn, got {got:?} ({status})"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 1000, "only {checked} checks ran");
}

#[tokio::test]
async fn public_routes_answer_without_signing_in() {
    let t = TestApp::spawn().await;
    let c = TestApp::browser();
    for path in [
        "/login",
        "/healthz",
        "/metrics",
        "/assets/humas.css",
        "/api/v1/openapi.json",
    ] {
        let status = c.get(t.url(path)).send().await.unwrap().status();
        assert_eq!(status, 200, "{path}");
    }
    assert_eq!(
        c.get(t.url("/lang?to=en")).send().await.unwrap().status(),
        303
    );
    let page = c
        .get(t.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = hidden_field(&page, "_csrf").unwrap();
    let resp = c
        .post(t.url("/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "supervisor"),
            ("password", support::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let _ = App::cli_actor();
}

// --- The calendar, publishing slots and narasi tunggal ---------------------------------------

/// Everyone who sees an OPD reads its calendar, its accounts' slots and the narratives sent to
/// it; the OPD's own writers (and the province) move its posts; its approver (and the province)
/// sets the slots; only the province sends narratives.
fn calendar_expected(method: &str, route: &str, who: Who, own: bool) -> Option<Outcome> {
    let view_opd = if who.sees_all() || own {
        Allowed
    } else {
        Forbidden
    };
    let compose = match who {
        Who::Supervisor => Allowed,
        Who::Approver | Who::Operator if own => Allowed,
        _ => Forbidden,
    };
    let manage = match who {
        Who::Supervisor => Allowed,
        Who::Approver if own => Allowed,
        _ => Forbidden,
    };
    let province = if who == Who::Supervisor {
        Allowed
    } else {
        Forbidden
    };
    Some(match (method, route) {
        ("GET", "/calendar")
        | ("GET", "/api/v1/calendar")
        | ("GET", "/accounts/{id}/slots")
        | ("GET", "/api/v1/accounts/{id}/slots")
        | ("GET", "/api/v1/accounts/{id}/next-slot")
        | ("GET", "/narratives/{id}")
        | ("GET", "/api/v1/narratives/{id}") => view_opd,
        ("POST", "/posts/{id}/reschedule") | ("POST", "/api/v1/posts/{id}/reschedule") => compose,
        ("POST", "/accounts/{id}/slots") | ("PUT", "/api/v1/accounts/{id}/slots") => manage,
        ("GET", "/narratives") | ("GET", "/api/v1/narratives") => Allowed,
        ("GET", "/narratives/new") | ("POST", "/narratives") | ("POST", "/api/v1/narratives") => {
            province
        }
        _ => return None,
    })
}

/// A narrative sent by the supervisor to the scope's OPD alone, due in two hours.
async fn fresh_narrative(t: &TestApp, s: &Scope) -> humas_domain::NarrativeId {
    let sup = t
        .app
        .bearer(&t.token("supervisor").await)
        .await
        .unwrap()
        .actor;
    let due = t.app.clock().now() + jiff::SignedDuration::from_hours(2);
    let input = humas_app::publish::NarrativeInput {
        title: "Matrix".into(),
        body: "Narasi matrix.".into(),
        key_messages: Vec::new(),
        media: Vec::new(),
        deadline: humas_domain::publish::zone::to_local(due, humas_domain::UserZone::Wib)
            .strftime("%Y-%m-%dT%H:%M")
            .to_string(),
        zone: humas_domain::UserZone::Wib,
        opds: vec![s.opd],
    };
    t.app.send_narrative(&sup, &input).await.unwrap().id
}

/// The request for a calendar, slot or narrative route, if `route` is one. Allowed changes are
/// refused as input (a time in 2000, a weekday 9, an empty narrative), so nothing moves.
async fn calendar_request(
    t: &TestApp,
    method: &str,
    route: &str,
    s: &Scope,
) -> Option<(String, Body)> {
    let at = |id: &dyn ToString| route.replace("{id}", &id.to_string());
    let past = "2000-01-01T00:00".to_owned();
    Some(match (method, route) {
        ("GET", "/calendar") | ("GET", "/api/v1/calendar") => {
            (format!("{route}?opd={}", s.opd), Body::None)
        }
        ("POST", "/posts/{id}/reschedule") => (
            at(&fresh_post(t, s, PostState::Draft).await),
            Body::Form(vec![("at", past), ("back", "/calendar".into())]),
        ),
        ("POST", "/api/v1/posts/{id}/reschedule") => (
            at(&fresh_post(t, s, PostState::Draft).await),
            Body::Json(serde_json::json!({ "at": past })),
        ),
        ("GET", "/accounts/{id}/slots")
        | ("GET", "/api/v1/accounts/{id}/slots")
        | ("GET", "/api/v1/accounts/{id}/next-slot") => (at(&s.account), Body::None),
        ("POST", "/accounts/{id}/slots") => (
            at(&s.account),
            Body::Form(vec![("weekday", "9".into()), ("time", "07:00".into())]),
        ),
        ("PUT", "/api/v1/accounts/{id}/slots") => (
            at(&s.account),
            Body::Json(serde_json::json!({ "slots": ["9 07:00"] })),
        ),
        ("GET", "/narratives/{id}") | ("GET", "/api/v1/narratives/{id}") => {
            (at(&fresh_narrative(t, s).await), Body::None)
        }
        ("POST", "/narratives") => (
            route.into(),
            Body::Form(vec![("title", String::new()), ("body", String::new())]),
        ),
        ("POST", "/api/v1/narratives") => (
            route.into(),
            Body::Json(serde_json::json!({
                "title": "", "body": "", "deadline": "", "opd_ids": [s.opd.to_string()],
            })),
        ),
        ("GET", "/narratives") | ("GET", "/narratives/new") | ("GET", "/api/v1/narratives") => {
            (route.into(), Body::None)
        }
        _ => return None,
    })
}

// --- Bulk import -------------------------------------------------------------------------------

/// Importing a file into an account is for whoever handles that account's OPD's messages (the
/// province, the OPD's operators and approvers); the page itself for anyone who may import
/// somewhere. Leadership, trainers and trainees import nowhere.
fn import_expected(method: &str, route: &str, who: Who, own: bool) -> Option<Outcome> {
    let handle = match who {
        Who::Supervisor => Allowed,
        Who::Approver | Who::Operator if own => Allowed,
        _ => Forbidden,
    };
    Some(match (method, route) {
        ("GET", "/inbox/import") => match who {
            Who::Supervisor | Who::Approver | Who::Operator => Allowed,
            _ => Forbidden,
        },
        ("POST", "/inbox/import") | ("POST", "/api/v1/accounts/{id}/import") => handle,
        _ => return None,
    })
}

/// The request for an import route, if `route` is one. An allowed import of a file whose only
/// line is not JSON stores nothing (the page, guessing CSV from the name, refuses its header).
fn import_request(method: &str, route: &str, s: &Scope) -> Option<(String, Body)> {
    let file = b"not json\n".to_vec();
    Some(match (method, route) {
        ("GET", "/inbox/import") => (route.into(), Body::None),
        ("POST", "/inbox/import") => (
            route.into(),
            Body::Upload(vec![("account", s.account.to_string())], file),
        ),
        ("POST", "/api/v1/accounts/{id}/import") => (
            route.replace("{id}", &s.account.to_string()),
            Body::Raw("application/x-ndjson", file),
        ),
        _ => return None,
    })
}
