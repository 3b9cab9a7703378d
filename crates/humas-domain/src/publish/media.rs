//! Recognising an uploaded file from its bytes (never from its name): which image or video
//! format it is, its size in pixels and a video's length, so [`super::limits::check`] can
//! apply each platform's rules before anything is sent.
//!
//! Only headers are read; a file whose header is cut short or inconsistent is reported as
//! [`MediaError::Corrupt`]. Nothing here panics, whatever the bytes (a property test feeds
//! random and truncated files).

use super::limits::{MediaFacts, MediaKind};

/// What a file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sniffed {
    /// Image or video.
    pub kind: MediaKind,
    /// The MIME type: `image/jpeg`, `image/png`, `image/gif`, `image/webp`, `video/mp4`,
    /// `video/quicktime` or `video/webm`.
    pub mime: &'static str,
    /// Width in pixels (for a video, of its first track with a picture), when the header says.
    pub width: Option<u32>,
    /// Height in pixels, when the header says.
    pub height: Option<u32>,
    /// Length of a video in milliseconds, when the header says.
    pub duration_ms: Option<u64>,
}

impl Sniffed {
    /// The facts the publishing rules need, given the file's size and whether it has alt text.
    #[must_use]
    pub fn facts(&self, bytes: u64, has_alt_text: bool) -> MediaFacts {
        MediaFacts {
            kind: self.kind,
            mime: self.mime.to_owned(),
            bytes,
            width: self.width,
            height: self.height,
            duration_ms: self.duration_ms,
            has_alt_text,
        }
    }
}

/// Why a file cannot be attached.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// Not an image or video format Humas publishes.
    #[error("this file type cannot be published: {hint}")]
    Unsupported {
        /// What the file seems to be and what to upload instead.
        hint: String,
    },
    /// A known format whose header is cut short or inconsistent.
    #[error("the file looks damaged ({0}); export or download it again and upload the new copy")]
    Corrupt(String),
    /// Zero bytes.
    #[error("the file is empty; choose the file again")]
    Empty,
}

impl MediaError {
    /// Stable snake_case code for translations (`media-<code>`).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Unsupported { .. } => "unsupported",
            Self::Corrupt(_) => "corrupt",
            Self::Empty => "empty",
        }
    }
}

/// The formats we accept, for messages.
const ACCEPTED: &str = "upload a JPEG, PNG, WebP or GIF image, or an MP4, MOV or WebM video";

fn unsupported(what: &str) -> MediaError {
    MediaError::Unsupported {
        hint: format!("{what}; {ACCEPTED}"),
    }
}

fn corrupt(why: &str) -> MediaError {
    MediaError::Corrupt(why.to_owned())
}

/// Recognises an uploaded file by its magic bytes and reads its dimensions and duration.
///
/// # Errors
/// [`MediaError::Empty`] for no bytes, [`MediaError::Unsupported`] for any other format
/// (naming it when recognised, e.g. HEIC or PDF), [`MediaError::Corrupt`] when a known format's
/// header is cut short or inconsistent.
pub fn sniff(bytes: &[u8]) -> Result<Sniffed, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return jpeg(bytes);
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        return png(bytes);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return gif(bytes);
    }
    if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return webp(bytes);
    }
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return webm(bytes);
    }
    if looks_like_iso_bmff(bytes) {
        return iso_bmff(bytes);
    }
    Err(name_unsupported(bytes))
}

