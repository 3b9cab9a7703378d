//! The generic signed webhook: signature and replay checks, and item parsing.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use humas_connectors::signed::{self, MAX_BODY_BYTES, SignedError};
use humas_domain::inbox::MessageKind;
use humas_domain::org::Platform;
use jiff::Timestamp;

const SECRET: &[u8] = b"test-humas-secret";
const TS: i64 = 1_735_689_600;

fn now() -> Timestamp {
    Timestamp::from_second(TS + 10).unwrap()
}

#[test]
fn the_signature_matches_an_independent_computation() {
    // Computed with Python's hmac module over b'1735689600.{"messages":[]}'.
    assert_eq!(
        signed::sign(SECRET, TS, br#"{"messages":[]}"#),
        "sha256=cc31188e3ca6a3058d6fb484045b43173d9c4d9abf5d931d715171e481998795"
    );
}

#[test]
fn a_correct_signature_is_accepted_in_either_hex_case() {
    let body = br#"{"messages":[]}"#;
    let sig = signed::sign(SECRET, TS, body);
    let ts = TS.to_string();
    assert_eq!(
        signed::verify(SECRET, Some(&ts), Some(&sig), body, now()),
        Ok(())
    );
    let upper = format!("sha256={}", sig["sha256=".len()..].to_uppercase());
    assert_eq!(
        signed::verify(SECRET, Some(&ts), Some(&upper), body, now()),
        Ok(())
    );
}

#[test]
fn tampering_with_body_timestamp_or_secret_is_refused() {
    let body = br#"{"messages":[]}"#;
    let sig = signed::sign(SECRET, TS, body);
    let ts = TS.to_string();
    let other_ts = (TS + 1).to_string();
    assert_eq!(
        signed::verify(SECRET, Some(&ts), Some(&sig), br#"{"messages":[ ]}"#, now()),
        Err(SignedError::Mismatch)
    );
    assert_eq!(
        signed::verify(SECRET, Some(&other_ts), Some(&sig), body, now()),
        Err(SignedError::Mismatch)
    );
    assert_eq!(
        signed::verify(b"another", Some(&ts), Some(&sig), body, now()),
        Err(SignedError::Mismatch)
    );
}

#[test]
fn missing_and_malformed_headers_are_named() {
    let body = b"{}";
    let ts = TS.to_string();
    let sig = signed::sign(SECRET, TS, body);
    assert_eq!(
        signed::verify(SECRET, None, Some(&sig), body, now()),
        Err(SignedError::MissingTimestamp)
    );
    assert_eq!(
        signed::verify(SECRET, Some("yesterday"), Some(&sig), body, now()),
        Err(SignedError::BadTimestamp)
    );
    assert_eq!(
        signed::verify(SECRET, Some(&ts), None, body, now()),
        Err(SignedError::MissingSignature)
    );
    for bad in [
        "",
        "sha256=",
        "sha1=abcd",
        "sha256=zz",
        &sig[7..],
        &format!("{sig}00"),
    ] {
        assert_eq!(
            signed::verify(SECRET, Some(&ts), Some(bad), body, now()),
            Err(SignedError::BadSignatureFormat),
            "{bad:?}"
        );
    }
}

#[test]
fn timestamps_outside_five_minutes_are_refused_both_ways() {
    let body = b"{}";
    let sig = signed::sign(SECRET, TS, body);
    let ts = TS.to_string();
    let at = |s: i64| Timestamp::from_second(s).unwrap();
    assert_eq!(
        signed::verify(SECRET, Some(&ts), Some(&sig), body, at(TS + 300)),
        Ok(())
    );
    assert_eq!(
        signed::verify(SECRET, Some(&ts), Some(&sig), body, at(TS - 300)),
        Ok(())
    );
    assert_eq!(
        signed::verify(SECRET, Some(&ts), Some(&sig), body, at(TS + 301)),
        Err(SignedError::Stale(301))
    );
    assert_eq!(
        signed::verify(SECRET, Some(&ts), Some(&sig), body, at(TS - 301)),
        Err(SignedError::Stale(-301))
    );
    // An absurd timestamp does not overflow.
    let huge = i64::MIN.to_string();
    assert!(matches!(
        signed::verify(SECRET, Some(&huge), Some(&sig), body, at(TS)),
        Err(SignedError::Stale(_))
    ));
}

#[test]
fn bodies_over_five_mebibytes_are_refused() {
    let body = vec![b' '; MAX_BODY_BYTES + 1];
    let sig = signed::sign(SECRET, TS, &body);
    let ts = TS.to_string();
    assert_eq!(
        signed::verify(SECRET, Some(&ts), Some(&sig), &body, now()),
        Err(SignedError::TooLarge)
    );
    assert_eq!(
        signed::parse(&body, Platform::Telegram, now()),
        Err(SignedError::TooLarge)
    );
}

#[test]
fn valid_items_are_kept_beside_invalid_ones() {
    let body = br#"{"messages":[
      {"id":"lapor-1","author":"@warga_sby","author_name":"Warga Surabaya","text":"Lampu jalan mati",
       "published_at":"2026-11-28T10:00:00+07:00","permalink":"https://example.go.id/l/1","kind":"direct",
       "extra":"ignored"},
      {"id":"lapor-2","author":"@a","text":"  ","published_at":"2026-11-28T03:00:00Z"},
      {"id":"lapor-3","author":"@a","text":"x","published_at":"28/11/2026"},
      {"author":"@a","text":"no id","published_at":"2026-11-28T03:00:00Z"},
      {"id":"lapor-5","text":"no author","published_at":"2026-11-28T03:00:00Z"},
      {"id":9007199254740993,"author":"@b","text":"balasan","published_at":"2026-11-28T03:00:00Z",
       "parent_id":"lapor-1","thread_id":"lapor-1"},
      {"id":"lapor-7","author":"@c","text":"x","published_at":"2026-11-28T03:00:00Z","kind":"rumour"},
      {"id":"lapor-8","author":"@c","text":"x","published_at":"2026-11-28T03:00:00Z","parent_id":""},
      "not an object"
    ]}"#;
    let received: Timestamp = "2026-11-28T12:00:00Z".parse().unwrap();
    let (messages, rejected) = signed::parse(body, Platform::Telegram, received).unwrap();
    let ids: Vec<&str> = messages.iter().map(|m| m.external_id.as_ref()).collect();
    assert_eq!(ids, ["lapor-1", "9007199254740993", "lapor-8"]);

    let first = &messages[0];
    assert_eq!(first.platform, Platform::Telegram);
    assert_eq!(first.kind, MessageKind::Direct);
    assert_eq!(first.author.handle, "@warga_sby");
    assert_eq!(first.author.display_name.as_deref(), Some("Warga Surabaya"));
    assert_eq!(first.text, "Lampu jalan mati");
    assert_eq!(
        first.permalink.as_deref(),
        Some("https://example.go.id/l/1")
    );
    assert_eq!(first.published_at, "2026-11-28T03:00:00Z".parse().unwrap());

    let reply = &messages[1];
    assert_eq!(
        reply.kind,
        MessageKind::Reply,
        "a parent without kind makes a reply"
    );
    assert_eq!(
        reply.parent_external_id.as_ref().unwrap().as_ref(),
        "lapor-1"
    );
    assert_eq!(
        reply.thread_external_id.as_ref().unwrap().as_ref(),
        "lapor-1"
    );
    assert_eq!(messages[2].kind, MessageKind::Mention);
    assert_eq!(messages[2].parent_external_id, None);

    let reasons: Vec<(Option<&str>, &str)> = rejected
        .iter()
        .map(|r| (r.external_id.as_deref(), r.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 6, "{reasons:?}");
    assert_eq!(reasons[0].0, Some("lapor-2"));
    assert!(
        reasons[0].1.contains("empty") || reasons[0].1.contains("text"),
        "{}",
        reasons[0].1
    );
    assert_eq!(reasons[1].0, Some("lapor-3"));
    assert!(reasons[1].1.contains("RFC 3339"), "{}", reasons[1].1);
    assert_eq!(reasons[2].0, None);
    assert!(reasons[2].1.starts_with("id"), "{}", reasons[2].1);
    assert_eq!(reasons[3].0, Some("lapor-5"));
    assert!(reasons[3].1.starts_with("author"), "{}", reasons[3].1);
    assert_eq!(reasons[4].0, Some("lapor-7"));
    assert!(reasons[4].1.contains("kind"), "{}", reasons[4].1);
    assert_eq!(reasons[5].0, None);
    assert!(reasons[5].1.contains("object"), "{}", reasons[5].1);
}

#[test]
fn a_future_publication_time_is_clamped_to_receipt() {
    let body = br#"{"messages":[{"id":"1","author":"@a","text":"x","published_at":"2030-01-01T00:00:00Z"}]}"#;
    let (messages, _) = signed::parse(body, Platform::X, now()).unwrap();
    assert_eq!(messages[0].published_at, now());
}

#[test]
fn a_body_without_a_messages_array_is_malformed() {
    for body in [&b"[]"[..], b"{}", b"{\"messages\":{}}", b"not json", b""] {
        assert!(
            matches!(
                signed::parse(body, Platform::X, now()),
                Err(SignedError::Malformed(_))
            ),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
}
