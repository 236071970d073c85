//! Generates `lua/xmmep.lua`, the Wireshark Lua dissector, from the message
//! table, the compiled schema and the report classes.
//!
//! The output is five parts in one file:
//! 1. DATA, generated here: protocol names, filter fields, enums, report
//!    classes and texts, the relations between messages, and per message
//!    code the compiled node tree;
//! 2. the decoding ENGINE (`lua/src/engine.lua`), pure Lua 5.2..5.4 with no
//!    Wireshark API, which walks DATA exactly as `codec::decode` walks the
//!    schema and returns the same items and reports;
//! 3. the ANALYSIS across messages (`lua/src/analysis.lua`),
//!    pure Lua, which mirrors `xmmep_core::analysis` (`core.analysis`);
//! 4. the STATISTICS (`lua/src/stats.lua`), pure Lua, which counts what
//!    the plugin's statistics tree counts and writes it as text
//!    (`core.stats`);
//! 5. the Wireshark GLUE (`lua/src/glue.lua`), which runs only when the
//!    Wireshark API is there (global `Proto`) and shows the decode as
//!    docs/presentation.md says.
//!
//! The chunk returns the engine's table, so a plain Lua interpreter (the
//! tests, through mlua) can `load` the file and call `decode` and
//! `info_text` without Wireshark.
//!
//! Neither hand-written Lua file names a message, field, value string or
//! report text: they all come from DATA, and DATA from the Rust table.
//! `cargo run --bin xmmep-gen-lua` rewrites the file; `tests/lua_fresh.rs`
//! fails when the committed file differs from what this module generates.

use std::fmt::Write;

use xmmep_core::analysis::{self, PartyId, Relations, UserField};
use xmmep_core::presentation::{self, label, FieldKind, Pref, PROTOCOL};
use xmmep_core::reports::{self, CLASSES};
use xmmep_core::schema::{CompiledMessage, Display, FieldId, Node, Scalar, Schema, StructNode};
use xmmep_core::table::{self, Prim, Role};

/// The hand-written Lua (engine, analysis, statistics, glue), included verbatim. It
/// lives in `lua/src/`, beside the `lua/xmmep.lua` it makes, so that a Lua
/// reader finds the sources where the script is.
pub const ENGINE: &str = include_str!("../../../lua/src/engine.lua");
pub const GLUE: &str = include_str!("../../../lua/src/glue.lua");
pub const ANALYSIS: &str = include_str!("../../../lua/src/analysis.lua");
pub const STATS: &str = include_str!("../../../lua/src/stats.lua");

/// Where the generated file lives, relative to the workspace root.
pub const OUTPUT: &str = "lua/xmmep.lua";
/// The command that regenerates it.
pub const COMMAND: &str = "cargo run --bin xmmep-gen-lua";

/// A Lua string literal: printable ASCII and UTF-8 as they are, quotes,
/// backslashes and control bytes escaped (decimal escapes work in 5.1..5.4).
pub fn lua_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\0'..='\x1f' | '\x7f' => {
                let _ = write!(out, "\\{:03}", c as u32);
            }
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How the glue builds a field: its ProtoField family and bit width, from
/// the one field-type choice of `presentation::FieldKind` (labels are not
/// fields at all).
fn display_kind(d: Display) -> (&'static str, u8) {
    if d == Display::Label {
        return ("label", 0);
    }
    match FieldKind::of(d) {
        FieldKind::String => ("text", 0),
        FieldKind::Uint8 => ("uint", 8),
        FieldKind::Uint16 => ("uint", 16),
        FieldKind::Uint32 => ("uint", 32),
        FieldKind::Uint64 => ("uint", 64),
        FieldKind::Int8 => ("int", 8),
        FieldKind::Int16 => ("int", 16),
        FieldKind::Int32 => ("int", 32),
        FieldKind::Int64 => ("int", 64),
        FieldKind::Boolean => ("bool", 0),
        FieldKind::AbsoluteTime => ("time", 0),
        FieldKind::Ipv4 => ("ipv4", 0),
        FieldKind::None => ("container", 0),
        FieldKind::FrameNum(_) => ("framenum", 0),
        FieldKind::RelativeTime => ("reltime", 0),
        FieldKind::Bytes => ("bytes", 0),
    }
}

fn pref(p: &Pref) -> String {
    format!("{{ name = {}, title = {}, desc = {} }}", lua_str(p.name), lua_str(p.title), lua_str(p.desc))
}

