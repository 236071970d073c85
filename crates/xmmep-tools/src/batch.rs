//! What `xmmep-check` and `xmmep-export` share to decode many captures:
//! the capture list (files and folders), finding tshark and the dissector it
//! will use and proving that it decodes XMMEP, a pool of `--jobs` tshark
//! runs, and a progress bar on stderr that shows only when stderr is a
//! terminal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::check::runner::{self, Dissector, Output};
use crate::pdml::Frame;

/// Capture file name endings looked for inside a folder.
pub const CAPTURE_EXTENSIONS: [&str; 6] = [".pcapng", ".pcap", ".cap", ".pcapng.gz", ".pcap.gz", ".ntar"];

/// How to install tshark, for the error when it is missing.
pub const INSTALL_TSHARK: &str = "apt-get install tshark (Debian, Ubuntu), dnf install wireshark-cli (Fedora), brew install wireshark (macOS), or name it with --tshark PATH";

/// tshark's own options that the tools pass through: `-o PREF:VALUE` for
/// each preference, `-d RULE` for each Decode As rule.
pub fn tshark_options(prefs: &[String], decode_as: &[String]) -> Vec<String> {
    let prefs = prefs.iter().flat_map(|p| ["-o".to_string(), p.clone()]);
    let rules = decode_as.iter().flat_map(|d| ["-d".to_string(), d.clone()]);
    prefs.chain(rules).collect()
}

/// Files as given, and every capture file under each folder (recursively,
/// sorted by path). A path that does not exist is an error.
pub fn expand_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            walk(&path, found)?;
        } else if CAPTURE_EXTENSIONS.iter().any(|ext| path.to_string_lossy().ends_with(ext)) {
            found.push(path);
        }
    }
    Ok(())
}

/// tshark and the XMMEP dissector it decodes with. Its temporary folder
/// (the probe capture, the Lua script) is removed on drop.
pub struct Decoder {
    /// The tool's name, for its messages on stderr.
    tool: String,
    pub tshark: String,
    pub dissector: Dissector,
    /// How tshark hands the messages over: the plugin's records, unless
    /// the plugin makes none (see [`Decoder::new`]), or the Lua script's
    /// PDML.
    pub output: Output,
    /// Whether the messages come with their fields (the check needs only
    /// their names and expert infos; see [`crate::records::read_frames_with`]).
    pub fields: bool,
    /// tshark options passed through (`-o`, `-d`).
    pub extra: Vec<String>,
    tmp: PathBuf,
}

/// What one capture's decode saw, beyond the frames handed on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    /// Frames with TCP or UDP payload.
    pub payload_frames: u64,
    pub messages: u64,
}

