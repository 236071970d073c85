//! The classes of problem a decoder reports (DECISIONS.md, "How problems are
//! reported"). The plugin registers one expert info per class and the Lua
//! generator emits the same table, so the names, severities, groups and
//! summaries live here once.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Malformed,
    Protocol,
    Security,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Malformed => "malformed",
            Group::Protocol => "protocol",
            Group::Security => "security",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReportKind {
    BadHeader,
    Truncated,
    NotANumber,
    EmptyNumber,
    BadBoolean,
    OutOfRange,
    UnknownEnum,
    LengthRule,
    CountMismatch,
    MissingFields,
    ExtraFields,
    MisplacedDelimiter,
    Oversize,
    UnknownType,
    CleartextPassword,
    /// A Rust panic caught at the FFI boundary; only the plugin raises it.
    InternalError,
}

pub struct ReportClass {
    pub kind: ReportKind,
    /// Expert info filter name below `xmmep.` (`xmmep.not_a_number`).
    pub abbrev: &'static str,
    pub severity: Severity,
    pub group: Group,
    /// The expert info's registered summary.
    pub summary: &'static str,
}

const fn class(kind: ReportKind, abbrev: &'static str, severity: Severity, group: Group, summary: &'static str) -> ReportClass {
    ReportClass { kind, abbrev, severity, group, summary }
}

use Group::*;
use ReportKind::*;
use Severity::*;

/// Every report class, in `ReportKind` order.
pub static CLASSES: &[ReportClass] = &[
    class(BadHeader, "bad_header", Error, Malformed, "Header is not two right-aligned decimal numbers"),
    class(Truncated, "truncated", Error, Malformed, "Body shorter than BodyLength"),
    class(NotANumber, "not_a_number", Error, Malformed, "Numeric field is not a decimal number"),
    class(EmptyNumber, "empty_number", Error, Malformed, "Numeric field is empty"),
    class(BadBoolean, "bad_boolean", Error, Malformed, "Boolean is not '0' or '1'"),
    class(OutOfRange, "out_of_range", Warning, Protocol, "Value outside its type's range"),
    class(UnknownEnum, "unknown_enum", Warning, Protocol, "Unknown enumeration value"),
    class(LengthRule, "length_rule", Warning, Protocol, "Length rule of the specification broken"),
    class(CountMismatch, "count_mismatch", Warning, Protocol, "Count disagrees with the elements that follow"),
    class(MissingFields, "missing_fields", Warning, Protocol, "Fields missing"),
    class(ExtraFields, "extra_fields", Warning, Protocol, "Fields past the definition"),
    class(MisplacedDelimiter, "misplaced_delimiter", Warning, Protocol, "Delimiter that does not belong here"),
    class(Oversize, "oversize", Warning, Protocol, "Message longer than 1450 bytes"),
    class(UnknownType, "unknown_type", Note, Protocol, "Message type with no definition"),
    class(CleartextPassword, "cleartext_password", Note, Security, "Password in clear text"),
    class(InternalError, "internal_error", Error, Malformed, "Internal error of the dissector"),
];