/// Lua index of a filter field (1-based).
fn lua_index(id: FieldId) -> usize {
    id as usize + 1
}

fn scalar(schema: &Schema, sc: &Scalar) -> String {
    let ff = schema.field(sc.id);
    let mut o = format!("{{ k = \"scalar\", f = {}, prim = {}", lua_index(sc.id), lua_str(sc.prim.spec_name()));
    if !matches!(sc.prim, Prim::String | Prim::Boolean) {
        let (lo, hi) = sc.range().unwrap_or((0, 0));
        let vkind = match ff.display {
            Display::Time => "time",
            Display::Uint(_) => "uint",
            _ => "int",
        };
        let _ = write!(o, ", lo = \"{lo}\", hi = \"{hi}\", vkind = \"{vkind}\"");
    }
    if let Some(e) = sc.vals {
        let _ = write!(o, ", enum = {}", lua_str(e.name));
    }
    if sc.prim == Prim::String {
        if let Some((min, max)) = sc.field.chars {
            let _ = write!(o, ", chars = {{ {min}, {max} }}");
        }
        if sc.field.role == Role::Password {
            o.push_str(", password = true");
        }
    }
    if let Some(a) = sc.addr_id {
        let _ = write!(o, ", addr = {}", lua_index(a));
    }
    o.push_str(" }");
    o
}

fn struct_ref(st: &StructNode) -> String {
    format!("STRUCTS[{}]", lua_str(st.def.abbrev))
}

fn node(schema: &Schema, n: &Node) -> String {
    match n {
        Node::Scalar(sc) => scalar(schema, sc),
        Node::Struct(st) => format!("{{ k = \"struct\", f = {}, s = {} }}", lua_index(st.id), struct_ref(st)),
        Node::StringList { holder, elem, alt } => {
            let alt = match alt {
                Some(st) => format!(", alt = {{ f = {}, s = {} }}", lua_index(st.id), struct_ref(st)),
                None => String::new(),
            };
            format!("{{ k = \"strlist\", holder = {}, elem = {}{} }}", lua_index(*holder), scalar(schema, elem), alt)
        }
        Node::StructList { id, elem } => {
            format!("{{ k = \"structlist\", f = {}, elem = {{ f = {}, s = {} }} }}", lua_index(*id), lua_index(elem.id), struct_ref(elem))
        }
        Node::Dict { id, pair, key, value } => {
            format!("{{ k = \"dict\", f = {}, pair = {},\n        key = {},\n        value = {} }}", lua_index(*id), lua_index(*pair), scalar(schema, key), scalar(schema, value))
        }
    }
}

fn message(schema: &Schema, m: &CompiledMessage) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "  [{}] = {{ name = {}, required_on_failure = {},", m.def.code, lua_str(m.def.name), m.required_on_failure);
    if let Some(from) = m.empty_on_failure {
        // The Lua index of the first field a refusal may fill with placeholders.
        let _ = writeln!(o, "    empty_on_failure = {},", from + 1);
    }
    let names: Vec<String> = m.nodes.iter().map(|n| lua_str(&schema.field(n.field_id()).label)).collect();
    let _ = writeln!(o, "    field_names = {{ {} }},", names.join(", "));
    let counts: Vec<String> = m.count_of.iter().enumerate().filter_map(|(i, t)| t.map(|t| format!("{{ {}, {} }}", i + 1, t + 1))).collect();
    if !counts.is_empty() {
        let _ = writeln!(o, "    counts = {{ {} }},", counts.join(", "));
    }
    o.push_str("    nodes = {\n");
    for n in &m.nodes {
        let _ = writeln!(o, "      {},", node(schema, n));
    }
    o.push_str("    } },\n");
    o
}

