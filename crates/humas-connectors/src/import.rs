//! Bulk import of messages from files: NDJSON or CSV, streamed line by line.
//!
//! Both formats carry the items of the signed webhook ([`crate::signed`]): `id`, `author`,
//! `text`, `published_at` required; `author_name`, `title`, `permalink`, `parent_id`,
//! `thread_id`, `kind` optional.
//!
//! * **NDJSON**: one JSON object per line; blank lines are skipped.
//! * **CSV**: a header row naming the columns, in any order; the four required columns must be
//!   there and a column with any other name is an error (a typo would otherwise drop data
//!   silently). Empty optional cells are absent values. Quoted cells may span lines; a record
//!   ends where its double quotes balance, so a stray quote inside an unquoted cell joins the
//!   next line to it (the record is then reported, and its size stays capped).
//! * Both: UTF-8, with or without a byte-order mark. `published_at` is RFC 3339 or
//!   `YYYY-MM-DD HH:MM[:SS]`, which is read as WIB (UTC+07:00), the time exports from
//!   Indonesian systems use.
//!
//! Reading is an iterator of `Result<Inbound, LineError>`: a line that is too long (over
//! [`MAX_LINE_BYTES`]), broken JSON, a missing field, a bad date or an empty text is an error for
//! that line only and reading goes on, so a caller streams millions of lines with one line in
//! memory at a time. A read error from the underlying reader ends the iteration after it is
//! reported.

use std::io::BufRead;

use humas_domain::inbox::Inbound;
use humas_domain::org::Platform;
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};

use crate::signed::WireMessage;

/// Longest line (for CSV: record, which may span lines) read; longer ones are skipped.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Columns a CSV file must have.
pub const REQUIRED_COLUMNS: [&str; 4] = ["id", "author", "text", "published_at"];

/// Columns a CSV file may have besides the required ones.
pub const OPTIONAL_COLUMNS: [&str; 6] = [
    "author_name",
    "title",
    "permalink",
    "parent_id",
    "thread_id",
    "kind",
];

/// A line that could not be imported.
///
/// `reason` is the whole English sentence (CLI, logs); `code` names the problem for
/// translations (one of [`LINE_PROBLEM_CODES`], or a domain `ValueError::code()` when the line
/// broke a rule of the domain) and `detail` is the technical part (serde's message, the value
/// given) to show after a translated sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct LineError {
    /// 1-based line number in the file (for CSV, where the record starts).
    pub line: u64,
    /// A stable code for the problem.
    pub code: &'static str,
    /// What is wrong with it, in English.
    pub reason: String,
    /// The technical detail, untranslated; may be empty.
    pub detail: String,
}

/// The codes of [`LineError`] that are not domain `ValueError` codes; each has a translation
/// `import-reason-<code>` in the web's locales.
pub const LINE_PROBLEM_CODES: [&str; 13] = [
    "not_utf8",
    "invalid_json",
    "line_too_long",
    "read_error",
    "not_object",
    "wrong_fields",
    "missing_published_at",
    "invalid_published_at",
    "published_at_out_of_range",
    "cell_not_utf8",
    "unclosed_quote",
    "text_after_quote",
    "cell_count",
];

/// Why one line or record was refused, before its number is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) code: &'static str,
    pub(crate) reason: String,
    pub(crate) detail: String,
}

impl Problem {
    pub(crate) fn new(
        code: &'static str,
        reason: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            code,
            reason: reason.into(),
            detail: detail.into(),
        }
    }

    fn at(self, line: u64) -> LineError {
        LineError {
            line,
            code: self.code,
            reason: self.reason,
            detail: self.detail,
        }
    }
}

/// Why `published_at` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct DateError {
    /// `invalid_published_at` or `published_at_out_of_range`.
    pub code: &'static str,
    /// In English.
    pub reason: String,
    /// The value given, and what failed.
    pub detail: String,
}

