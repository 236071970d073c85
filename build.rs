//! Build script: finds the system's Wireshark (pkg-config `wireshark.pc`),
//! generates Rust bindings for the part of epan named by
//! `wireshark-headers/wrapper.h`, and compiles the C shim
//! `wireshark-headers/shim.c` (the only place using TRY/CATCH).
//!
//! Everything that depends on the Wireshark version is decided here and in
//! `src/ffi/version.rs`, nowhere else.

use std::env;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{self, Command};

/// API capabilities, each with the first Wireshark release that has it.
/// A release has every capability whose version it reaches, so a newer
/// release than any listed here gets the newest API, never the oldest.
/// Each becomes a cfg of the same name, read only by `src/ffi/version.rs`
/// (and `src/ffi/plugin.rs` for the plugin symbols).
const CAPABILITIES: &[(&str, (u32, u32))] = &[
    // gboolean became C bool in heuristic callbacks, boolean preferences
    // and value_is_in_range.
    ("ws_c_bool", (4, 4)),
    // plugin_describe() tells the loader what kind of plugin this is
    // (`tshark -G plugins` says "unknown" without it).
    ("ws_plugin_describe", (4, 4)),
    // register_follow_stream() takes stream_count and sub_stream_id (4.0
    // has 7 arguments; 4.4 is the first supported release with 9).
    ("ws_follow_stream_count", (4, 4)),
    // register_conversation_filter() and its callbacks take user_data.
    ("ws_conv_filter_user_data", (4, 4)),
    // field_info.value is a pointer to the fvalue (4.0 holds it inline).
    ("ws_field_value_ptr", (4, 4)),
    // A statistic's start (stat_tap_init_cb) returns bool: false reports
    // a failure (4.4 and earlier return nothing).
    ("ws_stat_init_bool", (4, 6)),
];

const INSTALL_HINT: &str = "apt-get install tshark libwireshark-dev libglib2.0-dev libclang-dev pkg-config";

/// The supported releases, from `wireshark-versions` (first column).
fn supported_versions(file: &std::path::Path) -> Vec<(u32, u32)> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .map(|v| parse_major_minor(v).unwrap_or_else(|| panic!("bad version {v:?} in {}", file.display())))
        .collect()
}

