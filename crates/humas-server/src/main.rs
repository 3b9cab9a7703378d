//! `humas`: see the `humas_server` crate documentation and `humas --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = humas_server::cli::parse();
    match humas_server::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", humas_server::error_chain(&e));
            ExitCode::FAILURE
        }
    }
}