/// The struct bodies: members (as scalar nodes) and their names, shared by
/// every node that holds the struct.
fn structs(schema: &Schema) -> String {
    let mut seen: Vec<&'static str> = Vec::new();
    let mut o = String::from("local STRUCTS = {\n");
    let mut add = |st: &StructNode, o: &mut String| {
        if seen.contains(&st.def.abbrev) {
            return;
        }
        seen.push(st.def.abbrev);
        let names: Vec<String> = st.def.members.iter().map(|f| lua_str(f.label)).collect();
        let _ = writeln!(o, "  [{}] = {{ name = {},", lua_str(st.def.abbrev), lua_str(st.def.label));
        let _ = writeln!(o, "    member_names = {{ {} }},", names.join(", "));
        o.push_str("    members = {\n");
        for m in &st.members {
            let _ = writeln!(o, "      {},", scalar(schema, m));
        }
        o.push_str("    } },\n");
    };
    for m in schema.messages() {
        for n in &m.nodes {
            match n {
                Node::Struct(st) => add(st, &mut o),
                Node::StringList { alt: Some(st), .. } => add(st, &mut o),
                Node::StructList { elem, .. } => add(elem, &mut o),
                _ => {}
            }
        }
    }
    o.push_str("}\n");
    o
}

/// The DATA part: one `local DATA = {...}` built from the schema.
pub fn data(schema: &Schema) -> String {
    let mut o = String::new();
    o.push_str(&structs(schema));
    o.push_str("\nlocal DATA = {\n");
    let _ = writeln!(o, "  proto = {{ filter = {}, name = {}, short = {} }},", lua_str(PROTOCOL.filter), lua_str(PROTOCOL.name), lua_str(PROTOCOL.short));
    let _ =
        writeln!(o, "  header_len = {}, max_message_len = {}, min_type = {}, max_type = {},", table::HEADER_LEN, table::MAX_MESSAGE_LEN, table::MIN_MSG_TYPE, table::MAX_MSG_TYPE);
    let _ = writeln!(o, "  sep = {{ field = {}, member = {}, element = {}, key = {} }},", table::FIELD_SEP, table::MEMBER_SEP, table::ELEMENT_SEP, table::KEY_SEP);
    let charsets: Vec<String> = presentation::CHARSETS.iter().map(|(key, c)| format!("{{ key = {}, name = {} }}", lua_str(key), lua_str(c.name()))).collect();
    let _ = writeln!(o, "  charsets = {{ {} }},", charsets.join(", "));
    let g = schema.generic;
    let _ = writeln!(
        o,
        "  generic = {{ body_len = {}, msg_type = {}, raw_field = {}, extra_field = {}, bad_value = {} }},",
        lua_index(g.body_len),
        lua_index(g.msg_type),
        lua_index(g.raw_field),
        lua_index(g.extra_field),
        lua_index(g.bad_value)
    );
    o.push_str("  -- Report texts (reports::template); each {} takes the next argument.\n  texts = {\n");
    for (k, t) in reports::TEXTS {
        let _ = writeln!(o, "    {k} = {},", lua_str(t));
    }
    let delims: Vec<String> = reports::template::DELIMITER_NAMES.iter().map(|d| lua_str(d)).collect();
    let _ = writeln!(o, "    delimiters = {{ {} }},", delims.join(", "));
    let _ = writeln!(o, "    repeated_positions = {},", reports::template::REPEATED_POSITIONS);
    o.push_str("  },\n");
    let _ = writeln!(
        o,
        "  info = {{ malformed_header = {}, unknown_type = {}, bool_true = {}, bool_false = {}, problem_mark = {} }},",
        lua_str(presentation::info::MALFORMED_HEADER),
        lua_str(presentation::info::UNKNOWN_TYPE),
        lua_str(presentation::info::BOOL_TRUE),
        lua_str(presentation::info::BOOL_FALSE),
        lua_str(presentation::info::PROBLEM_MARK)
    );
    let _ = writeln!(
        o,
        "  labels = {{ elements_one = {}, elements_many = {}, message = {}, counted = {},\n    indexed = {}, invalid = {}, value_suffix = {}, pair_key = {}, pair_value = {}, not_sent = {} }},",
        lua_str(label::ELEMENTS_ONE),
        lua_str(label::ELEMENTS_MANY),
        lua_str(label::MESSAGE),
        lua_str(label::COUNTED),
        lua_str(label::INDEXED),
        lua_str(label::INVALID),
        lua_str(label::VALUE_SUFFIX),
        lua_str(label::PAIR_KEY),
        lua_str(label::PAIR_VALUE),
        lua_str(label::NOT_SENT)
    );
    let _ = writeln!(
        o,
        "  prefs = {{\n    charset = {},\n    desegment = {},\n    analyze = {},\n    raw = {},\n    tcp_ports = {},\n    udp_ports = {} }},",
        pref(&presentation::CHARSET_PREF),
        pref(&presentation::DESEGMENT_PREF),
        pref(&presentation::ANALYZE_PREF),
        pref(&presentation::RAW_PREF),
        pref(&presentation::TCP_PORTS_PREF),
        pref(&presentation::UDP_PORTS_PREF)
    );
    o.push_str("  -- Report classes (reports::CLASSES): kind is the Rust ReportKind.\n  reports = {\n");
    for c in CLASSES {
        let _ = writeln!(
            o,
            "    {{ kind = \"{:?}\", abbrev = {}, severity = \"{}\", group = \"{}\", summary = {}, short = {} }},",
            c.kind,
            lua_str(c.abbrev),
            c.severity.name(),
            c.group.name(),
            lua_str(c.summary),
            lua_str(c.short)
        );
    }
    o.push_str("  },\n  enums = {\n");
    for e in table::ENUMS {
        let _ = writeln!(o, "    [{}] = {{ name = {}, values = {{", lua_str(e.name), lua_str(e.name));
        for v in e.values {
            let _ = writeln!(o, "      {{ value = {}, name = {}, desc = {} }},", v.value, lua_str(v.name), lua_str(v.desc));
        }
        o.push_str("    } },\n");
    }
    o.push_str("  },\n  -- Filter fields (Schema::fields), by Lua index = FieldId + 1.\n  fields = {\n");
    for (i, f) in schema.fields.iter().enumerate() {
        let (display, bits) = display_kind(f.display);
        let _ = write!(o, "    {{ abbrev = {}, label = {}, display = \"{display}\"", lua_str(&f.key), lua_str(&f.label),);
        if let Some(desc) = presentation::blurb(&f.label, &f.desc) {
            let _ = write!(o, ", desc = {}", lua_str(desc));
        }
        if bits > 0 {
            let _ = write!(o, ", bits = {bits}");
        }
        if let Some(e) = f.vals {
            let _ = write!(o, ", enum = {}", lua_str(e.name));
        }
        if let Some((t, fl)) = f.bool_names {
            let _ = write!(o, ", bool_names = {{ {}, {} }}", lua_str(t), lua_str(fl));
        }
        if let Some(tag) = f.info {
            let _ = write!(o, ", info = {}", lua_str(tag));
        }
        if f.date {
            o.push_str(", date = true");
        }
        if let Some(u) = f.unit {
            let _ = write!(o, ", unit = {{ {}, {} }}", lua_str(u.singular), lua_str(u.plural));
        }
        let _ = writeln!(o, " }}, -- {}", i + 1);
    }
    o.push_str("  },\n");
    o.push_str(&relations(schema));
    o.push_str(&transcript(schema));
    o.push_str(&stats(schema));
    o.push_str("  -- Messages by code: the compiled node trees (Schema::message).\n  messages = {\n");
    for m in schema.messages() {
        o.push_str(&message(schema, m));
    }
    o.push_str("  },\n}\n");
    o
}

