//! What the API accepts. Unknown fields are refused (400 `malformed_body`) so a misspelt field
//! is reported instead of silently ignored; the values themselves are checked by the
//! application (422 with the value's code, e.g. `invalid_slug`).
//!
//! Updates (`PUT`) replace the whole resource, so they take the same fields as creation.

use humas_app::org::{AccountInput, OpdInput};
use humas_app::people::{DelegationInput, NewUserInput, UserUpdateInput};
use serde::Deserialize;

/// An OPD to create or replace.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OpdBody {
    slug: String,
    name: String,
    kind: String,
    parent_id: Option<String>,
}

impl From<OpdBody> for OpdInput {
    fn from(b: OpdBody) -> Self {
        Self {
            slug: b.slug,
            name: b.name,
            kind: b.kind,
            parent: b.parent_id,
        }
    }
}

/// An account to create or replace.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountBody {
    opd_id: String,
    platform: String,
    handle: String,
    api_base_url: Option<String>,
    status: Option<String>,
}

impl From<AccountBody> for AccountInput {
    fn from(b: AccountBody) -> Self {
        Self {
            opd: b.opd_id,
            platform: b.platform,
            handle: b.handle,
            api_base_url: b.api_base_url,
            status: b.status,
        }
    }
}

/// A person to create. Deliberately not `Debug`: it carries a password.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUserBody {
    username: String,
    #[serde(default)]
    display_name: String,
    role: String,
    opd_id: Option<String>,
    password: String,
}

impl From<NewUserBody> for NewUserInput {
    fn from(b: NewUserBody) -> Self {
        Self {
            username: b.username,
            display_name: b.display_name,
            role: b.role,
            opd: b.opd_id,
            password: b.password,
        }
    }
}

/// A person's name, role, OPD and whether they may sign in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserUpdateBody {
    display_name: String,
    role: String,
    opd_id: Option<String>,
    active: bool,
}

impl From<UserUpdateBody> for UserUpdateInput {
    fn from(b: UserUpdateBody) -> Self {
        Self {
            display_name: b.display_name,
            role: b.role,
            opd: b.opd_id,
            active: b.active,
        }
    }
}

/// A Plt/Plh delegation to record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DelegationBody {
    from_user_id: String,
    to_user_id: String,
    kind: String,
    starts_on: String,
    ends_on: String,
    reason: String,
}

impl From<DelegationBody> for DelegationInput {
    fn from(b: DelegationBody) -> Self {
        Self {
            from_user: b.from_user_id,
            to_user: b.to_user_id,
            kind: b.kind,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            reason: b.reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_fields_are_refused() {
        let err = serde_json::from_str::<OpdBody>(
            r#"{"slug":"dlh","name":"Dinas LH","kind":"dinas","parent":null}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("parent"), "{err}");
    }

    #[test]
    fn optional_fields_may_be_left_out() {
        let b: OpdBody =
            serde_json::from_str(r#"{"slug":"dlh","name":"Dinas LH","kind":"dinas"}"#).unwrap();
        assert_eq!(OpdInput::from(b).parent, None);
    }
}
