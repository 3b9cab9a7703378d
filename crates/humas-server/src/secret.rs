//! The server's own secret: 32 random bytes in `<data_dir>/secret.key`, made on first start.
//!
//! Pseudonymous author keys are derived from it, so they stay the same across restarts and
//! cannot be reversed by hashing known handles without it. Back it up with the database: a new
//! secret gives every author a new key (analytics restart, nothing breaks).

use std::fs;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};

/// File name inside the data folder.
pub const SECRET_FILE: &str = "secret.key";

/// The environment variable that gives the secret directly (64 hex digits), for installs that
/// keep keys in a secrets manager instead of a file; when set, the file is neither read nor made.
pub const SECRET_ENV: &str = "HUMAS_SECRET_KEY";

/// The secret from [`SECRET_ENV`] when it is set, else from (or into) the data folder's file.
///
/// # Errors
/// When the variable is not 64 hex digits, or the file cannot be read or made.
pub fn load(data_dir: &Path) -> anyhow::Result<[u8; 32]> {
    match std::env::var(SECRET_ENV) {
        Ok(hex_key) if !hex_key.trim().is_empty() => from_hex(hex_key.trim()),
        _ => load_or_create(data_dir),
    }
}

/// Parses 64 hex digits.
///
/// # Errors
/// When the text is not exactly 32 bytes of hex (the message never repeats the value).
pub fn from_hex(text: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(text)
        .map_err(|_| anyhow::anyhow!("{SECRET_ENV} must be 64 hexadecimal digits (32 bytes), e.g. from `openssl rand -hex 32`"))?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
        anyhow::anyhow!(
            "{SECRET_ENV} holds {} bytes; it must be 64 hexadecimal digits (32 bytes)",
            bytes.len()
        )
    })
}

/// Reads the secret, creating it (readable by the owner only) when missing.
///
/// # Errors
/// When the file cannot be read or written, or holds something other than 32 bytes.
pub fn load_or_create(data_dir: &Path) -> anyhow::Result<[u8; 32]> {
    let path = data_dir.join(SECRET_FILE);
    match fs::read(&path) {
        Ok(bytes) => {
            let Ok(secret) = <[u8; 32]>::try_from(bytes.as_slice()) else {
                bail!(
                    "{} holds {} bytes, not 32; restore it from a backup, or delete it to make a new one (author keys in analytics will change)",
                    path.display(),
                    bytes.len()
                );
            };
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(&path),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn create(path: &Path) -> anyhow::Result<[u8; 32]> {
    let secret: [u8; 32] = rand::random();
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(&secret)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(secret)
        }
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            load_or_create(path.parent().unwrap_or(Path::new(".")))
        }
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_made_once_and_then_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        let again = load_or_create(dir.path()).unwrap();
        assert_eq!(first, again);
        fs::write(dir.path().join(SECRET_FILE), b"short").unwrap();
        let err = load_or_create(dir.path()).unwrap_err().to_string();
        assert!(err.contains("5 bytes"), "{err}");
    }
}

#[cfg(test)]
mod env_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_hex_key_is_read_and_bad_ones_are_refused_without_echoing_them() {
        let key = "00".repeat(31) + "ff";
        assert_eq!(from_hex(&key).unwrap()[31], 0xff);
        let err = from_hex("rahasia-sekali").unwrap_err().to_string();
        assert!(
            err.contains("64 hexadecimal") && !err.contains("rahasia"),
            "{err}"
        );
        assert!(
            from_hex(&"ab".repeat(16))
                .unwrap_err()
                .to_string()
                .contains("16 bytes")
        );
    }
}
