//! The classes of problem a decoder reports (docs/decisions.md, "How problems are
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
    /// Links between messages: answers, forwards, parts.
    Sequence,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Malformed => "malformed",
            Group::Protocol => "protocol",
            Group::Security => "security",
            Group::Sequence => "sequence",
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
    /// The analysis across messages (crate::analysis) reports these four.
    NoRequest,
    NoResponse,
    PartSequence,
    NoOriginal,
    /// A Rust panic caught at the FFI boundary; only the plugin raises it.
    InternalError,
    /// A text that is not UTF-8 but reads as GB18030, under the UTF-8
    /// preference: the hint to change it (once per message).
    CharsetHint,
}

pub struct ReportClass {
    pub kind: ReportKind,
    /// Expert info filter name below `xmmep.` (`xmmep.not_a_number`).
    pub abbrev: &'static str,
    pub severity: Severity,
    pub group: Group,
    /// The expert info's registered summary.
    pub summary: &'static str,
    /// A few words for the Info column's mark (`[Truncated]`), shown for a
    /// warning or an error.
    pub short: &'static str,
}

const fn class(kind: ReportKind, abbrev: &'static str, severity: Severity, group: Group, summary: &'static str, short: &'static str) -> ReportClass {
    ReportClass { kind, abbrev, severity, group, summary, short }
}

use Group::*;
use ReportKind::*;
use Severity::*;

/// Every report class, in `ReportKind` order.
pub static CLASSES: &[ReportClass] = &[
    class(BadHeader, "bad_header", Error, Malformed, "Header is not two right-aligned decimal numbers", "Malformed"),
    class(Truncated, "truncated", Error, Malformed, "Body shorter than BodyLength", "Truncated"),
    class(NotANumber, "not_a_number", Error, Malformed, "Numeric field is not a decimal number", "Malformed"),
    class(EmptyNumber, "empty_number", Error, Malformed, "Numeric field is empty", "Malformed"),
    class(BadBoolean, "bad_boolean", Error, Malformed, "Boolean is not '0' or '1'", "Malformed"),
    class(OutOfRange, "out_of_range", Warning, Protocol, "Value outside its type's range", "Out of range"),
    class(UnknownEnum, "unknown_enum", Warning, Protocol, "Unknown enumeration value", "Unknown value"),
    class(LengthRule, "length_rule", Warning, Protocol, "Length rule of the specification broken", "Length rule"),
    class(CountMismatch, "count_mismatch", Warning, Protocol, "Count disagrees with the elements that follow", "Count mismatch"),
    class(MissingFields, "missing_fields", Warning, Protocol, "Fields missing", "Fields missing"),
    class(ExtraFields, "extra_fields", Warning, Protocol, "Fields past the definition", "Extra fields"),
    class(MisplacedDelimiter, "misplaced_delimiter", Warning, Protocol, "Delimiter that does not belong here", "Misplaced delimiter"),
    class(Oversize, "oversize", Warning, Protocol, "Message longer than 1450 bytes", "Oversize"),
    class(UnknownType, "unknown_type", Note, Protocol, "Message type with no definition", "Unknown type"),
    class(CleartextPassword, "cleartext_password", Note, Security, "Password in clear text", "Clear-text password"),
    class(NoRequest, "no_request", Note, Sequence, "Response with no request in the capture", "No request"),
    class(NoResponse, "no_response", Note, Sequence, "Request with no response in the capture", "No response"),
    class(PartSequence, "part_sequence", Warning, Sequence, "Gap or repeat in the parts of a response", "Part sequence"),
    class(NoOriginal, "no_original", Note, Sequence, "Forward with no original in the capture", "No original"),
    class(InternalError, "internal_error", Error, Malformed, "Internal error of the dissector", "Dissector bug"),
    class(CharsetHint, "charset_hint", Note, Protocol, "Text that reads as GB18030, not UTF-8", "GB18030 text"),
];

