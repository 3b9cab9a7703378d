//! Routing rules: which OPD must handle a message that is not simply its account's business.
//!
//! A message arriving on an OPD's own account goes to that OPD. A message on a shared account
//! (the governor's, Diskominfo's) or from news is matched against the supervisor's rules in
//! priority order; the first rule whose expression matches chooses the OPD.

use std::fmt::{self, Display};

use serde::{Deserialize, Serialize};

use crate::ids::{OpdId, RoutingRuleId};

/// A supervisor-maintained rule, as stored. `expression` is the source text; it is parsed
/// (and refused with a reason) before it is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    /// Identifier.
    pub id: RoutingRuleId,
    /// A name people recognise, e.g. `Jalan rusak → PU Bina Marga`.
    pub name: String,
    /// The OPD that receives matching messages.
    pub opd: OpdId,
    /// The boolean expression over words, phrases and regions.
    pub expression: String,
    /// Lower numbers are tried first.
    pub priority: i32,
    /// Disabled rules are kept but not applied.
    pub enabled: bool,
}

/// What a rule is matched against: one message, already analysed.
#[derive(Clone, Copy, Debug, Default)]
pub struct MatchInput<'a> {
    /// The normalised words of the text, in order (phrases match consecutive words).
    pub words: &'a [&'a str],
    /// Their stems (any order), so `rusak` also matches "kerusakan".
    pub stems: &'a [&'a str],
    /// Hashtags, with or without the leading `#`.
    pub hashtags: &'a [&'a str],
    /// Mentioned handles, with or without the leading `@`.
    pub mentions: &'a [&'a str],
}

/// Longest expression accepted, in characters.
pub const MAX_EXPRESSION_CHARS: usize = 2_000;
/// Deepest nesting of parentheses and `NOT` accepted.
pub const MAX_DEPTH: usize = 32;
/// Most words, phrases, hashtags, mentions and regions one expression may hold.
pub const MAX_TERMS: usize = 200;

/// A parsed routing expression. Its `Display` is a canonical form: operators in capitals,
/// terms in lower case, `AND` written out; parsing that form gives back the same expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expression {
    root: Node,
}

/// One node of the expression tree.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    /// A word, matched against the words and their stems.
    Word(String),
    /// Two or more words that must appear one after another.
    Phrase(Vec<String>),
    /// A hashtag, without `#`.
    Hashtag(String),
    /// A handle, without `@`.
    Mention(String),
    /// One of [`regions`].
    Region(&'static Region),
    /// Negation.
    Not(Box<Node>),
    /// All of these (two or more).
    And(Vec<Node>),
    /// Any of these (two or more).
    Or(Vec<Node>),
}

impl Expression {
    /// Parses an expression (case-insensitive): words, `"quoted phrases"`, `#hashtag`,
    /// `@mention`, `region:<slug>`, `AND`, `OR`, `NOT` (or `-` before a term), parentheses.
    /// Terms side by side mean `AND`; `NOT` binds tighter than `AND`, `AND` than `OR`.
    ///
    /// # Errors
    /// [`RuleError`] with the byte offset of the problem: see [`RuleErrorKind`].
    pub fn parse(src: &str) -> Result<Self, RuleError> {
        if src.chars().count() > MAX_EXPRESSION_CHARS {
            return Err(RuleError::at(MAX_EXPRESSION_CHARS, RuleErrorKind::TooLong));
        }
        let tokens = lex(src)?;
        let terms = tokens.iter().filter(|t| t.kind.is_term()).count();
        if terms > MAX_TERMS {
            let position = tokens
                .iter()
                .filter(|t| t.kind.is_term())
                .nth(MAX_TERMS)
                .map_or(0, |t| t.start);
            return Err(RuleError::at(position, RuleErrorKind::TooManyTerms));
        }
        let mut parser = Parser {
            tokens,
            next: 0,
            end: src.len(),
        };
        let root = parser.expression(0)?;
        match parser.peek() {
            None => Ok(Self { root }),
            Some(t) if t.kind == TokenKind::Close => {
                Err(RuleError::at(t.start, RuleErrorKind::UnmatchedClose))
            }
            // `expression` only stops at `)` or the end.
            Some(t) => Err(RuleError::at(t.start, RuleErrorKind::DanglingOperator)),
        }
    }

    /// Whether the message described by `input` satisfies the expression.
    #[must_use]
    pub fn matches(&self, input: &MatchInput<'_>) -> bool {
        self.root.matches(input)
    }
}

impl std::str::FromStr for Expression {
    type Err = RuleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}

impl Node {
    fn matches(&self, input: &MatchInput<'_>) -> bool {
        match self {
            Self::Word(w) => has_word(input, w),
            Self::Phrase(words) => has_phrase(input.words, words),
            Self::Hashtag(tag) => has_tagged(input.hashtags, '#', tag),
            Self::Mention(handle) => has_tagged(input.mentions, '@', handle),
            Self::Region(region) => region.is_mentioned(input.words),
            Self::Not(inner) => !inner.matches(input),
            Self::And(all) => all.iter().all(|n| n.matches(input)),
            Self::Or(any) => any.iter().any(|n| n.matches(input)),
        }
    }

