//! Runs the real tshark with the freshly built `xmmep.so` plugin, or with
//! the committed Lua script instead ([`Dissector`]).
//!
//! tshark running as root ignores personal plugins (and
//! WIRESHARK_PLUGIN_DIR), and CI runs as root. So each [`Tshark`] gets a
//! temporary HOME holding `.local/lib/wireshark/plugins/<maj>.<min>/epan/xmmep.so`,
//! readable by uid 65534, and when the current user is root tshark runs as
//! that user through
//! `setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=<tmp> ... tshark`.
//! Otherwise tshark runs directly with HOME=<tmp>. The environment is cleared
//! (PATH, HOME, LC_ALL only), so no WIRESHARK_* variable of the caller leaks in.
//!
//! Capture files must be readable by that user: pass them through
//! [`Tshark::add_file`] / [`Tshark::write_file`], which put them in the
//! temporary directory.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// The unprivileged user tshark runs as when the tests run as root.
pub const NOBODY: u32 = 65534;

/// What one tshark run produced.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    /// Standard output as text (bytes that are not UTF-8 replaced).
    pub stdout: String,
    pub stderr: String,
    /// Standard output as it came (binary output: `-z xmmep,records`).
    pub stdout_bytes: Vec<u8>,
}

impl Output {
    fn of(out: std::process::Output) -> Output {
        Output {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            stdout_bytes: out.stdout,
        }
    }
}

impl Output {
    /// Panics with both streams unless tshark exited 0.
    pub fn assert_success(&self) -> &Self {
        assert!(self.status.success(), "tshark failed ({}):\n--- stdout\n{}\n--- stderr\n{}", self.status, self.stdout, self.stderr);
        self
    }
}

/// Whether this process runs as root (then tshark ignores personal plugins,
/// and from 4.4 on refuses Lua scripts).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Wireshark's running major.minor, from `tshark --version`, checked
/// against pkg-config's (the plugin is built for the latter; both must agree
/// or the loader rejects it).
pub fn wireshark_version() -> (u32, u32) {
    static V: OnceLock<(u32, u32)> = OnceLock::new();
    *V.get_or_init(|| {
        let out = Command::new("tshark")
            .arg("--version")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .output()
            .expect("tshark not found: apt-get install tshark");
        let text = String::from_utf8_lossy(&out.stdout);
        // "TShark (Wireshark) 4.0.17 (Git v4.0.17 packaged as 4.0.17-0+deb12u1)."
        let ver = text
            .split_whitespace()
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()) && w.contains('.'))
            .unwrap_or_else(|| panic!("cannot find a version in `tshark --version`: {text}"));
        let mut it = ver.split('.').map(|p| p.parse::<u32>().expect("numeric version"));
        let v = (it.next().unwrap(), it.next().unwrap());
        // The plugin's build script reads the same pkg-config answer.
        let pc = Command::new("pkg-config").args(["--modversion", "wireshark"]).output().expect("pkg-config not found: apt-get install pkg-config");
        let pc = String::from_utf8_lossy(&pc.stdout);
        let mut it = pc.trim().split('.').map(|p| p.parse::<u32>().expect("numeric pkg-config version"));
        let built = (it.next().unwrap(), it.next().unwrap());
        assert_eq!(v, built, "tshark {ver} differs from the Wireshark the plugin was built for (pkg-config {})", pc.trim());
        v
    })
}

/// Path of the cdylib to test: `$XMMEP_PLUGIN_SO` if set, else the newest
/// `libxmmep.so` next to this test executable (cargo builds the library,
/// both rlib and cdylib, before the tests, into `target/<profile>/deps/` and
/// `target/<profile>/`), else one built now with `cargo build --lib`.
pub fn plugin_so() -> PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        if let Some(p) = std::env::var_os("XMMEP_PLUGIN_SO") {
            return PathBuf::from(p);
        }
        let exe = std::env::current_exe().expect("current_exe");
        let deps = exe.parent().expect("exe dir").to_path_buf();
        let profile = deps.parent().expect("profile dir").to_path_buf();
        let newest = |cands: &[PathBuf]| cands.iter().filter_map(|p| fs::metadata(p).ok().map(|m| (m.modified().unwrap(), p.clone()))).max().map(|(_, p)| p);
        let cands = [deps.join("libxmmep.so"), profile.join("libxmmep.so")];
        if let Some(p) = newest(&cands) {
            return p;
        }
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "--lib", "--manifest-path", concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml")]);
        if profile.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        assert!(cmd.status().expect("run cargo build").success(), "cargo build --lib failed");
        newest(&cands).expect("libxmmep.so not found after cargo build --lib")
    })
    .clone()
}