fn lua_list<T: std::fmt::Display>(v: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = v.into_iter().map(|x| x.to_string()).collect();
    format!("{{ {} }}", items.join(", "))
}

/// The relations between messages (`analysis::Relations`, from the table)
/// and the analysis fields and texts, for the Lua analysis.
fn relations(schema: &Schema) -> String {
    let mut o = String::new();
    if let Some(r) = Relations::try_new(schema) {
        relation_data(&r, &mut o);
    }
    analysis_fields(&mut o);
    o
}

/// DATA.relations.
fn relation_data(r: &Relations, o: &mut String) {
    o.push_str("  -- Relations between messages (table::EXCHANGES, FORWARDS, FILE_TRANSFER,\n  -- LOGIN) compiled by analysis::Relations; field numbers are Lua indexes.\n  relations = {\n    exchanges = {\n");
    for e in table::EXCHANGES {
        let end = e.end.map_or("nil".to_string(), |c| c.to_string());
        let _ = writeln!(o, "      {{ request = {}, responses = {}, [\"end\"] = {end} }},", e.request, lua_list(e.responses));
    }
    o.push_str("    },\n    forwards = {\n");
    for (f, keys) in table::FORWARDS.iter().zip(&r.forward_keys) {
        let keys_lua = lua_list(keys.iter().map(|&k| lua_index(k)));
        let names = lua_str(&f.key_labels());
        let _ = writeln!(o, "      {{ original = {}, forward = {}, keys = {keys_lua}, key_names = {names} }},", f.original, f.forward);
    }
    o.push_str("    },\n    -- Chat messages (table::CHATS): the fields of their two sides, or \"session\".\n    chats = {\n");
    for (c, parties) in table::CHATS.iter().zip(&r.chat_parties) {
        let side = |p: &PartyId| match p {
            PartyId::Field(id) => lua_index(*id).to_string(),
            PartyId::SessionUser => "\"session\"".to_string(),
        };
        let _ = writeln!(o, "      {{ code = {}, parties = {{ {}, {} }} }},", c.code, side(&parties[0]), side(&parties[1]));
    }
    let t = &table::FILE_TRANSFER;
    let _ = writeln!(
        o,
        "    }},\n    transfer = {{ stages = {}, answer = {}, keys = {}, file_name = {}, file_size = {}, accepted = {} }},",
        lua_list(t.stages),
        t.answer + 1,
        lua_list(r.transfer_keys.iter().map(|&k| lua_index(k))),
        lua_index(r.file_name),
        lua_index(r.file_size),
        lua_index(r.accepted)
    );
    let _ = writeln!(
        o,
        "    login = {{ request = {}, outcome = {}, user = {}, result = {} }},\n    seq_num = {},",
        table::LOGIN.request,
        table::LOGIN.outcome,
        lua_index(r.login_user),
        lua_index(r.login_result),
        lua_index(r.seq_num)
    );
    o.push_str("    -- User-name fields: true, or the Boolean field that makes it a room.\n    users = {");
    for (i, u) in r.users.iter().enumerate() {
        match u {
            UserField::No => {}
            UserField::Yes => {
                let _ = write!(o, " [{}] = true,", lua_index(i as FieldId));
            }
            UserField::UnlessRoom(flag) => {
                let _ = write!(o, " [{}] = {},", lua_index(i as FieldId), lua_index(*flag));
            }
        }
    }
    let _ = writeln!(
        o,
        " }},\n    max_pending = {}, max_keys = {}, max_listed_forwards = {}, max_chats = {},\n  }},",
        analysis::MAX_PENDING,
        analysis::MAX_KEYS,
        analysis::MAX_LISTED_FORWARDS,
        analysis::MAX_CHATS
    );
}

