//! Text for notes and details: from a flag, a file, or stdin.

use std::io::{IsTerminal, Read};
use std::path::Path;

use super::error::{CliError, CliResult, usage};

/// `message` wins; "-" (as message or file) reads stdin; a file path reads the file; with
/// neither, piped stdin is read. Empty text is a usage error.
pub fn read_text(message: Option<&str>, file: Option<&Path>) -> CliResult<String> {
    let text = match (message, file) {
        (Some(m), _) if m != "-" => m.to_string(),
        (Some(_), _) => read_stdin()?,
        (None, Some(p)) if p == Path::new("-") => read_stdin()?,
        (None, Some(p)) => std::fs::read_to_string(p)
            .map_err(|e| CliError::Local(format!("cannot read {}: {e}", p.display())))?,
        (None, None) if !std::io::stdin().is_terminal() => read_stdin()?,
        (None, None) => {
            return Err(usage(
                "no text given: use --message TEXT, --file PATH, or pipe it on stdin",
            ));
        }
    };
    if text.trim().is_empty() {
        return Err(usage("the text is empty"));
    }
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

fn read_stdin() -> CliResult<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| CliError::Local(format!("cannot read stdin: {e}")))?;
    Ok(s)
}
