//! `humas text …`: the text-analysis engine on the command line.
//!
//! `humas text analyze` reads one message per line from standard input — plain text, or NDJSON
//! objects `{"id": …, "text": "…"}` — and writes one JSON object per line: `{"id", "analysis"}`,
//! or `{"line", "id", "error"}` for a line it cannot read. A bad line never stops the run.

use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use humas_nlp_id::classify::Classifiers;
use humas_nlp_id::classify::model::LinearModel;

use humas_nlp_id::analysis::{Analyzer, Options};
use serde_json::{Value, json};

/// How a run went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Lines analysed.
    pub analysed: u64,
    /// Lines refused with an error record.
    pub refused: u64,
}

/// One input line, read as a message or refused with a reason.
fn read_message(line_no: u64, bytes: &[u8]) -> Result<(Value, String), (Value, String)> {
    let line_id = json!(line_no);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        (
            line_id.clone(),
            format!(
                "line {line_no} is not valid UTF-8 (at byte {}); send UTF-8 text",
                e.valid_up_to()
            ),
        )
    })?;
    if !text.trim_start().starts_with('{') {
        return Ok((line_id, text.to_owned()));
    }
    let object: Value = serde_json::from_str(text).map_err(|e| {
        (
            line_id.clone(),
            format!("line {line_no} looks like JSON but is not: {e}"),
        )
    })?;
    let id = object.get("id").cloned().unwrap_or(line_id);
    match object.get("text") {
        Some(Value::String(t)) => Ok((id, t.clone())),
        Some(_) => Err((id, format!("line {line_no}: \"text\" must be a string"))),
        None => Err((
            id,
            format!(
                "line {line_no}: a JSON line needs a \"text\" field, e.g. {{\"id\": 1, \"text\": \"...\"}}"
            ),
        )),
    }
}

/// Longest line read; a longer one is refused without holding it all in memory.
const MAX_LINE: u64 = 4 * 1024 * 1024;

fn skip_rest_of_line(input: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(());
        }
        if let Some(i) = available.iter().position(|&b| b == b'\n') {
            input.consume(i + 1);
            return Ok(());
        }
        let n = available.len();
        input.consume(n);
    }
}

