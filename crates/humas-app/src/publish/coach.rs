//! The coach: advice on a draft before anyone approves it, from the text engine and from the
//! norms of government communication (a public announcement says what, when, where and who to
//! contact).

use humas_nlp_id::analyze;
use serde::Serialize;

/// One piece of advice. Hints never block submission; the platform rules do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hint {
    /// Stable code for translations: `abusive_wording`, `sara_wording`, `personal_data`,
    /// `threat_wording`, `missing_when`, `missing_where`.
    pub code: &'static str,
    /// Detail (e.g. which kind of personal data), may be empty.
    pub detail: String,
}

impl Hint {
    fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }

    /// The advice in English.
    #[must_use]
    pub fn message_en(&self) -> String {
        match self.code {
            "abusive_wording" => {
                "the text reads as abusive; an official account must stay courteous".to_owned()
            }
            "sara_wording" => {
                "the text may read as hate speech against a group (SARA); rephrase it".to_owned()
            }
            "threat_wording" => "the text reads as a threat; rephrase it".to_owned(),
            "personal_data" => format!(
                "the text contains personal data ({}); remove it unless the person agreed (UU PDP)",
                self.detail
            ),
            "missing_when" => {
                "say when (day, date, time with WIB/WITA/WIT) so readers can act on it".to_owned()
            }
            "missing_where" => "say where (place, address or region)".to_owned(),
            _ => self.detail.clone(),
        }
    }
}

const DAY_AND_MONTH_WORDS: &[&str] = &[
    "senin",
    "selasa",
    "rabu",
    "kamis",
    "jumat",
    "jum'at",
    "sabtu",
    "minggu",
    "ahad",
    "hari",
    "besok",
    "lusa",
    "hari ini",
    "malam ini",
    "pagi",
    "siang",
    "sore",
    "malam",
    "pukul",
    "jam",
    "wib",
    "wita",
    "wit",
    "tanggal",
    "tgl",
    "januari",
    "februari",
    "maret",
    "april",
    "mei",
    "juni",
    "juli",
    "agustus",
    "september",
    "oktober",
    "november",
    "desember",
    "pekan",
    "minggu depan",
    "mulai",
    "hingga",
    "sampai",
];

const PLACE_WORDS: &[&str] = &[
    "di ",
    "jl.",
    "jl ",
    "jalan",
    "kantor",
    "balai",
    "gedung",
    "alun-alun",
    "kecamatan",
    "kelurahan",
    "desa",
    "kabupaten",
    "kota",
    "lokasi",
    "tempat",
    "gor ",
    "stadion",
    "puskesmas",
    "rsud",
    "sekolah",
    "online",
    "daring",
    "zoom",
    "live",
    "siaran",
    "tautan",
    "link",
    "http",
];

fn mentions_any(lower: &str, words: &[&str]) -> bool {
    words.iter().any(|w| lower.contains(w))
}

fn has_clock_time(text: &str) -> bool {
    // 08.00, 8:30, 13.00 — digits around a dot or colon.
    let b = text.as_bytes();
    b.windows(4).any(|w| {
        w[0].is_ascii_digit()
            && (w[1] == b'.' || w[1] == b':')
            && w[2].is_ascii_digit()
            && w[3].is_ascii_digit()
    }) || b.windows(5).any(|w| {
        w[0].is_ascii_digit()
            && w[1].is_ascii_digit()
            && (w[2] == b'.' || w[2] == b':')
            && w[3].is_ascii_digit()
            && w[4].is_ascii_digit()
    })
}

/// The coach's hints for one text. Short texts (under 40 characters) get no 5W1H advice: they
/// are replies or captions, not announcements.
#[must_use]
pub fn hints(text: &str) -> Vec<Hint> {
    let mut out = Vec::new();
    if text.trim().is_empty() {
        return out;
    }
    let analysis = analyze(text);
    if let Some(c) = &analysis.classification {
        if c.abusive.label {
            out.push(Hint::new("abusive_wording", ""));
        }
        if c.hate_speech.label {
            out.push(Hint::new("sara_wording", ""));
        }
    }
    if analysis.threat.label {
        out.push(Hint::new("threat_wording", ""));
    }
    let mut kinds: Vec<String> = analysis
        .pii
        .iter()
        .map(|p| format!("{:?}", p.kind).to_lowercase())
        .collect();
    kinds.dedup();
    if !kinds.is_empty() {
        out.push(Hint::new("personal_data", kinds.join(", ")));
    }
    if text.chars().count() >= 40 {
        let lower = text.to_lowercase();
        if !mentions_any(&lower, DAY_AND_MONTH_WORDS) && !has_clock_time(text) {
            out.push(Hint::new("missing_when", ""));
        }
        if !mentions_any(&lower, PLACE_WORDS) {
            out.push(Hint::new("missing_where", ""));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<&'static str> {
        hints(text).into_iter().map(|h| h.code).collect()
    }

    #[test]
    fn a_complete_announcement_needs_no_advice() {
        assert!(codes(
            "Vaksinasi gratis hari Sabtu, 5 Desember 2026 pukul 08.00 WIB di Balai Desa Sukodono."
        )
        .is_empty());
    }

    #[test]
    fn an_announcement_without_time_or_place_is_flagged() {
        let c =
            codes("Ayo ikuti program vaksinasi gratis untuk seluruh warga Jawa Timur bersama kami");
        assert!(c.contains(&"missing_when"), "{c:?}");
        assert!(c.contains(&"missing_where"), "{c:?}");
    }

    #[test]
    fn personal_data_in_a_draft_is_flagged() {
        let c = codes("Hubungi Bapak Slamet di 081234567890 untuk pendaftaran besok di kantor");
        assert!(c.contains(&"personal_data"), "{c:?}");
    }

    #[test]
    fn abusive_wording_is_flagged() {
        let c = codes("dasar goblok semua kalian anjing");
        assert!(c.contains(&"abusive_wording"), "{c:?}");
    }
}
