//! A local fake PDS for the XRPC methods the connector uses (shared brief section 7):
//! `createSession` (with its per-account limit answered by 429 `RateLimitExceeded`),
//! `refreshSession` (rotating the pair), `ExpiredToken` on demand, `listNotifications` paging
//! newest first with an opaque `cursor` and the `reasons` filter, `getPosts` (with counts),
//! `resolveHandle`, `uploadBlob` (raw bytes; the blob ref is a hash of them), `createRecord`
//! (validating strong refs, facet byte offsets, embeds' blob refs, a client-chosen `rkey`'s
//! TID syntax, and refusing an `rkey` already used), `getRecord` (`RecordNotFound` as a 400)
//! and `deleteRecord`; scripted failures and lost answers (carried out, answered too late).
//!
//! A repeated `rkey` is answered as [`BlueskyState::duplicate_answer`] says: by default 400
//! `{"error":"InvalidSwap","message":"Record already exists…"}` (the shape the brief suggests;
//! newer PDS versions name the case explicitly), or 500 `InternalServerError` as today's
//! reference PDS does (bluesky-social/atproto#3718).

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub const DID: &str = "did:plc:u5cwb2mwiv2bfq53cjufe6yn";
pub const HANDLE: &str = "humas.example.go.id";
pub const PASSWORD: &str = "abcd-efgh-ijkl-mnop";

