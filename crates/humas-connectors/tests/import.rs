//! Bulk import: NDJSON and CSV streamed line by line, errors per line.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::{BufReader, Cursor, Read};

use humas_connectors::import::{self, HeaderError, LineError, MAX_LINE_BYTES};
use humas_domain::inbox::{Inbound, MessageKind};
use humas_domain::org::Platform;
use jiff::Timestamp;
use proptest::prelude::*;

fn now() -> Timestamp {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

fn ndjson(input: &[u8]) -> Vec<Result<Inbound, LineError>> {
    import::ndjson(Cursor::new(input.to_vec()), Platform::Facebook, now()).collect()
}

fn csv(input: &[u8]) -> Vec<Result<Inbound, LineError>> {
    import::csv(Cursor::new(input.to_vec()), Platform::Facebook, now())
        .unwrap()
        .collect()
}

fn line_of(r: &Result<Inbound, LineError>) -> u64 {
    r.as_ref().unwrap_err().line
}

#[test]
fn ndjson_keeps_good_lines_and_reports_bad_ones_by_line() {
    let input = "\u{feff}{\"id\":\"a1\",\"author\":\"@warga\",\"text\":\"Jalan rusak\",\"published_at\":\"2026-11-28 09:30\"}\n\
        \n\
        {\"id\":\"a2\",\"author\":\"@warga\",\"text\":\"\",\"published_at\":\"2026-11-28T01:00:00Z\"}\n\
        {broken json\n\
        {\"id\":\"a4\",\"author\":\"@warga\",\"text\":\"x\",\"published_at\":\"kemarin\"}\r\n\
        {\"id\":\"a5\",\"text\":\"x\",\"published_at\":\"2026-11-28T01:00:00Z\"}\n\
        {\"id\":\"a6\",\"author\":\"@b\",\"text\":\"Balasan\",\"published_at\":\"2026-11-28 09:30:15\",\"parent_id\":\"a1\",\"kind\":\"comment\"}";
    let out = ndjson(input.as_bytes());
    assert_eq!(out.len(), 6);

    let first = out[0].as_ref().unwrap();
    assert_eq!(first.external_id.as_ref(), "a1");
    assert_eq!(first.text, "Jalan rusak");
    assert_eq!(first.kind, MessageKind::Mention);
    // 09:30 WIB is 02:30 UTC.
    assert_eq!(first.published_at, "2026-11-28T02:30:00Z".parse().unwrap());

    assert_eq!(line_of(&out[1]), 3);
    assert!(
        out[1].as_ref().unwrap_err().reason.contains("empty")
            || out[1].as_ref().unwrap_err().reason.contains("text")
    );
    assert_eq!(line_of(&out[2]), 4);
    assert!(out[2].as_ref().unwrap_err().reason.contains("invalid JSON"));
    assert_eq!(line_of(&out[3]), 5);
    assert!(out[3].as_ref().unwrap_err().reason.contains("WIB"));
    assert_eq!(line_of(&out[4]), 6);
    assert!(out[4].as_ref().unwrap_err().reason.starts_with("author"));

    let last = out[5].as_ref().unwrap();
    assert_eq!(last.kind, MessageKind::Comment, "an explicit kind wins");
    assert_eq!(last.parent_external_id.as_ref().unwrap().as_ref(), "a1");
    assert_eq!(last.published_at, "2026-11-28T02:30:15Z".parse().unwrap());
}

#[test]
fn an_over_long_ndjson_line_is_skipped_and_reading_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"id\":\"big\",\"author\":\"@a\",\"text\":\"");
    input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES));
    input.extend_from_slice(b"\",\"published_at\":\"2026-11-28T01:00:00Z\"}\n");
    input.extend_from_slice(
        b"{\"id\":\"small\",\"author\":\"@a\",\"text\":\"ok\",\"published_at\":\"2026-11-28T01:00:00Z\"}\n",
    );
    // A tiny buffer forces the capped reader through many partial reads.
    let reader = BufReader::with_capacity(7, Cursor::new(input));
    let out: Vec<_> = import::ndjson(reader, Platform::X, now()).collect();
    assert_eq!(out.len(), 2);
    assert_eq!(line_of(&out[0]), 1);
    assert!(out[0].as_ref().unwrap_err().reason.contains("longer than"));
    assert_eq!(out[1].as_ref().unwrap().external_id.as_ref(), "small");
}

#[test]
fn a_read_error_is_reported_once_and_ends_the_import() {
    struct Failing(usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let line = b"{\"id\":\"1\",\"author\":\"@a\",\"text\":\"ok\",\"published_at\":\"2026-11-28T01:00:00Z\"}\n";
            if self.0 == 0 {
                self.0 = 1;
                buf[..line.len()].copy_from_slice(line);
                Ok(line.len())
            } else {
                Err(std::io::Error::other("disk gone"))
            }
        }
    }
    let out: Vec<_> = import::ndjson(BufReader::new(Failing(0)), Platform::X, now()).collect();
    assert_eq!(out.len(), 2);
    assert!(out[0].is_ok());
    let err = out[1].as_ref().unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.reason.contains("disk gone"));
}

