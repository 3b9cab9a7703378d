use proptest::prelude::*;

use super::*;

const RSS: &[u8] = include_bytes!("../../tests/fixtures/rss.xml");
const ATOM: &[u8] = include_bytes!("../../tests/fixtures/atom.xml");
const INDONESIAN: &[u8] = include_bytes!("../../tests/fixtures/indonesian.xml");
const WINDOWS_1252: &[u8] = include_bytes!("../../tests/fixtures/windows-1252.xml");
const BOMB: &[u8] = include_bytes!("../../tests/fixtures/bomb.xml");

fn now() -> Timestamp {
    "2026-11-28T04:00:00Z".parse().unwrap()
}

fn parse(bytes: &[u8]) -> Feed {
    parse_feed_at(bytes, None, now()).unwrap()
}

#[test]
fn rss_items_with_cdata_html_and_extensions() {
    let feed = parse(RSS);
    assert_eq!(feed.kind, FeedKind::Rss);
    assert_eq!(feed.title.as_deref(), Some("Warta Jatim Fiktif"));
    assert_eq!(feed.items.len(), 2);
    let first = &feed.items[0];
    assert_eq!(first.id, "wj-10231");
    assert_eq!(first.id_source, IdSource::Guid);
    assert_eq!(
        first.title.as_deref(),
        Some("Dinas PU Bina Marga Perbaiki Jalan Berlubang di Ruas Lamongan–Babat")
    );
    assert_eq!(
        first.summary_text.as_deref(),
        Some(
            "Perbaikan ditargetkan selesai dua pekan. Warga diminta berhati-hati & mengikuti rambu."
        )
    );
    assert_eq!(first.author.as_deref(), Some("Redaksi Warta"));
    assert_eq!(first.published.unwrap().to_string(), "2026-11-28T02:00:00Z");
    assert!(first.url.as_deref().unwrap().contains("utm_source=rss"));
    let second = &feed.items[1];
    assert_eq!(
        second.summary_text.as_deref(),
        Some("Pelayanan lambat sekali, petugas tidak becus. Antrean mengular sejak pagi.")
    );
    assert_eq!(
        second.published.unwrap().to_string(),
        "2026-11-27T14:30:00Z"
    );
    assert!(second.flags.is_empty());
}

#[test]
fn atom_entries_with_relative_links_and_xhtml() {
    let feed = parse(ATOM);
    assert_eq!(feed.kind, FeedKind::Atom);
    assert_eq!(feed.link.as_deref(), Some("https://kabar-kominfo.example/"));
    let first = &feed.items[0];
    assert_eq!(first.id, "tag:kabar-kominfo.example,2026:berita-501");
    assert_eq!(first.id_source, IdSource::AtomId);
    assert_eq!(
        first.url.as_deref(),
        Some("https://kabar-kominfo.example/berita/pelatihan-literasi-digital")
    );
    assert_eq!(
        first.title.as_deref(),
        Some("Pelatihan Literasi Digital untuk Perangkat Desa")
    );
    assert_eq!(first.author.as_deref(), Some("Humas Kominfo"));
    // `published` is preferred over `updated`.
    assert_eq!(first.published.unwrap().to_string(), "2026-11-27T01:15:00Z");
    let second = &feed.items[1];
    assert_eq!(
        second.summary_text.as_deref(),
        Some("Warga kini dapat melapor lewat kanal daring.")
    );
    assert_eq!(
        second.published.unwrap().to_string(),
        "2026-11-26T09:00:00Z"
    );
}

#[test]
fn indonesian_dates_and_missing_guids() {
    let feed = parse(INDONESIAN);
    let items = &feed.items;
    assert_eq!(items.len(), 6, "a bad date never drops an item");
    // No guid: the link, made absolute and without its fragment, is the id.
    assert_eq!(
        items[0].id,
        "https://kab-rekaan.example/berita/puskesmas-baru"
    );
    assert_eq!(items[0].id_source, IdSource::Link);
    assert_eq!(
        items[0].published.unwrap().to_string(),
        "2026-11-28T03:00:00Z"
    );
    assert_eq!(
        items[0].summary_text.as_deref(),
        Some("Puskesmas baru melayani warga tiga desa. Layanan buka 24 jam.")
    );
    // No guid and no link: a hash of title and date, stable across parses.
    assert_eq!(items[1].id_source, IdSource::Hash);
    assert!(items[1].id.starts_with("sha256:"));
    assert_eq!(items[1].id, parse(INDONESIAN).items[1].id);
    assert_ne!(items[1].id, items[2].id);
    assert_eq!(
        items[1].published.unwrap().to_string(),
        "2026-08-27T17:00:00Z"
    );
    assert_eq!(items[1].flags, [ItemFlag::DateZoneAssumed]);
    assert_eq!(
        items[2].published.unwrap().to_string(),
        "2026-11-26T00:30:00Z"
    );
    assert_eq!(
        items[3].published.unwrap().to_string(),
        "2026-05-01T10:00:00Z"
    );
    // Far in the future: clamped to the parse time, flagged, raw text kept.
    assert_eq!(items[4].published, Some(now()));
    assert_eq!(items[4].flags, [ItemFlag::DateInFuture]);
    assert_eq!(
        items[4].published_raw.as_deref(),
        Some("Sab, 12 Des 2037 10:00:00 WIB")
    );
    assert_eq!(items[5].published, None);
    assert_eq!(items[5].flags, [ItemFlag::DateUnreadable]);
}

