//! The README's reference tables (fields, messages, expert infos), generated
//! from the message table so that the documentation cannot drift from it.
//! `cargo run --bin xmmep-gen-docs` rewrites the part of README.md between
//! the markers; a test fails when the committed README differs.

use std::fmt::Write;

use xmmep_core::reports::CLASSES;
use xmmep_core::schema::{Display, Schema};
use xmmep_core::table::{self, FieldType, Role};

pub const BEGIN: &str = "<!-- BEGIN GENERATED REFERENCE (cargo run --bin xmmep-gen-docs) -->";
pub const END: &str = "<!-- END GENERATED REFERENCE -->";

/// The Wireshark field type a display maps to, as `tshark -G fields` says.
pub fn ftype_name(d: Display) -> &'static str {
    match d {
        Display::Text => "FT_STRING",
        Display::Uint(8) => "FT_UINT8",
        Display::Uint(16) => "FT_UINT16",
        Display::Uint(32) => "FT_UINT32",
        Display::Uint(_) => "FT_UINT64",
        Display::Int(8) => "FT_INT8",
        Display::Int(16) => "FT_INT16",
        Display::Int(32) => "FT_INT32",
        Display::Int(_) => "FT_INT64",
        Display::Bool => "FT_BOOLEAN",
        Display::Time => "FT_ABSOLUTE_TIME",
        Display::Ipv4 => "FT_IPv4",
        Display::Container => "FT_NONE",
        Display::Label => "(subtree)",
    }
}

/// Message codes that use a filter field, found by walking the table.
fn users(abbrev: &str) -> Vec<u16> {
    let mut out = Vec::new();
    for m in table::MESSAGES {
        let mut hit = false;
        for f in m.fields {
            let mut names = vec![format!("xmmep.{}", f.abbrev)];
            let mut structs = Vec::new();
            match &f.ty {
                FieldType::Struct(s) | FieldType::ListOfStruct(s) => structs.push(*s),
                FieldType::ListOfString { alt: Some(s) } => structs.push(*s),
                FieldType::Dictionary { key, value } => {
                    names.push(format!("xmmep.{}", key.abbrev));
                    names.push(format!("xmmep.{}", value.abbrev));
                }
                _ => {}
            }
            for s in structs {
                names.push(format!("xmmep.{}", s.abbrev));
                names.extend(s.members.iter().flat_map(|mm| {
                    let n = format!("xmmep.{}.{}", s.abbrev, mm.abbrev);
                    [n.clone(), format!("{n}.addr")]
                }));
            }
            if f.role == Role::Ip {
                names.push(format!("xmmep.{}.addr", f.abbrev));
            }
            hit |= names.iter().any(|n| n == abbrev);
        }
        if hit {
            out.push(m.code);
        }
    }
    out
}

fn escape_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

pub fn reference() -> String {
    let schema = Schema::standard();
    let mut o = String::new();
    o.push_str(BEGIN);
    o.push_str("\n\n### Filter fields\n\n");
    o.push_str("| Filter name | Wireshark type | Specification type | Meaning | Messages |\n|---|---|---|---|---|\n");
    for f in schema.fields.iter().filter(|f| f.is_filterable()) {
        let mut meaning = f.desc.clone();
        if let Some(e) = f.vals {
            let vals: Vec<String> = e.values.iter().map(|v| format!("{} {}", v.value, v.name)).collect();
            let _ = write!(meaning, " ({})", vals.join(", "));
        }
        if let Some((t, fl)) = f.bool_names {
            let _ = write!(meaning, " (1 {t}, 0 {fl})");
        }
        let codes = users(&f.abbrev);
        let used = if codes.is_empty() {
            "all".to_string()
        } else {
            codes.iter().map(u16::to_string).collect::<Vec<_>>().join(" ")
        };
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {} | {} |",
            f.abbrev,
            ftype_name(f.display),
            escape_cell(&f.spec_type),
            escape_cell(&meaning),
            used
        );
    }
    o.push_str("\n### Messages\n\n| Code | Name | Section | Direction | Fields | Meaning |\n|---|---|---|---|---|---|\n");
    for m in table::MESSAGES {
        let dirs: Vec<_> = m.directions.iter().map(|d| d.arrow()).collect();
        let fields: Vec<_> = m.fields.iter().map(|f| f.abbrev).collect();
        let _ = writeln!(o, "| {} | `{}` | {} | {} | {} | {} |", m.code, m.name, m.section, dirs.join(" "), fields.join(", "), m.desc);
    }
    o.push_str("\n### Expert infos\n\n| Name | Severity | Group | Meaning |\n|---|---|---|---|\n");
    for c in CLASSES {
        let _ = writeln!(o, "| `xmmep.{}` | {} | {} | {} |", c.abbrev, c.severity.name(), c.group.name(), c.summary);
    }
    o.push('\n');
    o.push_str(END);
    o
}

/// README text with the generated part replaced (or None without markers).
pub fn update_readme(readme: &str) -> Option<String> {
    let start = readme.find(BEGIN)?;
    let end = readme.find(END)? + END.len();
    Some(format!("{}{}{}", &readme[..start], reference(), &readme[end..]))
}
