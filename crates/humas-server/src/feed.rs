//! `humas feed fetch URL`: fetch one RSS/Atom feed, analyse every item, print NDJSON.
//!
//! Standard output gets one JSON object per item: the item fields of [`humas_feeds::Item`]
//! plus `analysis`, the text analysis of title and summary. Standard error gets a summary
//! (`N items …` or `0 items, not modified`) and the validators (`etag: …`,
//! `last-modified: …`) to pass back with `--etag`/`--last-modified` on the next poll.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use humas_feeds::{FetchOptions, FetchOutcome, Fetcher, Validators, parse_feed};
use humas_nlp_id::analysis::{Analyzer, Options};
use serde_json::Value;

/// What `humas feed fetch` was asked to do.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    /// The feed address.
    pub url: String,
    /// Allow internal addresses (intranet feeds); off by default against SSRF.
    pub allow_private: bool,
    /// Validators from the previous fetch.
    pub previous: Validators,
}

/// The text analysed for an item: title and summary, one paragraph each.
fn analysed_text(item: &humas_feeds::Item) -> String {
    [item.title.as_deref(), item.summary_text.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes the validators a caller should send next time, one per line, to standard error.
fn report_validators(validators: &Validators) {
    if let Some(etag) = &validators.etag {
        eprintln!("etag: {etag}");
    }
    if let Some(date) = &validators.last_modified {
        eprintln!("last-modified: {date}");
    }
}

/// `humas feed fetch`: runs the fetch on a small runtime of its own.
pub fn run_fetch(request: &FetchRequest) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let fetcher = Fetcher::new(FetchOptions {
        allow_private: request.allow_private,
        ..FetchOptions::default()
    })?;
    let outcome = runtime
        .block_on(fetcher.fetch(&request.url, &request.previous))
        .with_context(|| format!("fetching {}", request.url))?;
    let fetched = match outcome {
        FetchOutcome::NotModified(validators) => {
            eprintln!("0 items, not modified");
            report_validators(&validators);
            return Ok(ExitCode::SUCCESS);
        }
        FetchOutcome::Fetched(fetched) => fetched,
    };
    let feed = parse_feed(&fetched.body, fetched.content_type.as_deref())
        .with_context(|| format!("reading the feed at {}", fetched.final_url))?;
    let mut analyzer = Analyzer::new(Options::default());
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    for item in &feed.items {
        let mut record = serde_json::to_value(item)?;
        if let Value::Object(fields) = &mut record {
            let analysis = serde_json::to_value(analyzer.analyze(&analysed_text(item)))?;
            fields.insert("analysis".into(), analysis);
        }
        serde_json::to_writer(&mut stdout, &record)?;
        stdout.write_all(b"\n")?;
    }
    stdout.flush()?;
    eprintln!(
        "{} items from {} ({:?}, {})",
        feed.items.len(),
        fetched.final_url,
        feed.kind,
        feed.encoding
    );
    report_validators(&fetched.validators);
    Ok(ExitCode::SUCCESS)
}