// ---------------------------------------------------------------------------------------------
// Reading helpers: every read is bounds-checked and returns `None` past the end.
// ---------------------------------------------------------------------------------------------

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_be_bytes(a))
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(3)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], 0]))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn image(mime: &'static str, width: u32, height: u32) -> Result<Sniffed, MediaError> {
    if width == 0 || height == 0 {
        return Err(corrupt("the header gives the image no width or height"));
    }
    Ok(Sniffed {
        kind: MediaKind::Image,
        mime,
        width: Some(width),
        height: Some(height),
        duration_ms: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

/// JPEG: walk the marker segments to the first start-of-frame (SOF0–SOF15 except DHT, JPG and
/// DAC, which share the range), then make sure the end-of-image marker follows: an upload cut
/// short loses it.
fn jpeg(b: &[u8]) -> Result<Sniffed, MediaError> {
    let cut = || corrupt("the JPEG ends before its frame header");
    let mut at = 2;
    loop {
        if *b.get(at).ok_or_else(cut)? != 0xFF {
            return Err(corrupt("the JPEG's segments are out of step"));
        }
        // Any number of 0xFF fill bytes may precede a marker.
        while b.get(at) == Some(&0xFF) {
            at += 1;
        }
        let marker = *b.get(at).ok_or_else(cut)?;
        at += 1;
        match marker {
            // Markers without a length: TEM, RST0–7, SOI.
            0x01 | 0xD0..=0xD8 => continue,
            0xD9 | 0xDA => return Err(corrupt("the JPEG has no frame header")),
            _ => {}
        }
        let length = usize::from(be16(b, at).ok_or_else(cut)?);
        if length < 2 {
            return Err(corrupt("a JPEG segment has an impossible length"));
        }
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            let height = be16(b, at + 3).ok_or_else(cut)?;
            let width = be16(b, at + 5).ok_or_else(cut)?;
            let rest = b.get(at + length..).unwrap_or(&[]);
            if !rest.windows(2).any(|w| w == [0xFF, 0xD9]) {
                return Err(corrupt("the JPEG ends early (no end-of-image marker)"));
            }
            return image("image/jpeg", u32::from(width), u32::from(height));
        }
        at += length;
    }
}

const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// PNG: the first chunk must be IHDR (width, height); then walk the chunks to IEND, which an
/// upload cut short loses.
fn png(b: &[u8]) -> Result<Sniffed, MediaError> {
    let cut = || corrupt("the PNG ends before its header");
    let ihdr_length = be32(b, 8).ok_or_else(cut)?;
    if b.get(12..16).ok_or_else(cut)? != b"IHDR" || ihdr_length != 13 {
        return Err(corrupt("the PNG does not start with its IHDR header"));
    }
    let width = be32(b, 16).ok_or_else(cut)?;
    let height = be32(b, 20).ok_or_else(cut)?;
    if width > i32::MAX as u32 || height > i32::MAX as u32 {
        return Err(corrupt("the PNG header gives an impossible size"));
    }
    let mut at = 8usize;
    loop {
        let Some(length) = be32(b, at) else {
            return Err(corrupt("the PNG ends early (no IEND chunk)"));
        };
        let kind = b.get(at + 4..at + 8);
        // Length, type, data, CRC.
        let next = usize::try_from(length)
            .ok()
            .and_then(|l| at.checked_add(12)?.checked_add(l))
            .filter(|next| *next <= b.len())
            .ok_or_else(|| corrupt("the PNG ends early (a chunk is cut short)"))?;
        if kind == Some(b"IEND") {
            return image("image/png", width, height);
        }
        at = next;
    }
}

/// GIF: the logical screen size follows the signature.
fn gif(b: &[u8]) -> Result<Sniffed, MediaError> {
    let cut = || corrupt("the GIF ends before its screen size");
    let width = le16(b, 6).ok_or_else(cut)?;
    let height = le16(b, 8).ok_or_else(cut)?;
    image("image/gif", u32::from(width), u32::from(height))
}

/// WebP: a RIFF container whose first chunk is VP8 (lossy), VP8L (lossless) or VP8X
/// (extended: animation, alpha, metadata).
fn webp(b: &[u8]) -> Result<Sniffed, MediaError> {
    let cut = || corrupt("the WebP ends before its image header");
    let riff_size = le32(b, 4).ok_or_else(cut)?;
    let declared = usize::try_from(riff_size)
        .ok()
        .and_then(|s| s.checked_add(8));
    if declared.is_none_or(|d| d > b.len()) {
        return Err(corrupt("the WebP ends early (shorter than its RIFF size)"));
    }
    let chunk = b.get(12..16).ok_or_else(cut)?;
    let (width, height) = match chunk {
        b"VP8 " => {
            if b.get(23..26) != Some(&[0x9D, 0x01, 0x2A]) {
                return Err(corrupt("the WebP's VP8 frame has no start code"));
            }
            let w = le16(b, 26).ok_or_else(cut)? & 0x3FFF;
            let h = le16(b, 28).ok_or_else(cut)? & 0x3FFF;
            (u32::from(w), u32::from(h))
        }
        b"VP8L" => {
            if b.get(20) != Some(&0x2F) {
                return Err(corrupt("the WebP's lossless header has no signature"));
            }
            let bits = le32(b, 21).ok_or_else(cut)?;
            ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        }
        b"VP8X" => {
            let w = le24(b, 24).ok_or_else(cut)? + 1;
            let h = le24(b, 27).ok_or_else(cut)? + 1;
            (w, h)
        }
        _ => return Err(corrupt("the WebP's first chunk is not an image")),
    };
    image("image/webp", width, height)
}

// ---------------------------------------------------------------------------------------------
// Videos
// ---------------------------------------------------------------------------------------------

/// WebM: an EBML document; a Matroska (`.mkv`) file shares the magic but not the doc type.
fn webm(b: &[u8]) -> Result<Sniffed, MediaError> {
    let head = b.get(..b.len().min(64)).unwrap_or(b);
    if head.windows(8).any(|w| w == b"matroska") {
        return Err(unsupported("this is a Matroska (MKV) video"));
    }
    Ok(Sniffed {
        kind: MediaKind::Video,
        mime: "video/webm",
        width: None,
        height: None,
        duration_ms: None,
    })
}

/// Top-level box types an MP4 or QuickTime file starts with (old QuickTime files have no
/// `ftyp`).
const FIRST_BOXES: &[&[u8; 4]] = &[b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"];

fn looks_like_iso_bmff(b: &[u8]) -> bool {
    b.get(4..8)
        .is_some_and(|t| FIRST_BOXES.iter().any(|f| t == f.as_slice()))
        && be32(b, 0).is_some_and(|size| size == 0 || size == 1 || size >= 8)
}

/// One box: its type and the byte range of its content.
struct BoxRef<'a> {
    kind: &'a [u8],
    body: &'a [u8],
}

/// The boxes inside `b`, stopping with an error at the first one that runs past the end.
fn boxes(b: &[u8]) -> impl Iterator<Item = Result<BoxRef<'_>, MediaError>> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        if at >= b.len() {
            return None;
        }
        let found = read_box(b, at);
        at = match &found {
            Ok((_, next)) => *next,
            Err(_) => b.len(),
        };
        Some(found.map(|(bx, _)| bx))
    })
}