#[derive(Clone, Debug)]
pub enum Failure {
    Status(u16),
    RateLimited { reset_in_secs: i64 },
    Body(&'static str),
}

/// How the fake refuses a `createRecord` whose `rkey` is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DuplicateAnswer {
    /// 400 `InvalidSwap`.
    InvalidSwap,
    /// 500 `InternalServerError`, as the reference PDS answers today.
    ServerError,
}

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub nsid: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: Option<Value>,
    /// The raw body (what `uploadBlob` received).
    pub raw: Vec<u8>,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn params(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

#[derive(Debug)]
pub struct BlueskyState {
    /// Valid access tokens; those in `expired` answer ExpiredToken.
    pub access: HashSet<String>,
    pub expired: HashSet<String>,
    pub refresh: HashSet<String>,
    /// `refreshSession` answers ExpiredToken whatever the token.
    pub refresh_broken: bool,
    /// createSession calls left before 429.
    pub create_budget: u32,
    pub create_calls: u32,
    pub refresh_calls: u32,
    pub notifications: Vec<Value>,
    /// Post views by uri (ours and others').
    pub posts: BTreeMap<String, Value>,
    pub handles: HashMap<String, String>,
    /// Records we created, by uri.
    pub created: BTreeMap<String, Value>,
    pub deleted: Vec<String>,
    pub failures: VecDeque<Failure>,
    /// A failure served once, on the first call of that method.
    pub fail_on: HashMap<String, Failure>,
    pub seen: Vec<Seen>,
    /// Delay before every answer.
    pub latency: std::time::Duration,
    /// Uploaded blobs by CID: (mime type, size).
    pub blobs: BTreeMap<String, (String, usize)>,
    pub duplicate_answer: DuplicateAnswer,
    /// The next call of this method is carried out but answered only after
    /// `lost_answer_delay` (the client has given up by then).
    pub lose_answer_on: Option<String>,
    pub lost_answer_delay: std::time::Duration,
    counter: u64,
}

impl BlueskyState {
    /// Every current access token now answers ExpiredToken.
    pub fn expire_access(&mut self) {
        let all: Vec<String> = self.access.drain().collect();
        self.expired.extend(all);
    }
}

#[derive(Clone)]
pub struct FakeBluesky {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<BlueskyState>>,
}

impl FakeBluesky {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(BlueskyState {
            access: HashSet::new(),
            expired: HashSet::new(),
            refresh: HashSet::new(),
            refresh_broken: false,
            create_budget: 30,
            create_calls: 0,
            refresh_calls: 0,
            notifications: Vec::new(),
            posts: BTreeMap::new(),
            handles: HashMap::from([(HANDLE.to_owned(), DID.to_owned())]),
            created: BTreeMap::new(),
            deleted: Vec::new(),
            failures: VecDeque::new(),
            fail_on: HashMap::new(),
            seen: Vec::new(),
            latency: std::time::Duration::ZERO,
            blobs: BTreeMap::new(),
            duplicate_answer: DuplicateAnswer::InvalidSwap,
            lose_answer_on: None,
            lost_answer_delay: std::time::Duration::from_secs(5),
            counter: 0,
        }));
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, state }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut BlueskyState) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.with(|s| s.seen.clone())
    }

    pub fn calls(&self, nsid: &str) -> usize {
        self.with(|s| s.seen.iter().filter(|x| x.nsid == nsid).count())
    }

    /// The requests received for `nsid`, in order.
    pub fn requests(&self, nsid: &str) -> Vec<Seen> {
        self.with(|s| s.seen.iter().filter(|x| x.nsid == nsid).cloned().collect())
    }

    /// Registers a post (as `getPosts` shows it); `reply` is `(root, parent)` uris.
    pub fn add_post(&self, uri: &str, text: &str, reply: Option<(&str, &str)>) {
        self.with(|s| {
            let mut record = json!({"$type": "app.bsky.feed.post", "text": text, "createdAt": "2025-01-15T03:04:00.000Z"});
            if let Some((root, parent)) = reply {
                record["reply"] = json!({"root": {"uri": root, "cid": cid_of(root)}, "parent": {"uri": parent, "cid": cid_of(parent)}});
            }
            s.posts.insert(uri.to_owned(), json!({"uri": uri, "cid": cid_of(uri), "author": {"did": did_of(uri), "handle": "someone.bsky.social"}, "record": record, "indexedAt": "2025-01-15T03:04:01.000Z"}));
        });
    }

    /// Adds a notification; `reply` is `(root, parent)` uris.
    pub fn add_notification(
        &self,
        uri: &str,
        reason: &str,
        text: &str,
        indexed_at: &str,
        reply: Option<(&str, &str)>,
    ) {
        self.add_post(uri, text, reply);
        self.with(|s| {
            let record = s.posts[uri]["record"].clone();
            s.notifications.push(json!({
                "uri": uri, "cid": cid_of(uri),
                "author": {"did": "did:plc:warga", "handle": "warga.bsky.social", "displayName": "Warga"},
                "reason": reason, "reasonSubject": format!("at://{DID}/app.bsky.feed.post/3k4duaz5vfs2b"),
                "record": record, "isRead": false, "indexedAt": indexed_at, "labels": [],
            }));
        });
    }
}

pub fn cid_of(uri: &str) -> String {
    let mut h: u64 = 1469598103934665603;
    for b in uri.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(1099511628211);
    }
    format!("bafyrei{h:016x}")
}

fn did_of(uri: &str) -> String {
    uri.trim_start_matches("at://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn xrpc_error(status: u16, error: &str, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        axum::Json(json!({"error": error, "message": message})),
    )
        .into_response()
}

fn rate_limited(reset_in_secs: i64) -> Response {
    let mut r = xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded");
    let reset = jiff::Timestamp::now().as_second() + reset_in_secs;
    let h = r.headers_mut();
    h.insert("ratelimit-limit", "30".parse().unwrap());
    h.insert("ratelimit-remaining", "0".parse().unwrap());
    h.insert("ratelimit-reset", reset.to_string().parse().unwrap());
    h.insert("ratelimit-policy", "30;w=300".parse().unwrap());
    r
}