#[test]
fn windows_1252_feed_is_decoded() {
    let feed = parse(WINDOWS_1252);
    assert_eq!(feed.encoding, "windows-1252");
    assert_eq!(feed.title.as_deref(), Some("Café Berita"));
    let item = &feed.items[0];
    assert_eq!(
        item.title.as_deref(),
        Some("“Pemkab” gelar lomba – hadiah menarik")
    );
    assert_eq!(
        item.summary_text.as_deref(),
        Some("Hadiah senilai Rp5 juta … pendaftaran dibuka.")
    );
}

#[test]
fn billion_laughs_is_refused_quickly() {
    assert_eq!(
        parse_feed_at(BOMB, None, now()),
        Err(FeedError::EntityDeclarations)
    );
}

#[test]
fn undeclared_entities_are_never_expanded() {
    let xml = b"<rss><channel><item><title>&lol9; &xxe;</title></item></channel></rss>";
    assert_eq!(parse(xml).items[0].title.as_deref(), Some("&lol9; &xxe;"));
}

#[test]
fn oversized_input_is_refused_before_reading() {
    let big = vec![b' '; MAX_FEED_BYTES + 1];
    let err = parse_feed_at(&big, None, now()).unwrap_err();
    assert!(matches!(err, FeedError::TooLarge { .. }));
    assert!(err.to_string().contains("limit"), "{err}");
}

#[test]
fn non_feeds_get_a_helpful_error() {
    let err = parse_feed_at(
        b"<!DOCTYPE html><html><body>Forbidden</body></html>",
        None,
        now(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("web page"), "{err}");
    let err = parse_feed_at(b"{\"items\": []}", None, now()).unwrap_err();
    assert!(err.to_string().contains("JSON"), "{err}");
    assert_eq!(parse_feed_at(b"  \n", None, now()), Err(FeedError::Empty));
    let err = parse_feed_at(b"<rss><channel><item><title>x</ti", None, now());
    assert!(err.is_err() || err.is_ok_and(|f| f.items.len() <= 1));
}

#[test]
fn control_characters_and_bare_ampersands_are_tolerated() {
    let xml = b"<rss><channel><item><title>A\x0bB & C</title><link>https://x.example/?a=1&b=2</link></item></channel></rss>";
    let feed = parse(xml);
    assert_eq!(feed.items[0].title.as_deref(), Some("A B & C"));
    assert_eq!(
        feed.items[0].url.as_deref(),
        Some("https://x.example/?a=1&b=2")
    );
}

#[test]
fn deep_nesting_is_refused() {
    let mut xml = String::from("<rss>");
    xml.push_str(&"<a>".repeat(MAX_DEPTH + 1));
    let err = parse_feed_at(xml.as_bytes(), None, now()).unwrap_err();
    assert_eq!(err, FeedError::TooDeep(MAX_DEPTH));
}

proptest! {
    #[test]
    fn parse_feed_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_feed_at(&bytes, None, now());
    }

    #[test]
    fn parse_feed_never_panics_on_feed_like_text(
        body in "(<item>|</item>|<title>|</title>|<pubDate>|</pubDate>|<link href=\"/x\"/>|&amp;|&#x1F600;|&#99999999;|<!\\[CDATA\\[|\\]\\]>|Senin, 1 Des 2026 10:00 WIB|[a-z<>&; ]){0,60}"
    ) {
        let xml = format!("<rss><channel>{body}</channel></rss>");
        let _ = parse_feed_at(xml.as_bytes(), Some("text/xml; charset=latin1"), now());
    }

    #[test]
    fn dates_never_panic(s in "\\PC{0,40}") {
        let _ = parse_date(&s);
    }
}

#[test]
fn a_channel_title_with_markup_inside_keeps_all_its_text() {
    let xml = br#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title type="xhtml"><div>Berita <b>Jatim</b> Hari Ini</div></title><entry><id>a</id><title>Satu</title></entry></feed>"#;
    let feed = parse(xml);
    assert_eq!(feed.title.as_deref(), Some("Berita Jatim Hari Ini"));
    assert_eq!(feed.items.len(), 1);
}