fn read_box(b: &[u8], at: usize) -> Result<(BoxRef<'_>, usize), MediaError> {
    let cut = || corrupt("the video ends early (a box is cut short)");
    let size32 = be32(b, at).ok_or_else(cut)?;
    let kind = b.get(at + 4..at + 8).ok_or_else(cut)?;
    let (header, size) = match size32 {
        0 => (8, b.len() - at),
        1 => {
            let large = be64(b, at + 8).ok_or_else(cut)?;
            (16, usize::try_from(large).map_err(|_| cut())?)
        }
        n => (8, usize::try_from(n).map_err(|_| cut())?),
    };
    if size < header {
        return Err(corrupt("a video box has an impossible size"));
    }
    let end = at
        .checked_add(size)
        .filter(|e| *e <= b.len())
        .ok_or_else(cut)?;
    let body = b.get(at + header..end).ok_or_else(cut)?;
    Ok((BoxRef { kind, body }, end))
}

/// Major brands of ISO files that are still images or audio, not videos.
fn non_video_brand(brand: &[u8]) -> Option<&'static str> {
    match brand {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => {
            Some("this is a HEIC/HEIF photo (as iPhones save them); export it as JPEG")
        }
        b"avif" | b"avis" => Some("this is an AVIF image; export it as JPEG or PNG"),
        b"M4A " | b"M4B " | b"M4P " => Some("this is an audio file, not a video"),
        _ => None,
    }
}

