//! `humas text …`: the text-analysis engine on the command line.
//!
//! `humas text analyze` reads one message per line from standard input — plain text, or NDJSON
//! objects `{"id": …, "text": "…"}` — and writes one JSON object per line: `{"id", "analysis"}`,
//! or `{"line", "id", "error"}` for a line it cannot read. A bad line never stops the run.

use std::io::{BufRead, Write};

use humas_nlp_id::analysis::{Options, analyze_with};
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

/// Analyses every line of `input` and writes NDJSON to `output`.
pub fn analyze_lines(
    input: impl BufRead,
    mut output: impl Write,
    options: Options,
) -> std::io::Result<Counts> {
    let mut counts = Counts::default();
    let mut input = input;
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = match read_message(line_no, &buf) {
            Ok((id, text)) => {
                counts.analysed += 1;
                json!({ "id": id, "analysis": analyze_with(&text, options) })
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