/// DATA.analysis_fields and DATA.analysis_texts.
fn analysis_fields(o: &mut String) {
    o.push_str("  -- Fields the analysis adds (presentation::ANALYSIS_FIELDS), in order.\n  analysis_fields = {\n");
    for a in presentation::ANALYSIS_FIELDS {
        let (display, bits, link) = match a.kind {
            FieldKind::FrameNum(l) => ("framenum", 0, format!(", link = \"{}\"", format!("{l:?}").to_lowercase())),
            FieldKind::RelativeTime => ("reltime", 0, String::new()),
            FieldKind::String => ("text", 0, String::new()),
            FieldKind::Uint32 => ("uint", 32, String::new()),
            FieldKind::Int64 => ("int", 64, String::new()),
            FieldKind::Boolean => ("bool", 0, String::new()),
            FieldKind::None => ("container", 0, String::new()),
            k => panic!("analysis field of kind {k:?} has no Lua form"),
        };
        let unit = a.unit.map_or(String::new(), |u| format!(", unit = {{ {}, {} }}", lua_str(u.singular), lua_str(u.plural)));
        let _ = writeln!(
            o,
            "    {{ key = {}, abbrev = {}, label = {}, desc = {}, display = \"{display}\", bits = {bits}{link}{unit} }},",
            lua_str(a.abbrev),
            lua_str(&format!("{}.{}", PROTOCOL.filter, a.abbrev)),
            lua_str(a.label),
            lua_str(a.desc)
        );
    }
    use presentation::analysis as pa;
    let _ = writeln!(
        o,
        "  }},\n  analysis_texts = {{ transfer_label = {}, accepted = {}, declined = {}, open = {}, part_run = {}, pair_sep = {} }},",
        lua_str(pa::TRANSFER_LABEL),
        lua_str(pa::TRANSFER_ACCEPTED_TEXT),
        lua_str(pa::TRANSFER_DECLINED_TEXT),
        lua_str(pa::TRANSFER_OPEN_TEXT),
        lua_str(pa::PART_RUN),
        lua_str(presentation::info::PAIR_SEP)
    );
    let raw = &presentation::RAW_FIELD;
    let _ = writeln!(
        o,
        "  -- xmmep.raw (presentation::RAW_FIELD): each message's bytes, with the preference raw on.\n  raw_field = {{ abbrev = {}, label = {}, desc = {} }},",
        lua_str(&format!("{}.{}", PROTOCOL.filter, raw.abbrev)),
        lua_str(raw.label),
        lua_str(raw.desc)
    );
}