#[test]
fn csv_reads_columns_in_any_order_with_quotes_and_newlines() {
    let input = "\u{feff}Text,published_at,kind,id,author,author_name,permalink\r\n\
        \"Banjir di \"\"Sidoarjo\"\",\nmohon bantuan\",2026-11-28 07:00,direct,c1,@warga,Warga Sidoarjo,\r\n\
        Lampu mati,2026-11-28T00:00:00Z,,c2,@b,,https://example.go.id/c2\n";
    let out = csv(input.as_bytes());
    assert_eq!(out.len(), 2);
    let first = out[0].as_ref().unwrap();
    assert_eq!(first.external_id.as_ref(), "c1");
    assert_eq!(first.text, "Banjir di \"Sidoarjo\",\nmohon bantuan");
    assert_eq!(first.kind, MessageKind::Direct);
    assert_eq!(first.author.display_name.as_deref(), Some("Warga Sidoarjo"));
    assert_eq!(first.permalink, None, "an empty cell is no value");
    assert_eq!(first.published_at, "2026-11-28T00:00:00Z".parse().unwrap());
    let second = out[1].as_ref().unwrap();
    assert_eq!(second.external_id.as_ref(), "c2");
    assert_eq!(second.kind, MessageKind::Mention);
    assert_eq!(second.author.display_name, None);
    assert_eq!(
        second.permalink.as_deref(),
        Some("https://example.go.id/c2")
    );
}

#[test]
fn csv_row_errors_carry_the_line_where_the_record_starts() {
    let input = b"id,author,text,published_at\n\
        r1,@a,\"multi\nline\",2026-11-28T00:00:00Z\n\
        r2,@a,,2026-11-28T00:00:00Z\n\
        r3,@a,too,many,cells\n\
        r4,,x,2026-11-28T00:00:00Z\n\
        r5,@a,bad \xff utf8,2026-11-28T00:00:00Z\n\
        r6,@a,x,31-12-2026\n\
        r7,@a,fine,2026-11-28T00:00:00Z\n";
    let out = csv(input);
    assert_eq!(out.len(), 7);
    assert_eq!(out[0].as_ref().unwrap().text, "multi\nline");
    let errors: Vec<(u64, &str)> = out[1..6]
        .iter()
        .map(|r| {
            let e = r.as_ref().unwrap_err();
            (e.line, e.reason.as_str())
        })
        .collect();
    assert_eq!(
        errors.iter().map(|e| e.0).collect::<Vec<_>>(),
        [4, 5, 6, 7, 8]
    );
    assert!(errors[1].1.contains("5 cells"), "{}", errors[1].1);
    assert!(errors[2].1.starts_with("author"), "{}", errors[2].1);
    assert!(errors[3].1.contains("UTF-8"), "{}", errors[3].1);
    assert!(errors[4].1.contains("published_at"), "{}", errors[4].1);
    assert_eq!(out[6].as_ref().unwrap().external_id.as_ref(), "r7");
}

#[test]
fn csv_header_problems_name_the_columns() {
    let err = |input: &str| {
        import::csv(Cursor::new(input.as_bytes().to_vec()), Platform::X, now())
            .err()
            .unwrap()
    };
    assert_eq!(err(""), HeaderError::Empty);
    assert_eq!(
        err("id,author,text,published_at,likes,sentimen\n"),
        HeaderError::Unknown("\"likes\", \"sentimen\"".into())
    );
    assert_eq!(
        err("id,text\n"),
        HeaderError::Missing("author, published_at".into())
    );
    assert_eq!(
        err("id,author,text,published_at,id\n"),
        HeaderError::Duplicate("id".into())
    );
    let ok = import::csv(
        Cursor::new(b"published_at,text,author,id,thread_id\n".to_vec()),
        Platform::X,
        now(),
    )
    .unwrap();
    assert_eq!(
        ok.columns(),
        ["published_at", "text", "author", "id", "thread_id"]
    );
    assert_eq!(ok.count(), 0);
}

#[test]
fn an_over_long_csv_record_is_skipped_and_the_next_one_read() {
    let mut input = b"id,author,text,published_at\n".to_vec();
    input.extend_from_slice(b"big,@a,");
    input.extend(std::iter::repeat_n(b'y', MAX_LINE_BYTES + 10));
    input.extend_from_slice(b",2026-11-28T00:00:00Z\nsmall,@a,ok,2026-11-28T00:00:00Z\n");
    let out = csv(&input);
    assert_eq!(out.len(), 2);
    assert_eq!(line_of(&out[0]), 2);
    assert!(out[0].as_ref().unwrap_err().reason.contains("longer than"));
    assert_eq!(out[1].as_ref().unwrap().external_id.as_ref(), "small");
}