    /// Writes `self` as a child of an `AND` (`in_and`) or `OR`: parentheses only where the
    /// tree has a nesting the operator precedence alone would not give back.
    fn fmt_child(&self, f: &mut fmt::Formatter<'_>, in_and: bool) -> fmt::Result {
        let wrap = matches!(self, Self::Or(_)) || (in_and && matches!(self, Self::And(_)));
        if wrap {
            write!(f, "({self})")
        } else {
            self.fmt(f)
        }
    }
}

impl Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Word(w) if word_needs_quotes(w) => write!(f, "\"{w}\""),
            Self::Word(w) => f.write_str(w),
            Self::Phrase(words) => write!(f, "\"{}\"", words.join(" ")),
            Self::Hashtag(tag) => write!(f, "#{tag}"),
            Self::Mention(handle) => write!(f, "@{handle}"),
            Self::Region(region) => write!(f, "region:{}", region.slug),
            Self::Not(inner) => {
                f.write_str("NOT ")?;
                if matches!(**inner, Self::And(_) | Self::Or(_)) {
                    write!(f, "({inner})")
                } else {
                    inner.fmt(f)
                }
            }
            Self::And(all) => join(f, all, " AND ", true),
            Self::Or(any) => join(f, any, " OR ", false),
        }
    }
}

fn join(f: &mut fmt::Formatter<'_>, nodes: &[Node], separator: &str, in_and: bool) -> fmt::Result {
    for (i, node) in nodes.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        node.fmt_child(f, in_and)?;
    }
    Ok(())
}

/// A bare word that would read back as something else (an operator, a negation, a hashtag,
/// a mention, a region, or several tokens when it holds a parenthesis) is written in quotes.
fn word_needs_quotes(w: &str) -> bool {
    operator(w).is_some()
        || w.starts_with(['-', '#', '@'])
        || w.contains(is_delimiter)
        || is_region_term(w)
}

fn is_region_term(w: &str) -> bool {
    w.get(..REGION_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(REGION_PREFIX))
}

const REGION_PREFIX: &str = "region:";

/// Case-insensitive equality that costs nothing when both sides are already the same.
fn same_text(a: &str, b: &str) -> bool {
    a == b
        || a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

fn has_word(input: &MatchInput<'_>, word: &str) -> bool {
    input
        .words
        .iter()
        .chain(input.stems)
        .any(|w| same_text(w, word))
}

fn has_phrase(words: &[&str], phrase: &[String]) -> bool {
    !phrase.is_empty()
        && words
            .windows(phrase.len())
            .any(|window| window.iter().zip(phrase).all(|(w, p)| same_text(w, p)))
}

fn has_tagged(items: &[&str], sigil: char, wanted: &str) -> bool {
    items
        .iter()
        .any(|item| same_text(item.strip_prefix(sigil).unwrap_or(item), wanted))
}

/// Where an expression is wrong, and how.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("at byte {position}: {kind}")]
pub struct RuleError {
    /// Byte offset in the source where the problem was found.
    pub position: usize,
    /// What is wrong.
    pub kind: RuleErrorKind,
}

impl RuleError {
    const fn at(position: usize, kind: RuleErrorKind) -> Self {
        Self { position, kind }
    }

    /// A stable code for translations and the API (`rule_<what>`).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }
}

/// The ways an expression can be wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleErrorKind {
    /// Nothing to match, or `()`.
    #[error("the expression is empty; write at least one word, e.g. `banjir`")]
    Empty,
    /// A `(` that is never closed.
    #[error("this `(` is never closed; add a `)` after the terms it groups")]
    UnclosedParenthesis,
    /// A `)` with no `(` before it.
    #[error("this `)` has no matching `(`; remove it or add a `(` before the terms it groups")]
    UnmatchedClose,
    /// A `"` that is never closed.
    #[error("this quote is never closed; end the phrase with `\"`")]
    UnclosedQuote,
    /// `""`, a lone `#`, `@` or `region:`.
    #[error("this term is empty; write a word after `#`, `@` or `region:` and inside quotes")]
    EmptyTerm,
    /// `AND`, `OR`, `NOT` or `-` without a term on the side that needs one.
    #[error(
        "an operator here has nothing to apply to; put a word after NOT or -, and words on both sides of AND and OR"
    )]
    DanglingOperator,
    /// `region:` with a slug that is not one of [`regions`].
    #[error("unknown region `{given}`; did you mean {}?", suggestions.join(", "))]
    UnknownRegion {
        /// What was written after `region:`.
        given: String,
        /// The closest slugs, best first.
        suggestions: Vec<&'static str>,
    },
    /// Longer than [`MAX_EXPRESSION_CHARS`].
    #[error("the expression is longer than 2,000 characters; split it into several rules")]
    TooLong,
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("parentheses and NOT are nested more than 32 deep; flatten the expression")]
    TooDeep,
    /// More than [`MAX_TERMS`] terms.
    #[error("the expression has more than 200 terms; split it into several rules")]
    TooManyTerms,
}