/// DATA.transcript, for the chats window (Tools > XMMEP chats): its texts
/// (`presentation::transcript`) and, per message code, the fields that
/// give its event (`transcript::layout`, the rules of Follow > XMMEP Stream)
/// as Lua indexes.
fn transcript(schema: &Schema) -> String {
    use presentation::transcript as t;
    use xmmep_core::transcript::layout;
    // A schema that lacks a field of a layout (the tests' ad-hoc ones) has
    // no event for that message.
    let id = |abbrev: &str| schema.field_by_key(&format!("{}.{abbrev}", PROTOCOL.filter)).map(lua_index);
    let mut o = String::from("  -- Chat transcripts (presentation::transcript, transcript::layout).\n  transcript = {\n");
    let _ = writeln!(o, "    menu = {}, command = {},", lua_str(t::WINDOW), lua_str(t::COMMAND));
    o.push_str("    texts = {\n");
    for (k, v) in [
        ("line", t::LINE),
        ("time", t::TIME),
        ("text", t::TEXT),
        ("room_text", t::ROOM_TEXT),
        ("offer", t::OFFER),
        ("offer_unsized", t::OFFER_UNSIZED),
        ("bytes", t::BYTES),
        ("one_byte", t::ONE_BYTE),
        ("accepts", t::ACCEPTS),
        ("declines", t::DECLINES),
        ("unknown_file", t::UNKNOWN_FILE),
        ("group_sep", &t::GROUP_SEP.to_string()),
        ("heading", t::HEADING),
        ("room_heading", t::ROOM_HEADING),
    ] {
        let _ = writeln!(o, "      {k} = {},", lua_str(v));
    }
    o.push_str("    },\n    events = {\n");
    for m in schema.messages() {
        let Some(line) = layout(m.def).and_then(|l| event_fields(l, &id)) else { continue };
        let _ = writeln!(o, "      [{}] = {{ {line} }},", m.def.code);
    }
    o.push_str("    },\n  },\n");
    o
}

/// One entry of DATA.transcript.events: the event's kind and its fields
/// (`id` gives a field's Lua index).
fn event_fields(l: xmmep_core::transcript::Layout, id: &dyn Fn(&str) -> Option<usize>) -> Option<String> {
    use xmmep_core::transcript::Layout;
    Some(match l {
        Layout::Text { from, to, body, time, room } => {
            let time = match time {
                Some(f) => id(f)?.to_string(),
                None => "nil".to_string(),
            };
            format!("kind = \"text\", from = {}, to = {}, body = {}, time = {time}, room = {}", id(from)?, id(to)?, id(body)?, id(room)?)
        }
        Layout::Offer { from, to, file, size } => format!("kind = \"offer\", from = {}, to = {}, file = {}, size = {}", id(from)?, id(to)?, id(file)?, id(size)?),
        Layout::Answer { from, to, accepted } => format!("kind = \"answer\", from = {}, to = {}, accepted = {}", id(from)?, id(to)?, id(accepted)?),
    })
}

