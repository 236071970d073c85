//! Harness that runs the decoding core of the generated `lua/xmmep.lua`
//! in a plain Lua interpreter (mlua, vendored; Lua 5.4 or 5.2 by feature)
//! and puts its output and the Rust decoder's in one comparable form.
//!
//! Both sides are flattened to lines of text:
//! - item:   `<abbrev>|<depth>|<offset>|<len>|<value>` with value `none`,
//!   `text`, `uint:5`, `int:-3`, `bool:true`, `time:0`, `ipv4:1.2.3.4`,
//!   `count:2`, `index:1` or `invalid`;
//! - report: `<class abbrev>|<offset>|<len>|<item index from 0 or ->|<text>`.
//!
//! The Lua side flattens in Lua (with `tostring`), so a value that Lua 5.2
//! would print as a float (`3.0`) or round (a 64-bit Long as a double)
//! would show up as a difference.

use mlua::{Function, Lua, Table};
use xmmep_core::codec::{Decoded, Decoder, Options, Value};
use xmmep_core::schema::Schema;

pub use xmmep_core::codec::Charset;

/// The Lua version the harness was built with (`Lua 5.4`, `Lua 5.2`).
pub fn lua_version(lua: &Lua) -> String {
    lua.globals().get::<String>("_VERSION").unwrap()
}

/// Flattens a decode in Lua: returns { items = {...}, reports = {...} } of strings.
const FLATTEN: &str = r#"
local core, fields = ...
return function(dec)
  local items, reports = {}, {}
  for i = 1, dec.n do
    local v = dec.kind[i]
    if dec.v[i] ~= nil then v = v .. ":" .. tostring(dec.v[i]) end
    items[#items + 1] = table.concat({ fields[dec.f[i]].abbrev, tostring(dec.depth[i]), tostring(dec.off[i]), tostring(dec.len[i]), v }, "|")
  end
  -- Nothing past the n items.
  for _, col in ipairs({ "f", "depth", "off", "len", "kind", "v" }) do
    for k in pairs(dec[col]) do
      if type(k) ~= "number" or k < 1 or k > dec.n then error("column " .. col .. " has key " .. tostring(k) .. " beyond n = " .. dec.n) end
    end
  end
  for _, r in ipairs(dec.reports) do
    local item = r.item and tostring(r.item - 1) or "-"
    reports[#reports + 1] = table.concat({ r.class, tostring(r.offset), tostring(r.len), item, r.text }, "|")
  end
  return items, reports
end
"#;

/// The Lua side: a loaded core and its helpers.
pub struct LuaCore {
    pub lua: Lua,
    pub core: Table,
    flatten: Function,
}

/// Flattened decode: items and reports as lines (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flat {
    pub items: Vec<String>,
    pub reports: Vec<Vec<u8>>,
}

impl LuaCore {
    /// Loads the committed lua/xmmep.lua; outside Wireshark it returns the core.
    pub fn from_script() -> LuaCore {
        let path = xmmep_tools::workspace_root().join(xmmep_tools::lua_gen::OUTPUT);
        let src = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let lua = Lua::new();
        let core: Table = lua.load(src).set_name("@lua/xmmep.lua").eval().expect("lua/xmmep.lua loads and returns the core");
        LuaCore::with(lua, core)
    }

    /// The engine alone, over DATA generated from `schema` (ad-hoc schemas:
    /// the specification's examples, a message with every primitive type).
    pub fn from_schema(schema: &Schema) -> LuaCore {
        let lua = Lua::new();
        let data_src = format!("{}\nreturn DATA\n", xmmep_tools::lua_gen::data(schema));
        let data: Table = lua.load(data_src).set_name("@data").eval().expect("generated DATA loads");
        let engine: Function = lua.load(xmmep_tools::lua_gen::ENGINE).set_name("@engine.lua").into_function().expect("engine compiles");
        let core: Table = engine.call(data).expect("engine runs");
        LuaCore::with(lua, core)
    }

    fn with(lua: Lua, core: Table) -> LuaCore {
        let data: Table = core.get("data").unwrap();
        let fields: Table = data.get("fields").unwrap();
        let flatten: Function = lua.load(FLATTEN).set_name("@flatten").into_function().unwrap().call((core.clone(), fields)).unwrap();
        LuaCore { lua, core, flatten }
    }

    fn charset_key(c: Charset) -> &'static str {
        match c {
            Charset::Utf8 => "utf8",
            Charset::Gb18030 => "gb18030",
        }
    }

    /// Decodes in Lua and returns the decode table.
    pub fn decode_table(&self, msg: &[u8], charset: Charset) -> Table {
        let decode: Function = self.core.get("decode").unwrap();
        decode.call((self.lua.create_string(msg).unwrap(), Self::charset_key(charset))).expect("core.decode raised a Lua error")
    }

    pub fn decode(&self, msg: &[u8], charset: Charset) -> Flat {
        let t = self.decode_table(msg, charset);
        let (items, reports): (Vec<String>, Vec<mlua::LuaString>) = self.flatten.call(t).unwrap();
        Flat { items, reports: reports.iter().map(|s| s.as_bytes().to_vec()).collect() }
    }

    /// Info text in Lua, with each Text value shown as `<offset,len>`.
    pub fn info(&self, msg: &[u8], charset: Charset) -> String {
        let t = self.decode_table(msg, charset);
        let text_of = self.lua.create_function(|_, (o, l): (i64, i64)| Ok(format!("<{o},{l}>"))).unwrap();
        let info: Function = self.core.get("info_text").unwrap();
        info.call((t, text_of)).unwrap()
    }

    /// The core's heuristic (TCP when `udp` is false).
    pub fn heuristic(&self, buf: &[u8], udp: bool) -> bool {
        let h: Function = self.core.get("heuristic").unwrap();
        h.call((self.lua.create_string(buf).unwrap(), udp, "utf8")).unwrap()
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Struct => "none".into(),
        Value::Text => "text".into(),
        Value::Uint(n) => format!("uint:{n}"),
        Value::Int(n) => format!("int:{n}"),
        Value::Bool(b) => format!("bool:{b}"),
        Value::Time(t) => format!("time:{t}"),
        Value::Ipv4(a) => format!("ipv4:{}.{}.{}.{}", a[0], a[1], a[2], a[3]),
        Value::Count(n) => format!("count:{n}"),
        Value::Index(n) => format!("index:{n}"),
        Value::Invalid => "invalid".into(),
    }
}

