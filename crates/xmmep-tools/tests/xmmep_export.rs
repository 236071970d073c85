//! `xmmep-export` on the real tshark, with the plugin and with the built-in
//! Lua script: one row per message, typed fields, problems, CSV, folders,
//! --jobs, -o, exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{json, Value};
use xmmep_testkit::tshark::Tshark;

fn capture(ts: &Tshark, rel: &str) -> String {
    ts.add_file(&xmmep_testkit::captures::path(rel)).to_string_lossy().into_owned()
}

fn export(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xmmep-export")).args(args).output().expect("run xmmep-export")
}

fn rows_of(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

/// The corpus folder copied where tshark's user can read it.
fn corpus_copy(ts: &Tshark) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let src = xmmep_testkit::captures::dir();
    let dst = ts.home().join("captures");
    for sub in ["", "malformed"] {
        let d = dst.join(sub);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
        for e in std::fs::read_dir(src.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, d.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    dst
}

#[test]
fn login_rows_with_the_plugin() {
    let ts = Tshark::with_plugin();
    let tshark = ts.wrapper_script();
    let login = capture(&ts, "login.pcapng");
    let o = export(&["--tshark", tshark.to_str().unwrap(), &login]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = rows_of(&o);
    // One row per message: frames with several messages give several rows.
    let pdml_messages = ts.run(&["-r", &login, "-T", "fields", "-e", "xmmep.msg_type", "-Y", "xmmep"]);
    let expected: usize = pdml_messages.stdout.lines().map(|l| l.split(',').count()).sum();
    assert_eq!(rows.len(), expected);
    assert!(rows.len() > 10);
    assert_eq!(rows[0]["file"], login.as_str());
    assert_eq!(rows[0]["frame"], 1);
    assert_eq!(rows[0]["transport"], "udp");
    assert_eq!(rows[0]["msg_type"], 110);
    assert_eq!(rows[0]["msg_name"], "MSG_GET_LOGIN_INFO_REQ");
    // The field, the link to its answer (two passes: known from the whole
    // capture), and the user field every user name repeats into.
    assert_eq!(rows[0]["fields"], json!({"user_name": "alcie", "response_in": 2, "user": "alcie"}));
    assert_eq!(rows[0]["problems"], json!([]));
    let time = rows[0]["time"].as_str().unwrap();
    assert!(time.len() == 27 && time.ends_with('Z') && &time[10..11] == "T", "{time}");
    let ok = rows.iter().find(|r| r["msg_type"] == 111 && r["fields"]["result"] == "RESULT_SUCCESS").expect("a successful 111");
    assert_eq!(ok["fields"]["server_port"], json!(6620));
    // The answer's link to its request.
    let asked = rows.iter().rev().find(|r| r["msg_type"] == 110 && r["frame"].as_u64() < ok["frame"].as_u64()).unwrap();
    assert_eq!(ok["fields"]["response_to"], asked["frame"]);
    assert!(ok["src"].as_str().unwrap().ends_with(":6600"), "{ok}");
    let req = rows.iter().find(|r| r["msg_name"] == "MSG_LOGIN_REQ").unwrap();
    assert_eq!(req["fields"]["login_status"], "STATUS_AVAILABLE");
    assert_eq!(req["transport"], "tcp");
    assert_eq!(req["problems"][0]["class"], "xmmep.cleartext_password");
    assert_eq!(req["problems"][0]["severity"], "note");
    // The first login is refused: its User info is placeholders, shown
    // without members (decisions.md 62).
    let refused = rows.iter().find(|r| r["msg_name"] == "MSG_LOGIN_RES1").unwrap();
    assert_eq!(refused["fields"]["result"], "RESULT_PASSWD_MISMATCH", "{refused}");
    assert!(refused["fields"]["user_info"].get("user_name").is_none(), "{refused}");
    let res1 = rows.iter().find(|r| r["msg_name"] == "MSG_LOGIN_RES1" && r["fields"]["result"] == "RESULT_SUCCESS").unwrap();
    assert!(res1["fields"]["user_info"]["user_name"].is_string(), "{res1}");
    assert!(res1["fields"]["user_info"]["birthday"].as_str().unwrap().ends_with('Z'), "{res1}");
    let res2 = rows.iter().find(|r| r["msg_name"] == "MSG_LOGIN_RES2").unwrap();
    assert_eq!(res2["fields"]["groups"].as_array().unwrap().len() as u64, res2["fields"]["count"].as_u64().unwrap());
    let res3 = rows.iter().find(|r| r["msg_name"] == "MSG_LOGIN_RES3").unwrap();
    assert!(res3["fields"]["buddy_list"][0]["buddy_name"].is_string(), "{res3}");

    // The built-in Lua script exports the same rows.
    let lua = export(&["--tshark", tshark.to_str().unwrap(), "--lua", &login]);
    assert_eq!(lua.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&lua.stdout), String::from_utf8_lossy(&o.stdout));

    // CSV: a header, then one row per message with the same values.
    let out = ts.home().join("login.csv");
    let c = export(&["--tshark", tshark.to_str().unwrap(), "--format", "csv", "-o", out.to_str().unwrap(), &login]);
    assert_eq!(c.status.code(), Some(0));
    assert!(c.stdout.is_empty());
    let mut r = csv::Reader::from_path(&out).unwrap();
    let header = r.headers().unwrap().clone();
    assert_eq!(&header.iter().take(8).collect::<Vec<_>>(), &["file", "frame", "time", "src", "dst", "transport", "msg_type", "msg_name"]);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), rows.len());
    for (rec, row) in recs.iter().zip(&rows) {
        assert_eq!(rec[col("msg_name")], *row["msg_name"].as_str().unwrap());
        assert_eq!(rec[col("time")], *row["time"].as_str().unwrap());
    }
    let i = rows.iter().position(|r| r["msg_name"] == "MSG_LOGIN_RES2").unwrap();
    let groups: Value = serde_json::from_str(&recs[i][col("groups")]).unwrap();
    assert_eq!(groups, rows[i]["fields"]["groups"]);
    assert_eq!(recs[0][col("user_name")], *"alcie");
}

