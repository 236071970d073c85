//! The pure-Lua share of the Lua script's cost: the core of a generated
//! script (decode and Info text, no Wireshark API) through mlua, on the
//! XMMEP messages of captures, against the Rust decoder on the same ones.
//! Prints microseconds per message, best of the rounds.
//!
//!   cargo run --release -p xmmep-lua-tests --bin lua-decode-bench -- [--script FILE] [--lines] CAPTURE...
//!
//! `--lines` also samples the Lua VM every 1,000 instructions (a count hook)
//! and prints the script lines where most samples fell.
//!   (add `--no-default-features --features lua52` for Wireshark 4.0's Lua)

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use mlua::{Function, Lua, Table};
use xmmep_core::codec::{Charset, Decoder, Options};
use xmmep_core::schema::Schema;
use xmmep_tools::capture::extract;

const ROUNDS: usize = 3;

/// The pure-Lua decode (and Info text) of a generated script through mlua,
/// against the Rust decoder, on the XMMEP messages of captures.
#[derive(Parser)]
#[command(name = "lua-decode-bench")]
struct Args {
    /// The generated script to measure (default: the repository's lua/xmmep.lua).
    #[arg(long)]
    script: Option<PathBuf>,
    /// Also sample the Lua VM every 1,000 instructions and print where they fall.
    #[arg(long)]
    lines: bool,
    /// Capture files (pcap or pcapng) whose XMMEP messages are decoded.
    #[arg(required = true)]
    captures: Vec<String>,
}

fn main() {
    let a = Args::parse();
    let script = a.script.unwrap_or_else(|| xmmep_tools::workspace_root().join(xmmep_tools::lua_gen::OUTPUT));
    let (lines, args) = (a.lines, a.captures);
    for cap in &args {
        let bytes = std::fs::read(cap).unwrap_or_else(|e| panic!("read {cap}: {e}"));
        let msgs: Vec<Vec<u8>> = extract::payloads(&bytes).iter().flat_map(|p| extract::messages(&p.data).into_iter().map(<[u8]>::to_vec).collect::<Vec<_>>()).collect();
        let total: usize = msgs.iter().map(Vec::len).sum();
        // The debug library for the sampling hook (mlua leaves it out by default).
        let lua = unsafe { Lua::unsafe_new() };
        let src = std::fs::read(&script).unwrap_or_else(|e| panic!("read {}: {e}", script.display()));
        let core: Table = lua.load(src).set_name("@xmmep.lua").eval().expect("the script loads outside Wireshark and returns its core");
        let decode: Function = core.get("decode").unwrap();
        let info: Function = core.get("info_text").unwrap();
        // Info as the glue asks for it: the bytes of a text value.
        let text_of: Function = lua.load("return function(o, l) return '' end").eval().unwrap();
        let strings: Vec<mlua::LuaString> = msgs.iter().map(|m| lua.create_string(m).unwrap()).collect();
        let lua_secs = best(|| {
            for s in &strings {
                let d: Table = decode.call((s, "utf8")).unwrap();
                let _: mlua::LuaString = info.call((d, &text_of)).unwrap();
            }
        });
        if lines {
            let top: String = lua
                .load(
                    r#"
local decode, info, text_of, strings = ...
local hits, fun, total = {}, {}, 0
debug.sethook(function()
  local i = debug.getinfo(2, "Sl")
  local k = i.short_src .. ":" .. i.linedefined .. " (line " .. i.currentline .. ")"
  fun[i.linedefined] = (fun[i.linedefined] or 0) + 1
  hits[k] = (hits[k] or 0) + 1
  total = total + 1
end, "", 1000)
for _, s in ipairs(strings) do info(decode(s, "utf8"), text_of) end
debug.sethook()
local keys = {}
for k in pairs(hits) do keys[#keys + 1] = k end
table.sort(keys, function(a, b) return hits[a] > hits[b] end)
local out = {}
for i = 1, math.min(15, #keys) do out[#out + 1] = string.format("  %5.1f%%  %s", hits[keys[i]] / total * 100, keys[i]) end
out[#out + 1] = "  by function (the line that defines it):"
local fk = {}
for k in pairs(fun) do fk[#fk + 1] = k end
table.sort(fk, function(a, b) return fun[a] > fun[b] end)
for i = 1, math.min(12, #fk) do out[#out + 1] = string.format("  %5.1f%%  function at line %d", fun[fk[i]] / total * 100, fk[i]) end
out[#out + 1] = string.format("  %.0f VM instructions per message", total * 1000 / #strings)
return table.concat(out, "\n")
"#,
                )
                .call((decode.clone(), info.clone(), text_of.clone(), strings.clone()))
                .unwrap();
            println!("{cap}: where the Lua VM spends its instructions (samples every 1,000):\n{top}");
        }
        let decoder_schema = Schema::standard();
        let rust_secs = best(|| {
            let dec = Decoder::new(decoder_schema, Options { charset: Charset::Utf8 });
            for m in &msgs {
                std::hint::black_box(dec.decode(m));
            }
        });
        let n = msgs.len().max(1) as f64;
        println!(
            "{cap}: {} messages, {:.0} bytes each on average; {}: {:.2} us/message (decode + Info), Rust decoder {:.2} us/message, Lua/Rust {:.0}x",
            msgs.len(),
            total as f64 / n,
            lua.globals().get::<String>("_VERSION").unwrap(),
            lua_secs / n * 1e6,
            rust_secs / n * 1e6,
            lua_secs / rust_secs
        );
    }
}

/// Best wall time of ROUNDS runs of `f`, in seconds.
fn best(mut f: impl FnMut()) -> f64 {
    (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}