/// Why a CSV file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The file is empty.
    #[error(
        "the file is empty: the first line must name the columns (id,author,text,published_at,…)"
    )]
    Empty,
    /// The header row is unreadable.
    #[error("the header row cannot be read: {0}")]
    Unreadable(String),
    /// Required columns are missing.
    #[error("the header row lacks the required column(s): {0}")]
    Missing(String),
    /// Columns with other names.
    #[error(
        "unknown column(s): {0}; allowed are id, author, text, published_at, author_name, title, permalink, parent_id, thread_id, kind"
    )]
    Unknown(String),
    /// A column named twice.
    #[error("column {0:?} appears more than once")]
    Duplicate(String),
}

/// Reads `YYYY-MM-DD HH:MM[:SS]` as WIB, or RFC 3339.
///
/// # Errors
/// A [`DateError`] naming the accepted forms.
pub fn parse_import_date(raw: &str) -> Result<Timestamp, DateError> {
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Ok(t);
    }
    let civil = DateTime::strptime("%Y-%m-%d %H:%M:%S", raw)
        .or_else(|_| DateTime::strptime("%Y-%m-%d %H:%M", raw))
        .map_err(|_| DateError {
            code: "invalid_published_at",
            reason: format!(
                "published_at {raw:?} is neither RFC 3339 (2026-11-28T10:00:00+07:00) nor YYYY-MM-DD HH:MM[:SS] in WIB"
            ),
            detail: format!("{raw:?}"),
        })?;
    let wib = TimeZone::fixed(Offset::constant(7));
    civil
        .to_zoned(wib)
        .map(|z| z.timestamp())
        .map_err(|e| DateError {
            code: "published_at_out_of_range",
            reason: format!("published_at {raw:?} is out of range: {e}"),
            detail: format!("{raw:?}: {e}"),
        })
}

/// Outcome of reading one physical line.
enum LineRead {
    /// The line (without its newline) is in the buffer.
    Line,
    /// The line was longer than the cap; it was skipped up to its newline.
    TooLong,
    /// End of input.
    Eof,
}

/// Reads one line of at most `cap` bytes into `buf` (cleared first); the rest of a longer line
/// is consumed without being kept, so memory stays bounded.
fn read_capped_line<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<LineRead> {
    buf.clear();
    let mut too_long = false;
    let mut read_any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(match (read_any, too_long) {
                (false, _) => LineRead::Eof,
                (true, true) => LineRead::TooLong,
                (true, false) => LineRead::Line,
            });
        }
        read_any = true;
        let (chunk, found_newline) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], true),
            None => (available, false),
        };
        if !too_long {
            if buf.len() + chunk.len() > cap {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = chunk.len() + usize::from(found_newline);
        reader.consume(used);
        if found_newline {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            });
        }
    }
}

fn strip_bom(line: &mut Vec<u8>) {
    if line.starts_with(b"\xEF\xBB\xBF") {
        line.drain(..3);
    }
}

/// Streams an NDJSON file.
pub struct NdjsonReader<R> {
    reader: R,
    platform: Platform,
    received_at: Timestamp,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

/// Reads NDJSON messages for `platform`, as received at `received_at`.
pub fn ndjson<R: BufRead>(
    reader: R,
    platform: Platform,
    received_at: Timestamp,
) -> NdjsonReader<R> {
    NdjsonReader {
        reader,
        platform,
        received_at,
        line: 0,
        buf: Vec::new(),
        done: false,
    }
}

impl<R: BufRead> NdjsonReader<R> {
    fn parse_line(&self) -> Result<Inbound, Problem> {
        let text = std::str::from_utf8(&self.buf)
            .map_err(|e| Problem::new("not_utf8", format!("not UTF-8: {e}"), e.to_string()))?;
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            Problem::new("invalid_json", format!("invalid JSON: {e}"), e.to_string())
        })?;
        let wire = WireMessage::from_value(value).map_err(|e| e.problem)?;
        wire.into_inbound(self.platform, self.received_at, parse_import_date)
            .map_err(|e| e.problem)
    }
}

