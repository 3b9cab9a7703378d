//! A message row edited behind Humas's back (a value that does not parse) is reported as
//! `StoreError::Corrupt` by every read that meets it, never a panic.

#![allow(
    clippy::unwrap_used,
    reason = "fixture setup: a failure should stop the test at that line"
)]

use humas_domain::Platform;
use humas_store::conformance_inbox::{at_minute, test_message, world};
use humas_store::{MessageQuery, Store, StoreError};
use humas_store_sqlite::SqliteStore;

#[tokio::test]
async fn unparsable_message_columns_are_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("humas.db");
    let store = SqliteStore::connect(path.to_str().unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    let w = world(&store).await;

    // One message per broken column, each edited with raw SQL after a clean ingest.
    let cases = [
        ("status", "'bogus'"),
        ("sentiment", "'angry'"),
        ("hate_categories", "999"),
        ("published_us", "9223372036854775807"),
        ("external_id", "char(10)"),
        ("fingerprint", "'not a number'"),
        ("id", "x'0102'"),
    ];
    let messages: Vec<_> = (0..cases.len())
        .map(|i| {
            test_message(
                &w.acc_a,
                &format!("c{i}"),
                at_minute(i64::try_from(i).unwrap()),
            )
        })
        .collect();
    store.ingest_messages(&w.by, &messages, None).await.unwrap();
    let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    for (i, (column, value)) in cases.iter().enumerate() {
        sqlx::query(&format!(
            "UPDATE messages SET {column} = {value} WHERE external_id = 'c{i}'"
        ))
        .execute(&raw)
        .await
        .unwrap();
    }
    raw.close().await;

    for (m, (column, _)) in messages.iter().zip(cases) {
        if column == "id" || column == "external_id" {
            continue;
        }
        let err = store.get_message(m.id).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{column}: {err:?}");
    }
    let err = store
        .message_by_external_id(Platform::X, "c0")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    // Rows whose key columns broke are met by pages: one page holding only that row each.
    for (i, (column, _)) in cases.iter().enumerate() {
        let minute = i64::try_from(i).unwrap();
        let only_this = MessageQuery {
            published_from: Some(at_minute(minute)),
            published_to: Some(at_minute(minute + 1)),
            ..MessageQuery::default()
        };
        if *column == "published_us" {
            continue;
        }
        let err = store.list_messages(&only_this).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{column}: {err:?}");
    }
    store.close().await;
}