impl RuleErrorKind {
    /// A stable code for translations and the API.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "rule_empty",
            Self::UnclosedParenthesis => "rule_unclosed_parenthesis",
            Self::UnmatchedClose => "rule_unmatched_parenthesis",
            Self::UnclosedQuote => "rule_unclosed_quote",
            Self::EmptyTerm => "rule_empty_term",
            Self::DanglingOperator => "rule_dangling_operator",
            Self::UnknownRegion { .. } => "rule_unknown_region",
            Self::TooLong => "rule_too_long",
            Self::TooDeep => "rule_too_deep",
            Self::TooManyTerms => "rule_too_many_terms",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum TokenKind {
    Open,
    Close,
    And,
    Or,
    Not,
    Term(Node),
}

impl TokenKind {
    const fn is_term(&self) -> bool {
        matches!(self, Self::Term(_))
    }
}

#[derive(Clone, Debug)]
struct Token {
    start: usize,
    kind: TokenKind,
}

fn operator(word: &str) -> Option<TokenKind> {
    if word.eq_ignore_ascii_case("and") {
        Some(TokenKind::And)
    } else if word.eq_ignore_ascii_case("or") {
        Some(TokenKind::Or)
    } else if word.eq_ignore_ascii_case("not") {
        Some(TokenKind::Not)
    } else {
        None
    }
}

/// Whether `c` ends a bare word.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

fn lex(src: &str) -> Result<Vec<Token>, RuleError> {
    let mut tokens = Vec::new();
    let mut rest = src.char_indices().peekable();
    while let Some(&(start, c)) = rest.peek() {
        if c.is_whitespace() {
            rest.next();
            continue;
        }
        let kind = match c {
            '(' => {
                rest.next();
                TokenKind::Open
            }
            ')' => {
                rest.next();
                TokenKind::Close
            }
            '-' => {
                rest.next();
                // `-` only negates when a term or group follows directly; `- x` is dangling.
                if rest
                    .peek()
                    .is_none_or(|&(_, n)| n.is_whitespace() || n == ')')
                {
                    return Err(RuleError::at(start, RuleErrorKind::DanglingOperator));
                }
                TokenKind::Not
            }
            '"' => {
                rest.next();
                let body_start = start + 1;
                let Some(len) = src[body_start..].find('"') else {
                    return Err(RuleError::at(start, RuleErrorKind::UnclosedQuote));
                };
                let body = &src[body_start..body_start + len];
                while rest.peek().is_some_and(|&(i, _)| i <= body_start + len) {
                    rest.next();
                }
                TokenKind::Term(phrase(body).ok_or(RuleError::at(start, RuleErrorKind::EmptyTerm))?)
            }
            _ => {
                let mut end = src.len();
                while let Some(&(i, n)) = rest.peek() {
                    if is_delimiter(n) {
                        end = i;
                        break;
                    }
                    rest.next();
                }
                bare(&src[start..end], start)?
            }
        };
        tokens.push(Token { start, kind });
    }
    Ok(tokens)
}

/// A quoted phrase: one word is just a word (so quoting a word changes nothing).
fn phrase(body: &str) -> Option<Node> {
    let mut words: Vec<String> = body.split_whitespace().map(lower).collect();
    match words.len() {
        0 => None,
        1 => words.pop().map(Node::Word),
        _ => Some(Node::Phrase(words)),
    }
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// A bare word: an operator, a hashtag, a mention, a region or a plain word.
fn bare(word: &str, start: usize) -> Result<TokenKind, RuleError> {
    if let Some(op) = operator(word) {
        return Ok(op);
    }
    let nonempty = |s: &str| {
        if s.is_empty() {
            Err(RuleError::at(start, RuleErrorKind::EmptyTerm))
        } else {
            Ok(lower(s))
        }
    };
    let node = if let Some(tag) = word.strip_prefix('#') {
        Node::Hashtag(nonempty(tag)?)
    } else if let Some(handle) = word.strip_prefix('@') {
        Node::Mention(nonempty(handle)?)
    } else if is_region_term(word) {
        let slug = nonempty(&word[REGION_PREFIX.len()..])?;
        Node::Region(region_named(&slug).ok_or_else(|| {
            RuleError::at(
                start,
                RuleErrorKind::UnknownRegion {
                    suggestions: closest_slugs(&slug),
                    given: slug,
                },
            )
        })?)
    } else {
        Node::Word(lower(word))
    };
    Ok(TokenKind::Term(node))
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    /// Byte length of the source, where "missing term" errors at the end point.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn peek_kind(&self) -> Option<&TokenKind> {
        self.peek().map(|t| &t.kind)
    }

    fn position(&self) -> usize {
        self.peek().map_or(self.end, |t| t.start)
    }

    /// `or := and (OR and)*`
    fn expression(&mut self, depth: usize) -> Result<Node, RuleError> {
        let mut any = vec![self.conjunction(depth)?];
        while self.peek_kind() == Some(&TokenKind::Or) {
            self.next += 1;
            any.push(self.conjunction(depth)?);
        }
        Ok(collapse(any, Node::Or))
    }

    /// `and := unary ((AND)? unary)*`, stopping at `OR`, `)` or the end.
    fn conjunction(&mut self, depth: usize) -> Result<Node, RuleError> {
        let mut all = vec![self.unary(depth)?];
        loop {
            match self.peek_kind() {
                None | Some(TokenKind::Or | TokenKind::Close) => break,
                Some(TokenKind::And) => {
                    self.next += 1;
                    all.push(self.unary(depth)?);
                }
                Some(_) => all.push(self.unary(depth)?),
            }
        }
        Ok(collapse(all, Node::And))
    }

    /// `unary := NOT unary | '(' or ')' | term`
    fn unary(&mut self, depth: usize) -> Result<Node, RuleError> {
        let position = self.position();
        let Some(token) = self.peek() else {
            return Err(self.missing_term(position));
        };
        match &token.kind {
            TokenKind::Not => {
                let depth = deeper(depth, position)?;
                self.next += 1;
                Ok(Node::Not(Box::new(self.unary(depth)?)))
            }
            TokenKind::Open => {
                let depth = deeper(depth, position)?;
                self.next += 1;
                if self.peek_kind() == Some(&TokenKind::Close) {
                    return Err(RuleError::at(position, RuleErrorKind::Empty));
                }
                let inner = self.expression(depth)?;
                if self.peek_kind() != Some(&TokenKind::Close) {
                    return Err(RuleError::at(position, RuleErrorKind::UnclosedParenthesis));
                }
                self.next += 1;
                Ok(inner)
            }
            TokenKind::Term(node) => {
                let node = node.clone();
                self.next += 1;
                Ok(node)
            }
            TokenKind::Close => Err(if self.next == 0 {
                RuleError::at(position, RuleErrorKind::UnmatchedClose)
            } else {
                self.missing_term(position)
            }),
            TokenKind::And | TokenKind::Or => Err(self.missing_term(position)),
        }
    }

    /// A term was expected at `position`: an empty expression when there are no tokens at
    /// all, else the operator before (or at) this point has nothing to apply to.
    fn missing_term(&self, position: usize) -> RuleError {
        if self.tokens.is_empty() {
            return RuleError::at(0, RuleErrorKind::Empty);
        }
        let at_operator = self
            .peek()
            .filter(|t| matches!(t.kind, TokenKind::And | TokenKind::Or))
            .or_else(|| self.next.checked_sub(1).and_then(|i| self.tokens.get(i)))
            .map_or(position, |t| t.start);
        RuleError::at(at_operator, RuleErrorKind::DanglingOperator)
    }
}

fn deeper(depth: usize, position: usize) -> Result<usize, RuleError> {
    if depth >= MAX_DEPTH {
        Err(RuleError::at(position, RuleErrorKind::TooDeep))
    } else {
        Ok(depth + 1)
    }
}

/// One node stays itself; several become an `AND` or `OR`.
fn collapse(mut nodes: Vec<Node>, group: fn(Vec<Node>) -> Node) -> Node {
    if nodes.len() == 1
        && let Some(only) = nodes.pop()
    {
        return only;
    }
    group(nodes)
}

/// The first enabled rule, by priority then name, whose expression matches `input`.
#[must_use]
pub fn route<'a>(
    rules: &'a [(RoutingRule, Expression)],
    input: &MatchInput<'_>,
) -> Option<&'a RoutingRule> {
    let mut candidates: Vec<&(RoutingRule, Expression)> =
        rules.iter().filter(|(rule, _)| rule.enabled).collect();
    candidates.sort_by(|(a, _), (b, _)| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
    candidates
        .into_iter()
        .find(|(_, expression)| expression.matches(input))
        .map(|(rule, _)| rule)
}