impl<R: BufRead> Iterator for NdjsonReader<R> {
    type Item = Result<Inbound, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let read = read_capped_line(&mut self.reader, &mut self.buf, MAX_LINE_BYTES);
            self.line += 1;
            let line = self.line;
            match read {
                Err(e) => {
                    self.done = true;
                    return Some(Err(read_error(&e).at(line)));
                }
                Ok(LineRead::Eof) => self.done = true,
                Ok(LineRead::TooLong) => {
                    return Some(Err(Problem::new(
                        "line_too_long",
                        format!("line longer than {MAX_LINE_BYTES} bytes, skipped"),
                        format!("> {MAX_LINE_BYTES} bytes"),
                    )
                    .at(line)));
                }
                Ok(LineRead::Line) => {
                    if line == 1 {
                        strip_bom(&mut self.buf);
                    }
                    if self.buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(self.parse_line().map_err(|p| p.at(line)));
                }
            }
        }
        None
    }
}

fn read_error(e: &std::io::Error) -> Problem {
    Problem::new(
        "read_error",
        format!("read error, import stopped: {e}"),
        e.to_string(),
    )
}

/// Streams a CSV file.
pub struct CsvReader<R> {
    reader: R,
    platform: Platform,
    received_at: Timestamp,
    /// For each column, its field name.
    columns: Vec<&'static str>,
    line: u64,
    buf: Vec<u8>,
    record: Vec<u8>,
    done: bool,
}

/// Reads the header row of a CSV file and returns a reader of its messages for `platform`.
///
/// # Errors
/// [`HeaderError`] when the header is missing, unreadable, lacks a required column, names an
/// unknown column or repeats one.
pub fn csv<R: BufRead>(
    mut reader: R,
    platform: Platform,
    received_at: Timestamp,
) -> Result<CsvReader<R>, HeaderError> {
    let mut record = Vec::new();
    let mut buf = Vec::new();
    let mut line = 0;
    let header = loop {
        match read_record(&mut reader, &mut buf, &mut record, &mut line) {
            Err(e) => return Err(HeaderError::Unreadable(e.to_string())),
            Ok(RecordRead::Eof) => return Err(HeaderError::Empty),
            Ok(RecordRead::TooLong) => {
                return Err(HeaderError::Unreadable(
                    "header row longer than 1 MiB".into(),
                ));
            }
            Ok(RecordRead::Record(_)) => {
                strip_bom(&mut record);
                if record.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                break split_record(&record).map_err(|p| HeaderError::Unreadable(p.reason))?;
            }
        }
    };
    let columns = map_columns(&header)?;
    Ok(CsvReader {
        reader,
        platform,
        received_at,
        columns,
        line,
        buf,
        record: Vec::new(),
        done: false,
    })
}

fn map_columns(header: &[String]) -> Result<Vec<&'static str>, HeaderError> {
    let mut columns = Vec::with_capacity(header.len());
    let mut unknown = Vec::new();
    for name in header {
        let name = name.trim();
        let known = REQUIRED_COLUMNS
            .iter()
            .chain(OPTIONAL_COLUMNS.iter())
            .find(|c| c.eq_ignore_ascii_case(name));
        match known {
            Some(c) if columns.contains(c) => return Err(HeaderError::Duplicate((*c).to_owned())),
            Some(c) => columns.push(*c),
            None => unknown.push(format!("{name:?}")),
        }
    }
    if !unknown.is_empty() {
        return Err(HeaderError::Unknown(unknown.join(", ")));
    }
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .copied()
        .filter(|c| !columns.contains(c))
        .collect();
    if !missing.is_empty() {
        return Err(HeaderError::Missing(missing.join(", ")));
    }
    Ok(columns)
}

enum RecordRead {
    /// A complete record is in the buffer; it started on this line.
    Record(u64),
    TooLong,
    Eof,
}