fn parse_major_minor(v: &str) -> Option<(u32, u32)> {
    let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

fn list(versions: &[(u32, u32)]) -> String {
    versions.iter().map(|(a, b)| format!("{a}.{b}")).collect::<Vec<_>>().join(", ")
}

fn fail(what: &str) -> ! {
    eprintln!(
        "\nerror: xmmep needs the Wireshark development files: {what}\n\
         On Debian/Ubuntu install them with:\n    {INSTALL_HINT}\n"
    );
    // `cargo:warning` makes the message visible even without -vv.
    println!("cargo:warning=xmmep: {what}; install them with: {INSTALL_HINT}");
    process::exit(1);
}

fn pkg_config(args: &[&str]) -> Result<String, String> {
    let out = Command::new("pkg-config").args(args).output().map_err(|e| format!("cannot run pkg-config ({e})"))?;
    if !out.status.success() {
        return Err(format!("`pkg-config {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let headers = manifest.join("wireshark-headers");
    let versions_file = manifest.join("wireshark-versions");
    for p in [
        "wrapper.h",
        "shim_guard.h",
        "shim.c",
        "shim.h",
        "shim_conv.c",
        "shim_conv.h",
        "shim_tap.c",
        "shim_tap.h",
        "shim_follow.c",
        "shim_follow.h",
        "shim_conv_table.c",
        "shim_conv_table.h",
        "shim_flow.c",
        "shim_flow.h",
        "shim_srt.c",
        "shim_srt.h",
        "shim_export.c",
        "shim_export.h",
    ] {
        println!("cargo:rerun-if-changed={}", headers.join(p).display());
    }
    println!("cargo:rerun-if-changed={}", versions_file.display());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_LIBDIR");
    println!("cargo:rerun-if-env-changed=LIBCLANG_PATH");
    for (cfg, _) in CAPABILITIES {
        println!("cargo:rustc-check-cfg=cfg({cfg})");
    }
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let (major, minor) = wireshark_version(&supported_versions(&versions_file));
    emit_version(major, minor, &out_dir);
    let flags = cflags();
    bindings(&headers, &flags, &out_dir);
    shim(&headers, &flags, (major, minor));
    // ---- linking ------------------------------------------------------------
    // Nothing: the plugin (cdylib) must NOT link libwireshark. Wireshark
    // loads it into a process that already has libwireshark, and the epan
    // symbols resolve at load time (a cdylib may keep undefined symbols on
    // Linux). The one executable that links this crate's code is its own
    // unit-test binary; `src/ffi/mod.rs` links that one (and only that one).
}

/// The Wireshark release pkg-config finds, as (major, minor); stops the
/// build unless it is one of `supported`.
fn wireshark_version(supported: &[(u32, u32)]) -> (u32, u32) {
    let version = pkg_config(&["--modversion", "wireshark"]).unwrap_or_else(|e| fail(&format!("wireshark.pc not found ({e})")));
    let (major, minor) = parse_major_minor(&version).unwrap_or_else(|| fail(&format!("cannot parse Wireshark version {version:?}")));
    if !supported.contains(&(major, minor)) {
        // Not `fail`: the development files are there, the version is not ours.
        let msg = format!(
            "found Wireshark {version}, which xmmep-wireshark does not support; \
             supported versions: {} (see ./wireshark-versions). \
             Use lua/xmmep.lua with this Wireshark, or build against a supported one \
             (bash scripts/wireshark-root.sh run VERSION cargo build --release --lib).",
            list(supported)
        );
        eprintln!("\nerror: {msg}\n");
        println!("cargo:warning=xmmep: {msg}");
        process::exit(1);
    }
    (major, minor)
}

/// The release for the Rust code: environment variables, one cfg per API
/// capability it has, and the loader's version constants.
fn emit_version(major: u32, minor: u32, out_dir: &std::path::Path) {
    println!("cargo:rustc-env=WS_MAJOR={major}");
    println!("cargo:rustc-env=WS_MINOR={minor}");
    for (cfg, since) in CAPABILITIES {
        if (major, minor) >= *since {
            println!("cargo:rustc-cfg={cfg}");
        }
    }
    let mut consts = String::new();
    writeln!(consts, "/// Wireshark major version this plugin was built for.").unwrap();
    writeln!(consts, "pub const WS_MAJOR: i32 = {major};").unwrap();
    writeln!(consts, "/// Wireshark minor version this plugin was built for.").unwrap();
    writeln!(consts, "pub const WS_MINOR: i32 = {minor};").unwrap();
    std::fs::write(out_dir.join("ws_version.rs"), consts).unwrap();
}

/// Include paths and defines of `pkg-config --cflags wireshark` (which
/// requires glib-2.0).
struct CFlags {
    includes: Vec<PathBuf>,
    defines: Vec<String>,
}

fn cflags() -> CFlags {
    let cflags = pkg_config(&["--cflags", "wireshark"]).unwrap_or_else(|e| fail(&format!("pkg-config --cflags wireshark failed ({e})")));
    let mut flags = CFlags { includes: Vec::new(), defines: Vec::new() };
    for flag in cflags.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-I") {
            flags.includes.push(PathBuf::from(dir));
        } else if let Some(def) = flag.strip_prefix("-D") {
            flags.defines.push(def.to_string());
        }
    }
    let has_header = flags.includes.iter().any(|d| d.join("epan").join("packet.h").is_file());
    if !has_header {
        fail("epan/packet.h not found in the pkg-config include paths");
    }
    flags
}

/// Rust bindings for the part of epan `wrapper.h` names.
fn bindings(headers: &std::path::Path, flags: &CFlags, out_dir: &std::path::Path) {
    let mut builder = bindgen::Builder::default()
        .header(headers.join("wrapper.h").to_string_lossy())
        .clang_arg(format!("-I{}", headers.display()))
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .layout_tests(false)
        .derive_default(true)
        .generate_comments(false)
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()))
        // Our exception-safe wrappers, and their types.
        .allowlist_function("shim_.*")
        .allowlist_type("shim_.*")
        .allowlist_var("SHIM_.*")
        // Calls that do not throw: registration, handles, heuristics,
        // preferences, and the two tvb lengths.
        .allowlist_function("proto_register_(protocol|field_array|subtree_array|plugin)")
        .allowlist_function("expert_register_(protocol|field_array)")
        .allowlist_function("register_dissector|heur_dissector_add")
        .allowlist_function("dissector_add_uint_range_with_preference")
        .allowlist_function("prefs_register_(protocol|enum_preference|bool_preference)")
        .allowlist_function("tvb_(captured|reported)_length")
        // The analysis state lives as long as the capture: a callback on
        // the file scope drops it.
        .allowlist_function("wmem_register_callback|wmem_file_scope")
        .allowlist_type("wmem_cb_event_t|ft_framenum_type")
        // Taps and the statistics tree (none of them throws).
        .allowlist_function("register_tap|stats_tree_(register_plugin|create_node|manip_node_int|manip_node_float)")
        .allowlist_var("STAT_DT_.*|MN_.*|TAP_PACKET_.*|ST_FLG_SRTCOL_SHIFT|ST_SORT_COL_NAME")
        // Types and constants the dissector code uses.
        .allowlist_type("packet_info|tvbuff_t|proto_tree|proto_item|proto_plugin")
        .allowlist_type("hf_register_info|header_field_info|value_string|true_false_string|unit_name_string")
        .allowlist_type("ei_register_info|expert_field|expert_field_info|expert_module_t")
        .allowlist_type("dissector_handle_t|module_t|enum_val_t")
        .allowlist_type("ftenum|field_display_e|hf_ref_type|heuristic_enable_e")
        .allowlist_var("FT_.*|BASE_.*|ABSOLUTE_TIME_.*|HF_REF_TYPE_.*|HEURISTIC_(ENABLE|DISABLE)")
        .allowlist_var("ENC_.*|PI_.*|COL_.*|TH_FIN|WS_PLUGIN_DESC_DISSECTOR")
        .allowlist_type("tcpinfo")
        .allowlist_var("BoundsError|ContainedBoundsError|ReportedBoundsError|FragmentBoundsError")
        .allowlist_var("TypeError|DissectorError|ScsiBoundsError|OutOfMemoryError|ReassemblyError");
    for dir in &flags.includes {
        builder = builder.clang_arg(format!("-I{}", dir.display()));
    }
    for def in &flags.defines {
        builder = builder.clang_arg(format!("-D{def}"));
    }
    let bindings = builder.generate().unwrap_or_else(|e| fail(&format!("bindgen could not read the Wireshark headers ({e}); is libclang-dev installed?")));
    bindings.write_to_file(out_dir.join("bindings.rs")).expect("cannot write bindings.rs");
}

/// The C shim, the only place with TRY/CATCH. It sees the release's
/// capabilities as `SHIM_<CAPABILITY>` defines (`SHIM_WS_C_BOOL`, ...).
fn shim(headers: &std::path::Path, flags: &CFlags, version: (u32, u32)) {
    let mut cc = cc::Build::new();
    for file in ["shim.c", "shim_conv.c", "shim_tap.c", "shim_follow.c", "shim_conv_table.c", "shim_export.c", "shim_srt.c", "shim_flow.c"] {
        cc.file(headers.join(file));
    }
    cc.include(headers).warnings(true).flag_if_supported("-Wno-clobbered");
    for (cap, since) in CAPABILITIES {
        if version >= *since {
            cc.define(&format!("SHIM_{}", cap.to_uppercase()), None);
        }
    }
    for dir in &flags.includes {
        cc.include(dir);
    }
    for def in &flags.defines {
        match def.split_once('=') {
            Some((k, v)) => cc.define(k, v),
            None => cc.define(def, None),
        };
    }
    cc.compile("ws_shim");
}
