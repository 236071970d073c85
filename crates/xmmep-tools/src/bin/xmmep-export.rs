//! xmmep-export: one row per XMMEP message of many captures, as JSON Lines,
//! CSV or Parquet, for batch analysis (DuckDB, Spark, pandas, jq ...).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

use xmmep_tools::batch::{self, Decoder, Progress};
use xmmep_tools::check::report::rank;
use xmmep_tools::export;
use xmmep_tools::export::args::{Args, FailOn, Format};
use xmmep_tools::export::parquet;

/// What a worker makes of a frame: bytes to write, or (Parquet) each row's
/// values per column, written on the main thread.
enum Chunk {
    Bytes(Vec<u8>),
    Rows(Vec<Vec<Vec<serde_json::Value>>>),
}

/// Each frame makes many small allocations, freed on another thread: this
/// allocator costs a fraction of the system's for that (docs/decisions.md 73).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xmmep-export: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<ExitCode, String> {
    let files = batch::expand_inputs(&args.captures)?;
    let extra = batch::tshark_options(&args.prefs, &args.decode_as);
    let decoder = Decoder::new("xmmep-export", &args.tshark, args.lua, extra, args.verbose)?;
    let columns = export::csv_columns();
    let create = |p: &std::path::Path| File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut table = None;
    let out: Box<dyn Write> = match (&args.output, args.format) {
        // clap makes -o required with Parquet.
        (Some(p), Format::Parquet) => {
            table = Some(parquet::Writer::new(BufWriter::with_capacity(1 << 16, create(p)?), &columns)?);
            Box::new(std::io::sink())
        }
        (Some(p), _) => Box::new(create(p)?),
        (None, _) => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, out);
    if args.format == Format::Csv {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&columns).map_err(|e| e.to_string())?;
        out.write_all(&w.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(rank("error")),
        FailOn::Warning => Some(rank("warning")),
        FailOn::Note => Some(rank("note")),
        FailOn::Never => None,
    };
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let format = args.format;
    // On a worker: a frame -> its rows, serialised, with their count and
    // the worst problem rank.
    let map = |i: usize, frame: xmmep_tools::pdml::Frame| -> Result<(Chunk, u64, Option<usize>), String> {
        let rows = export::rows_with(&names[i], &frame, format == Format::Jsonl);
        let worst = rows.iter().flat_map(|r| r.problems.iter().map(|p| rank(&p.severity))).max();
        // About what a row takes, so that the buffer seldom grows.
        let mut buf = Vec::with_capacity(1024 * rows.len());
        match format {
            Format::Jsonl => {
                for r in &rows {
                    export::json_line::write_row(&mut buf, r);
                    buf.push(b'\n');
                }
            }
            Format::Csv => {
                // A frame's rows are a few hundred bytes: the default 8 KiB
                // buffer, zeroed per frame, costs more than writing them;
                // this one holds a row's worst case, for the writer's fast
                // path (a row copied out in one pass).
                let mut w = csv::WriterBuilder::new().buffer_capacity(4096).from_writer(buf);
                for (r, m) in rows.iter().zip(&frame.messages) {
                    w.write_byte_record(&export::csv_record(r, m, &columns)).map_err(|e| e.to_string())?;
                }
                buf = w.into_inner().map_err(|e| e.to_string())?;
            }
            Format::Parquet => {
                let values = rows.iter().zip(&frame.messages).map(|(r, m)| export::record_values(r, m, &columns)).collect();
                return Ok((Chunk::Rows(values), rows.len() as u64, worst));
            }
        }
        Ok((Chunk::Bytes(buf), rows.len() as u64, worst))
    };
    let progress = Progress::new(files.len());
    let mut write_error: Option<String> = None;
    let mut failing = false;
    let jobs = args.jobs.map_or_else(batch::default_jobs, usize::from);
    let decoded = batch::run(
        &decoder,
        &files,
        jobs,
        map,
        |_, item| match item {
            Ok((chunk, n, worst)) => {
                progress.add_messages(n);
                failing |= matches!((worst, threshold), (Some(w), Some(t)) if w >= t);
                let bytes = match (chunk, table.as_mut()) {
                    (Chunk::Bytes(b), _) => b,
                    (Chunk::Rows(rows), Some(t)) => {
                        for r in rows {
                            if let Err(e) = t.push(&r) {
                                write_error = write_error.take().or(Some(e));
                            }
                        }
                        Vec::new()
                    }
                    (Chunk::Rows(_), None) => unreachable!("rows are made for a Parquet file only"),
                };
                if write_error.is_none() {
                    match out.write_all(&bytes) {
                        // The reader is gone (`| head`): stop, as the usual
                        // command line tools do, without an error.
                        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                            decoder.remove_temp();
                            std::process::exit(0);
                        }
                        Err(e) => write_error = Some(e.to_string()),
                        Ok(()) => {}
                    }
                }
            }
            Err(e) => write_error = write_error.take().or(Some(e)),
        },
        &progress,
    );
    progress.finish();
    decoded?;
    if let Some(e) = write_error {
        return Err(format!("{}: {e}", args.output.as_ref().map_or("standard output".into(), |p| p.display().to_string())));
    }
    out.flush().map_err(|e| e.to_string())?;
    if let Some(t) = table {
        let name = args.output.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        for (column, n) in t.close().map_err(|e| format!("{name}: {e}"))? {
            eprintln!("xmmep-export: warning: {name}: {n} value(s) of column {column} do not fit its type, written as null");
        }
    }
    Ok(if failing { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