impl Decoder {
    /// Finds the dissector that `tshark` decodes XMMEP with, and proves
    /// that this tshark, run as the tool will run it, decodes XMMEP (see
    /// [`Decoder::probe`]): the binary plugin with its records, else (a
    /// plugin without them) with its PDML; with `lua`, or when no plugin
    /// is loaded, the Lua script built into this program (said on stderr
    /// only when `verbose`).
    pub fn new(tool: &str, tshark: &str, lua: bool, extra: Vec<String>, verbose: bool) -> Result<Decoder, String> {
        let tmp = std::env::temp_dir().join(format!("{tool}-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let mut decoder = Decoder { tool: tool.to_string(), tshark: tshark.to_string(), dissector: Dissector::Plugin, output: Output::Records, fields: true, extra, tmp };
        // The usual case, the plugin with its records, proved in one tshark
        // start: tshark refuses `-z xmmep,records` without a plugin that
        // makes them. Anything else is told apart below, as it fails.
        if !lua && decoder.probe(lua).is_ok() {
            return Ok(decoder);
        }
        let out = Command::new(tshark).args(["-G", "plugins"]).stdin(Stdio::null()).stderr(Stdio::null()).output();
        let plugins = match out {
            Ok(o) => String::from_utf8_lossy(&o.stdout).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(format!("tshark not found: install it with {INSTALL_TSHARK}")),
            Err(e) => return Err(format!("cannot run {tshark}: {e}")),
        };
        let plugin = plugins.lines().any(|l| l.split('\t').next().map(str::trim) == Some("xmmep.so"));
        // A plugin older than the tools has no `-z xmmep,records`, and
        // tshark refuses it: its PDML serves (and a plugin with records
        // whose probe failed fails this one too, with the reason).
        decoder.output = Output::Pdml;
        if lua || !plugin {
            if !lua && verbose {
                eprintln!("{tool}: no xmmep.so plugin is loaded by {tshark}; using the built-in Lua script");
            }
            let script = runner::write_lua(&decoder.tmp).map_err(|e| format!("{}: {e}", decoder.tmp.display()))?;
            decoder.dissector = Dissector::Lua(script);
        }
        decoder.probe(lua)?;
        Ok(decoder)
    }

    /// Decodes a capture of one XMMEP message (a keepalive over UDP, found
    /// by the heuristic) with exactly the command the captures will get,
    /// and fails unless it comes back as one XMMEP message. Without this a
    /// tshark that decodes no XMMEP (Wireshark 4.4 and later, as root,
    /// refuse the Lua script without a word; XMMEP may be disabled) would
    /// make every capture look clean. Costs one tshark start.
    fn probe(&self, lua: bool) -> Result<(), String> {
        let file = self.tmp.join("probe.pcapng");
        std::fs::write(&file, probe_capture()).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut names = Vec::new();
        self.decode(&file, |frame| names.extend(frame.messages.iter().map(|m| m.name().to_string())))?;
        let _ = std::fs::remove_file(&file);
        if names == [PROBE_MESSAGE] {
            return Ok(());
        }
        const DISABLED: &str = "XMMEP is disabled (--disable-protocol xmmep, or the profile's Enabled Protocols)";
        const WAY_OUT: &str = "Install the plugin system-wide (bash scripts/run.sh as root), run as a normal user, \
             or name a tshark that decodes XMMEP with --tshark PATH";
        let why = match &self.dissector {
            Dissector::Plugin => format!(
                "the xmmep.so plugin is loaded, so {DISABLED}, or its UDP heuristic is. \
                 Enable them, or name another tshark with --tshark PATH"
            ),
            Dissector::Lua(_) => format!(
                "{} decoded nothing: Wireshark 4.4 and later run no Lua script as root, or {DISABLED}. {WAY_OUT}",
                if lua { "the built-in Lua script (--lua)" } else { "no xmmep.so plugin is loaded, and the built-in Lua script" }
            ),
        };
        let got = if names.is_empty() { "without it".to_string() } else { format!("as {}", names.join(", ")) };
        Err(format!("{} decodes no XMMEP: a probe capture of one {PROBE_MESSAGE} came back {got}; {why}", self.tshark))
    }

    /// Decodes one capture, calling `on_frame` for every frame.
    pub fn decode(&self, file: &Path, mut on_frame: impl FnMut(Frame)) -> Result<Seen, String> {
        let mut seen = Seen::default();
        runner::run_tshark(&self.tshark, file, &self.dissector, self.output, self.fields, &self.extra, |frame| {
            seen.payload_frames += u64::from(frame.meta.payload);
            seen.messages += frame.messages.len() as u64;
            on_frame(frame)
        })?;
        Ok(seen)
    }

    /// The warning for a capture in which tshark sees TCP or UDP payload but
    /// no XMMEP: not an error (a capture may hold no XMMEP), but worth a
    /// word, for XMMEP on a port the heuristic does not recognise.
    pub fn no_xmmep_warning(&self, file: &Path, seen: Seen) -> Option<String> {
        (seen.messages == 0 && seen.payload_frames > 0).then(|| {
            format!(
                "{}: warning: {}: no XMMEP, although {} frame(s) carry TCP or UDP payload; \
                 XMMEP that the heuristic misses can be named with -d tcp.port==PORT,xmmep (or udp.port)",
                self.tool,
                file.display(),
                seen.payload_frames
            )
        })
    }

    /// Removes the temporary folder, for a program about to exit.
    pub fn remove_temp(&self) {
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        self.remove_temp();
    }
}

/// The one message of the probe capture.
const PROBE_MESSAGE: &str = "MSG_KEEP_ALIVE";

/// A pcapng of one MSG_KEEP_ALIVE from a client to the router's UDP port.
fn probe_capture() -> Vec<u8> {
    use crate::capture::{msg, net::Net, pcapng, ports};
    let mut net = Net::new(1, "probe");
    let (client, router) = (net.host([198, 51, 100, 23]), net.host([203, 0, 113, 10]));
    let sport = net.ephemeral();
    net.udp(client, sport, router, ports::ROUTER_UDP, &msg::msg(PROBE_MESSAGE, vec![msg::t("probe")]), None);
    pcapng::to_bytes("xmmep tools: probe", &net.take_packets())
}

/// The default for `--jobs`: the number of cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A progress bar over the captures and the messages seen, drawn on stderr
/// only when stderr is a terminal.
pub struct Progress {
    bar: ProgressBar,
    messages: std::cell::Cell<u64>,
}

impl Progress {
    pub fn new(files: usize) -> Progress {
        let bar = if std::io::stderr().is_terminal() {
            let b = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} captures, {msg} messages").expect("progress template").progress_chars("=> "),
            );
            b.set_message("0");
            b.enable_steady_tick(std::time::Duration::from_millis(200));
            b
        } else {
            ProgressBar::hidden()
        };
        Progress { bar, messages: std::cell::Cell::new(0) }
    }