/// A generated NDJSON file: the whole file never exists in memory.
struct Lines {
    next: u64,
    total: u64,
    pending: Vec<u8>,
}

impl Read for Lines {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() && self.next < self.total {
            self.pending = format!(
                "{{\"id\":\"m{}\",\"author\":\"@w{}\",\"text\":\"pesan nomor {} tentang jalan rusak di Sidoarjo\",\"published_at\":\"2026-11-28 08:00\"}}\n",
                self.next, self.next % 97, self.next
            )
            .into_bytes();
            self.next += 1;
        }
        let n = self.pending.len().min(buf.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

/// Throughput measurement, run by hand:
/// `cargo test --release -p humas-connectors --test import -- --ignored --nocapture`.
#[test]
#[ignore = "measurement"]
fn throughput_of_a_million_ndjson_lines() {
    let reader = BufReader::with_capacity(
        64 * 1024,
        Lines {
            next: 0,
            total: 1_000_000,
            pending: Vec::new(),
        },
    );
    let started = std::time::Instant::now();
    let ok = import::ndjson(reader, Platform::X, now())
        .filter(Result::is_ok)
        .count();
    let elapsed = started.elapsed();
    assert_eq!(ok, 1_000_000);
    println!(
        "NDJSON: {ok} lines in {elapsed:?} ({:.0} lines/s)",
        ok as f64 / elapsed.as_secs_f64()
    );

    let mut csv_text = b"id,author,text,published_at\n".to_vec();
    for i in 0..200_000 {
        csv_text.extend_from_slice(
            format!(
                "m{i},@w{},\"pesan {i}, jalan rusak\",2026-11-28 08:00\n",
                i % 97
            )
            .as_bytes(),
        );
    }
    let started = std::time::Instant::now();
    let ok = import::csv(Cursor::new(csv_text), Platform::X, now())
        .unwrap()
        .filter(Result::is_ok)
        .count();
    let elapsed = started.elapsed();
    assert_eq!(ok, 200_000);
    println!(
        "CSV: {ok} rows in {elapsed:?} ({:.0} rows/s)",
        ok as f64 / elapsed.as_secs_f64()
    );
}

#[test]
fn a_hundred_thousand_lines_stream_through() {
    let reader = BufReader::new(Lines {
        next: 0,
        total: 100_000,
        pending: Vec::new(),
    });
    let mut ok = 0_u64;
    let mut last = String::new();
    for item in import::ndjson(reader, Platform::X, now()) {
        last = item.unwrap().external_id.to_string();
        ok += 1;
    }
    assert_eq!(ok, 100_000);
    assert_eq!(last, "m99999");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn ndjson_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        for item in import::ndjson(Cursor::new(bytes), Platform::X, now()) {
            if let Err(e) = item {
                prop_assert!(e.line >= 1 && e.line <= lines);
            }
        }
    }

    #[test]
    fn csv_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut input = b"id,author,text,published_at,kind\n".to_vec();
        input.extend_from_slice(&bytes);
        for item in import::csv(Cursor::new(input), Platform::X, now()).unwrap() {
            let _ = item;
        }
        let _ = import::csv(Cursor::new(bytes), Platform::X, now()).map(Iterator::count);
    }

    #[test]
    fn csv_rows_made_of_cells_round_trip(
        text in "[a-zA-Z0-9 ,\"\n]{1,40}",
        id in "[a-z0-9]{1,12}",
    ) {
        prop_assume!(!text.trim().is_empty());
        let quoted = format!("\"{}\"", text.replace('"', "\"\""));
        let input = format!("id,author,text,published_at\n{id},@a,{quoted},2026-11-28T00:00:00Z\n");
        let out: Vec<_> = import::csv(Cursor::new(input.into_bytes()), Platform::X, now()).unwrap().collect();
        prop_assert_eq!(out.len(), 1);
        let m = out[0].as_ref().unwrap();
        prop_assert_eq!(m.external_id.as_ref(), id.as_str());
        prop_assert_eq!(&m.text, &text);
    }
}

#[test]
fn csv_quoting_mistakes_are_line_errors() {
    let input = b"id,author,text,published_at\n\
        q1,@a,\"closed\"then text,2026-11-28T00:00:00Z\n\
        q2,@a,say \"\"hi\"\",2026-11-28T00:00:00Z\n\
        q3,@a,\"\",2026-11-28T00:00:00Z\n\
        q4,@a,\"a,b\",2026-11-28T00:00:00Z\n";
    let out = csv(input);
    assert_eq!(out.len(), 4);
    let e = out[0].as_ref().unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.reason.contains("closing quote"), "{}", e.reason);
    // Quotes inside an unquoted cell are kept as they are.
    assert_eq!(out[1].as_ref().unwrap().text, "say \"\"hi\"\"");
    // An empty quoted text is still an empty text.
    assert_eq!(line_of(&out[2]), 4);
    assert_eq!(out[3].as_ref().unwrap().text, "a,b");
}
