//! `docs/reference.md`: the filter fields, messages and expert infos,
//! generated whole from the message table so that the documentation cannot
//! drift from it. `cargo run --bin xmmep-gen-docs` rewrites the file;
//! `tests/reference_fresh.rs` fails when the committed file differs.

use std::fmt::Write;

use xmmep_core::presentation::{self, FieldKind};
use xmmep_core::reports::CLASSES;
use xmmep_core::schema::{FieldId, Schema};
use xmmep_core::table;

/// Where the generated file lives, relative to the workspace root.
pub const OUTPUT: &str = "docs/reference.md";
/// The command that regenerates it.
pub const COMMAND: &str = "cargo run --bin xmmep-gen-docs";

/// Codes of the messages that can show filter field `id`, from the
/// compiled schema; empty for the header fields, which every message has.
fn users(schema: &Schema, id: FieldId) -> Vec<u32> {
    schema.messages().iter().filter(|m| m.nodes.iter().any(|n| n.shown_ids().contains(&id))).map(|m| m.def.code as u32).collect()
}

fn escape_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The whole of docs/reference.md.
pub fn reference() -> String {
    let schema = Schema::standard();
    let mut o = String::new();
    o.push_str("# Reference\n\n");
    let _ = writeln!(o, "Generated from the message table (`crates/xmmep-core/src/table.rs`) by `{COMMAND}`; do not edit by hand.");
    o.push_str("\n## Filter fields\n\n");
    o.push_str("| Filter name | Wireshark type | Specification type | Meaning | Messages |\n|---|---|---|---|---|\n");
    for (id, f, name) in schema.fields.iter().enumerate().filter_map(|(i, f)| f.filter_name().map(|n| (i, f, n))) {
        let mut meaning = f.desc.clone();
        if let Some(e) = f.vals {
            let vals: Vec<String> = e.values.iter().map(|v| format!("{} {}", v.value, v.name)).collect();
            let _ = write!(meaning, " ({})", vals.join(", "));
        }
        if let Some((t, fl)) = f.bool_names {
            let _ = write!(meaning, " (1 {t}, 0 {fl})");
        }
        let codes = users(schema, id as FieldId);
        let used = if codes.is_empty() { "all".to_string() } else { codes.iter().map(u32::to_string).collect::<Vec<_>>().join(" ") };
        let _ = writeln!(o, "| `{}` | {} | {} | {} | {} |", name, FieldKind::of(f.display).ws_name(), escape_cell(&f.spec_type), escape_cell(&meaning), used);
    }
    o.push_str("\n## Fields across messages\n\nGenerated (shown in `[ ]`, not in the message's bytes), from the analysis across messages; `xmmep.user` is hidden, like `ip.addr`. The last four exist in the binary plugin only (Wireshark 4.0's Lua API cannot create conversations).\n\n| Filter name | Wireshark type | Meaning |\n|---|---|---|\n");
    for a in presentation::ANALYSIS_FIELDS {
        let _ = writeln!(o, "| `{}.{}` | {} | {} |", presentation::PROTOCOL.filter, a.abbrev, a.kind.ws_name(), escape_cell(a.desc));
    }
    use xmmep_core::conversations::{file_data as fd, SETUP_IN};
    for (n, ft) in [
        (&SETUP_IN, "FT_FRAMENUM"),
        (&fd::FILE_NAME, "FT_STRING"),
        (&fd::FILE_SIZE, "FT_INT64"),
        (&fd::SETUP_IN, "FT_FRAMENUM"),
        (&fd::BYTES_SEEN, "FT_UINT64"),
        (&fd::DATA, "FT_BYTES"),
    ] {
        let _ = writeln!(o, "| `{}` | {} | {} |", n.filter, ft, escape_cell(n.desc));
    }
    let (raw, pref) = (&presentation::RAW_FIELD, &presentation::RAW_PREF);
    let _ = write!(
        o,
        "\n## Message bytes\n\nWith the preference `{p}.{}` on (`-o {p}.{}:TRUE`; off by default), each message also has a hidden field over its bytes, in the plugin and the Lua script alike, for tools that decode the messages themselves.\n\n| Filter name | Wireshark type | Meaning |\n|---|---|---|\n| `{p}.{}` | {} | {} |\n",
        pref.name,
        pref.name,
        raw.abbrev,
        raw.kind.ws_name(),
        escape_cell(raw.desc),
        p = presentation::PROTOCOL.filter
    );
    o.push_str("\n## Messages\n\n| Code | Name | Section | Direction | Fields | Meaning |\n|---|---|---|---|---|---|\n");
    for m in table::MESSAGES {
        let dirs: Vec<_> = m.directions.iter().map(|d| d.arrow()).collect();
        let fields: Vec<_> = m.fields.iter().map(|f| f.abbrev).collect();
        let _ = writeln!(o, "| {} | `{}` | {} | {} | {} | {} |", m.code, m.name, m.section, dirs.join(" "), fields.join(", "), m.desc);
    }
    o.push_str("\n## Expert infos\n\n| Name | Severity | Group | Meaning |\n|---|---|---|---|\n");
    for c in CLASSES {
        let _ = writeln!(o, "| `xmmep.{}` | {} | {} | {} |", c.abbrev, c.severity.name(), c.group.name(), c.summary);
    }
    {
        use xmmep_core::conversations::file_data as fd;
        let _ = writeln!(o, "| `{}` | {} | sequence | {} (plugin only) |", fd::SIZE_MISMATCH, fd::SIZE_MISMATCH_SEVERITY.name(), fd::SIZE_MISMATCH_SUMMARY);
    }
    o
}