/// The Rust decoder's output, flattened the same way.
pub fn flatten_rust(schema: &Schema, d: &Decoded) -> Flat {
    let items = d.items.iter().map(|it| format!("{}|{}|{}|{}|{}", schema.field(it.id).key, it.depth, it.offset, it.len, value_text(&it.value))).collect();
    let reports = d
        .reports
        .iter()
        .map(|r| {
            let item = r.item.map(|i| i.to_string()).unwrap_or_else(|| "-".into());
            format!("{}|{}|{}|{}|{}", r.kind.class().abbrev, r.offset, r.len, item, r.text).into_bytes()
        })
        .collect();
    Flat { items, reports }
}

pub fn rust_decode(schema: &Schema, msg: &[u8], charset: Charset) -> (Decoded, Flat) {
    let d = Decoder::new(schema, Options { charset }).decode(msg);
    let f = flatten_rust(schema, &d);
    (d, f)
}

pub fn rust_info(schema: &Schema, d: &Decoded) -> String {
    xmmep_core::codec::info::info_text(schema, d, |o, l| format!("<{o},{l}>"))
}

/// Panics with a readable diff unless Lua and Rust agree on `msg`.
pub fn assert_same(lua: &LuaCore, schema: &Schema, msg: &[u8], charset: Charset) {
    let (d, rust) = rust_decode(schema, msg, charset);
    let lua_flat = lua.decode(msg, charset);
    if rust != lua_flat {
        let show = |f: &Flat| {
            let mut s = f.items.join("\n");
            s.push_str("\n-- reports\n");
            for r in &f.reports {
                s.push_str(&String::from_utf8_lossy(r));
                s.push('\n');
            }
            s
        };
        panic!("{} differs from Rust on {:?} ({charset:?}):\n--- rust\n{}\n--- lua\n{}", lua_version(&lua.lua), String::from_utf8_lossy(msg), show(&rust), show(&lua_flat));
    }
    let ri = rust_info(schema, &d);
    let li = lua.info(msg, charset);
    assert_eq!(ri, li, "Info text differs on {:?}", String::from_utf8_lossy(msg));
}
