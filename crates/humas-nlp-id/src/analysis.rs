//! One call that reads a message once and returns everything this crate knows about it.

use serde::{Serialize, Serializer};

use crate::classify::features::{PieceBuffer, Pieces, relifetime};
use crate::classify::{Classification, Classifiers, Scratch};
use crate::fingerprint::simhash_scan;
use crate::pii::{PiiSpan, find_pii};
use crate::stem::cache::{StemCache, WordMemo};
use crate::threat::{Threat, assess};
use crate::tokens::{Scan, Span, Token, TokenKind, scan_into};

/// What the analysis found in one message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// The normal form the classifiers and search read.
    pub normalized: String,
    /// The words of the normal form reduced to their roots, for search (`pelayanan` → `layan`).
    pub stems: String,
    /// Sentiment, abusive language and hate speech (absent only if the built-in models could
    /// not be loaded, which a test rules out).
    #[serde(flatten)]
    pub classification: Option<Classification>,
    /// Threat of violence.
    pub threat: Threat,
    /// Hashtags, normalised (`#jatimbangkit`).
    pub hashtags: Vec<String>,
    /// Mentions, normalised (`@dinkesjatim`).
    pub mentions: Vec<String>,
    /// Personal data found, as byte spans of the input.
    pub pii: Vec<PiiSpan>,
    /// 64-bit SimHash for near-duplicate grouping, written as 16 hex digits.
    #[serde(serialize_with = "hex64")]
    pub fingerprint: u64,
    /// Every token with its span; left out of serialised output when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<Token>,
}

fn hex64<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{v:016x}"))
}

/// How much to return.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Keep the token list in the result (it is as long as the message).
    pub with_tokens: bool,
}

/// Analyses one message. Any string is accepted; nothing here panics.
#[must_use]
pub fn analyze(text: &str) -> Analysis {
    analyze_with(text, Options::default())
}

/// Analyses one message with options.
///
/// Calls on one thread share an [`Analyzer`] (its buffers and its memos of recent words, which
/// never change an answer), so a caller analysing message after message gets the speed of a
/// kept analyzer without keeping one.
#[must_use]
pub fn analyze_with(text: &str, options: Options) -> Analysis {
    with_thread_analyzer(options, text.len(), |a| a.analyze(text))
        .unwrap_or_else(|| Analyzer::new(options).analyze(text))
}

/// Analyses many messages, reusing one [`Analyzer`] (this thread's, as [`analyze_with`]).
#[must_use]
pub fn analyze_batch<S: AsRef<str>>(texts: &[S], options: Options) -> Vec<Analysis> {
    let longest = texts.iter().map(|t| t.as_ref().len()).max().unwrap_or(0);
    let batch = |analyzer: &mut Analyzer<'_>| -> Vec<Analysis> {
        texts.iter().map(|t| analyzer.analyze(t.as_ref())).collect()
    };
    with_thread_analyzer(options, longest, batch)
        .unwrap_or_else(|| batch(&mut Analyzer::new(options)))
}

/// Messages longer than this are analysed by an analyzer of their own, so that the thread's
/// shared one never keeps buffers sized for a huge message.
const SHARED_MAX_BYTES: usize = 64 * 1024;