/// A regency (kabupaten) or city (kota) of East Java.
#[derive(Debug, PartialEq, Eq)]
pub struct Region {
    /// Stable short name used in `region:<slug>`: the plain name where it is unique, else
    /// `kota-` or `kab-` before it.
    pub slug: &'static str,
    /// Official name, e.g. `Kabupaten Sidoarjo`.
    pub name: &'static str,
    /// Other ways people write it, lower case; each may be several words. A bare name shared
    /// by a city and a regency (`malang`) is an alias of both: text rarely says which.
    pub aliases: &'static [&'static str],
}

impl Region {
    /// Whether the words mention this region by its name or an alias. A name shared with
    /// another region (`malang`) does not count right after `kota`, `kab` or `kabupaten`:
    /// "kota malang" names the city only.
    #[must_use]
    pub fn is_mentioned(&self, words: &[&str]) -> bool {
        std::iter::once(self.name)
            .chain(self.aliases.iter().copied())
            .any(|name| name_at_any(name, words))
    }
}

/// Whether `name` (one or more words) occurs in `words`; a shared bare name must not follow
/// a kind marker. No allocation: this runs for every region on every message.
fn name_at_any(name: &str, words: &[&str]) -> bool {
    let parts = name.split_whitespace().count();
    if parts == 0 || parts > words.len() {
        return false;
    }
    let shared = parts == 1 && is_shared_alias(name);
    (0..=words.len() - parts).any(|i| {
        name.split_whitespace()
            .zip(&words[i..])
            .all(|(part, word)| same_text(word, part))
            && !(shared && i > 0 && is_kind_marker(words[i - 1]))
    })
}