    pub fn add_messages(&self, n: u64) {
        let before = self.messages.get();
        self.messages.set(before + n);
        if (before + n) / 1000 != before / 1000 {
            self.bar.set_message((before + n).to_string());
        }
    }

    pub fn file_done(&self) {
        self.bar.set_message(self.messages.get().to_string());
        self.bar.inc(1);
    }

    /// Prints `line` on stderr without tearing the bar.
    pub fn warn(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// What a worker sends back: items made from frames of file `usize`, in
/// order, or the end of that file.
enum Event<T> {
    Items(usize, Vec<T>),
    Done(usize, Result<Seen, String>),
}

/// Items per [`Event::Items`]: one send per frame would cost more in
/// waking the other thread than the item itself.
const BATCH: usize = 128;

/// Decodes `files` with up to `jobs` tshark runs at a time. Each frame is
/// turned into a `T` by `map` on the worker (file index, frame), and handed
/// to `consume` on the calling thread as it comes: the items of one file in
/// order, those of different files interleaved when `jobs` > 1. Memory stays
/// bounded: at most a few thousand items wait between the two (batches of
/// [`BATCH`]). `progress`
/// counts the files done and carries the warning for a capture with TCP or
/// UDP payload but no XMMEP. Returns the first error (the other files are
/// still decoded).
pub fn run<T: Send>(
    decoder: &Decoder,
    files: &[PathBuf],
    jobs: usize,
    map: impl Fn(usize, Frame) -> T + Sync,
    mut consume: impl FnMut(usize, T),
    progress: &Progress,
) -> Result<(), String> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<Event<T>>(16);
    let mut first_error: Option<(usize, String)> = None;
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, files.len().max(1)) {
            let tx = tx.clone();
            let (next, map) = (&next, &map);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                let mut items = Vec::with_capacity(BATCH);
                let r = decoder.decode(file, |frame| {
                    items.push(map(i, frame));
                    if items.len() == BATCH {
                        let _ = tx.send(Event::Items(i, std::mem::replace(&mut items, Vec::with_capacity(BATCH))));
                    }
                });
                if !items.is_empty() {
                    let _ = tx.send(Event::Items(i, items));
                }
                let _ = tx.send(Event::Done(i, r));
            });
        }
        drop(tx);
        for ev in rx {
            match ev {
                Event::Items(i, items) => items.into_iter().for_each(|t| consume(i, t)),
                Event::Done(i, r) => {
                    match r {
                        Ok(seen) => {
                            if let Some(w) = decoder.no_xmmep_warning(&files[i], seen) {
                                progress.warn(&w);
                            }
                        }
                        Err(e) => {
                            if first_error.as_ref().map_or(true, |(j, _)| i < *j) {
                                first_error = Some((i, e));
                            }
                        }
                    }
                    progress.file_done();
                }
            }
        }
    });
    match first_error {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}
