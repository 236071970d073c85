//! Build script: finds the system's Wireshark (pkg-config `wireshark.pc`),
//! generates Rust bindings for the part of epan named by
//! `wireshark-headers/xmmep_wrapper.h`, and compiles the C shim
//! `wireshark-headers/xmmep_shim.c` (the only place using TRY/CATCH).
//!
//! Everything that depends on the Wireshark version is decided here and in
//! `src/ffi/version.rs`, nowhere else.

use std::env;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{self, Command};

/// Wireshark releases whose plugin ABI this crate knows.
const SUPPORTED: &[(u32, u32)] = &[(4, 0), (4, 2), (4, 4)];

const INSTALL_HINT: &str =
    "apt-get install tshark libwireshark-dev libglib2.0-dev libclang-dev pkg-config";

fn fail(what: &str) -> ! {
    eprintln!(
        "\nerror: xmmep needs the Wireshark development files: {what}\n\
         On Debian/Ubuntu install them with:\n    {INSTALL_HINT}\n\
         (supported Wireshark versions: 4.0, 4.2, 4.4)\n"
    );
    // `cargo:warning` makes the message visible even without -vv.
    println!("cargo:warning=xmmep: {what}; install them with: {INSTALL_HINT}");
    process::exit(1);
}

fn pkg_config(args: &[&str]) -> Result<String, String> {
    let out = Command::new("pkg-config")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run pkg-config ({e})"))?;
    if !out.status.success() {
        return Err(format!(
            "`pkg-config {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let headers = manifest.join("wireshark-headers");
    let wrapper = headers.join("xmmep_wrapper.h");
    let shim_c = headers.join("xmmep_shim.c");
    let shim_h = headers.join("xmmep_shim.h");
    for p in [&wrapper, &shim_c, &shim_h] {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_LIBDIR");
    println!("cargo:rerun-if-env-changed=LIBCLANG_PATH");
    println!("cargo:rustc-check-cfg=cfg(xmmep_ws_4_0)");
    println!("cargo:rustc-check-cfg=cfg(xmmep_ws_4_2)");
    println!("cargo:rustc-check-cfg=cfg(xmmep_ws_4_4)");

    // ---- Wireshark version --------------------------------------------
    let version = pkg_config(&["--modversion", "wireshark"])
        .unwrap_or_else(|e| fail(&format!("wireshark.pc not found ({e})")));
    let mut parts = version.split('.').map(|p| p.parse::<u32>());
    let (major, minor) = match (parts.next(), parts.next()) {
        (Some(Ok(a)), Some(Ok(b))) => (a, b),
        _ => fail(&format!("cannot parse Wireshark version {version:?}")),
    };
    if !SUPPORTED.contains(&(major, minor)) {
        fail(&format!("found Wireshark {version}, which this plugin does not support"));
    }
    println!("cargo:rustc-env=XMMEP_WS_MAJOR={major}");
    println!("cargo:rustc-env=XMMEP_WS_MINOR={minor}");
    println!("cargo:rustc-env=XMMEP_WS_VERSION={version}");
    println!("cargo:rustc-cfg=xmmep_ws_{major}_{minor}");

    // ---- include paths (wireshark.pc requires glib-2.0) ------------------
    let cflags = pkg_config(&["--cflags", "wireshark"])
        .unwrap_or_else(|e| fail(&format!("pkg-config --cflags wireshark failed ({e})")));
    let mut includes = Vec::new();
    let mut defines = Vec::new();
    for flag in cflags.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-I") {
            includes.push(PathBuf::from(dir));
        } else if let Some(def) = flag.strip_prefix("-D") {
            defines.push(def.to_string());
        }
    }
    let has_header = includes
        .iter()
        .any(|d| d.join("epan").join("packet.h").is_file());
    if !has_header {
        fail("epan/packet.h not found in the pkg-config include paths");
    }

    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());

    // ---- version constants for Rust ------------------------------------
    let mut consts = String::new();
    writeln!(consts, "/// Wireshark major version this plugin was built for.").unwrap();
    writeln!(consts, "pub const WS_MAJOR: i32 = {major};").unwrap();
    writeln!(consts, "/// Wireshark minor version this plugin was built for.").unwrap();
    writeln!(consts, "pub const WS_MINOR: i32 = {minor};").unwrap();
    std::fs::write(out_dir.join("ws_version.rs"), consts).unwrap();

    // ---- bindings -------------------------------------------------------
    let mut builder = bindgen::Builder::default()
        .header(wrapper.to_string_lossy())
        .clang_arg(format!("-I{}", headers.display()))
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .layout_tests(false)
        .derive_default(true)
        .generate_comments(false)
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()))
        // Our exception-safe wrappers, and their types.
        .allowlist_function("xmmep_.*")
        .allowlist_type("xmmep_.*")
        .allowlist_var("XMMEP_.*")
        // Calls that do not throw (registration, handles, conversations).
        .allowlist_function("proto_register_(protocol|field_array|subtree_array|plugin)")
        .allowlist_function("proto_get_id_by_filter_name")
        .allowlist_function("expert_register_(protocol|field_array)")
        .allowlist_function("register_dissector|create_dissector_handle|find_dissector")
        .allowlist_function("heur_dissector_add")
        .allowlist_function("dissector_add_uint_range_with_preference")
        .allowlist_function("dissector_add_for_decode_as(_with_preference)?")
        .allowlist_function("prefs_register_(protocol|range_preference|enum_preference|bool_preference|uint_preference)")
        .allowlist_function("value_is_in_range|range_convert_str|wmem_epan_scope")
        .allowlist_function("find_or_create_conversation|conversation_set_dissector")
        .allowlist_function("tvb_(captured|reported)_length(_remaining)?")
        .allowlist_function("add_new_data_source")
        // Types and constants the dissector code uses.
        .allowlist_type("packet_info|tvbuff_t|proto_tree|proto_item|proto_plugin")
        .allowlist_type("hf_register_info|header_field_info|value_string|true_false_string")
        .allowlist_type("ei_register_info|expert_field|expert_field_info|expert_module_t")
        .allowlist_type("dissector_t|heur_dissector_t|dissector_handle_t|module_t|range_t|enum_val_t")
        .allowlist_type("ftenum|field_display_e|hf_ref_type|heuristic_enable_e")
        .allowlist_var("FT_.*|BASE_.*|ABSOLUTE_TIME_.*|HF_REF_TYPE_.*|HEURISTIC_(ENABLE|DISABLE)")
        .allowlist_var("ENC_.*|PI_.*|COL_.*|TH_FIN")
        .allowlist_type("tcpinfo")
        .allowlist_var("BoundsError|ContainedBoundsError|ReportedBoundsError|FragmentBoundsError")
        .allowlist_var("TypeError|DissectorError|ScsiBoundsError|OutOfMemoryError|ReassemblyError");
    for dir in &includes {
        builder = builder.clang_arg(format!("-I{}", dir.display()));
    }
    for def in &defines {
        builder = builder.clang_arg(format!("-D{def}"));
    }
    let bindings = builder.generate().unwrap_or_else(|e| {
        fail(&format!(
            "bindgen could not read the Wireshark headers ({e}); is libclang-dev installed?"
        ))
    });
    bindings
        .write_to_file(out_dir.join("bindings.rs"))
        .expect("cannot write bindings.rs");

    // ---- C shim -----------------------------------------------------------
    let mut cc = cc::Build::new();
    cc.file(&shim_c)
        .include(&headers)
        .warnings(true)
        .flag_if_supported("-Wno-clobbered");
    for dir in &includes {
        cc.include(dir);
    }
    for def in &defines {
        match def.split_once('=') {
            Some((k, v)) => cc.define(k, v),
            None => cc.define(def, None),
        };
    }
    cc.compile("xmmep_shim");

    // ---- linking ------------------------------------------------------------
    // The plugin (cdylib) must NOT link libwireshark: Wireshark loads it into
    // a process that already has libwireshark, and the epan symbols resolve
    // at load time (a cdylib may keep undefined symbols on Linux).
    //
    // Test and bench executables do link the rlib, and with it the
    // shim and the FFI code that reference epan symbols. Whether the linker
    // pulls those objects in depends on how rustc splits codegen units, so
    // instead of relying on luck we link those executables against
    // libwireshark (pkg-config --libs). They never call into epan (no test
    // runs a dissector in-process; the integration tests run the real
    // tshark), so this only satisfies the linker; with --as-needed the
    // library is dropped when nothing references it.
    let libs = pkg_config(&["--libs", "wireshark"])
        .unwrap_or_else(|e| fail(&format!("pkg-config --libs wireshark failed ({e})")));
    for flag in libs.split_whitespace() {
        for kind in ["tests", "benches"] {
            println!("cargo:rustc-link-arg-{kind}={flag}");
        }
    }
}
