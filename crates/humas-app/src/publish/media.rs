//! Uploaded media: the bytes in the data folder, the facts in the store.
//!
//! A file is identified by what its bytes are (sniffed), never by its name or the browser's
//! claim; a file that is not a readable image or video is refused with the reason before
//! anything is kept.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use humas_domain::publish::media::{MediaError, sniff};
use humas_domain::{Actor, MediaId, OpdId};
use humas_store::MediaAsset;
use sha2::{Digest, Sha256};

use crate::{App, AppError, AppResult, audit_actor};

/// The largest upload accepted (a reel or a TikTok video; the per-platform limits are smaller
/// and checked when the post is validated).
pub const MAX_UPLOAD_BYTES: usize = 512 * 1024 * 1024;
/// The longest alt text (Mastodon's description limit is 1,500).
pub const MAX_ALT_TEXT_CHARS: usize = 1_500;

/// Where media bytes live.
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// Keeps `bytes` under `key`, atomically (a crash leaves either nothing or the whole file).
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()>;
    /// Reads the bytes under `key`.
    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>>;
}

/// Media in a folder (`<data_dir>/media`), two hex digits of the hash per subfolder.
#[derive(Clone, Debug)]
pub struct FsMediaStore {
    root: PathBuf,
}

impl FsMediaStore {
    /// A store rooted at `root` (created when first written).
    #[must_use]
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }

    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        // Keys are made by `upload_media` (hex and a UUID), but a key read back from the
        // database must still never leave the root.
        if key.is_empty()
            || key.starts_with('/')
            || key
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "media key outside the media folder",
            ));
        }
        Ok(self.root.join(key))
    }
}

#[async_trait]
impl MediaStore for FsMediaStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let tmp = path.with_extension("part");
        tokio::fs::write(&tmp, bytes).await?;
        let file = tokio::fs::File::open(&tmp).await?;
        file.sync_all().await?;
        tokio::fs::rename(&tmp, &path).await
    }

    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path(key)?).await
    }
}

/// The file name as shown: no folders, no control characters, at most 120 characters.
fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() {
        "berkas".to_owned()
    } else {
        cleaned.trim().to_owned()
    }
}

/// Checks an alt text: trimmed, at most [`MAX_ALT_TEXT_CHARS`]; empty means none.
///
/// # Errors
/// `Invalid` when too long.
pub fn check_alt_text(raw: &str) -> AppResult<Option<String>> {
    let alt = raw.trim();
    if alt.chars().count() > MAX_ALT_TEXT_CHARS {
        return Err(AppError::Refused {
            code: "alt_text_too_long",
            message: format!(
                "the alt text is longer than {MAX_ALT_TEXT_CHARS} characters; shorten it"
            ),
        });
    }
    Ok((!alt.is_empty()).then(|| alt.to_owned()))
}

fn media_error(e: &MediaError) -> AppError {
    let code = match e {
        MediaError::Unsupported { .. } => "media_unsupported",
        MediaError::Corrupt(_) => "media_corrupt",
        MediaError::Empty => "media_empty",
    };
    AppError::Refused {
        code,
        message: e.to_string(),
    }
}

impl App {
    /// The unguessable token in a medium's public address (`/media/{id}/{token}`), which
    /// Instagram and TikTok fetch media from: a keyed hash of the id under the server secret,
    /// so it needs no storage and cannot be forged.
    #[must_use]
    pub fn public_media_token(&self, id: MediaId) -> String {
        let key = self.media_key;
        let Ok(mut mac) = <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(&key) else {
            return String::new();
        };
        hmac::Mac::update(&mut mac, id.as_uuid().as_bytes());
        let tag = hmac::Mac::finalize(mac).into_bytes();
        hex::encode(&tag[..20])
    }