/// Reads physical lines until the double quotes balance: a quoted cell may contain newlines,
/// and `""` inside quotes counts twice, so an odd count means the record goes on. The whole
/// record is capped at [`MAX_LINE_BYTES`].
fn read_record<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    record: &mut Vec<u8>,
    line: &mut u64,
) -> std::io::Result<RecordRead> {
    record.clear();
    let start = *line + 1;
    let mut quotes = 0_usize;
    loop {
        let read = read_capped_line(reader, buf, MAX_LINE_BYTES)?;
        match read {
            LineRead::Eof if record.is_empty() && *line + 1 == start => return Ok(RecordRead::Eof),
            // An unterminated quote at the end of the file: hand what we have to the CSV parser.
            LineRead::Eof => return Ok(RecordRead::Record(start)),
            // An over-long line ends its record: the quotes in the skipped part are unknown,
            // and one bad record must not swallow the rest of the file.
            LineRead::TooLong => {
                *line += 1;
                return Ok(RecordRead::TooLong);
            }
            LineRead::Line => {
                *line += 1;
                if *line > start {
                    record.push(b'\n');
                }
                if record.len() + buf.len() > MAX_LINE_BYTES {
                    return Ok(RecordRead::TooLong);
                }
                record.extend_from_slice(buf);
                quotes += count_quotes(buf);
                if quotes.is_multiple_of(2) {
                    return Ok(RecordRead::Record(start));
                }
            }
        }
    }
}

fn count_quotes(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'"').count()
}

/// Splits one complete CSV record (RFC 4180: cells separated by commas; a cell in double
/// quotes may hold commas, newlines and `""` for a quote; a quote inside an unquoted cell is
/// kept as it is).
///
/// Written here rather than with the `csv` crate because [`read_record`] already finds (and
/// caps) the record boundaries, and building a `csv::Reader` per record cost about 90 µs in a
/// release build: a million-row import would have taken a quarter of an hour.
fn split_record(record: &[u8]) -> Result<Vec<String>, Problem> {
    let mut cells = Vec::new();
    let mut cell = Vec::new();
    let mut i = 0;
    loop {
        cell.clear();
        if record.get(i) == Some(&b'"') {
            i = read_quoted_cell(record, i + 1, &mut cell)?;
        } else {
            let end = record[i..]
                .iter()
                .position(|&b| b == b',')
                .map_or(record.len(), |p| i + p);
            cell.extend_from_slice(&record[i..end]);
            i = end;
        }
        let text = std::str::from_utf8(&cell).map_err(|_| {
            let n = cells.len() + 1;
            Problem::new(
                "cell_not_utf8",
                format!("cell {n} is not UTF-8"),
                format!("{n}"),
            )
        })?;
        cells.push(text.to_owned());
        if i >= record.len() {
            return Ok(cells);
        }
        // Past the comma that ended this cell.
        i += 1;
    }
}

/// Reads a quoted cell whose content starts at `i` into `cell`; returns the position after
/// the closing quote, which must be the end of the record or a comma.
fn read_quoted_cell(record: &[u8], mut i: usize, cell: &mut Vec<u8>) -> Result<usize, Problem> {
    loop {
        match record.get(i) {
            None => {
                return Err(Problem::new(
                    "unclosed_quote",
                    "a quoted cell is not closed",
                    "",
                ));
            }
            Some(b'"') if record.get(i + 1) == Some(&b'"') => {
                cell.push(b'"');
                i += 2;
            }
            Some(b'"') => {
                i += 1;
                break;
            }
            Some(&b) => {
                cell.push(b);
                i += 1;
            }
        }
    }
    if matches!(record.get(i), None | Some(b',')) {
        Ok(i)
    } else {
        Err(Problem::new(
            "text_after_quote",
            "text after the closing quote of a cell",
            "",
        ))
    }
}

impl<R: BufRead> CsvReader<R> {
    /// The field names of the columns, in file order.
    #[must_use]
    pub fn columns(&self) -> &[&'static str] {
        &self.columns
    }