/// DATA.stats, for the statistics window (Statistics > XMMEP, `-z
/// xmmep,stats`): the tree's node names (`stats::names`, the texts of
/// `presentation::stats`) and, per message code, the fields its counts
/// read (`stats::layout`) as Lua indexes.
fn stats(schema: &Schema) -> String {
    use presentation::stats as t;
    use xmmep_core::stats::{layout, names};
    let mut o = String::from("  -- Statistics tree (presentation::stats, stats::names, stats::layout).\n  stats = {\n");
    let _ = writeln!(o, "    menu = {}, command = {},", lua_str(t::TREE_NAME), lua_str(t::LUA_COMMAND));
    let _ = writeln!(o, "    columns = {},", lua_list(t::LUA_COLUMNS.iter().map(|c| lua_str(c))));
    let _ = writeln!(
        o,
        "    top = {{ messages = {}, results = {}, presence = {}, times = {}, problems = {} }},",
        lua_str(t::MESSAGES),
        lua_str(t::RESULTS),
        lua_str(t::PRESENCE),
        lua_str(t::RESPONSE_TIMES),
        lua_str(t::PROBLEMS)
    );
    let _ = writeln!(
        o,
        "    other = {}, malformed = {}, unknown_type = {}, unknown_result = {}, unknown_status = {},",
        lua_str(&names::section(None)),
        lua_str(presentation::info::MALFORMED_HEADER),
        lua_str(presentation::info::UNKNOWN_TYPE),
        lua_str(t::UNKNOWN_RESULT),
        lua_str(t::UNKNOWN_STATUS)
    );
    let _ = writeln!(o, "    success = {},", xmmep_core::stats::RESULT_SUCCESS);
    let _ = writeln!(o, "    flag = {{ [true] = {}, [false] = {} }},", lua_str(&names::result_flag(true)), lua_str(&names::result_flag(false)));
    let values = |e: &table::EnumDef, name: &dyn Fn(u64) -> String| {
        let v: Vec<String> = e.values.iter().filter_map(|v| u64::try_from(v.value).ok()).map(|v| format!("[{v}] = {}", lua_str(&name(v)))).collect();
        format!("{{ {} }}", v.join(", "))
    };
    let _ = writeln!(o, "    results = {},", values(&table::RESULT_CODE, &names::result));
    let _ = writeln!(o, "    statuses = {},", values(&table::PRESENCE, &names::status));
    o.push_str("    messages = {\n");
    for m in schema.messages() {
        let l = layout(m);
        let code = m.def.code;
        let _ = write!(o, "      [{code}] = {{ leaf = {}, section = {}", lua_str(&names::message(u32::from(code), Some(m.def))), lua_str(&names::section(Some(m.def))));
        for (key, id) in [("result", l.result), ("flag", l.result_flag), ("presence", l.presence)] {
            if let Some(id) = id {
                let _ = write!(o, ", {key} = {}", lua_index(id));
            }
        }
        if l.awaits_answer {
            o.push_str(", awaits = true");
        }
        o.push_str(" },\n");
    }
    o.push_str("    },\n  },\n");
    o
}

/// The whole generated file.
pub fn generate() -> String {
    let mut o = String::new();
    let _ = writeln!(o, "-- {OUTPUT}: XMMEP (X-Messenger message protocol) dissector for Wireshark.");
    o.push_str("--\n-- GENERATED FILE, DO NOT EDIT. Generated by `");
    o.push_str(COMMAND);
    o.push_str("` (crates/xmmep-tools/src/lua_gen.rs)\n");
    o.push_str("-- from the message table, the compiled schema, the report classes and the\n");
    o.push_str("-- presentation texts of crates/xmmep-core; the engine and the Wireshark glue\n");
    o.push_str("-- are lua/src/{engine,analysis,stats,glue}.lua, included verbatim.\n--\n");
    o.push_str("-- Use: copy into Wireshark's personal Lua plugins folder, or\n");
    o.push_str("--      tshark -X lua_script:lua/xmmep.lua ...\n");
    o.push_str("-- Outside Wireshark (no global `Proto`) the chunk only returns the decoding core:\n");
    o.push_str("--      local core = dofile(\"lua/xmmep.lua\"); core.decode(bytes, \"utf8\")\n");
    o.push_str("-- Runs on Lua 5.2, 5.3 and 5.4.\n\n");
    o.push_str("-- ======================================================================== DATA\n");
    o.push_str(&data(Schema::standard()));
    o.push_str("\n-- ====================================================================== ENGINE\n");
    o.push_str("local core = (function(...)\n");
    o.push_str(ENGINE.trim_end());
    o.push_str("\nend)(DATA)\n");
    o.push_str("\n-- ==================================================================== ANALYSIS\n");
    o.push_str("core.analysis = (function(...)\n");
    o.push_str(ANALYSIS.trim_end());
    o.push_str("\nend)(DATA, core)\n");
    o.push_str("\n-- ======================================================================= STATS\n");
    o.push_str("core.stats = (function(...)\n");
    o.push_str(STATS.trim_end());
    o.push_str("\nend)(DATA, core)\n");
    o.push_str("\n-- ======================================================================== GLUE\n");
    o.push_str("if Proto ~= nil then (function(...)\n");
    o.push_str(GLUE.trim_end());
    o.push_str("\nend)(DATA, core) end\n\nreturn core\n");
    o
}
