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