/// The committed Lua dissector, `lua/xmmep.lua` below the workspace root.
pub fn lua_script() -> PathBuf {
    crate::root().join(xmmep_tools::lua_gen::OUTPUT)
}

/// A temporary HOME for tshark, removed on drop.
pub struct Tshark {
    home: PathBuf,
    plugin: Option<PathBuf>,
}

fn make_dir(p: &Path) {
    fs::create_dir_all(p).unwrap_or_else(|e| panic!("mkdir {}: {e}", p.display()));
    fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
}

impl Tshark {
    fn new(with_plugin: bool) -> Tshark {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let home = std::env::temp_dir().join(format!("xmmep-tshark-{}-{}-{nanos}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
        make_dir(&home);
        let (maj, min) = wireshark_version();
        let mut plugin = None;
        let mut dir = home.clone();
        for part in [".local", "lib", "wireshark", "plugins", &format!("{maj}.{min}"), "epan"] {
            dir.push(part);
            make_dir(&dir);
        }
        if with_plugin {
            let dst = dir.join("xmmep.so");
            fs::copy(plugin_so(), &dst).expect("copy plugin");
            fs::set_permissions(&dst, fs::Permissions::from_mode(0o755)).unwrap();
            plugin = Some(dst);
        }
        if is_root() {
            // tshark may create ~/.config/wireshark; let the user own its HOME.
            std::os::unix::fs::chown(&home, Some(NOBODY), Some(NOBODY)).expect("chown home");
        }
        Tshark { home, plugin }
    }

    /// A HOME with the plugin installed.
    pub fn with_plugin() -> Tshark {
        Tshark::new(true)
    }

    /// The same HOME layout without the plugin (negative control).
    pub fn without_plugin() -> Tshark {
        Tshark::new(false)
    }

    /// The temporary HOME.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Where the plugin was installed, if it was.
    pub fn plugin_path(&self) -> Option<&Path> {
        self.plugin.as_deref()
    }

    /// `lua_script:<path>`, the value of the `-X` option that loads the
    /// committed Lua script (copied into this HOME) into one run.
    pub fn lua_option(&self) -> String {
        format!("lua_script:{}", self.add_file(&lua_script()).display())
    }

    /// Installs `script` in the personal Lua plugin folder of this HOME,
    /// where tshark loads it for every run, `-G` reports included (which
    /// `-X lua_script:` does not reach).
    pub fn install_lua(&self, script: &Path) {
        let dir = self.home.join(".local/lib/wireshark/plugins");
        let dst = dir.join(script.file_name().expect("file name"));
        fs::copy(script, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", script.display()));
        fs::set_permissions(&dst, fs::Permissions::from_mode(0o644)).unwrap();
    }

    /// Writes `bytes` as `name` in the temporary dir (readable by tshark).
    pub fn write_file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.home.join(name);
        fs::write(&p, bytes).expect("write file");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        p
    }

    /// Copies `src` into the temporary dir (readable by tshark).
    pub fn add_file(&self, src: &Path) -> PathBuf {
        let name = src.file_name().expect("file name").to_string_lossy().into_owned();
        self.write_file(&name, &fs::read(src).unwrap_or_else(|e| panic!("read {}: {e}", src.display())))
    }

    /// An empty folder that stands in for the global plugin folders, so
    /// that a plugin or Lua script installed system-wide (by
    /// `scripts/run.sh` as root) never takes part in a test: tshark run as
    /// a normal user honours WIRESHARK_PLUGIN_DIR for both binary and Lua
    /// global plugins.
    fn global_dir(&self) -> PathBuf {
        let d = self.home.join("global-plugins");
        if !d.exists() {
            fs::create_dir_all(&d).expect("global plugin dir");
            fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
        }
        d
    }

    /// A script that runs tshark exactly as [`Tshark::run`] does, for tools
    /// that take a tshark command (`xmmep-check --tshark`).
    pub fn wrapper_script(&self) -> PathBuf {
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
        let env = format!("HOME={} WIRESHARK_PLUGIN_DIR={} PATH={path} LC_ALL=C.UTF-8", self.home.display(), self.global_dir().display());
        let run = if is_root() { format!("setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups env -i {env} tshark \"$@\"") } else { format!("env -i {env} tshark \"$@\"") };
        let p = self.home.join("tshark-wrapper.sh");
        fs::write(&p, format!("#!/bin/sh\nexec {run}\n")).expect("wrapper");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    /// Runs tshark with `args` (as uid 65534 if we are root).
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_env(&[], args)
    }

    /// [`Tshark::run`] with these variables added to tshark's environment.
    pub fn run_with_env(&self, vars: &[(&str, &str)], args: &[&str]) -> Output {
        let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
        let mut cmd = if is_root() {
            let mut c = Command::new("setpriv");
            c.args([&format!("--reuid={NOBODY}"), &format!("--regid={NOBODY}"), "--clear-groups", "env", "-i"]);
            c.arg(format!("HOME={}", self.home.display()));
            c.arg(format!("WIRESHARK_PLUGIN_DIR={}", self.global_dir().display()));
            c.arg(format!("PATH={}", path.to_string_lossy()));
            c.arg("LC_ALL=C.UTF-8");
            c.args(vars.iter().map(|(k, v)| format!("{k}={v}")));
            c.arg("tshark");
            c
        } else {
            let mut c = Command::new("tshark");
            c.env_clear().env("HOME", &self.home).env("PATH", &path).env("LC_ALL", "C.UTF-8");
            c.env("WIRESHARK_PLUGIN_DIR", self.global_dir());
            c.envs(vars.iter().copied());
            c
        };
        cmd.args(args).current_dir(&self.home);
        let out = cmd.output().expect("cannot run tshark (or setpriv)");
        Output::of(out)
    }
}

impl Tshark {
    /// Runs `bash -o pipefail -c script` in `dir` as the user tshark runs
    /// as, with the environment of [`Tshark::run`]: a shell command line
    /// whose tshark loads the plugin (and nothing installed system-wide).
    pub fn shell(&self, dir: &Path, script: &str) -> Output {
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
        let env = [format!("HOME={}", self.home.display()), format!("WIRESHARK_PLUGIN_DIR={}", self.global_dir().display()), format!("PATH={path}"), "LC_ALL=C.UTF-8".to_string()];
        let mut cmd = if is_root() {
            let mut c = Command::new("setpriv");
            c.args([&format!("--reuid={NOBODY}"), &format!("--regid={NOBODY}"), "--clear-groups", "env", "-i"]);
            c.args(&env);
            c.arg("bash");
            c
        } else {
            let mut c = Command::new("env");
            c.arg("-i").args(&env).arg("bash");
            c
        };
        cmd.args(["-o", "pipefail", "-c", script]).current_dir(dir);
        let out = cmd.output().expect("cannot run bash (or setpriv)");
        Output::of(out)
    }
}

/// tshark with one of the two XMMEP dissectors: the plugin installed in
/// its HOME, or, with no plugin installed, the committed Lua script, which
/// [`Dissector::args`] loads into each run with `-X lua_script:`. For the
/// tests that show the same capture through both.
pub struct Dissector {
    /// The tshark; its runs decode with this dissector when given
    /// [`Dissector::args`].
    pub ts: Tshark,
    /// `lua_script:<path>` for the Lua script, `None` for the plugin.
    lua: Option<String>,
}

impl Dissector {
    /// The plugin.
    pub fn plugin() -> Dissector {
        Dissector { ts: Tshark::with_plugin(), lua: None }
    }

    /// The Lua script alone.
    pub fn lua() -> Dissector {
        let ts = Tshark::without_plugin();
        let lua = Some(ts.lua_option());
        Dissector { ts, lua }
    }

    /// The plugin, then the Lua script.
    pub fn both() -> [Dissector; 2] {
        [Dissector::plugin(), Dissector::lua()]
    }

    pub fn is_lua(&self) -> bool {
        self.lua.is_some()
    }

    /// `plugin` or `Lua`, for messages.
    pub fn name(&self) -> &'static str {
        if self.is_lua() {
            "Lua"
        } else {
            "plugin"
        }
    }

    /// The options that load this dissector (none for the plugin), then `args`.
    pub fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all: Vec<&str> = self.lua.iter().flat_map(|x| ["-X", x.as_str()]).collect();
        all.extend_from_slice(args);
        all
    }

    /// Runs tshark with [`Dissector::args`]`(args)`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.ts.run(&self.args(args))
    }

    /// [`Dissector::run`] with these variables added to tshark's environment.
    pub fn run_with_env(&self, vars: &[(&str, &str)], args: &[&str]) -> Output {
        self.ts.run_with_env(vars, &self.args(args))
    }
}

impl Drop for Tshark {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.home);
    }
}