#[test]
fn problems_dictionaries_and_exit_codes() {
    let ts = Tshark::with_plugin();
    let tshark = ts.wrapper_script();
    let t = tshark.to_str().unwrap();
    let bad = capture(&ts, "malformed/bad_boolean.pcapng");
    let o = export(&["--tshark", t, &bad]);
    assert_eq!(o.status.code(), Some(1), "an error is above the default threshold");
    let rows = rows_of(&o);
    let row = rows.iter().find(|r| r["frame"] == 7).unwrap();
    assert_eq!(row["problems"][0]["class"], "xmmep.bad_boolean");
    assert_eq!(row["problems"][0]["severity"], "error");
    assert_eq!(row["problems"][0]["text"], "Room message is \"true\", not '0' or '1'");
    assert_eq!(export(&["--tshark", t, "--fail-on", "never", &bad]).status.code(), Some(0));
    let login = capture(&ts, "login.pcapng");
    assert_eq!(export(&["--tshark", t, "--fail-on", "note", &login]).status.code(), Some(1));

    let buddies = capture(&ts, "buddies.pcapng");
    let rows = rows_of(&export(&["--tshark", t, &buddies]));
    let find = rows.iter().find(|r| r["msg_name"] == "MSG_FIND_BUDDIES_REQ").unwrap();
    let conds = find["fields"]["conditions"].as_array().unwrap();
    assert_eq!(conds.len() as u64, find["fields"]["condition_count"].as_u64().unwrap());
    assert!(conds[0]["key"].as_str().unwrap().starts_with("SEARCH_COND_"), "{find}");
    assert!(conds[0]["value"].is_string());
    let o = export(&["--tshark", t, "/nonexistent/capture.pcapng"]);
    assert_eq!(o.status.code(), Some(2));
    let o = export(&["--tshark", "/nonexistent/bin/tshark", &login]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("xmmep-export: tshark not found: install it with"));
}

#[test]
fn folders_in_parallel_give_the_same_rows() {
    let ts = Tshark::with_plugin();
    let tshark = ts.wrapper_script();
    let t = tshark.to_str().unwrap();
    let dir = corpus_copy(&ts);
    let one = export(&["--tshark", t, "--fail-on", "never", "--jobs", "1", dir.to_str().unwrap()]);
    let two = export(&["--tshark", t, "--fail-on", "never", "--jobs", "2", dir.to_str().unwrap()]);
    assert_eq!(one.status.code(), Some(0), "{}", String::from_utf8_lossy(&one.stderr));
    assert_eq!(two.status.code(), Some(0));
    // No progress bar when stderr is not a terminal: only the warning for
    // the capture that holds payload but no XMMEP.
    let err = String::from_utf8_lossy(&two.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].starts_with(&format!("xmmep-export: warning: {}: no XMMEP", dir.join("non_xmmep.pcapng").display())), "{err}");
    let (a, b) = (rows_of(&one), rows_of(&two));
    assert_eq!(a.len(), b.len());
    // --jobs 1 keeps the files' order; --jobs 2 keeps each file's order.
    let files: Vec<&str> = a.iter().map(|r| r["file"].as_str().unwrap()).collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert!(files.iter().any(|f| f.contains("/malformed/")));
    let per_file = |rows: &[Value], f: &str| rows.iter().filter(|r| r["file"] == f).cloned().collect::<Vec<_>>();
    for f in sorted.iter().copied().collect::<std::collections::BTreeSet<_>>() {
        assert_eq!(per_file(&a, f), per_file(&b, f), "{f}");
    }
}