thread_local! {
    /// The analyzer [`analyze_with`] and [`analyze_batch`] share on this thread.
    static THREAD_ANALYZER: std::cell::RefCell<Option<Analyzer<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` on this thread's shared analyzer set to `options`; `None` when it cannot be used
/// (a message longer than [`SHARED_MAX_BYTES`], the thread shutting down, or a call from inside
/// another), in which case the caller uses a fresh one.
fn with_thread_analyzer<R>(
    options: Options,
    longest: usize,
    f: impl FnOnce(&mut Analyzer<'static>) -> R,
) -> Option<R> {
    if longest > SHARED_MAX_BYTES {
        return None;
    }
    THREAD_ANALYZER
        .try_with(|cell| {
            let mut slot = cell.try_borrow_mut().ok()?;
            let analyzer = slot.get_or_insert_with(|| Analyzer::new(options));
            analyzer.options = options;
            Some(f(analyzer))
        })
        .ok()
        .flatten()
}

/// Analyses messages one after another, keeping its buffers between them. Create one per
/// thread; the models themselves are shared.
#[derive(Debug)]
pub struct Analyzer<'c> {
    classifiers: Option<&'c Classifiers>,
    scratch: Scratch,
    options: Options,
    buffers: Buffers,
}

/// What one message needs and the next can reuse: allocations, and the stems of recent words.
#[derive(Debug, Default)]
struct Buffers {
    spans: Vec<Span>,
    pieces: PieceBuffer,
    words: Vec<&'static str>,
    stems: StemCache,
    norms: WordMemo,
}

impl Analyzer<'static> {
    /// An analyzer with the built-in models.
    #[must_use]
    pub fn new(options: Options) -> Self {
        Self {
            classifiers: Classifiers::embedded().ok(),
            scratch: Scratch::new(),
            options,
            buffers: Buffers::default(),
        }
    }
}

impl<'c> Analyzer<'c> {
    /// An analyzer with other models (e.g. freshly trained ones).
    #[must_use]
    pub fn with_classifiers(classifiers: &'c Classifiers, options: Options) -> Self {
        Self {
            classifiers: Some(classifiers),
            scratch: Scratch::new(),
            options,
            buffers: Buffers::default(),
        }
    }

    /// Analyses one message. Any string is accepted; nothing here panics.
    pub fn analyze(&mut self, text: &str) -> Analysis {
        // One scan; the normal forms of all tokens share one string, which is `normalized`.
        let scan = scan_into(
            text,
            std::mem::take(&mut self.buffers.spans),
            Some(&mut self.buffers.norms),
        );
        let pieces = Pieces::from_scan_reusing(
            text,
            &scan,
            std::mem::take(&mut self.buffers.pieces),
            &mut self.buffers.stems,
        );
        let mut words = relifetime(std::mem::take(&mut self.buffers.words));
        words.extend(pieces.words());
        let classification = self
            .classifiers
            .map(|c| c.classify_pieces(&pieces, &mut self.scratch));
        let threat = assess(&words);
        self.buffers.words = relifetime(words);
        let (stems, pieces) = pieces.into_stems();
        self.buffers.pieces = pieces;
        let analysis = Analysis {
            stems,
            classification,
            threat,
            hashtags: scan.norms_of(TokenKind::Hashtag),
            mentions: scan.norms_of(TokenKind::Mention),
            pii: find_pii(text),
            fingerprint: simhash_scan(&scan),
            tokens: if self.options.with_tokens {
                scan.to_tokens()
            } else {
                Vec::new()
            },
            normalized: String::new(),
        };
        let Scan { tokens, norms } = scan;
        self.buffers.spans = tokens;
        Analysis {
            normalized: norms,
            ..analysis
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::PiiKind;
    use crate::tokens::scan;

    #[test]
    fn one_pass_finds_everything() {
        let text = "@DinkesJatim pelayanan lemot bgt, hubungi sy di 0812-3456-7890 #JatimBangkit";
        let a = analyze(text);
        assert_eq!(
            a.normalized,
            "@dinkesjatim pelayanan lemot banget hubungi saya di 0812 3456 7890 #jatimbangkit"
        );
        assert_eq!(a.mentions, ["@dinkesjatim"]);
        assert_eq!(a.hashtags, ["#jatimbangkit"]);
        assert_eq!(a.pii.len(), 1);
        assert_eq!(a.pii[0].kind, PiiKind::Phone);
        assert_eq!(&text[a.pii[0].start..a.pii[0].end], "0812-3456-7890");
        assert!(a.tokens.is_empty());
        assert_eq!(a.fingerprint, crate::fingerprint::simhash(text));
        assert_eq!(
            a.stems,
            "layan lemot banget hubung saya di 0812 3456 7890 jatimbangkit"
        );
        let c = a.classification.expect("built-in models");
        assert!(!c.abusive.label && !c.hate_speech.label);
        assert!(!a.threat.label);
    }

    #[test]
    fn analysis_reads_threats_and_abuse() {
        let a = analyze("awas kalau ketemu, tak bunuh kowe!");
        assert!(a.threat.label, "{:?}", a.threat);
        let b = analyze("dasar goblok anjing lu");
        assert!(b.classification.unwrap().abusive.label);
    }

    #[test]
    fn training_and_analysis_see_the_same_features() {
        // Training reads public tokens, `analyze` reads the scan: they must agree exactly.
        use crate::classify::features::{Extractor, FeatureSpec, Features};
        let mut ex = Extractor::new();
        for text in [
            "pelayanan lemot bgt, ga dibales!!! @dinkes #jatim https://x.id 😡",
            "tidak enak, bukan main mahalnya dll",
            "",
            "Ｆｕｌｌ ｗｉｄｔｈ an\u{200B}jing 4nj1ng",
        ] {
            let (scanned, tokens) = (scan(text), crate::tokens::tokenize(text));
            let (mut a, mut b) = (Features::default(), Features::default());
            ex.extract_pieces(
                &FeatureSpec::DEFAULT,
                &Pieces::from_scan(text, &scanned),
                &mut a,
            );
            ex.extract_pieces(
                &FeatureSpec::DEFAULT,
                &Pieces::from_tokens(text, &tokens),
                &mut b,
            );
            assert_eq!(a, b, "{text}");
        }
    }

    #[test]
    fn serialises_the_fingerprint_as_sixteen_hex_digits() {
        let a = analyze("halo min");
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["fingerprint"], format!("{:016x}", a.fingerprint));
        assert!(
            json["sentiment"]["label"].is_string(),
            "classification is flattened: {json}"
        );
        assert!(json["abusive"]["score"].is_number());
        assert!(json["hate_speech"]["label"].is_boolean());
        assert!(json["threat"]["label"].is_boolean());
        assert_eq!(json["fingerprint"].as_str().unwrap().len(), 16);
        assert!(json.get("tokens").is_none(), "empty token list is left out");
    }

    #[test]
    fn a_warm_analyzer_answers_like_a_fresh_one() {
        // Past the warm-up the analyzer reuses buffers and remembers stems and n-grams of
        // recent words; none of that may change an answer, also when words collide in a cache.
        let texts = crate::corpus::generate(300, 11);
        let mut warm = Analyzer::new(Options { with_tokens: true });
        for round in 0..2 {
            for text in &texts {
                let fresh = Analyzer::new(Options { with_tokens: true }).analyze(text);
                assert_eq!(warm.analyze(text), fresh, "round {round}: {text}");
            }
        }
    }

    #[test]
    fn the_thread_analyzer_follows_each_calls_options() {
        let text = "pelayanan lemot bgt 😡 @dinkes";
        for _ in 0..20 {
            let with = analyze_with(text, Options { with_tokens: true });
            let without = analyze(text);
            assert_eq!(with.tokens.len(), 5);
            assert!(without.tokens.is_empty());
            assert_eq!(
                Analysis {
                    tokens: Vec::new(),
                    ..with
                },
                without
            );
        }
        let long = "kata ".repeat(SHARED_MAX_BYTES / 5 + 1);
        assert_eq!(
            analyze(&long),
            Analyzer::new(Options::default()).analyze(&long)
        );
    }

    #[test]
    fn batch_matches_single() {
        let texts = ["satu", "dua 😡", ""];
        let batch = analyze_batch(&texts, Options { with_tokens: true });
        assert_eq!(batch.len(), 3);
        assert_eq!(
            batch[1],
            analyze_with("dua 😡", Options { with_tokens: true })
        );
        assert_eq!(batch[1].tokens.len(), 2);
    }
}
