//! `xmmep-export --format parquet` on the real tshark over the whole corpus,
//! read back with the `parquet` crate's reader: the CSV's columns, typed as
//! the message table says, holding the CSV's values row for row.

use std::collections::BTreeMap;
use std::fs::File;
use std::process::Command;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;
use xmmep_testkit::tshark::Tshark;

fn export(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xmmep-export")).args(args).output().expect("run xmmep-export")
}

fn micros(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap_or_else(|e| panic!("{rfc3339}: {e}")).timestamp_micros()
}

/// A list cell of the CSV: one value as itself, several as a JSON array.
fn csv_list(cell: &str, n: usize) -> Vec<String> {
    if n == 1 {
        return vec![cell.to_string()];
    }
    let v: Vec<Value> = serde_json::from_str(cell).unwrap_or_else(|e| panic!("{cell}: {e}"));
    v.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string)).collect()
}

/// Checks row `i` of `a` against the CSV cell; returns whether it held a value.
fn same(a: &dyn Array, i: usize, cell: &str, what: &str) -> bool {
    if a.is_null(i) {
        assert_eq!(cell, "", "{what}: null in Parquet");
        return false;
    }
    match a.data_type() {
        DataType::Int64 => assert_eq!(a.as_primitive::<Int64Type>().value(i).to_string(), cell, "{what}"),
        DataType::Float64 => assert_eq!(a.as_primitive::<Float64Type>().value(i), cell.parse::<f64>().unwrap(), "{what}"),
        DataType::Boolean => assert_eq!(a.as_boolean().value(i).to_string(), cell, "{what}"),
        DataType::Timestamp(TimeUnit::Microsecond, Some(tz)) if &**tz == "UTC" => {
            assert_eq!(a.as_primitive::<TimestampMicrosecondType>().value(i), micros(cell), "{what}")
        }
        DataType::Utf8 => assert_eq!(a.as_string::<i32>().value(i), cell, "{what}"),
        DataType::List(_) => {
            let l = a.as_list::<i32>().value(i);
            let got: Vec<String> = l.as_string::<i32>().iter().map(|s| s.unwrap().to_string()).collect();
            assert!(!got.is_empty(), "{what}: an empty list is null");
            assert_eq!(got, csv_list(cell, got.len()), "{what}");
        }
        other => panic!("{what}: unexpected type {other:?}"),
    }
    true
}

#[test]
fn corpus_as_parquet_holds_the_csv_values() {
    let ts = Tshark::with_plugin();
    let tshark = ts.wrapper_script();
    let t = tshark.to_str().unwrap();
    let corpus = xmmep_testkit::captures::dir();
    let csv_path = ts.home().join("corpus.csv");
    let pq_path = ts.home().join("corpus.parquet");
    for (format, out) in [("csv", &csv_path), ("parquet", &pq_path)] {
        let o = export(&["--tshark", t, "--fail-on", "never", "--jobs", "1", "--format", format, "-o", out.to_str().unwrap(), corpus.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(!String::from_utf8_lossy(&o.stderr).contains("fit"), "{}", String::from_utf8_lossy(&o.stderr));
    }

    let mut r = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();

    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&pq_path).unwrap()).unwrap();
    assert_eq!(reader.metadata().num_row_groups(), 1, "the corpus is smaller than a row group");
    let batches: Vec<RecordBatch> = reader.build().unwrap().map(Result::unwrap).collect();
    let schema = batches[0].schema();
    let names: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names, header.iter().collect::<Vec<_>>(), "the CSV's columns, in its order");
    // Types as the message table declares them.
    let ty = |c: &str| schema.field_with_name(c).unwrap().data_type().clone();
    let utc = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    assert_eq!(ty("frame"), DataType::Int64);
    assert_eq!(ty("time"), utc);
    assert_eq!(ty("msg_type"), DataType::Int64);
    assert_eq!(ty("server_port"), DataType::Int64, "Short");
    assert_eq!(ty("result"), DataType::Utf8, "an enumeration, by name");
    assert_eq!(ty("is_room_msg"), DataType::Boolean);
    assert_eq!(ty("xmmep.time"), DataType::Float64, "seconds since the request");
    assert!(matches!(ty("groups"), DataType::List(f) if *f.data_type() == DataType::Utf8), "List<String>");
    assert!(matches!(ty("buddy.buddy_name"), DataType::List(_)), "a member of a List<Struct>");

    // Every value equals the CSV's, row for row.
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows, recs.len());
    let mut filled: BTreeMap<String, usize> = BTreeMap::new();
    let mut k = 0;
    for b in &batches {
        for i in 0..b.num_rows() {
            for (c, name) in header.iter().enumerate() {
                let what = format!("row {k} ({} frame {}) column {name}", &recs[k][0], &recs[k][1]);
                if same(b.column(c).as_ref(), i, &recs[k][c], &what) {
                    *filled.entry(format!("{:?}", b.column(c).data_type())).or_default() += 1;
                }
            }
            k += 1;
        }
    }
    // Each type holds values in the corpus, so each comparison above ran.
    assert_eq!(filled.len(), 6, "{filled:?}");
}

#[test]
fn parquet_needs_a_file() {
    let login = xmmep_testkit::captures::path("login.pcapng");
    let o = export(&["--format", "parquet", login.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--output <FILE>"), "{}", String::from_utf8_lossy(&o.stderr));
}