async fn handle(
    State(state): State<Arc<Mutex<BlueskyState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let latency = state.lock().unwrap().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (response, lost) = {
        let mut s = state.lock().unwrap();
        let response = respond(&mut s, method, &uri, &headers, &body);
        let nsid = uri.path().strip_prefix("/xrpc/").unwrap_or_default();
        let lost = s
            .lose_answer_on
            .take_if(|n| n == nsid)
            .map(|_| s.lost_answer_delay);
        (response, lost)
    };
    if let Some(delay) = lost {
        tokio::time::sleep(delay).await;
    }
    response
}

fn respond(
    s: &mut BlueskyState,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let json_body: Option<Value> = serde_json::from_slice(body).ok();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(nsid) = uri.path().strip_prefix("/xrpc/").map(str::to_owned) else {
        return xrpc_error(404, "NotFound", "not an xrpc path");
    };
    s.seen.push(Seen {
        method: method.clone(),
        nsid: nsid.clone(),
        query: query.clone(),
        authorization: authorization.clone(),
        content_type: content_type.clone(),
        body: json_body.clone(),
        raw: body.to_vec(),
    });
    let bearer = authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::to_owned);
    match (method.clone(), nsid.as_str()) {
        (Method::POST, "com.atproto.server.createSession") => {
            return create_session(s, json_body);
        }
        (Method::POST, "com.atproto.server.refreshSession") => {
            return refresh_session(s, bearer);
        }
        _ => {}
    }
    match bearer {
        Some(t) if s.access.contains(&t) => {}
        Some(t) if s.expired.contains(&t) => {
            return xrpc_error(400, "ExpiredToken", "Token has expired");
        }
        Some(_) => return xrpc_error(401, "InvalidToken", "Token could not be verified"),
        None => return xrpc_error(401, "AuthenticationRequired", "Authentication Required"),
    }
    let targeted = s.fail_on.remove(&nsid);
    if let Some(failure) = targeted.or_else(|| s.failures.pop_front()) {
        return match failure {
            Failure::Status(code) => {
                xrpc_error(code, "InternalServerError", "Internal Server Error")
            }
            Failure::RateLimited { reset_in_secs } => rate_limited(reset_in_secs),
            Failure::Body(raw) => {
                (StatusCode::OK, [("content-type", "application/json")], raw).into_response()
            }
        };
    }
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    match (method, nsid.as_str()) {
        (Method::GET, "app.bsky.notification.listNotifications") => list(s, &query),
        (Method::GET, "app.bsky.feed.getPosts") => {
            let posts: Vec<Value> = query
                .iter()
                .filter(|(k, _)| k == "uris")
                .filter_map(|(_, u)| s.posts.get(u).cloned())
                .collect();
            axum::Json(json!({"posts": posts})).into_response()
        }
        (Method::GET, "com.atproto.identity.resolveHandle") => {
            match param("handle").and_then(|h| s.handles.get(&h).cloned()) {
                Some(did) => axum::Json(json!({"did": did})).into_response(),
                None => xrpc_error(400, "InvalidRequest", "Unable to resolve handle"),
            }
        }
        (Method::POST, "com.atproto.repo.createRecord") => create_record(s, json_body),
        (Method::POST, "com.atproto.repo.uploadBlob") => {
            upload_blob(s, content_type.as_deref(), body)
        }
        (Method::GET, "com.atproto.repo.getRecord") => {
            let uri = format!(
                "at://{}/{}/{}",
                param("repo").unwrap_or_default(),
                param("collection").unwrap_or_default(),
                param("rkey").unwrap_or_default()
            );
            match s.created.get(&uri) {
                Some(record) => {
                    axum::Json(json!({"uri": uri, "cid": cid_of(&uri), "value": record}))
                        .into_response()
                }
                None => xrpc_error(
                    400,
                    "RecordNotFound",
                    &format!("Could not locate record: {uri}"),
                ),
            }
        }
        (Method::POST, "com.atproto.repo.deleteRecord") => {
            let b = json_body.unwrap_or_default();
            if b["repo"] != DID {
                return xrpc_error(
                    401,
                    "AuthenticationRequired",
                    "Could not find repo for this account",
                );
            }
            let uri = format!(
                "at://{DID}/{}/{}",
                b["collection"].as_str().unwrap_or_default(),
                b["rkey"].as_str().unwrap_or_default()
            );
            s.created.remove(&uri);
            s.posts.remove(&uri);
            s.deleted.push(uri);
            axum::Json(json!({"commit": {"cid": "bafyreicommit", "rev": "3k4"}})).into_response()
        }
        _ => xrpc_error(501, "MethodNotImplemented", "Method Not Implemented"),
    }
}