/// Whether more than one region has `alias` (the bare names of city–regency pairs).
fn is_shared_alias(alias: &str) -> bool {
    REGIONS
        .iter()
        .filter(|r| r.aliases.contains(&alias))
        .nth(1)
        .is_some()
}

/// Words that say whether a city or a regency follows.
fn is_kind_marker(word: &str) -> bool {
    ["kota", "kab", "kabupaten"]
        .iter()
        .any(|m| same_text(word, m))
}

macro_rules! region {
    ($slug:literal, $name:literal $(, $alias:literal)* $(,)?) => {
        Region { slug: $slug, name: $name, aliases: &[$($alias),*] }
    };
}

/// East Java's 29 regencies and 9 cities, regencies first, each alphabetically.
static REGIONS: [Region; 38] = [
    region!(
        "bangkalan",
        "Kabupaten Bangkalan",
        "bangkalan",
        "kab bangkalan"
    ),
    region!(
        "banyuwangi",
        "Kabupaten Banyuwangi",
        "banyuwangi",
        "bwi",
        "kab banyuwangi"
    ),
    region!("kab-blitar", "Kabupaten Blitar", "blitar", "kab blitar"),
    region!(
        "bojonegoro",
        "Kabupaten Bojonegoro",
        "bojonegoro",
        "kab bojonegoro"
    ),
    region!(
        "bondowoso",
        "Kabupaten Bondowoso",
        "bondowoso",
        "kab bondowoso"
    ),
    region!("gresik", "Kabupaten Gresik", "gresik", "kab gresik"),
    region!("jember", "Kabupaten Jember", "jember", "kab jember"),
    region!("jombang", "Kabupaten Jombang", "jombang", "kab jombang"),
    region!("kab-kediri", "Kabupaten Kediri", "kediri", "kab kediri"),
    region!("lamongan", "Kabupaten Lamongan", "lamongan", "kab lamongan"),
    region!("lumajang", "Kabupaten Lumajang", "lumajang", "kab lumajang"),
    region!(
        "kab-madiun",
        "Kabupaten Madiun",
        "madiun",
        "kab madiun",
        "caruban"
    ),
    region!("magetan", "Kabupaten Magetan", "magetan", "kab magetan"),
    region!(
        "kab-malang",
        "Kabupaten Malang",
        "malang",
        "kab malang",
        "kepanjen"
    ),
    region!(
        "kab-mojokerto",
        "Kabupaten Mojokerto",
        "mojokerto",
        "kab mojokerto",
        "mojosari"
    ),
    region!("nganjuk", "Kabupaten Nganjuk", "nganjuk", "kab nganjuk"),
    region!("ngawi", "Kabupaten Ngawi", "ngawi", "kab ngawi"),
    region!("pacitan", "Kabupaten Pacitan", "pacitan", "kab pacitan"),
    region!(
        "pamekasan",
        "Kabupaten Pamekasan",
        "pamekasan",
        "kab pamekasan"
    ),
    region!(
        "kab-pasuruan",
        "Kabupaten Pasuruan",
        "pasuruan",
        "kab pasuruan",
        "bangil"
    ),
    region!("ponorogo", "Kabupaten Ponorogo", "ponorogo", "kab ponorogo"),
    region!(
        "kab-probolinggo",
        "Kabupaten Probolinggo",
        "probolinggo",
        "kab probolinggo",
        "kraksaan"
    ),
    region!("sampang", "Kabupaten Sampang", "sampang", "kab sampang"),
    region!(
        "sidoarjo",
        "Kabupaten Sidoarjo",
        "sidoarjo",
        "kab sidoarjo",
        "sda"
    ),
    region!(
        "situbondo",
        "Kabupaten Situbondo",
        "situbondo",
        "kab situbondo"
    ),
    region!("sumenep", "Kabupaten Sumenep", "sumenep", "kab sumenep"),
    region!(
        "trenggalek",
        "Kabupaten Trenggalek",
        "trenggalek",
        "kab trenggalek"
    ),
    region!("tuban", "Kabupaten Tuban", "tuban", "kab tuban"),
    region!(
        "tulungagung",
        "Kabupaten Tulungagung",
        "tulungagung",
        "kab tulungagung"
    ),
    region!("batu", "Kota Batu", "kota wisata batu"),
    region!("kota-blitar", "Kota Blitar", "blitar"),
    region!("kota-kediri", "Kota Kediri", "kediri"),
    region!("kota-madiun", "Kota Madiun", "madiun"),
    region!("kota-malang", "Kota Malang", "malang"),
    region!("kota-mojokerto", "Kota Mojokerto", "mojokerto"),
    region!("kota-pasuruan", "Kota Pasuruan", "pasuruan"),
    region!("kota-probolinggo", "Kota Probolinggo", "probolinggo"),
    region!(
        "surabaya",
        "Kota Surabaya",
        "surabaya",
        "sby",
        "suroboyo",
        "kota pahlawan"
    ),
];

/// East Java's 38 regencies and cities (Kota Batu is `batu`, but only "kota batu" in text
/// names it: "batu" alone is the word for stone).
#[must_use]
pub fn regions() -> &'static [Region] {
    &REGIONS
}

