//! Markup to plain text: entity decoding and a small HTML tag stripper.
//!
//! Feed descriptions carry HTML, escaped or in CDATA, sometimes escaped twice. Analysis needs
//! readable plain text, not safe HTML, so tags are dropped (block tags become line breaks),
//! `script`/`style` bodies are dropped whole, and entities are decoded.

/// The HTML named entities that turn up in Indonesian news feeds, beyond XML's five.
///
/// A name not listed here is kept literally (`&foo;`): losing a rare symbol is better than
/// guessing, and nothing here can ever expand into more than one character.
const NAMED_ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", ' '),
    ("hellip", '…'),
    ("ndash", '–'),
    ("mdash", '—'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("bull", '•'),
    ("middot", '·'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("deg", '°'),
    ("eacute", 'é'),
    ("egrave", 'è'),
    ("aacute", 'á'),
    ("agrave", 'à'),
    ("ouml", 'ö'),
    ("uuml", 'ü'),
    ("times", '×'),
    ("euro", '€'),
];

/// The character an entity name (without `&` and `;`) stands for, if we know it.
pub(crate) fn resolve_entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        // NUL and unpaired surrogates are not text; drop rather than fail the whole item.
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    NAMED_ENTITIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
}

/// Decodes `&name;`, `&#123;` and `&#x7B;` in `s`; unknown or unterminated ones stay as written.
pub(crate) fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        // Entity names are short; a far-away `;` means this `&` was a bare ampersand.
        let end = after
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';' || c.is_whitespace() || *c == '&')
            .filter(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        match end.and_then(|e| resolve_entity(&after[..e]).map(|c| (e, c))) {
            Some((e, c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Tags after which a reader expects a new line.
fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "br"
            | "div"
            | "li"
            | "ul"
            | "ol"
            | "tr"
            | "table"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "figure"
            | "figcaption"
            | "hr"
            | "section"
            | "article"
    )
}

/// The lowercase name of the tag starting right after `<` in `tag_body` (`/p class=x` → `p`).
fn tag_name(tag_body: &str) -> String {
    tag_body
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Whether `s` looks like it still holds HTML markup (for doubly escaped descriptions).
fn looks_like_html(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    [
        "<p>", "<p ", "<br", "<div", "<a href", "<img ", "<strong>", "<b>", "<i>", "<em>", "</",
    ]
    .iter()
    .any(|t| lower.contains(t))
}

/// Removes tags once, keeping their text; block tags become newlines.
fn strip_tags_once(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        // A `<` not followed by a tag-like character is just text ("nilai < 5").
        if !after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            out.push('<');
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else {
            // An unterminated tag at the end (truncated description): drop it.
            rest = "";
            break;
        };
        let name = tag_name(&after[..gt]);
        rest = &after[gt + 1..];
        if (name == "script" || name == "style") && !after.starts_with('/') {
            let closing = format!("</{name}");
            rest = match find_ignoring_ascii_case(rest, &closing) {
                Some(i) => rest[i..].find('>').map_or("", |g| &rest[i + g + 1..]),
                None => "",
            };
        } else if is_block_tag(&name) {
            out.push('\n');
        }
    }
    out.push_str(rest);
    out
}

/// Byte offset of the first ASCII-case-insensitive occurrence of `needle` (ASCII) in `hay`,
/// without copying `hay`: a lowered copy per tag made hostile input quadratic.
fn find_ignoring_ascii_case(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let first = *n.first()?;
    let mut from = 0;
    while let Some(i) = h
        .get(from..)?
        .iter()
        .position(|b| b.eq_ignore_ascii_case(&first))
    {
        let at = from + i;
        if h.get(at..at + n.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(n))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Collapses runs of spaces within lines and runs of blank lines, and trims.
fn tidy_whitespace(s: &str) -> String {
    let lines: Vec<String> = s
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

/// Plain, readable text from an HTML fragment whose XML escaping is already undone.
#[must_use]
pub fn html_to_text(html: &str) -> String {
    let mut text = decode_entities(&strip_tags_once(html));
    // Doubly escaped feeds (`&amp;lt;p&amp;gt;`) leave real tags after one pass.
    if looks_like_html(&text) {
        text = decode_entities(&strip_tags_once(&text));
    }
    tidy_whitespace(&text.replace('\u{a0}', " "))
}

/// Plain text that was never HTML: only whitespace is tidied.
#[must_use]
pub fn plain_text(s: &str) -> String {
    tidy_whitespace(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_decode_and_unknown_ones_stay() {
        assert_eq!(
            decode_entities("A &amp; B &#65;&#x42; &nbsp;x &foo; & c"),
            "A & B AB  x &foo; & c"
        );
        assert_eq!(decode_entities("&#0;&#xD800;"), "&#0;&#xD800;");
    }

    #[test]
    fn many_script_tags_are_stripped_in_one_pass() {
        // Each tag used to lower-case the rest of the text: quadratic on hostile feeds.
        let html = format!("awal {} akhir", "<SCRIPT>x</Script>".repeat(100_000));
        assert_eq!(html_to_text(&html), "awal akhir");
        assert_eq!(find_ignoring_ascii_case("aXbxYz", "xy"), Some(3));
        assert_eq!(find_ignoring_ascii_case("abc", "abcd"), None);
    }

    #[test]
    fn html_becomes_readable_text() {
        let html = "<p>Dinas PU <b>Bina Marga</b> memperbaiki jalan.</p><p>Warga&nbsp;lega &hellip;</p><script>alert(1)</script><img src=x>";
        assert_eq!(
            html_to_text(html),
            "Dinas PU Bina Marga memperbaiki jalan.\nWarga lega …"
        );
    }

    #[test]
    fn double_escaped_html_is_stripped_too() {
        assert_eq!(
            html_to_text("&lt;p&gt;Banjir surut&lt;/p&gt;"),
            "Banjir surut"
        );
    }

    #[test]
    fn a_lone_less_than_is_text() {
        assert_eq!(html_to_text("nilai < 5 dan > 2"), "nilai < 5 dan > 2");
    }
}