fn issue(s: &mut BlueskyState) -> Response {
    s.counter += 1;
    let (access, refresh) = (format!("acc-{}", s.counter), format!("ref-{}", s.counter));
    s.access.insert(access.clone());
    s.refresh.insert(refresh.clone());
    axum::Json(json!({"did": DID, "handle": HANDLE, "accessJwt": access, "refreshJwt": refresh, "active": true,
        "didDoc": {"service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "https://pds.example"}]}}))
    .into_response()
}

fn create_session(s: &mut BlueskyState, body: Option<Value>) -> Response {
    s.create_calls += 1;
    if s.create_budget == 0 {
        return rate_limited(300);
    }
    s.create_budget -= 1;
    let b = body.unwrap_or_default();
    if (b["identifier"] != HANDLE && b["identifier"] != DID) || b["password"] != PASSWORD {
        return xrpc_error(
            401,
            "AuthenticationRequired",
            "Invalid identifier or password",
        );
    }
    issue(s)
}

fn refresh_session(s: &mut BlueskyState, bearer: Option<String>) -> Response {
    s.refresh_calls += 1;
    let Some(token) = bearer.filter(|t| s.refresh.contains(t)) else {
        return xrpc_error(400, "ExpiredToken", "Token has expired");
    };
    if s.refresh_broken {
        return xrpc_error(400, "ExpiredToken", "Token has expired");
    }
    s.refresh.remove(&token);
    s.expire_access();
    issue(s)
}

/// Pages newest first; the cursor is the position of the last item returned.
fn list(s: &BlueskyState, query: &[(String, String)]) -> Response {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let reasons: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "reasons")
        .map(|(_, v)| v.as_str())
        .collect();
    let limit: usize = match param("limit").map(|l| l.parse::<usize>()) {
        None => 50,
        Some(Ok(l)) if (1..=100).contains(&l) => l,
        _ => return xrpc_error(400, "InvalidRequest", "limit must be 1-100"),
    };
    let position = |n: &Value| {
        (
            n["indexedAt"].as_str().unwrap_or_default().to_owned(),
            n["uri"].as_str().unwrap_or_default().to_owned(),
        )
    };
    let after: Option<(String, String)> = match param("cursor") {
        None => None,
        Some(c) => match c.split_once('~') {
            Some((a, b)) => Some((a.to_owned(), b.to_owned())),
            None => return xrpc_error(400, "InvalidRequest", "malformed cursor"),
        },
    };
    let mut all: Vec<&Value> = s
        .notifications
        .iter()
        .filter(|n| {
            reasons.is_empty() || reasons.contains(&n["reason"].as_str().unwrap_or_default())
        })
        .filter(|n| after.as_ref().is_none_or(|a| position(n) < *a))
        .collect();
    all.sort_by_key(|n| std::cmp::Reverse(position(n)));
    let page: Vec<&Value> = all.into_iter().take(limit).collect();
    let mut body = json!({"notifications": page, "seenAt": "2025-01-15T02:00:00.000Z"});
    if let Some(last) = page.last() {
        let (a, b) = position(last);
        body["cursor"] = json!(format!("{a}~{b}"));
    }
    axum::Json(body).into_response()
}

fn create_record(s: &mut BlueskyState, body: Option<Value>) -> Response {
    let b = body.unwrap_or_default();
    if b["repo"] != DID {
        return xrpc_error(400, "InvalidRequest", "repo must be the session's DID");
    }
    if b["collection"] != "app.bsky.feed.post" || b["record"]["$type"] != "app.bsky.feed.post" {
        return xrpc_error(
            400,
            "InvalidRequest",
            "collection and $type must be app.bsky.feed.post",
        );
    }
    let record = &b["record"];
    let Some(text) = record["text"].as_str() else {
        return xrpc_error(400, "InvalidRequest", "Record/text must be a string");
    };
    if text.len() > 3000 {
        return xrpc_error(
            400,
            "InvalidRequest",
            "Record/text must not be longer than 3000 characters",
        );
    }
    if record["createdAt"]
        .as_str()
        .and_then(|c| c.parse::<jiff::Timestamp>().ok())
        .is_none()
    {
        return xrpc_error(
            400,
            "InvalidRequest",
            "Record/createdAt must be an RFC 3339 datetime",
        );
    }
    if !record["reply"].is_null() {
        for part in ["root", "parent"] {
            let r = &record["reply"][part];
            let (Some(uri), Some(cid)) = (r["uri"].as_str(), r["cid"].as_str()) else {
                return xrpc_error(
                    400,
                    "InvalidRequest",
                    &format!("Record/reply/{part} must have uri and cid"),
                );
            };
            if cid != cid_of(uri) {
                return xrpc_error(
                    400,
                    "InvalidRequest",
                    &format!("Record/reply/{part}: cid does not match {uri}"),
                );
            }
        }
    }
    for facet in record["facets"].as_array().cloned().unwrap_or_default() {
        if let Err(message) = check_facet(text, &facet, &s.handles) {
            return xrpc_error(400, "InvalidRequest", &message);
        }
    }
    if let Err(message) = check_embed(&record["embed"], &s.blobs) {
        return xrpc_error(400, "InvalidRequest", &message);
    }
    let uri = match b["rkey"].as_str() {
        None => {
            s.counter += 1;
            format!("at://{DID}/app.bsky.feed.post/3lreply{:06}", s.counter)
        }
        Some(rkey) if !is_tid(rkey) => {
            return xrpc_error(
                400,
                "InvalidRequest",
                &format!("Invalid record key for app.bsky.feed.post: {rkey:?} is not a TID"),
            );
        }
        Some(rkey) => format!("at://{DID}/app.bsky.feed.post/{rkey}"),
    };
    if s.created.contains_key(&uri) {
        return match s.duplicate_answer {
            DuplicateAnswer::InvalidSwap => xrpc_error(
                400,
                "InvalidSwap",
                &format!("Record already exists at {uri}"),
            ),
            DuplicateAnswer::ServerError => {
                xrpc_error(500, "InternalServerError", "Internal Server Error")
            }
        };
    }
    s.created.insert(uri.clone(), record.clone());
    s.posts.insert(
        uri.clone(),
        json!({"uri": uri, "cid": cid_of(&uri), "author": {"did": DID, "handle": HANDLE},
            "record": record, "likeCount": 0, "replyCount": 0, "repostCount": 0,
            "quoteCount": 0, "indexedAt": "2025-01-15T03:00:01.000Z"}),
    );
    axum::Json(json!({"uri": uri, "cid": cid_of(&uri), "validationStatus": "valid"}))
        .into_response()
}

/// The facet's byte range must lie on character boundaries and cover exactly what it marks.
fn check_facet(text: &str, facet: &Value, handles: &HashMap<String, String>) -> Result<(), String> {
    let start = facet["index"]["byteStart"]
        .as_u64()
        .ok_or("facet without byteStart")? as usize;
    let end = facet["index"]["byteEnd"]
        .as_u64()
        .ok_or("facet without byteEnd")? as usize;
    let slice = text.get(start..end).filter(|_| start < end).ok_or(format!(
        "facet {start}..{end} is not a UTF-8 range of the text"
    ))?;
    let feature = &facet["features"][0];
    let expected = match feature["$type"].as_str().unwrap_or_default() {
        "app.bsky.richtext.facet#link" => feature["uri"].as_str().unwrap_or_default().to_owned(),
        "app.bsky.richtext.facet#tag" => {
            format!("#{}", feature["tag"].as_str().unwrap_or_default())
        }
        "app.bsky.richtext.facet#mention" => {
            let did = feature["did"].as_str().unwrap_or_default();
            let handle = handles
                .iter()
                .find(|(_, d)| *d == did)
                .map(|(h, _)| h.clone())
                .ok_or(format!("unknown did {did}"))?;
            format!("@{handle}")
        }
        other => return Err(format!("unknown facet feature {other}")),
    };
    if slice == expected {
        Ok(())
    } else {
        Err(format!(
            "facet {start}..{end} covers {slice:?}, not {expected:?}"
        ))
    }
}

/// A TID: 13 characters of the base32-sortable alphabet, the first one of `234567abcdefghij`.
pub fn is_tid(rkey: &str) -> bool {
    const ALPHABET: &str = "234567abcdefghijklmnopqrstuvwxyz";
    rkey.len() == 13
        && rkey.chars().all(|c| ALPHABET.contains(c))
        && rkey
            .chars()
            .next()
            .is_some_and(|c| "234567abcdefghij".contains(c))
}

fn upload_blob(s: &mut BlueskyState, content_type: Option<&str>, body: &Bytes) -> Response {
    let Some(mime) = content_type.filter(|t| !t.is_empty()) else {
        return xrpc_error(400, "InvalidRequest", "uploadBlob needs a Content-Type");
    };
    if body.is_empty() {
        return xrpc_error(400, "InvalidRequest", "empty blob");
    }
    let cid = format!("bafkrei{}", &cid_of(&String::from_utf8_lossy(body))[7..]);
    s.blobs.insert(cid.clone(), (mime.to_owned(), body.len()));
    axum::Json(json!({"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": body.len()}}))
        .into_response()
}

/// An embed's blobs must have been uploaded, images need `alt`, aspect ratios are positive.
fn check_embed(embed: &Value, blobs: &BTreeMap<String, (String, usize)>) -> Result<(), String> {
    let known = |blob: &Value, prefix: &str| -> Result<(), String> {
        let cid = blob["ref"]["$link"]
            .as_str()
            .ok_or("blob without ref.$link")?;
        let (mime, size) = blobs
            .get(cid)
            .ok_or(format!("blob {cid} was not uploaded"))?;
        if blob["mimeType"] != mime.as_str() || blob["size"] != *size {
            return Err(format!(
                "blob {cid}: mimeType or size differ from the upload"
            ));
        }
        if !mime.starts_with(prefix) {
            return Err(format!("blob {cid} is {mime}, not {prefix}"));
        }
        Ok(())
    };
    let ratio = |item: &Value| -> Result<(), String> {
        let r = &item["aspectRatio"];
        if r.is_null() || (r["width"].as_u64() > Some(0) && r["height"].as_u64() > Some(0)) {
            Ok(())
        } else {
            Err(format!(
                "aspectRatio {r} must have positive width and height"
            ))
        }
    };
    match embed["$type"].as_str() {
        None if embed.is_null() => Ok(()),
        Some("app.bsky.embed.images") => {
            let images = embed["images"]
                .as_array()
                .ok_or("images must be an array")?;
            if images.is_empty() || images.len() > 4 {
                return Err(format!("{} images; 1 to 4 allowed", images.len()));
            }
            for image in images {
                if !image["alt"].is_string() {
                    return Err("Record/embed/images/alt must be a string".to_owned());
                }
                known(&image["image"], "image/")?;
                ratio(image)?;
            }
            Ok(())
        }
        Some("app.bsky.embed.video") => {
            known(&embed["video"], "video/mp4")?;
            ratio(embed)
        }
        other => Err(format!("unexpected embed {other:?}")),
    }
}