/// MP4 and QuickTime: the brand in `ftyp` tells them apart; `moov/mvhd` gives the duration
/// and the first `moov/trak/tkhd` with a picture gives the size.
fn iso_bmff(b: &[u8]) -> Result<Sniffed, MediaError> {
    let mut mime = "video/quicktime";
    let mut moov = None;
    for bx in boxes(b) {
        let bx = bx?;
        match bx.kind {
            b"ftyp" => {
                let brand = bx
                    .body
                    .get(..4)
                    .ok_or_else(|| corrupt("the ftyp box is empty"))?;
                if let Some(what) = non_video_brand(brand) {
                    return Err(unsupported(what));
                }
                mime = if brand == b"qt  " {
                    "video/quicktime"
                } else {
                    "video/mp4"
                };
            }
            b"moov" => moov = Some(bx.body),
            _ => {}
        }
    }
    let moov = moov.ok_or_else(|| {
        corrupt("the video has no index (moov box): it is incomplete or was not saved properly")
    })?;
    let mut duration_ms = None;
    let mut size = None;
    for bx in boxes(moov) {
        let bx = bx?;
        match bx.kind {
            b"mvhd" => duration_ms = movie_duration_ms(bx.body)?,
            b"trak" if size.is_none() => size = track_size(bx.body)?,
            _ => {}
        }
    }
    Ok(Sniffed {
        kind: MediaKind::Video,
        mime,
        width: size.map(|(w, _)| w),
        height: size.map(|(_, h)| h),
        duration_ms,
    })
}

/// `mvhd`: version 0 has 32-bit times and duration, version 1 64-bit ones.
fn movie_duration_ms(body: &[u8]) -> Result<Option<u64>, MediaError> {
    let cut = || corrupt("the video's movie header is cut short");
    let version = *body.first().ok_or_else(cut)?;
    let (timescale, duration) = if version == 1 {
        (
            be32(body, 20).ok_or_else(cut)?,
            be64(body, 24).ok_or_else(cut)?,
        )
    } else {
        (
            be32(body, 12).ok_or_else(cut)?,
            u64::from(be32(body, 16).ok_or_else(cut)?),
        )
    };
    // All ones means "unknown"; a zero timescale cannot be divided by.
    if timescale == 0 || duration == u64::MAX || (version != 1 && duration == u64::from(u32::MAX)) {
        return Ok(None);
    }
    let ms = u128::from(duration) * 1_000 / u128::from(timescale);
    Ok(u64::try_from(ms).ok())
}

/// The picture size of a track from its `tkhd` (16.16 fixed point), `None` for a track
/// without one (sound).
fn track_size(trak: &[u8]) -> Result<Option<(u32, u32)>, MediaError> {
    for bx in boxes(trak) {
        let bx = bx?;
        if bx.kind != b"tkhd" {
            continue;
        }
        let cut = || corrupt("the video's track header is cut short");
        let version = *bx.body.first().ok_or_else(cut)?;
        let at = if version == 1 { 88 } else { 76 };
        let width = be32(bx.body, at).ok_or_else(cut)? >> 16;
        let height = be32(bx.body, at + 4).ok_or_else(cut)? >> 16;
        return Ok((width > 0 && height > 0).then_some((width, height)));
    }
    Ok(None)
}

// ---------------------------------------------------------------------------------------------
// Everything else
// ---------------------------------------------------------------------------------------------