    /// A medium and its bytes for a public address, if the token matches (constant time).
    ///
    /// # Errors
    /// `NotFound("media")` for a wrong token or an unknown medium (the same answer, so tokens
    /// cannot be probed); `Internal` when the file cannot be read.
    pub async fn public_media(
        &self,
        media: &Arc<dyn MediaStore>,
        id: MediaId,
        token: &str,
    ) -> AppResult<(MediaAsset, Vec<u8>)> {
        let expected = self.public_media_token(id);
        let matches: bool =
            subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), token.as_bytes()).into();
        if !matches {
            return Err(AppError::NotFound("media"));
        }
        let asset = self.store.get_media(id).await?;
        let bytes = media
            .get(&asset.storage_key)
            .await
            .map_err(|e| AppError::Internal(format!("cannot read a stored medium: {e}")))?;
        Ok((asset, bytes))
    }

    /// Uploads an image or video for an OPD's posts.
    ///
    /// # Errors
    /// `Forbidden` unless the actor writes posts for `opd`; `Refused` with `media_unsupported`,
    /// `media_corrupt`, `media_empty` or `media_too_large`; `Internal` when the file cannot be
    /// written.
    pub async fn upload_media(
        &self,
        actor: &Actor,
        media: &Arc<dyn MediaStore>,
        opd: OpdId,
        file_name: &str,
        bytes: &[u8],
        alt_text: &str,
    ) -> AppResult<MediaAsset> {
        if !actor.can_compose_posts_of(opd) {
            return Err(AppError::Forbidden);
        }
        if bytes.len() > MAX_UPLOAD_BYTES {
            return Err(AppError::Refused {
                code: "media_too_large",
                message: format!(
                    "the file is larger than {} MiB; compress it or shorten the video",
                    MAX_UPLOAD_BYTES / (1024 * 1024)
                ),
            });
        }
        let sniffed = sniff(bytes).map_err(|e| media_error(&e))?;
        let alt_text = check_alt_text(alt_text)?;
        let sha = hex::encode(Sha256::digest(bytes));
        let id = MediaId::generate();
        let key = format!("{}/{id}", &sha[..2]);
        media
            .put(&key, bytes)
            .await
            .map_err(|e| AppError::Internal(format!("could not keep the uploaded file: {e}")))?;
        let asset = MediaAsset {
            id,
            opd,
            uploaded_by: actor.user_id,
            file_name: clean_file_name(file_name),
            mime: sniffed.mime.to_owned(),
            kind: sniffed.kind,
            bytes: bytes.len() as u64,
            width: sniffed.width,
            height: sniffed.height,
            duration_ms: sniffed.duration_ms,
            sha256: sha,
            storage_key: key,
            alt_text,
            created_at: self.clock.now(),
        };
        self.store.create_media(&audit_actor(actor), &asset).await?;
        Ok(asset)
    }

    /// Changes a medium's alt text.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound("media")`, `Refused("alt_text_too_long")`.
    pub async fn set_media_alt_text(
        &self,
        actor: &Actor,
        id: MediaId,
        alt_text: &str,
    ) -> AppResult<MediaAsset> {
        let asset = self.store.get_media(id).await?;
        if !actor.can_compose_posts_of(asset.opd) {
            return Err(AppError::Forbidden);
        }
        let alt = check_alt_text(alt_text)?;
        self.store
            .set_media_alt_text(&audit_actor(actor), id, alt.as_deref())
            .await?;
        Ok(MediaAsset {
            alt_text: alt,
            ..asset
        })
    }

    /// A medium's facts, for someone who may see its OPD's posts.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound("media")`.
    pub async fn media_asset(&self, actor: &Actor, id: MediaId) -> AppResult<MediaAsset> {
        let asset = self.store.get_media(id).await?;
        if !actor.can_view_opd(asset.opd) {
            return Err(AppError::Forbidden);
        }
        Ok(asset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\foto\\banjir\u{7}.jpg"), "banjir.jpg");
        assert_eq!(clean_file_name(""), "berkas");
    }

    #[test]
    fn keys_cannot_leave_the_media_folder() {
        let store = FsMediaStore::new(Path::new("/tmp/humas-media"));
        assert!(store.path("ab/../../x").is_err());
        assert!(store.path("/etc/passwd").is_err());
        assert!(store.path("ab/0190-id").is_ok());
    }
}
