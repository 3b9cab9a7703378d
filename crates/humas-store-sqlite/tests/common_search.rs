//! Search for a term common enough (over 5,000 matches) that the page is found by walking the
//! newest-first index and testing each row's own terms instead of the FTS5 match list: the
//! answers must be exactly those of the rare-term path — whole tokens only, every term.

#![allow(
    clippy::unwrap_used,
    reason = "fixture setup: a failure should stop the test at that line"
)]

use humas_store::conformance_inbox::{at_minute, test_message, world};
use humas_store::{MessageQuery, Store};
use humas_store_sqlite::SqliteStore;

#[tokio::test]
async fn a_common_term_matches_whole_tokens_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::connect(dir.path().join("humas.db").to_str().unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let w = world(&store).await;
    let n = 9_000;
    let terms = |i: usize| match i % 3 {
        // Two of three contain the common token; the third only a longer word that starts
        // with it, which must not match.
        0 | 1 if i.is_multiple_of(10) => "jalan rusak berlubang".to_owned(),
        0 | 1 => "jalan rusak".to_owned(),
        _ => "jalanan rusak".to_owned(),
    };
    let mut all = Vec::with_capacity(n);
    for i in 0..n {
        let mut m = test_message(&w.acc_a, &format!("c{i}"), at_minute(i as i64));
        m.analysis.search_terms = terms(i);
        all.push(m);
    }
    for chunk in all.chunks(1_000) {
        store.ingest_messages(&w.by, chunk, None).await.unwrap();
    }
    let expect = |want: &dyn Fn(usize) -> bool| -> Vec<String> {
        (0..n)
            .rev()
            .filter(|i| want(*i))
            .map(|i| format!("c{i}"))
            .collect()
    };
    // Walk every page of common terms (6,000 and 9,000 matches: the row-testing path) and of
    // the common term with a rarer one (the FTS5 path).
    for (query, want) in [
        (vec!["jalan"], expect(&|i| i % 3 != 2)),
        (
            vec!["jalan", "berlubang"],
            expect(&|i| i % 3 != 2 && i % 10 == 0),
        ),
        (vec!["rusak"], expect(&|_| true)),
    ] {
        let mut got = Vec::new();
        let mut before = None;
        loop {
            let page = store
                .list_messages(&MessageQuery {
                    terms: query.iter().map(|t| (*t).to_owned()).collect(),
                    before,
                    limit: 200,
                    ..MessageQuery::default()
                })
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            before = Some((last.inbound.published_at, last.id));
            got.extend(page.iter().map(|m| m.inbound.external_id.to_string()));
        }
        assert_eq!(got.len(), want.len(), "{query:?}");
        assert_eq!(got, want, "{query:?}");
    }
}