    fn parse_record(&self) -> Result<Inbound, Problem> {
        let cells = split_record(&self.record)?;
        if cells.len() != self.columns.len() {
            let (got, want) = (cells.len(), self.columns.len());
            return Err(Problem::new(
                "cell_count",
                format!("{got} cells where the header has {want} columns"),
                format!("{got} ≠ {want}"),
            ));
        }
        let mut wire = WireMessage::default();
        for (column, cell) in self.columns.iter().zip(cells) {
            let value = Some(cell).filter(|c| !c.trim().is_empty());
            match *column {
                "id" => wire.id = value,
                "author" => wire.author = value,
                "author_name" => wire.author_name = value,
                "text" => wire.text = value,
                "title" => wire.title = value,
                "published_at" => wire.published_at = value,
                "permalink" => wire.permalink = value,
                "parent_id" => wire.parent_id = value,
                "thread_id" => wire.thread_id = value,
                _ => wire.kind = value,
            }
        }
        wire.into_inbound(self.platform, self.received_at, parse_import_date)
            .map_err(|e| e.problem)
    }
}

impl<R: BufRead> Iterator for CsvReader<R> {
    type Item = Result<Inbound, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let read = read_record(
                &mut self.reader,
                &mut self.buf,
                &mut self.record,
                &mut self.line,
            );
            match read {
                Err(e) => {
                    self.done = true;
                    return Some(Err(read_error(&e).at(self.line + 1)));
                }
                Ok(RecordRead::Eof) => self.done = true,
                Ok(RecordRead::TooLong) => {
                    return Some(Err(Problem::new(
                        "line_too_long",
                        format!("record longer than {MAX_LINE_BYTES} bytes, skipped"),
                        format!("> {MAX_LINE_BYTES} bytes"),
                    )
                    .at(self.line)));
                }
                Ok(RecordRead::Record(start)) => {
                    if self.record.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(self.parse_record().map_err(|p| p.at(start)));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn codes_of(lines: &[u8], format: &str) -> Vec<(u64, &'static str, String)> {
        let at = Timestamp::UNIX_EPOCH;
        let errors: Vec<LineError> = if format == "csv" {
            csv(lines, Platform::Facebook, at)
                .unwrap()
                .filter_map(Result::err)
                .collect()
        } else {
            ndjson(lines, Platform::Facebook, at)
                .filter_map(Result::err)
                .collect()
        };
        errors
            .into_iter()
            .map(|e| (e.line, e.code, e.detail))
            .collect()
    }

    #[test]
    fn each_rejected_line_has_a_stable_code_and_its_detail() {
        let file = concat!(
            "{not json\n",
            "[1]\n",
            "{\"id\":\"a\",\"author\":\"@a\",\"text\":\"x\",\"published_at\":\"kemarin\"}\n",
            "{\"id\":\"a\",\"author\":\"@a\",\"text\":\"x\"}\n",
            "{\"id\":\"a\",\"author\":\"@a\",\"text\":\" \",\"published_at\":\"2026-11-28 10:00\"}\n",
            "{\"id\":\"a\",\"author\":\"@a\",\"text\":\"x\",\"kind\":\"surat\",\"published_at\":\"2026-11-28 10:00\"}\n",
            "{\"id\":{\"x\":1}}\n",
        );
        let got = codes_of(file.as_bytes(), "ndjson");
        let codes: Vec<_> = got.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(
            codes,
            [
                (1, "invalid_json"),
                (2, "not_object"),
                (3, "invalid_published_at"),
                (4, "missing_published_at"),
                (5, "empty_message"),
                (6, "invalid_choice"),
                (7, "wrong_fields"),
            ]
        );
        assert!(got[0].2.contains("line 1 column"), "{}", got[0].2);
        assert_eq!(got[2].2, "\"kemarin\"");
        assert!(got[5].2.contains("surat"), "{}", got[5].2);
        for (_, code, _) in &got {
            let domain = ["empty_message", "invalid_choice"].contains(code);
            assert!(domain || LINE_PROBLEM_CODES.contains(code), "{code}");
        }
    }

    #[test]
    fn csv_problems_have_their_codes() {
        let file = b"id,author,text,published_at\na,@a,x\n\"b,@a,x,2026-11-28 10:00\"x\nc,@a,\xff,2026-11-28 10:00\n";
        let got = codes_of(file, "csv");
        let codes: Vec<_> = got.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(
            codes,
            [
                (2, "cell_count"),
                (3, "text_after_quote"),
                (4, "cell_not_utf8")
            ]
        );
    }
}