/// The regions a message mentions, in the order of [`regions`].
#[must_use]
pub fn detect_regions(input: &MatchInput<'_>) -> Vec<&'static Region> {
    REGIONS
        .iter()
        .filter(|r| r.is_mentioned(input.words))
        .collect()
}

/// The region for `region:<name>`: its slug, or an alias that names only one region
/// (`sby` → `surabaya`), with spaces written as hyphens (`kota-pahlawan`).
fn region_named(name: &str) -> Option<&'static Region> {
    if let Some(r) = REGIONS.iter().find(|r| r.slug == name) {
        return Some(r);
    }
    let spaced = name.replace('-', " ");
    let mut named = REGIONS
        .iter()
        .filter(|r| r.aliases.iter().any(|a| *a == spaced) || same_text(r.name, &spaced));
    match (named.next(), named.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// Up to three slugs nearest to `given`: slugs containing it (so `malang` offers both Malangs)
/// first, then by edit distance.
fn closest_slugs(given: &str) -> Vec<&'static str> {
    let mut scored: Vec<(usize, &'static str)> = REGIONS
        .iter()
        .map(|r| {
            let contains = !given.is_empty() && r.slug.contains(given);
            let score = if contains {
                0
            } else {
                edit_distance(given, r.slug)
            };
            (score, r.slug)
        })
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(3).map(|(_, slug)| slug).collect()
}

/// Levenshtein distance over characters, with the input capped so a long typo stays cheap.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            let insert = current[j] + 1;
            let delete = previous[j + 1] + 1;
            current.push(substitute.min(insert).min(delete));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A message as the analyser would describe it, with a few stems written by hand.
    struct Text {
        words: Vec<&'static str>,
        stems: Vec<&'static str>,
        hashtags: Vec<&'static str>,
        mentions: Vec<&'static str>,
    }

    impl Text {
        fn new(text: &'static str) -> Self {
            let mut t = Self {
                words: Vec::new(),
                stems: Vec::new(),
                hashtags: Vec::new(),
                mentions: Vec::new(),
            };
            for w in text.split_whitespace() {
                if let Some(tag) = w.strip_prefix('#') {
                    t.hashtags.push(tag);
                } else if w.starts_with('@') {
                    t.mentions.push(w);
                } else {
                    t.words.push(w);
                    t.stems.push(match w {
                        "kerusakan" | "rusaknya" => "rusak",
                        "kebanjiran" => "banjir",
                        "berlubang" => "lubang",
                        other => other,
                    });
                }
            }
            t
        }

        fn input(&self) -> MatchInput<'_> {
            MatchInput {
                words: &self.words,
                stems: &self.stems,
                hashtags: &self.hashtags,
                mentions: &self.mentions,
            }
        }
    }

    fn matches(expression: &str, text: &'static str) -> bool {
        Expression::parse(expression)
            .unwrap()
            .matches(&Text::new(text).input())
    }

    fn error(expression: &str) -> RuleError {
        Expression::parse(expression).unwrap_err()
    }

    fn canonical(expression: &str) -> String {
        Expression::parse(expression).unwrap().to_string()
    }

    #[test]
    fn words_match_words_and_stems() {
        assert!(matches("banjir", "desa kami banjir lagi"));
        assert!(matches("rusak", "kerusakan jalan parah"));
        assert!(matches("BANJIR", "rumah kebanjiran"));
        assert!(!matches("banjir", "air sungai naik"));
        assert!(!matches("rusak", "jalan berlubang"));
    }

    #[test]
    fn phrases_need_consecutive_words() {
        assert!(matches(
            "\"jalan rusak\"",
            "tolong jalan rusak di depan pasar"
        ));
        assert!(!matches("\"jalan rusak\"", "jalan desa rusak"));
        assert!(!matches("\"jalan rusak\"", "rusak jalan"));
        assert!(matches("\"Jalan   RUSAK\"", "jalan rusak"));
        // A quoted single word is just that word (and so matches stems too).
        assert!(matches("\"rusak\"", "kerusakan"));
    }

    #[test]
    fn hashtags_mentions_and_regions() {
        assert!(matches("#banjir", "air naik #Banjir"));
        assert!(!matches("#banjir", "banjir lagi"));
        assert!(matches("@dinaspu", "lapor @DinasPU jalan rusak"));
        assert!(!matches("@dinaspu", "dinaspu"));
        assert!(matches("region:sidoarjo", "banjir di porong sidoarjo"));
        assert!(matches("region:surabaya", "macet di sby"));
        assert!(matches("region:surabaya", "arek suroboyo"));
        assert!(matches("region:kota-malang", "jalan di kota malang rusak"));
        assert!(matches(
            "region:kab-malang",
            "jalan di kabupaten malang rusak"
        ));
        assert!(!matches("region:kab-malang", "jalan di kota malang rusak"));
        assert!(!matches("region:batu", "batu bata berserakan"));
        assert!(matches("region:batu", "wisata kota batu"));
    }

    #[test]
    fn operators_and_precedence() {
        assert!(matches("banjir AND sidoarjo", "banjir sidoarjo"));
        assert!(matches("banjir sidoarjo", "sidoarjo banjir"));
        assert!(!matches("banjir sidoarjo", "banjir gresik"));
        assert!(matches("banjir or longsor", "longsor"));
        assert!(matches("banjir NOT hoaks", "banjir lagi"));
        assert!(!matches("banjir NOT hoaks", "banjir hoaks"));
        assert!(!matches("banjir -hoaks", "banjir hoaks"));
        assert!(!matches("banjir -\"berita lama\"", "banjir berita lama"));
        // NOT > AND > OR: `a OR b c` is `a OR (b AND c)`, `NOT a b` is `(NOT a) AND b`.
        assert!(matches("longsor OR banjir gresik", "longsor"));
        assert!(!matches("longsor OR banjir gresik", "banjir"));
        assert!(matches("(longsor OR banjir) gresik", "banjir gresik"));
        assert!(!matches("(longsor OR banjir) gresik", "banjir"));
        assert!(matches("NOT hoaks banjir", "banjir"));
        assert!(!matches("NOT hoaks banjir", "hoaks"));
        assert!(matches("NOT (hoaks banjir)", "hoaks"));
        assert!(matches("-(hoaks OR fitnah) jalan", "jalan"));
    }

    #[test]
    fn display_is_a_canonical_form() {
        assert_eq!(canonical("Banjir  sidoarjo"), "banjir AND sidoarjo");
        assert_eq!(canonical("a or b c"), "a OR b AND c");
        assert_eq!(canonical("(a or b) c"), "(a OR b) AND c");
        assert_eq!(canonical("-a"), "NOT a");
        assert_eq!(canonical("-(a b)"), "NOT (a AND b)");
        assert_eq!(canonical("(a b) c"), "(a AND b) AND c");
        assert_eq!(canonical("((a))"), "a");
        assert_eq!(
            canonical("\"and\" #Banjir @PU"),
            "\"and\" AND #banjir AND @pu"
        );
        assert_eq!(canonical("\"Jalan Rusak\""), "\"jalan rusak\"");
        assert_eq!(canonical("region:SBY"), "region:surabaya");
        assert_eq!(canonical("region:kabupaten-malang"), "region:kab-malang");
        assert_eq!(
            canonical("\"-x\" \"#y\" \"region:z\""),
            "\"-x\" AND \"#y\" AND \"region:z\""
        );
        for src in ["a OR b AND c", "(a OR b) AND c", "NOT NOT a", "\"or\""] {
            let e = Expression::parse(src).unwrap();
            assert_eq!(Expression::parse(&e.to_string()).unwrap(), e, "{src}");
        }
    }

    #[test]
    fn errors_point_at_the_problem_and_say_how_to_fix_it() {
        let cases: [(&str, usize, &str); 14] = [
            ("", 0, "rule_empty"),
            ("   ", 0, "rule_empty"),
            ("a ()", 2, "rule_empty"),
            ("(banjir OR longsor", 0, "rule_unclosed_parenthesis"),
            ("banjir)", 6, "rule_unmatched_parenthesis"),
            (")", 0, "rule_unmatched_parenthesis"),
            ("banjir AND", 7, "rule_dangling_operator"),
            ("OR banjir", 0, "rule_dangling_operator"),
            ("banjir AND OR x", 11, "rule_dangling_operator"),
            ("banjir NOT", 7, "rule_dangling_operator"),
            ("banjir - x", 7, "rule_dangling_operator"),
            ("(banjir OR)", 8, "rule_dangling_operator"),
            ("say \"jalan rusak", 4, "rule_unclosed_quote"),
            ("a \"\" #", 2, "rule_empty_term"),
        ];
        for (src, position, code) in cases {
            let e = error(src);
            assert_eq!((e.position, e.code()), (position, code), "{src:?}: {e}");
        }
        assert!(error("(a").to_string().contains("add a `)`"));
        assert!(error("a AND").to_string().contains("words on both sides"));
        assert_eq!(error("# x").code(), "rule_empty_term");
        assert_eq!(error("@").code(), "rule_empty_term");
        assert_eq!(error("region:").code(), "rule_empty_term");
    }

    #[test]
    fn unknown_regions_suggest_the_closest_slugs() {
        let e = error("banjir region:malang");
        assert_eq!(e.position, 7);
        assert_eq!(e.code(), "rule_unknown_region");
        let RuleErrorKind::UnknownRegion { given, suggestions } = &e.kind else {
            panic!("{e:?}");
        };
        assert_eq!(given, "malang");
        assert_eq!(&suggestions[..2], ["kab-malang", "kota-malang"]);
        assert!(
            e.to_string()
                .contains("did you mean kab-malang, kota-malang")
        );
        let typo = error("region:sidoarjoo");
        let RuleErrorKind::UnknownRegion { suggestions, .. } = &typo.kind else {
            panic!("{typo:?}");
        };
        assert_eq!(suggestions[0], "sidoarjo");
    }

    #[test]
    fn limits_on_size_depth_and_terms() {
        assert_eq!(error(&"a ".repeat(1_001)).code(), "rule_too_long");
        assert!(Expression::parse(&"a".repeat(2_000)).is_ok());
        let nested = |n: usize| format!("{}x{}", "(".repeat(n), ")".repeat(n));
        assert!(Expression::parse(&nested(32)).is_ok());
        let deep = error(&nested(33));
        assert_eq!((deep.code(), deep.position), ("rule_too_deep", 32));
        assert_eq!(
            error(&format!("{}x", "-".repeat(40))).code(),
            "rule_too_deep"
        );
        assert_eq!(
            error(&format!("{}x", "NOT ".repeat(40))).code(),
            "rule_too_deep"
        );
        let terms = |n: usize| vec!["ab"; n].join(" ");
        assert!(Expression::parse(&terms(200)).is_ok());
        let many = error(&terms(201));
        assert_eq!((many.code(), many.position), ("rule_too_many_terms", 600));
    }

    #[test]
    fn east_java_has_38_regions_with_unique_slugs() {
        let all = regions();
        assert_eq!(all.len(), 38);
        assert_eq!(
            all.iter()
                .filter(|r| r.name.starts_with("Kabupaten "))
                .count(),
            29
        );
        assert_eq!(
            all.iter().filter(|r| r.name.starts_with("Kota ")).count(),
            9
        );
        let mut slugs: Vec<&str> = all.iter().map(|r| r.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), 38);
        for r in all {
            assert!(crate::values::Slug::parse(r.slug).is_ok(), "{}", r.slug);
            assert_eq!(
                Expression::parse(&format!("region:{}", r.slug))
                    .unwrap()
                    .to_string(),
                format!("region:{}", r.slug)
            );
            assert!(
                r.aliases.iter().all(|a| *a == a.to_lowercase()),
                "{}",
                r.slug
            );
        }
    }

    #[test]
    fn detect_regions_reads_names_and_aliases() {
        let slugs = |text: &'static str| -> Vec<&str> {
            detect_regions(&Text::new(text).input())
                .iter()
                .map(|r| r.slug)
                .collect()
        };
        assert_eq!(
            slugs("banjir di sidoarjo dan sby"),
            ["sidoarjo", "surabaya"]
        );
        assert_eq!(slugs("macet di kota malang"), ["kota-malang"]);
        assert_eq!(slugs("macet di kab malang"), ["kab-malang"]);
        // A bare shared name could be either.
        assert_eq!(slugs("macet di malang"), ["kab-malang", "kota-malang"]);
        assert!(slugs("tidak ada nama tempat").is_empty());
        assert!(slugs("").is_empty());
    }

    fn rule(
        name: &str,
        priority: i32,
        enabled: bool,
        expression: &str,
    ) -> (RoutingRule, Expression) {
        (
            RoutingRule {
                id: RoutingRuleId::generate(),
                name: name.to_owned(),
                opd: OpdId::generate(),
                expression: expression.to_owned(),
                priority,
                enabled,
            },
            Expression::parse(expression).unwrap(),
        )
    }

    #[test]
    fn route_takes_the_first_enabled_match_by_priority_then_name() {
        let rules = vec![
            rule("z banjir umum", 10, true, "banjir"),
            rule("a banjir sidoarjo", 10, true, "banjir region:sidoarjo"),
            rule("jalan", 5, true, "\"jalan rusak\" OR berlubang"),
            rule("semua (mati)", 0, false, "banjir OR jalan"),
        ];
        let pick =
            |text: &'static str| route(&rules, &Text::new(text).input()).map(|r| r.name.as_str());
        assert_eq!(pick("banjir di sidoarjo"), Some("a banjir sidoarjo"));
        assert_eq!(pick("banjir di gresik"), Some("z banjir umum"));
        assert_eq!(pick("jalan rusak banjir sidoarjo"), Some("jalan"));
        assert_eq!(pick("jalan mulus"), None);
        assert_eq!(route(&[], &Text::new("banjir").input()), None);
    }

    /// Pieces that often form valid expressions, so the round trip is exercised, not only
    /// the error paths.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "banjir",
            "JALAN",
            "\"jalan rusak\"",
            "#Banjir",
            "@pu",
            "region:sby",
            "region:batu",
            "AND",
            "or",
            "Not",
            "-",
            "(",
            ")",
            "\"",
            " ",
            "\"and\"",
            "kab-malang",
            "region:x",
            "İstanbul",
            "ΣΑΣ",
            "a\"b",
            "\u{a0}",
            "--",
            "#",
            "\"-x y\"",
        ])
    }

    proptest! {
        #[test]
        fn parse_never_panics(src in any::<String>()) {
            let _ = Expression::parse(&src);
        }

        #[test]
        fn canonical_form_parses_to_the_same_expression(
            pieces in prop::collection::vec(piece(), 0..24),
            spaced in any::<bool>(),
        ) {
            let src = pieces.join(if spaced { " " } else { "" });
            if let Ok(e) = Expression::parse(&src) {
                let again = Expression::parse(&e.to_string());
                prop_assert_eq!(again.as_ref(), Ok(&e), "{} → {}", src, e);
            }
        }

        #[test]
        fn canonical_form_round_trips_for_any_text(src in "\\PC{0,80}") {
            if let Ok(e) = Expression::parse(&src) {
                prop_assert_eq!(Expression::parse(&e.to_string()), Ok(e));
            }
        }
    }
}