/// The texts of reports, written once: the Rust decoder fills them with
/// [`fill`] and the Lua generator emits them for the script's engine, which
/// fills them the same way. Each `{}` takes the next argument, in order.
pub mod text {
    pub const BAD_HEADER: &str = "Header {} is not two right-aligned decimal numbers";
    pub const TYPE_OUT_OF_RANGE: &str = "MessageType {} is outside 100..999";
    pub const OVERSIZE: &str = "Message is {} bytes, over the 1450-byte limit";
    pub const TRUNCATED: &str = "Body has {} of {} bytes";
    pub const UNDEFINED_TYPE: &str = "Message type {} has no definition; {} field(s) shown as text";
    pub const NOT_XMMEP_TYPE: &str = "Message type {} is not an XMMEP type; {} field(s) shown as text";
    pub const EXTRA_FIELDS: &str = "{} field(s) past the {} defined by {}";
    pub const MISSING_FIELDS: &str = "{} lacks {} field(s): {}";
    pub const COUNT_MISMATCH: &str = "{} is {} but {} has {} element(s)";
    pub const PAIR_WITHOUT_VALUE: &str = "Element {} of {} has no value (no 0x04 separator)";
    pub const EXTRA_MEMBERS: &str = "{} member(s) past the {} of struct {}";
    pub const MISSING_MEMBERS: &str = "Struct {} lacks {} member(s): {}";
    pub const BAD_BOOLEAN: &str = "{} is \"{}\", not '0' or '1'";
    pub const EMPTY_NUMBER: &str = "{} is empty";
    pub const NOT_A_NUMBER: &str = "{} is \"{}\", not a decimal number";
    pub const OUT_OF_RANGE: &str = "{} is {}, outside {}..{}";
    pub const UNKNOWN_ENUM: &str = "{} is {}, not a value of {}";
    pub const MISPLACED_DELIMITER: &str = "{} inside {}";
    pub const LENGTH_RULE: &str = "{} has {} character(s), the specification says {}";
    /// The `rule` argument of LENGTH_RULE: an exact length, or a range.
    pub const RULE_EXACT: &str = "{}";
    pub const RULE_RANGE: &str = "{}-{}";
    pub const CLEARTEXT_PASSWORD: &str = "{} carries a password in clear text";
    /// Names of the delimiters 0x01..=0x04, for MISPLACED_DELIMITER.
    pub const DELIMITER_NAMES: [&str; 4] = [
        "field separator 0x01",
        "struct member separator 0x02",
        "element separator 0x03",
        "key/value separator 0x04",
    ];
}

/// Every report text by a short key, for the Lua generator.
pub static TEXTS: &[(&str, &str)] = &[
    ("bad_header", text::BAD_HEADER),
    ("type_out_of_range", text::TYPE_OUT_OF_RANGE),
    ("oversize", text::OVERSIZE),
    ("truncated", text::TRUNCATED),
    ("undefined_type", text::UNDEFINED_TYPE),
    ("not_xmmep_type", text::NOT_XMMEP_TYPE),
    ("extra_fields", text::EXTRA_FIELDS),
    ("missing_fields", text::MISSING_FIELDS),
    ("count_mismatch", text::COUNT_MISMATCH),
    ("pair_without_value", text::PAIR_WITHOUT_VALUE),
    ("extra_members", text::EXTRA_MEMBERS),
    ("missing_members", text::MISSING_MEMBERS),
    ("bad_boolean", text::BAD_BOOLEAN),
    ("empty_number", text::EMPTY_NUMBER),
    ("not_a_number", text::NOT_A_NUMBER),
    ("out_of_range", text::OUT_OF_RANGE),
    ("unknown_enum", text::UNKNOWN_ENUM),
    ("misplaced_delimiter", text::MISPLACED_DELIMITER),
    ("length_rule", text::LENGTH_RULE),
    ("rule_exact", text::RULE_EXACT),
    ("rule_range", text::RULE_RANGE),
    ("cleartext_password", text::CLEARTEXT_PASSWORD),
];

/// Fills the `{}` of `template` with `args` in order. The template is split
/// at its `{}` first, so braces inside an argument are left alone; missing
/// arguments leave their `{}` empty.
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(template.len() + 16);
    for (i, piece) in template.split("{}").enumerate() {
        if i > 0 {
            if let Some(a) = args.get(i - 1) {
                let _ = write!(out, "{a}");
            }
        }
        out.push_str(piece);
    }
    out
}

impl ReportKind {
    pub fn class(self) -> &'static ReportClass {
        let c = &CLASSES[self as usize];
        debug_assert_eq!(c.kind, self);
        c
    }
    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_in_kind_order_and_unique() {
        for (i, c) in CLASSES.iter().enumerate() {
            assert_eq!(c.kind as usize, i, "{} out of order", c.abbrev);
        }
        let mut names: Vec<_> = CLASSES.iter().map(|c| c.abbrev).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), CLASSES.len());
    }
}