/// Declares every report text once: a constant of [`template`] for the
/// Rust decoder, and an entry of [`TEXTS`] under its key for the Lua
/// generator, whose engine fills them the same way ([`fill`]).
macro_rules! templates {
    ($($(#[$doc:meta])* $name:ident = $key:literal: $text:literal,)*) => {
        /// The texts of reports. Each `{}` takes the next argument, in order.
        pub mod template {
            $($(#[$doc])* pub const $name: &str = $text;)*

            /// How many of the further reports' positions REPEATED lists.
            pub const REPEATED_POSITIONS: usize = 3;

            /// Names of the delimiters 0x01..=0x04, for MISPLACED_DELIMITER.
            pub const DELIMITER_NAMES: [&str; 4] = [
                "field separator 0x01",
                "struct member separator 0x02",
                "element separator 0x03",
                "key/value separator 0x04",
            ];
        }

        /// Every report text by its key, for the Lua generator.
        pub static TEXTS: &[(&str, &str)] = &[$(($key, template::$name)),*];
    };
}

templates! {
    BAD_HEADER = "bad_header": "Header \"{}\" is not two right-aligned decimal numbers",
    TYPE_OUT_OF_RANGE = "type_out_of_range": "Message type {} is outside 100..999",
    OVERSIZE = "oversize": "Message is {} bytes, over the 1450-byte limit",
    TRUNCATED = "truncated": "Body has {} of {} bytes",
    UNDEFINED_TYPE = "undefined_type": "Message type {} has no definition; {} shown as text",
    NOT_XMMEP_TYPE = "not_xmmep_type": "Message type {} is not an XMMEP type; {} shown as text",
    /// Fields past the definition (counted), how many it defines, the message.
    EXTRA_FIELDS = "extra_fields": "{} past the {} defined by {}",
    /// The message, the fields missing (counted), their labels.
    MISSING_FIELDS = "missing_fields": "{} lacks {}: {}",
    /// The count's label, its value, the list's label, its elements (counted).
    COUNT_MISMATCH = "count_mismatch": "{} is {} but {} holds {}",
    PAIR_WITHOUT_VALUE = "pair_without_value": "Element {} of {} has no value (no key/value separator)",
    EXTRA_MEMBERS = "extra_members": "{} past the {} of {}",
    MISSING_MEMBERS = "missing_members": "{} lacks {}: {}",
    BAD_BOOLEAN = "bad_boolean": "{} is \"{}\", not '0' or '1'",
    EMPTY_NUMBER = "empty_number": "{} is empty",
    NOT_A_NUMBER = "not_a_number": "{} is \"{}\", not a decimal number",
    OUT_OF_RANGE = "out_of_range": "{} is {}, outside {}..{}",
    /// The field's label, its value.
    UNKNOWN_ENUM = "unknown_enum": "{} is {}, a value the specification does not define",
    MISPLACED_DELIMITER = "misplaced_delimiter": "{} inside {}",
    /// The field's label, its characters (counted), the rule.
    LENGTH_RULE = "length_rule": "{} has {}, the specification says {}",
    /// The `rule` argument of LENGTH_RULE: an exact length, or a range.
    RULE_EXACT = "rule_exact": "{}",
    RULE_RANGE = "rule_range": "{}-{}",
    CLEARTEXT_PASSWORD = "cleartext_password": "{} sent in clear text",
    /// The field's label, the preference, its value to choose.
    CHARSET_HINT = "charset_hint": "{} is not UTF-8 but reads as GB18030: set the preference {} to GB18030",
    /// A message's first report of a class when it has more of that class
    /// (one expert info per class per message keeps the tree bounded): the
    /// first report's text, how many more, and where the next ones are.
    REPEATED = "repeated": "{} (and {} more of this kind in the message, at byte(s) {})",
    /// The request's name, the response's name.
    NO_REQUEST = "no_request": "No {} before this {} in the conversation",
    /// The first response's name, the request's name.
    NO_RESPONSE = "no_response": "No {} answers this {} in the capture",
    /// The part's name, its sequence number, the one expected.
    PART_GAP = "part_gap": "{} has sequence number {}, expected {}: part(s) missing",
    PART_REPEAT = "part_repeat": "{} has sequence number {}, expected {}: part repeated",
    /// The original's name, the labels of the matching fields.
    NO_ORIGINAL = "no_original": "No {} with the same {} before this forward",
    /// Counted nouns of the texts above ([`counted`]): one, and more.
    ONE_FIELD = "one_field": "1 field",
    FIELDS = "fields": "{} fields",
    ONE_ELEMENT = "one_element": "1 element",
    ELEMENTS = "elements": "{} elements",
    ONE_CHARACTER = "one_character": "1 character",
    CHARACTERS = "characters": "{} characters",
}

/// "1 field", "3 fields": `one` for 1, else `many` filled with `n`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        one.to_string()
    } else {
        fill(many, &[&n])
    }
}

/// Fills the `{}` of `template` with `args` in order. The template is split
/// at its `{}` first, so braces inside an argument are left alone; missing
/// arguments leave their `{}` empty.
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    fill_into(&mut out, template, args);
    out
}

/// [`fill`], appended to `out` (a text built in one allocation).
pub fn fill_into(out: &mut String, template: &str, args: &[&dyn std::fmt::Display]) {
    use std::fmt::Write;
    fill_with(out, template, args.len(), |out, i| {
        let _ = write!(out, "{}", args[i]);
    });
}

/// [`fill_into`] with texts, copied as they are: for labels made at every
/// message, where formatting a text costs more than copying it.
pub fn fill_texts_into(out: &mut String, template: &str, args: &[&str]) {
    fill_with(out, template, args.len(), |out, i| out.push_str(args[i]));
}

/// Fills `template`'s `{}` with `arg(out, i)` for i below `n`.
fn fill_with(out: &mut String, template: &str, n: usize, mut arg: impl FnMut(&mut String, usize)) {
    // A byte scan: `str::split("{}")` sets up a substring searcher per
    // call, which showed in the per-message profile (Info is filled so).
    let (mut rest, mut i) = (template, 0);
    while let Some(at) = rest.as_bytes().windows(2).position(|w| w == b"{}") {
        out.push_str(&rest[..at]);
        if i < n {
            arg(out, i);
            i += 1;
        }
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
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
        // codec::info::problem_marks keeps the classes in a u64.
        assert!(CLASSES.len() <= 64);
    }
}
