//! The message table compiled for decoding and registration.
//!
//! `Schema` walks the static table once and produces (a) the list of filter
//! fields, deduplicated by filter name, that the plugin registers as header
//! fields and the Lua generator emits as ProtoFields, and (b) per message a
//! tree of nodes that points at those filter fields by index, so the decoder
//! never looks anything up by name.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

use crate::table::{self, EnumDef, Field, FieldType, MessageDef, Prim, Role, StructDef, Tail, Unit};

/// Index of a filter field in `Schema::fields`.
pub type FieldId = u16;

/// How a filter field shows its value; maps onto a Wireshark field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    /// Text in the chosen character set (FT_STRING).
    Text,
    /// Unsigned integer of this many bits (FT_UINTn, BASE_DEC).
    Uint(u8),
    /// Signed integer of this many bits (FT_INTn, BASE_DEC).
    Int(u8),
    /// FT_BOOLEAN.
    Bool,
    /// Seconds since the epoch (FT_ABSOLUTE_TIME, UTC).
    Time,
    /// Dotted IPv4 address (FT_IPv4), generated from an IP text field.
    Ipv4,
    /// A struct, list or dictionary; the value is in its children (FT_NONE).
    Container,
    /// A subtree with a label and no filter name (a List<String> holder, a
    /// dictionary pair): its children carry the filter names.
    Label,
}

#[derive(Debug, Clone)]
pub struct FilterField {
    /// Unique key: the filter name (`xmmep.user_name`) of a filterable
    /// field; for a `Label`, which has no filter name, an internal key
    /// (`xmmep.groups[]`). Read filter names with [`FilterField::filter_name`].
    pub key: String,
    pub label: String,
    pub desc: String,
    pub display: Display,
    pub vals: Option<&'static EnumDef>,
    pub bool_names: Option<(&'static str, &'static str)>,
    /// The specification type, for documentation (`List<Struct Buddy>`).
    pub spec_type: String,
    /// Tag of a key field in the Info column (`user`), from the table.
    pub info: Option<&'static str>,
    /// A time whose label shows only its date (`Role::Date`).
    pub date: bool,
    /// The unit after the value in the label (`table::Unit`).
    pub unit: Option<&'static Unit>,
}

impl FilterField {
    pub fn is_filterable(&self) -> bool {
        self.display != Display::Label
    }

    /// The display filter name; None for a label.
    pub fn filter_name(&self) -> Option<&str> {
        self.is_filterable().then_some(self.key.as_str())
    }
}

/// A leaf field as the decoder needs it.
#[derive(Debug, Clone)]
pub struct Scalar {
    pub id: FieldId,
    pub field: &'static Field,
    pub prim: Prim,
    pub vals: Option<&'static EnumDef>,
    /// The generated `.addr` field of an IP field.
    pub addr_id: Option<FieldId>,
}