/// Names common formats people try to upload, so the message can say what to do.
fn name_unsupported(b: &[u8]) -> MediaError {
    let what = if b.starts_with(b"%PDF") {
        "this is a PDF document; export the page as a JPEG or PNG image"
    } else if b.starts_with(b"PK\x03\x04") {
        "this is a ZIP archive or an Office document; upload the image or video itself"
    } else if b.starts_with(b"BM") {
        "this is a BMP image; save it as JPEG or PNG"
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        "this is a TIFF image; save it as JPEG or PNG"
    } else if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"AVI ") {
        "this is an AVI video; convert it to MP4"
    } else if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WAVE") {
        "this is a WAV sound file, not a video"
    } else if b.starts_with(b"ID3") || b.starts_with(&[0xFF, 0xFB]) {
        "this is an MP3 sound file, not a video"
    } else if b.starts_with(b"OggS") {
        "this is an Ogg file, not an image or a video this platform takes"
    } else if b.trim_ascii_start().starts_with(b"<svg")
        || b.trim_ascii_start().starts_with(b"<?xml")
    {
        "this is an SVG drawing or XML file; export it as PNG"
    } else {
        "the file is not a recognised image or video"
    };
    unsupported(what)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // --- fixtures built in code ------------------------------------------------------------

    fn jpeg_bytes(width: u16, height: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        // APP0 (JFIF), a DHT (shares the SOF range, must be skipped), then SOF2 (progressive).
        b.extend([0xFF, 0xE0, 0x00, 0x10]);
        b.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        b.extend([0xFF, 0xC4, 0x00, 0x04, 0x00, 0x00]);
        b.extend([0xFF, 0xFF, 0xC2, 0x00, 0x0B, 0x08]);
        b.extend(height.to_be_bytes());
        b.extend(width.to_be_bytes());
        b.extend([0x01, 0x01, 0x11, 0x00]);
        b.extend([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        b.extend([0x12, 0xFF, 0x00, 0x34]);
        b.extend([0xFF, 0xD9]);
        b
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend(kind);
        c.extend(data);
        c.extend([0, 0, 0, 0]); // CRC: not checked
        c
    }

    fn png_bytes(width: u32, height: u32) -> Vec<u8> {
        let mut b = PNG_SIGNATURE.to_vec();
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend(height.to_be_bytes());
        ihdr.extend([8, 6, 0, 0, 0]);
        b.extend(png_chunk(b"IHDR", &ihdr));
        b.extend(png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00]));
        b.extend(png_chunk(b"IEND", &[]));
        b
    }

    fn gif_bytes(width: u16, height: u16) -> Vec<u8> {
        let mut b = b"GIF89a".to_vec();
        b.extend(width.to_le_bytes());
        b.extend(height.to_le_bytes());
        b.extend([0x00, 0x00, 0x00, 0x3B]);
        b
    }

    fn riff_webp(chunk: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut body = b"WEBP".to_vec();
        body.extend(chunk);
        body.extend(u32::try_from(payload.len()).unwrap().to_le_bytes());
        body.extend(payload);
        let mut b = b"RIFF".to_vec();
        b.extend(u32::try_from(body.len()).unwrap().to_le_bytes());
        b.extend(body);
        b
    }

    fn webp_lossy(width: u16, height: u16) -> Vec<u8> {
        let mut p = vec![0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A];
        p.extend(width.to_le_bytes());
        p.extend(height.to_le_bytes());
        p.extend([0; 4]);
        riff_webp(b"VP8 ", &p)
    }

    fn webp_lossless(width: u32, height: u32) -> Vec<u8> {
        let bits = (width - 1) | ((height - 1) << 14);
        let mut p = vec![0x2F];
        p.extend(bits.to_le_bytes());
        p.extend([0; 3]);
        riff_webp(b"VP8L", &p)
    }

    fn webp_extended(width: u32, height: u32) -> Vec<u8> {
        let mut p = vec![0x10, 0, 0, 0];
        p.extend(&(width - 1).to_le_bytes()[..3]);
        p.extend(&(height - 1).to_le_bytes()[..3]);
        riff_webp(b"VP8X", &p)
    }

    fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = u32::try_from(body.len() + 8)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        b.extend(kind);
        b.extend(body);
        b
    }

    fn mvhd_v0(timescale: u32, duration: u32) -> Vec<u8> {
        let mut b = vec![0, 0, 0, 0]; // version 0, flags
        b.extend([0; 8]); // creation, modification
        b.extend(timescale.to_be_bytes());
        b.extend(duration.to_be_bytes());
        b.extend([0; 80]);
        mp4_box(b"mvhd", &b)
    }

    fn mvhd_v1(timescale: u32, duration: u64) -> Vec<u8> {
        let mut b = vec![1, 0, 0, 0];
        b.extend([0; 16]);
        b.extend(timescale.to_be_bytes());
        b.extend(duration.to_be_bytes());
        b.extend([0; 80]);
        mp4_box(b"mvhd", &b)
    }

    fn tkhd(version: u8, width: u32, height: u32) -> Vec<u8> {
        let mut b = vec![version, 0, 0, 3];
        b.extend(vec![0; if version == 1 { 84 } else { 72 }]);
        b.extend((width << 16).to_be_bytes());
        b.extend((height << 16).to_be_bytes());
        mp4_box(b"tkhd", &b)
    }

    fn mp4_bytes(brand: &[u8; 4], mvhd: &[u8], tracks: &[Vec<u8>]) -> Vec<u8> {
        let mut ftyp = brand.to_vec();
        ftyp.extend([0, 0, 2, 0]);
        ftyp.extend(b"isommp41");
        let mut moov = mvhd.to_vec();
        for t in tracks {
            moov.extend(mp4_box(b"trak", t));
        }
        let mut b = mp4_box(b"ftyp", &ftyp);
        b.extend(mp4_box(b"mdat", &[0xAB; 32]));
        b.extend(mp4_box(b"moov", &moov));
        b
    }

    fn sample_mp4() -> Vec<u8> {
        mp4_bytes(
            b"isom",
            &mvhd_v0(1_000, 12_500),
            &[tkhd(0, 0, 0), tkhd(0, 1080, 1920)],
        )
    }

    fn valid_files() -> Vec<Vec<u8>> {
        vec![
            jpeg_bytes(1200, 800),
            png_bytes(640, 480),
            gif_bytes(320, 240),
            webp_lossy(300, 200),
            webp_lossless(1000, 5000),
            webp_extended(4000, 3000),
            sample_mp4(),
            b"\x1A\x45\xDF\xA3\x9F\x42\x82\x84webm".to_vec(),
        ]
    }

    // --- recognition ------------------------------------------------------------------------

    #[test]
    fn jpeg_size_comes_from_the_frame_header_after_skipping_dht() {
        let s = sniff(&jpeg_bytes(1200, 800)).unwrap();
        assert_eq!((s.kind, s.mime), (MediaKind::Image, "image/jpeg"));
        assert_eq!((s.width, s.height), (Some(1200), Some(800)));
    }

    #[test]
    fn jpeg_without_end_marker_or_frame_is_corrupt() {
        let mut cut = jpeg_bytes(10, 10);
        cut.truncate(cut.len() - 2);
        assert!(matches!(sniff(&cut), Err(MediaError::Corrupt(_))));
        assert!(matches!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xD9]),
            Err(MediaError::Corrupt(_))
        ));
        assert!(matches!(
            sniff(&[0xFF, 0xD8, 0xFF]),
            Err(MediaError::Corrupt(_))
        ));
    }

    #[test]
    fn png_size_and_truncation() {
        let s = sniff(&png_bytes(640, 480)).unwrap();
        assert_eq!(
            (s.mime, s.width, s.height),
            ("image/png", Some(640), Some(480))
        );
        let mut cut = png_bytes(640, 480);
        cut.truncate(cut.len() - 12); // IEND gone
        let err = sniff(&cut).unwrap_err();
        assert!(err.to_string().contains("ends early"), "{err}");
        let mut no_ihdr = PNG_SIGNATURE.to_vec();
        no_ihdr.extend(png_chunk(b"IDAT", &[0; 13]));
        assert!(matches!(sniff(&no_ihdr), Err(MediaError::Corrupt(_))));
        assert!(matches!(
            sniff(&png_bytes(0, 10)),
            Err(MediaError::Corrupt(_))
        ));
    }

    #[test]
    fn gif_screen_size() {
        let s = sniff(&gif_bytes(320, 240)).unwrap();
        assert_eq!(
            (s.mime, s.width, s.height),
            ("image/gif", Some(320), Some(240))
        );
        assert!(matches!(sniff(b"GIF87a\x01"), Err(MediaError::Corrupt(_))));
    }

    #[test]
    fn webp_sizes_for_all_three_encodings() {
        for (bytes, w, h) in [
            (webp_lossy(300, 200), 300, 200),
            (webp_lossless(1000, 5000), 1000, 5000),
            (webp_extended(4000, 3000), 4000, 3000),
        ] {
            let s = sniff(&bytes).unwrap();
            assert_eq!(
                (s.mime, s.width, s.height),
                ("image/webp", Some(w), Some(h))
            );
        }
        let mut cut = webp_lossy(300, 200);
        cut.truncate(cut.len() - 1);
        assert!(matches!(sniff(&cut), Err(MediaError::Corrupt(_))));
    }

    #[test]
    fn mp4_duration_and_first_picture_track() {
        let s = sniff(&sample_mp4()).unwrap();
        assert_eq!((s.kind, s.mime), (MediaKind::Video, "video/mp4"));
        assert_eq!(s.duration_ms, Some(12_500));
        assert_eq!(
            (s.width, s.height),
            (Some(1080), Some(1920)),
            "the sound track is skipped"
        );
    }

    #[test]
    fn quicktime_brand_and_64_bit_headers() {
        let mov = mp4_bytes(b"qt  ", &mvhd_v1(600, 600 * 7_200), &[tkhd(1, 1920, 1080)]);
        let s = sniff(&mov).unwrap();
        assert_eq!(s.mime, "video/quicktime");
        assert_eq!(s.duration_ms, Some(7_200_000));
        assert_eq!((s.width, s.height), (Some(1920), Some(1080)));
    }

    #[test]
    fn mp4_without_index_or_cut_short_is_corrupt() {
        let mut ftyp = b"isom".to_vec();
        ftyp.extend([0; 4]);
        let mut no_moov = mp4_box(b"ftyp", &ftyp);
        no_moov.extend(mp4_box(b"mdat", &[0; 16]));
        let err = sniff(&no_moov).unwrap_err();
        assert!(err.to_string().contains("moov"), "{err}");
        let mut cut = sample_mp4();
        cut.truncate(cut.len() - 10);
        assert!(matches!(sniff(&cut), Err(MediaError::Corrupt(_))));
    }

    #[test]
    fn heic_is_refused_with_advice() {
        let heic = mp4_bytes(b"heic", &mvhd_v0(1, 1), &[]);
        let err = sniff(&heic).unwrap_err();
        assert_eq!(err.code(), "unsupported");
        let text = err.to_string();
        assert!(text.contains("HEIC") && text.contains("JPEG"), "{text}");
    }

    #[test]
    fn webm_is_recognised_and_matroska_refused() {
        let s = sniff(b"\x1A\x45\xDF\xA3\x9F\x42\x82\x84webm").unwrap();
        assert_eq!((s.mime, s.width, s.duration_ms), ("video/webm", None, None));
        let mkv = b"\x1A\x45\xDF\xA3\xA3\x42\x82\x88matroska";
        assert_eq!(sniff(mkv).unwrap_err().code(), "unsupported");
    }

    #[test]
    fn the_file_name_does_not_matter_only_the_bytes() {
        let err = sniff(b"%PDF-1.7\n...").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("PDF"), "{text}");
        for accepted in ["JPEG", "PNG", "WebP", "GIF", "MP4", "MOV", "WebM"] {
            assert!(text.contains(accepted), "{accepted} missing from {text}");
        }
        assert_eq!(sniff(b"hello").unwrap_err().code(), "unsupported");
        assert_eq!(sniff(b"").unwrap_err(), MediaError::Empty);
    }

    #[test]
    fn error_codes_are_stable() {
        assert_eq!(MediaError::Empty.code(), "empty");
        assert_eq!(MediaError::Corrupt(String::new()).code(), "corrupt");
        assert!(
            MediaError::Empty
                .to_string()
                .contains("choose the file again")
        );
        assert!(
            MediaError::Corrupt("x".into())
                .to_string()
                .contains("upload the new copy")
        );
    }

    #[test]
    fn facts_carry_the_sniffed_values() {
        let facts = sniff(&png_bytes(640, 480)).unwrap().facts(1_234, true);
        assert_eq!(facts.mime, "image/png");
        assert_eq!(
            (facts.bytes, facts.width, facts.has_alt_text),
            (1_234, Some(640), true)
        );
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = sniff(&bytes);
        }

        #[test]
        fn random_bytes_after_a_real_magic_never_panic(
            which in 0usize..8,
            tail in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let mut bytes = valid_files()[which].clone();
            bytes.truncate(bytes.len().min(12));
            bytes.extend(tail);
            let _ = sniff(&bytes);
        }

        #[test]
        fn truncated_and_flipped_valid_files_never_panic(
            which in 0usize..8,
            cut in any::<proptest::sample::Index>(),
            flip in any::<proptest::sample::Index>(),
            value in any::<u8>(),
        ) {
            let mut bytes = valid_files()[which].clone();
            let at = flip.index(bytes.len());
            bytes[at] = value;
            let _ = sniff(&bytes);
            bytes.truncate(cut.index(bytes.len()));
            let _ = sniff(&bytes);
        }
    }

    #[test]
    fn every_valid_fixture_is_recognised_and_every_truncation_handled() {
        for file in valid_files() {
            assert!(sniff(&file).is_ok(), "fixture refused: {:?}", sniff(&file));
            for len in 0..file.len() {
                let _ = sniff(&file[..len]);
            }
        }
    }
}
