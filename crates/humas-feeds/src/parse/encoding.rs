//! Bytes to text, trusting what the bytes say over what the labels say.
//!
//! Order: a byte-order mark wins; then bytes that are valid UTF-8 are read as UTF-8 whatever the
//! label (feeds often declare ISO-8859-1 or windows-1252 and send UTF-8: real Latin-1 text is
//! almost never valid multi-byte UTF-8 by accident); then the HTTP `charset`, then the XML
//! declaration; then windows-1252, which decodes any byte.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// The decoded text and the name of the encoding that was used.
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// The `charset` parameter of a Content-Type header value.
fn charset_of_content_type(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// The `encoding` pseudo-attribute of the XML declaration, read from the first bytes as ASCII.
fn encoding_of_xml_declaration(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(256)];
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let after = &decl[decl.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(value[..value.find(quote)?].to_owned())
}

/// A label's encoding; ISO-8859-1 is read as windows-1252, as browsers and the WHATWG do.
fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Decodes feed bytes to a `String`; never fails (undecodable bytes become U+FFFD).
pub(crate) fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    let finish = |encoding: &'static Encoding, body: &[u8]| {
        let (text, _) = encoding.decode_without_bom_handling(body);
        Decoded {
            text: text.into_owned(),
            encoding: encoding.name(),
        }
    };
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return finish(encoding, &bytes[bom_len..]);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return finish(UTF_8, bytes);
    }
    let labelled = content_type
        .and_then(charset_of_content_type)
        .and_then(encoding_for_label)
        .or_else(|| encoding_of_xml_declaration(bytes).and_then(|l| encoding_for_label(&l)));
    // A UTF-8 label on bytes that are not UTF-8 is wrong; the usual truth is windows-1252.
    // UTF-16 without a BOM is not a feed anyone sends; treat those labels the same way.
    let encoding = match labelled {
        Some(e) if e != UTF_8 && e.is_ascii_compatible() => e,
        _ => WINDOWS_1252,
    };
    finish(encoding, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_latin1_with_latin1_bytes() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xe9 \x93kutip\x94</a>";
        let d = decode(bytes, None);
        assert!(d.text.contains("café “kutip”"), "{}", d.text);
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn declared_latin1_but_really_utf8() {
        let bytes = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>café</a>".as_bytes();
        assert!(decode(bytes, None).text.contains("café"));
    }

    #[test]
    fn charset_from_content_type_and_bom() {
        let d = decode(b"<a>\xe9</a>", Some("text/xml; charset=\"iso-8859-1\""));
        assert_eq!(d.text, "<a>é</a>");
        let d = decode(b"\xef\xbb\xbf<a/>", None);
        assert_eq!(d.text, "<a/>");
        assert_eq!(
            charset_of_content_type("text/xml;charset=UTF-8"),
            Some("UTF-8")
        );
    }
}
