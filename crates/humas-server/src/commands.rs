//! The one-shot subcommands: `migrate`, `user`, `audit`, `config`. Their results go to standard
//! output; logs go to standard error.

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use humas_app::App;
use humas_app::audit::ChainReport;
use humas_app::people::NewUserInput;
use humas_domain::{Slug, Username};
use humas_store::StoreError;

use crate::cli::UserAdd;
use crate::settings::{self, Settings};
use crate::store::OpenStore;

/// `humas migrate`.
#[expect(clippy::print_stdout, reason = "the command's result")]
pub async fn migrate(settings: &Settings) -> anyhow::Result<ExitCode> {
    let store = OpenStore::connect_and_migrate(settings).await?;
    println!(
        "{} database is up to date: {}",
        store.backend(),
        settings.database()?.describe()
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Reads the first line of `input`, without its line ending (`\n` or `\r\n`) but otherwise as
/// typed: spaces are part of a password.
pub fn read_password_line(input: &mut impl BufRead) -> anyhow::Result<String> {
    let mut line = String::new();
    let n = input
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    if n == 0 {
        bail!(
            "no password on standard input: pipe it in, e.g. `printf '%s\\n' \"$PW\" | humas user add ...`"
        );
    }
    if let Some(rest) = line.strip_suffix('\n') {
        let rest = rest.strip_suffix('\r').unwrap_or(rest);
        line.truncate(rest.len());
    }
    Ok(line)
}

/// `humas user add`.
#[expect(clippy::print_stdout, reason = "the command's result")]
pub async fn user_add(app: &App, args: &UserAdd) -> anyhow::Result<ExitCode> {
    if !args.password_stdin {
        bail!(
            "give --password-stdin and pipe the password in; it is never taken as an argument, \
             where other users of the machine could see it"
        );
    }
    let password = read_password_line(&mut std::io::stdin().lock())?;
    let opd = match &args.opd {
        Some(raw) => {
            let slug = Slug::parse(raw).context("invalid --opd")?;
            let opd = match app.store().opd_by_slug(&slug).await {
                Ok(opd) => opd,
                Err(StoreError::NotFound(_)) => bail!("there is no OPD with the slug `{slug}`"),
                Err(e) => return Err(e).context("looking up the OPD"),
            };
            Some(opd)
        }
        None => None,
    };
    let input = NewUserInput {
        username: args.username.clone(),
        display_name: args.display_name.clone().unwrap_or_default(),
        role: args.role.clone(),
        opd: opd.as_ref().map(|o| o.id.to_string()),
        password,
    };
    let user = app
        .create_user(&App::cli_actor(), &input)
        .await
        .context("cannot add the user")?;
    match &opd {
        Some(o) => println!(
            "added {} ({}, OPD {}), id {}",
            user.username, user.role, o.slug, user.id
        ),
        None => println!("added {} ({}), id {}", user.username, user.role, user.id),
    }
    Ok(ExitCode::SUCCESS)
}

/// `humas user token create`: prints the secret once, alone on its line.
#[expect(clippy::print_stdout, reason = "the token is the command's result")]
pub async fn token_create(app: &App, username: &str, name: &str) -> anyhow::Result<ExitCode> {
    let username = Username::parse(username)?;
    let creds = match app.store().credentials(&username).await {
        Ok(c) => c,
        Err(StoreError::NotFound(_)) => bail!("there is no user named `{username}`"),
        Err(e) => return Err(e).context("looking up the user"),
    };
    let (token, secret) = app
        .create_api_token(&App::cli_actor(), creds.user.id, name)
        .await
        .context("cannot create the token")?;
    eprintln!(
        "API token `{}` created for {} (id {}). It is shown only once; store it now.",
        token.name, username, token.id.0
    );
    println!("{secret}");
    Ok(ExitCode::SUCCESS)
}

/// `humas audit verify`.
#[expect(clippy::print_stdout, reason = "the verdict is the command's result")]
pub async fn audit_verify(app: &App) -> anyhow::Result<ExitCode> {
    match app
        .verify_audit_chain()
        .await
        .context("cannot read the audit log")?
    {
        ChainReport::Intact { entries } => {
            println!("ok {entries} entries");
            Ok(ExitCode::SUCCESS)
        }
        ChainReport::Broken(e) => {
            println!("broken: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `humas config example`.
#[expect(clippy::print_stdout, reason = "the example is the command's result")]
pub fn config_example() -> anyhow::Result<ExitCode> {
    print!("{}", settings::example_toml()?);
    Ok(ExitCode::SUCCESS)
}

/// `humas config check`: the settings are already loaded and validated.
#[expect(clippy::print_stdout, reason = "the summary is the command's result")]
pub fn config_check(settings: &Settings, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    match config {
        Some(path) => println!("configuration ok (file {})", path.display()),
        None => println!("configuration ok (no config file)"),
    }
    print!("{}", settings.summary()?);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::read_password_line;

    #[test]
    fn the_password_keeps_everything_but_the_line_ending() {
        let read = |s: &str| read_password_line(&mut s.as_bytes()).unwrap();
        assert_eq!(read("  secret pw \n second line\n"), "  secret pw ");
        assert_eq!(read("secret\r\n"), "secret");
        assert_eq!(read("no newline"), "no newline");
        assert!(read_password_line(&mut "".as_bytes()).is_err());
    }
}