impl Scalar {
    /// The values a number may take: its type's range, except that a port
    /// (typed Short) is read as unsigned 0..65535 (docs/decisions.md 13).
    /// None for String and Boolean.
    pub fn range(&self) -> Option<(i64, i64)> {
        match (self.field.role, self.prim) {
            (_, Prim::String | Prim::Boolean) => None,
            (Role::Port, _) => Some((0, u16::MAX as i64)),
            (_, prim) => prim.range(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct StructNode {
    /// The filter field of a struct value (`xmmep.buddy`, `xmmep.user_info`).
    pub id: FieldId,
    pub def: &'static StructDef,
    pub members: Vec<Scalar>,
}

#[derive(Debug, Clone)]
pub enum Node {
    Scalar(Scalar),
    Struct(StructNode),
    /// List<String>: `holder` is a Label; elements use `elem.id`.
    StringList {
        holder: FieldId,
        elem: Scalar,
        alt: Option<StructNode>,
    },
    /// List<Struct>: `id` is the list's own container field.
    StructList {
        id: FieldId,
        elem: StructNode,
    },
    Dict {
        id: FieldId,
        pair: FieldId,
        key: Scalar,
        value: Scalar,
    },
}

impl Scalar {
    fn shown_ids(&self, out: &mut Vec<FieldId>) {
        out.push(self.id);
        out.extend(self.addr_id);
    }
}

impl StructNode {
    fn shown_ids(&self, out: &mut Vec<FieldId>) {
        out.push(self.id);
        for m in &self.members {
            m.shown_ids(out);
        }
    }
}

impl Node {
    /// Every field this node can show: its own, its elements', members'
    /// and generated addresses'.
    pub fn shown_ids(&self) -> Vec<FieldId> {
        let mut out = vec![self.field_id()];
        match self {
            Node::Scalar(s) => s.shown_ids(&mut out),
            Node::Struct(s) => s.shown_ids(&mut out),
            Node::StringList { elem, alt, .. } => {
                elem.shown_ids(&mut out);
                if let Some(st) = alt {
                    st.shown_ids(&mut out);
                }
            }
            Node::StructList { elem, .. } => elem.shown_ids(&mut out),
            Node::Dict { pair, key, value, .. } => {
                out.push(*pair);
                key.shown_ids(&mut out);
                value.shown_ids(&mut out);
            }
        }
        out
    }

    pub fn field_id(&self) -> FieldId {
        match self {
            Node::Scalar(s) => s.id,
            Node::Struct(s) => s.id,
            Node::StringList { holder, .. } => *holder,
            Node::StructList { id, .. } | Node::Dict { id, .. } => *id,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CompiledMessage {
    pub def: &'static MessageDef,
    pub nodes: Vec<Node>,
    /// For a count field at index i, the index of the field it counts.
    pub count_of: Vec<Option<usize>>,
    /// How many leading fields must be present when the tail is optional.
    pub required_on_failure: usize,
    /// `Tail::EmptyOnFailure`'s `from`: the first field that a refusal may
    /// fill with placeholders.
    pub empty_on_failure: Option<usize>,
}

/// Generic fields that do not come from one table field.
#[derive(Debug, Clone, Copy)]
pub struct Generic {
    pub body_len: FieldId,
    pub msg_type: FieldId,
    /// A field of a message type with no definition, shown as text.
    pub raw_field: FieldId,
    /// A field past the definition, shown as text.
    pub extra_field: FieldId,
    /// A value that does not decode as its type, shown as text.
    pub bad_value: FieldId,
}

pub struct Schema {
    pub fields: Vec<FilterField>,
    pub generic: Generic,
    messages: Vec<CompiledMessage>,
    /// Message code -> index in `messages`, for codes 0..=999.
    by_code: Vec<u16>,
    /// Filter name -> field: the tools look a field up per value shown.
    by_key: FxHashMap<String, FieldId>,
}

const NO_MESSAGE: u16 = u16::MAX;

struct Builder {
    fields: Vec<FilterField>,
    by_key: FxHashMap<String, FieldId>,
}

impl Builder {
    /// Adds a filter field, or returns the existing one of the same name.
    /// The same name with a different display is a table error.
    fn add(&mut self, f: FilterField) -> FieldId {
        if let Some(&id) = self.by_key.get(&f.key) {
            let old = &self.fields[id as usize];
            assert!(
                old.display == f.display && old.vals == f.vals && old.bool_names == f.bool_names,
                "filter name {} used with two types ({:?} and {:?})",
                f.key,
                old.display,
                f.display
            );
            // One name, two struct types (`buddy` is a Buddy in 150 and an
            // OnlineBuddy elsewhere): the documentation names both.
            let old = &mut self.fields[id as usize];
            if !old.spec_type.split(" or ").any(|t| t == f.spec_type) {
                old.spec_type = format!("{} or {}", old.spec_type, f.spec_type);
            }
            return id;
        }
        let id = self.fields.len() as FieldId;
        self.by_key.insert(f.key.clone(), id);
        self.fields.push(f);
        id
    }

    fn scalar(&mut self, prefix: &str, field: &'static Field) -> Scalar {
        let (prim, vals) = match &field.ty {
            FieldType::Prim(p) => (*p, None),
            FieldType::Enum(e) => (e.repr, Some(*e)),
            // The elements of a List<String> are the field's own items.
            FieldType::ListOfString { .. } => (Prim::String, None),
            other => panic!("{} is not a scalar: {:?}", field.abbrev, other),
        };
        let display = scalar_display(prim, field.role);
        let abbrev = format!("{prefix}{}", field.abbrev);
        let id = self.add(FilterField {
            key: abbrev.clone(),
            label: field.label.to_string(),
            desc: field.desc.to_string(),
            display,
            vals,
            bool_names: field.bool_names,
            spec_type: field.ty.spec_name(),
            info: field.info,
            date: field.role == Role::Date,
            unit: field.unit,
        });
        let addr_id = (field.role == Role::Ip).then(|| {
            self.add(FilterField {
                key: format!("{abbrev}.addr"),
                label: format!("{} address", field.label),
                desc: format!("{} as an IPv4 address, when the text is one", field.label),
                display: Display::Ipv4,
                vals: None,
                bool_names: None,
                spec_type: "String (generated)".to_string(),
                info: None,
                date: false,
                unit: None,
            })
        });
        Scalar { id, field, prim, vals, addr_id }
    }

    fn struct_node(&mut self, id: FieldId, def: &'static StructDef) -> StructNode {
        let prefix = format!("xmmep.{}.", def.abbrev);
        let members = def.members.iter().map(|m| self.scalar(&prefix, m)).collect();
        StructNode { id, def, members }
    }

    /// The filter field of a struct value as a list element.
    fn struct_elem(&mut self, def: &'static StructDef) -> FieldId {
        self.add(FilterField {
            key: format!("xmmep.{}", def.abbrev),
            label: struct_label(def),
            desc: def.desc.to_string(),
            display: Display::Container,
            vals: None,
            bool_names: None,
            spec_type: format!("Struct {}", def.name),
            info: None,
            date: false,
            unit: None,
        })
    }

    fn container(&mut self, field: &'static Field) -> FieldId {
        self.add(FilterField {
            key: format!("xmmep.{}", field.abbrev),
            label: field.label.to_string(),
            desc: field.desc.to_string(),
            display: Display::Container,
            vals: None,
            bool_names: None,
            spec_type: field.ty.spec_name(),
            info: field.info,
            date: false,
            unit: None,
        })
    }

    fn label(&mut self, key: String, label: String, desc: String) -> FieldId {
        self.add(FilterField { key, label, desc, display: Display::Label, vals: None, bool_names: None, spec_type: String::new(), info: None, date: false, unit: None })
    }

    fn node(&mut self, field: &'static Field) -> Node {
        match &field.ty {
            FieldType::Prim(_) | FieldType::Enum(_) => Node::Scalar(self.scalar("xmmep.", field)),
            FieldType::Struct(def) => {
                let id = self.container(field);
                Node::Struct(self.struct_node(id, def))
            }
            FieldType::ListOfString { alt } => {
                let holder = self.label(format!("xmmep.{}[]", field.abbrev), format!("{} list", field.label), field.desc.to_string());
                let elem = self.scalar("xmmep.", field);
                let alt = alt.map(|def| {
                    let id = self.struct_elem(def);
                    self.struct_node(id, def)
                });
                Node::StringList { holder, elem, alt }
            }
            FieldType::ListOfStruct(def) => {
                let id = self.container(field);
                let elem_id = self.struct_elem(def);
                Node::StructList { id, elem: self.struct_node(elem_id, def) }
            }
            FieldType::Dictionary { key, value } => {
                let id = self.container(field);
                let pair = self.label(format!("xmmep.{}[]", field.abbrev), format!("{} element", field.label), "One key/value pair".to_string());
                let key = self.scalar("xmmep.", key);
                let value = self.scalar("xmmep.", value);
                Node::Dict { id, pair, key, value }
            }
        }
    }

    fn generic(&mut self, abbrev: &str, label: &str, desc: &str, display: Display) -> FieldId {
        self.add(FilterField {
            key: format!("xmmep.{abbrev}"),
            label: label.to_string(),
            desc: desc.to_string(),
            display,
            vals: None,
            bool_names: None,
            spec_type: String::new(),
            info: None,
            date: false,
            unit: None,
        })
    }
}

fn struct_label(def: &StructDef) -> String {
    def.label.to_string()
}

fn scalar_display(prim: Prim, role: Role) -> Display {
    match (prim, role) {
        (_, Role::Time | Role::Date) => Display::Time,
        (_, Role::Port) => Display::Uint(16),
        (Prim::String, _) => Display::Text,
        (Prim::Boolean, _) => Display::Bool,
        (Prim::Byte, _) => Display::Uint(8),
        (Prim::Character, _) => Display::Int(8),
        (Prim::Short, _) => Display::Int(16),
        (Prim::Integer, _) => Display::Int(32),
        (Prim::Long, _) => Display::Int(64),
    }
}

impl Schema {
    /// Compiles a list of message definitions. The standard schema uses the
    /// whole table; tests compile ad-hoc definitions (the spec's examples).
    pub fn new(messages: &'static [MessageDef]) -> Schema {
        let mut b = Builder { fields: Vec::new(), by_key: FxHashMap::default() };
        let body_len = b.generic("body_len", "Body length", "BodyLength: length of the body in bytes (header bytes 0-3)", Display::Uint(16));
        b.fields[body_len as usize].unit = Some(&table::BYTES);
        let msg_type = b.generic("msg_type", "Message type", "MessageType (header bytes 4-7)", Display::Uint(16));
        let mut compiled = Vec::new();
        let mut by_code = vec![NO_MESSAGE; 1000];
        for def in messages {
            let nodes: Vec<Node> = def.fields.iter().map(|f| b.node(f)).collect();
            let count_of = def
                .fields
                .iter()
                .map(|f| match f.role {
                    Role::Count { of } => {
                        let target = def.fields.iter().position(|t| t.abbrev == of);
                        assert!(target.is_some(), "{}: count field names unknown field {of}", def.name);
                        target
                    }
                    _ => None,
                })
                .collect();
            let required_on_failure = match def.tail {
                Tail::Required | Tail::EmptyOnFailure { .. } => def.fields.len(),
                Tail::OnlyOnSuccess { from } => from,
            };
            let empty_on_failure = match def.tail {
                Tail::EmptyOnFailure { from } => Some(from),
                _ => None,
            };
            assert!((def.code as usize) < by_code.len());
            by_code[def.code as usize] = compiled.len() as u16;
            compiled.push(CompiledMessage { def, nodes, count_of, required_on_failure, empty_on_failure });
        }
        let raw_field = b.generic("raw_field", "Field", "Field of a message type with no definition, as text", Display::Text);
        let extra_field = b.generic("extra_field", "Extra field", "Field past the message's definition, as text", Display::Text);
        let bad_value = b.generic("bad_value", "Undecodable value", "Value that does not decode as its type, as text", Display::Text);
        Schema { fields: b.fields, generic: Generic { body_len, msg_type, raw_field, extra_field, bad_value }, messages: compiled, by_code, by_key: b.by_key }
    }

    /// The schema of the whole XMMEP 2.0 table, built once.
    pub fn standard() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| Schema::new(table::MESSAGES))
    }

    pub fn message(&self, code: u32) -> Option<&CompiledMessage> {
        let i = *self.by_code.get(code as usize)?;
        (i != NO_MESSAGE).then(|| &self.messages[i as usize])
    }

    pub fn messages(&self) -> &[CompiledMessage] {
        &self.messages
    }

    pub fn field(&self, id: FieldId) -> &FilterField {
        &self.fields[id as usize]
    }

    pub fn field_by_key(&self, key: &str) -> Option<FieldId> {
        self.by_key.get(key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_schema_builds_and_names_are_unique() {
        let s = Schema::standard();
        let mut names: Vec<_> = s.fields.iter().map(|f| f.key.as_str()).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(n, names.len());
        assert!(s.field_by_key("xmmep.user_name").is_some());
        assert!(s.field_by_key("xmmep.online_buddy.status").is_some());
        assert!(s.field_by_key("xmmep.conditions.key").is_some());
        assert!(s.field_by_key("xmmep.result_flag").is_some());
        assert!(s.field_by_key("xmmep.server_ip.addr").is_some());
    }

    #[test]
    fn filter_names_follow_decisions_22() {
        for f in &Schema::standard().fields {
            let name = f.key.trim_end_matches("[]");
            assert!(name.starts_with("xmmep."), "{name}");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'), "{name} is not lower snake case");
        }
    }
}
