//! Hiding passwords in database URLs before they reach a log line, a message or `Debug` output.

/// What a hidden secret is shown as.
const HIDDEN: &str = "***";

/// Query parameters that carry a secret in libpq-style URLs.
const SECRET_PARAMS: &[&str] = &["password", "sslpassword", "passfile", "sslkey"];

/// Returns `url` with any password replaced by `***`: the one in the user-info part
/// (`postgres://user:secret@host/db`) and any `password=` query parameter.
///
/// Errs on the side of hiding: when the user-info part is ambiguous (an unencoded `@` or `/` in
/// the password), everything up to the last `@` counts as user info. Plain file paths and URLs
/// without a password come back unchanged.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return redact_query(url);
    };
    let rest = match rest.rsplit_once('@') {
        Some((userinfo, after)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:{HIDDEN}@{after}"),
            None => format!("{userinfo}@{after}"),
        },
        None => rest.to_owned(),
    };
    format!("{scheme}://{}", redact_query(&rest))
}

/// Hides the values of secret query parameters.
fn redact_query(s: &str) -> String {
    let Some((base, query)) = s.split_once('?') else {
        return s.to_owned();
    };
    let params: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if SECRET_PARAMS.iter().any(|p| key.eq_ignore_ascii_case(p)) => {
                format!("{key}={HIDDEN}")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", params.join("&"))
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn hides_the_password_and_keeps_the_rest() {
        assert_eq!(
            redact_url("postgres://humas:s3cret@db.example:5432/humas"),
            "postgres://humas:***@db.example:5432/humas"
        );
        assert_eq!(
            redact_url("postgresql://u:p@localhost/db?sslmode=require"),
            "postgresql://u:***@localhost/db?sslmode=require"
        );
    }

    #[test]
    fn leaves_urls_without_a_password_alone() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/postgres",
            "postgres://127.0.0.1/humas",
            "sqlite://./humas-data/humas.db",
            "./humas-data/humas.db",
            "sqlite::memory:",
        ] {
            assert_eq!(redact_url(url), url);
        }
    }

    #[test]
    fn hides_passwords_with_unencoded_special_characters() {
        let out = redact_url("postgres://u:pa@ss/w:rd@host/db");
        assert_eq!(out, "postgres://u:***@host/db");
        assert!(!out.contains("pa@ss") && !out.contains("w:rd"), "{out}");
    }

    #[test]
    fn hides_password_query_parameters() {
        assert_eq!(
            redact_url("postgres://host/db?user=u&password=hunter22&sslmode=disable"),
            "postgres://host/db?user=u&password=***&sslmode=disable"
        );
        assert_eq!(
            redact_url("postgres://u:x@host/db?PASSWORD=y"),
            "postgres://u:***@host/db?PASSWORD=***"
        );
    }

    #[test]
    fn an_empty_password_is_still_marked_hidden() {
        assert_eq!(
            redact_url("postgres://u:@host/db"),
            "postgres://u:***@host/db"
        );
    }
}
