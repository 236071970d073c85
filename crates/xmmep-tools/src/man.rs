//! The man pages and shell completions of the tools a package installs
//! (`xmmep-check`, `xmmep-export`), rendered from their clap command lines
//! so that they never drift from `--help`.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;
use roff::{roman, Roff};

/// The installed tools' command lines.
pub fn commands() -> Vec<clap::Command> {
    vec![crate::check::args::Args::command(), crate::export::args::Args::command()]
}

/// The files written for one tool: the man page (section 1) and the
/// completions for bash, zsh and fish, under the names each shell looks up.
pub fn file_names(tool: &str) -> [String; 4] {
    [format!("{tool}.1"), format!("{tool}.bash"), format!("_{tool}"), format!("{tool}.fish")]
}

/// The man page of `cmd`: clap_mangen's sections, then the paragraphs of
/// the `--help` epilogue as sections of their own (EXAMPLES line by line,
/// EXIT STATUS, NOTES) rather than one filled EXTRA paragraph, and SEE ALSO.
pub fn page(cmd: &clap::Command) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut roff = Roff::new();
    let epilogue = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
    for para in epilogue.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let (head, rest) = para.split_once('\n').unwrap_or((para, ""));
        if head.starts_with("Example") {
            roff.control("SH", ["EXAMPLES"]).control("nf", []);
            for line in rest.lines() {
                roff.text([roman(line.trim())]);
            }
            roff.control("fi", []);
        } else if let Some(text) = para.strip_prefix("Exit status: ") {
            roff.control("SH", ["EXIT STATUS"]).text([roman(text.replace('\n', " "))]);
        } else {
            roff.control("SH", ["NOTES"]).text([roman(para.replace('\n', " "))]);
        }
    }
    roff.control("SH", ["SEE ALSO"]).text([roman("tshark(1), wireshark(1); /usr/share/doc/xmmep-wireshark/docs/tools.md and docs/ci.md beside it")]);
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// Writes every tool's man page and completions into `dir`.
pub fn write_all(dir: &Path) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for cmd in commands() {
        let tool = cmd.get_name().to_string();
        let [man, bash, zsh, fish] = file_names(&tool);
        std::fs::write(dir.join(&man), page(&cmd)?)?;
        for (shell, name) in [(Shell::Bash, bash), (Shell::Zsh, zsh), (Shell::Fish, fish)] {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd.clone(), &tool, &mut script);
            std::fs::write(dir.join(&name), script)?;
            written.push(name);
        }
        written.push(man);
    }
    written.sort();
    Ok(written)
}