/// Analyses every line of `input` and writes NDJSON to `output`.
pub fn analyze_lines(
    input: impl BufRead,
    mut output: impl Write,
    options: Options,
) -> std::io::Result<Counts> {
    let mut counts = Counts::default();
    let mut analyzer = Analyzer::new(options);
    let mut input = input;
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if std::io::Read::take(input.by_ref(), MAX_LINE + 1).read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        if buf.len() as u64 > MAX_LINE && buf.last() != Some(&b'\n') {
            skip_rest_of_line(&mut input)?;
            counts.refused += 1;
            let error = format!(
                "line {line_no} is longer than {} MiB; split the message or send it as a file",
                MAX_LINE >> 20
            );
            serde_json::to_writer(&mut output, &json!({ "line": line_no, "error": error }))?;
            output.write_all(b"\n")?;
            continue;
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = match read_message(line_no, &buf) {
            Ok((id, text)) => {
                counts.analysed += 1;
                json!({ "id": id, "analysis": analyzer.analyze(&text) })
            }
            Err((id, error)) => {
                counts.refused += 1;
                json!({ "line": line_no, "id": id, "error": error })
            }
        };
        serde_json::to_writer(&mut output, &record)?;
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(counts)
}

/// `humas text analyze`: standard input to standard output; a summary on standard error.
pub fn run_analyze(with_tokens: bool) -> anyhow::Result<std::process::ExitCode> {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let counts = analyze_lines(stdin, stdout, Options { with_tokens })?;
    eprintln!(
        "analysed {} lines, refused {}",
        counts.analysed, counts.refused
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// `humas text train`: trains every classifier from `data` and writes the model files to `out`.
pub fn run_train(data: &Path, out: &Path, seed: u64) -> anyhow::Result<std::process::ExitCode> {
    let started = Instant::now();
    let trained = humas_nlp_train::report::train_all(data, seed)
        .with_context(|| format!("training from {}", data.display()))?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut stdout = std::io::stdout().lock();
    for (name, model) in [
        (humas_nlp_train::report::SENTIMENT_FILE, &trained.sentiment),
        (humas_nlp_train::report::ABUSE_FILE, &trained.abuse),
    ] {
        let path = out.join(name);
        let bytes = model.to_bytes();
        std::fs::write(&path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(stdout, "wrote {} ({} bytes)", path.display(), bytes.len())?;
    }
    writeln!(
        stdout,
        "head                      C      out-of-fold macro-F1  threshold  passes"
    )?;
    for h in &trained.heads {
        writeln!(
            stdout,
            "{:<25} {:<6} {:>8.2}              {:>8.3}  {:>6}",
            h.name,
            h.c,
            h.oof_macro_f1 * 100.0,
            h.threshold,
            h.iterations
        )?;
    }
    writeln!(
        stdout,
        "trained in {:.1} s",
        started.elapsed().as_secs_f64()
    )?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// The classifiers in `dir` (sentiment.hlm and abuse.hlm, as `humas text train` writes them).
fn load_classifiers(dir: &Path) -> anyhow::Result<Classifiers> {
    let mut loaded = Vec::new();
    for name in [
        humas_nlp_train::report::SENTIMENT_FILE,
        humas_nlp_train::report::ABUSE_FILE,
    ] {
        let path = dir.join(name);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        loaded
            .push(LinearModel::from_bytes(&bytes).with_context(|| format!("{}", path.display()))?);
    }
    Classifiers::from_models(loaded).with_context(|| format!("models in {}", dir.display()))
}

/// `humas text eval`: every metric on the held-out splits, as a table or one JSON object.
pub fn run_eval(
    data: &Path,
    models: Option<&Path>,
    json: bool,
) -> anyhow::Result<std::process::ExitCode> {
    // The built-in models are already decoded and shared; only other files are loaded.
    let loaded;
    let classifiers = match models {
        Some(dir) => {
            loaded = load_classifiers(dir)?;
            &loaded
        }
        None => Classifiers::embedded().map_err(|e| anyhow::anyhow!("built-in models: {e}"))?,
    };
    let report =
        humas_nlp_train::report::evaluate(data, classifiers, humas_nlp_train::report::SPLIT_SEED)
            .with_context(|| format!("evaluating on {}", data.display()))?;
    let mut stdout = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut stdout, &report)?;
        writeln!(stdout)?;
    } else {
        write!(stdout, "{}", report.table())?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// What `humas text bench` measured.
#[derive(Debug, serde::Serialize)]
pub struct BenchReport {
    /// Messages analysed per round.
    pub messages: usize,
    /// Mean length of a message, in characters.
    pub mean_chars: f64,
    /// Rounds run; the best is reported (the least disturbed by other work on the machine).
    pub rounds: usize,
    /// Best round: seconds.
    pub seconds: f64,
    /// Best round: messages per second, one thread, full analysis.
    pub messages_per_second: f64,
}

/// Full analysis of a generated corpus on this thread, best of three rounds.
#[must_use]
pub fn bench(messages: usize, seed: u64) -> BenchReport {
    let corpus = humas_nlp_id::corpus::generate(messages, seed);
    let mean_chars = humas_nlp_id::corpus::mean_chars(&corpus);
    // Decode the models and warm the caches before timing.
    let _ = humas_nlp_id::analysis::analyze_batch(
        &corpus[..corpus.len().min(1_000)],
        Options::default(),
    );
    let rounds = 3;
    let mut best = f64::INFINITY;
    for _ in 0..rounds {
        let started = Instant::now();
        for chunk in corpus.chunks(10_000) {
            std::hint::black_box(humas_nlp_id::analysis::analyze_batch(
                chunk,
                Options::default(),
            ));
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    BenchReport {
        messages,
        mean_chars,
        rounds,
        seconds: best,
        messages_per_second: messages as f64 / best.max(f64::MIN_POSITIVE),
    }
}

/// `humas text bench`.
pub fn run_bench(messages: usize, seed: u64, json: bool) -> anyhow::Result<std::process::ExitCode> {
    anyhow::ensure!(messages > 0, "--messages must be at least 1");
    let report = bench(messages, seed);
    let mut stdout = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut stdout, &report)?;
        writeln!(stdout)?;
    } else {
        writeln!(
            stdout,
            "full analysis, one thread: {:.0} messages/s ({} messages of {:.0} characters on average in {:.2} s, best of {})",
            report.messages_per_second,
            report.messages,
            report.mean_chars,
            report.seconds,
            report.rounds
        )?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> (Vec<Value>, Counts) {
        let mut out = Vec::new();
        let counts = analyze_lines(input, &mut out, Options::default()).unwrap();
        let lines = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (lines, counts)
    }

    #[test]
    fn plain_lines_and_ndjson() {
        let (out, counts) =
            run(b"pelayanan lemot bgt\n{\"id\":\"c-7\",\"text\":\"hubungi 0812-3456-7890\"}\r\n\n");
        assert_eq!(
            counts,
            Counts {
                analysed: 2,
                refused: 0
            }
        );
        assert_eq!(out[0]["id"], 1);
        assert_eq!(out[0]["analysis"]["normalized"], "pelayanan lemot banget");
        assert_eq!(out[1]["id"], "c-7");
        assert_eq!(out[1]["analysis"]["pii"][0]["kind"], "phone");
    }

    #[test]
    fn an_overlong_line_is_refused_and_the_next_one_read() {
        let mut input = vec![b'a'; (MAX_LINE + 10) as usize];
        input.extend_from_slice(b"\nmasih jalan\n");
        let (out, counts) = run(&input);
        assert_eq!(
            counts,
            Counts {
                analysed: 1,
                refused: 1
            }
        );
        assert!(
            out[0]["error"]
                .as_str()
                .unwrap()
                .contains("longer than 4 MiB")
        );
        assert_eq!(out[1]["analysis"]["normalized"], "masih jalan");
    }

    #[test]
    fn bad_lines_get_an_error_and_the_run_goes_on() {
        let (out, counts) =
            run(b"\xff\xfe bukan utf8\n{\"id\": 5}\n{broken\n{\"text\": 3}\nmasih jalan\n");
        assert_eq!(
            counts,
            Counts {
                analysed: 1,
                refused: 4
            }
        );
        assert!(
            out[0]["error"]
                .as_str()
                .unwrap()
                .contains("not valid UTF-8")
        );
        assert_eq!(out[1]["id"], 5);
        assert!(out[1]["error"].as_str().unwrap().contains("\"text\" field"));
        assert!(out[2]["error"].as_str().unwrap().contains("not"));
        assert!(
            out[3]["error"]
                .as_str()
                .unwrap()
                .contains("must be a string")
        );
        assert_eq!(out[4]["analysis"]["normalized"], "masih jalan");
    }
}
