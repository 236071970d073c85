//! The Lua script's statistics (`-z xmmep,stats`, the text of its
//! Statistics > XMMEP window) against the plugin's statistics tree (`-z
//! xmmep,tree`) through the real tshark, on every capture of the corpus:
//! the same nodes in the same order, the same counts, and the same
//! average, minimum and maximum of each response time.

use std::collections::BTreeMap;

use xmmep_core::presentation::stats as names;
use xmmep_testkit::captures;
use xmmep_testkit::tshark::Dissector;

/// One node of a text tree: its path ("parent/child"), count and the
/// Average, Min Val and Max Val cells (empty but for a value node).
#[derive(Debug, Clone, PartialEq)]
struct Row {
    path: String,
    count: u64,
    values: [String; 3],
}

/// The tree of tshark's text of a statistics tree, in its order. Cells are
/// cut at the header's column positions (a node without values leaves
/// them blank); a level is one more leading space.
fn parse(text: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut cols: Option<Vec<usize>> = None;
    let mut path: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with(names::LUA_COLUMNS[0]) {
            let at = |name: &str| line.find(name).unwrap_or_else(|| panic!("no column {name:?} in {line:?}"));
            cols = Some(["Count", "Average", "Min Val", "Max Val"].iter().map(|c| at(c)).collect());
            continue;
        }
        let Some(c) = &cols else { continue };
        if line.starts_with("---") || line.starts_with("===") {
            continue;
        }
        if line.trim().is_empty() {
            cols = None;
            continue;
        }
        let cell = |from: usize, to: Option<usize>| line.get(from..to.unwrap_or(line.len()).min(line.len())).unwrap_or("").trim().to_string();
        let name = line.get(..c[0]).unwrap_or(line).trim_end();
        let depth = name.len() - name.trim_start().len();
        path.truncate(depth);
        path.push(name.trim_start().to_string());
        let count = cell(c[0], Some(c[1])).parse().unwrap_or_else(|_| panic!("no count in {line:?}"));
        // Max Val ends where the next column (the plugin's Rate, the
        // script's Percent) begins: 14 characters, as every column.
        let values = [cell(c[1], Some(c[2])), cell(c[2], Some(c[3])), cell(c[3], Some(c[3] + 14))];
        rows.push(Row { path: path.join("/"), count, values });
    }
    rows
}

/// Whether `lua` prints the value `plugin` prints: equal to the plugin's
/// last printed decimal, and to the precision of the single-precision
/// float in which Wireshark's stats_tree keeps a value.
fn same_value(plugin: &str, lua: &str) -> bool {
    if plugin.is_empty() || lua.is_empty() {
        return plugin == lua;
    }
    let (Ok(p), Ok(l)) = (plugin.parse::<f64>(), lua.parse::<f64>()) else { return false };
    let decimals = plugin.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    (p - l).abs() <= 10f64.powi(-decimals) + p.abs() * f64::from(f32::EPSILON)
}

/// The plugin's tree and the script's text of `capture` with tshark
/// options `opts`; the differences, and how many values were compared.
fn compare(plugin: &Dissector, lua: &Dissector, capture: &std::path::Path, opts: &[&str]) -> (Vec<String>, usize) {
    let run = |d: &Dissector, z: &str| {
        let f = d.ts.add_file(capture).to_string_lossy().into_owned();
        let mut args = vec!["-r", f.as_str(), "-q", "-z", z];
        args.extend_from_slice(opts);
        let out = d.run(&args);
        out.assert_success();
        assert!(!out.stderr.contains("Lua: Error"), "{}", out.stderr);
        out.stdout
    };
    let (p_text, l_text) = (run(plugin, &format!("{},tree", names::TREE_ABBR)), run(lua, names::LUA_COMMAND));
    let (p, l) = (parse(&p_text), parse(&l_text));
    let name = format!("{} {opts:?}", capture.display());
    let mut differ = Vec::new();
    let tops: Vec<&str> = p.iter().filter(|r| !r.path.contains('/')).map(|r| r.path.as_str()).collect();
    assert_eq!(tops, [names::MESSAGES, names::RESULTS, names::PRESENCE, names::RESPONSE_TIMES, names::PROBLEMS], "{name}: the plugin's tree\n{p_text}");
    let paths = |rows: &[Row]| rows.iter().map(|r| r.path.clone()).collect::<Vec<_>>();
    if paths(&p) != paths(&l) {
        differ.push(format!("{name}: nodes differ\nplugin:\n{p_text}\nLua:\n{l_text}"));
        return (differ, 0);
    }
    let mut values = 0;
    for (a, b) in p.iter().zip(&l) {
        if a.count != b.count {
            differ.push(format!("{name}: {}: count {} (plugin), {} (Lua)", a.path, a.count, b.count));
        }
        for (i, (x, y)) in a.values.iter().zip(&b.values).enumerate() {
            values += usize::from(!x.is_empty());
            if !same_value(x, y) {
                let col = ["Average", "Min Val", "Max Val"][i];
                differ.push(format!("{name}: {}: {col} {x:?} (plugin), {y:?} (Lua)", a.path));
            }
        }
    }
    (differ, values)
}

#[test]
fn lua_statistics_equal_the_plugins_tree_on_every_capture() {
    let (plugin, lua) = (Dissector::plugin(), Dissector::lua());
    let corpus = captures::all();
    assert!(corpus.len() > 10, "the corpus is missing: {corpus:?}");
    let mut differ = Vec::new();
    let mut values = 0;
    let mut rows = BTreeMap::new();
    for cap in &corpus {
        let (d, v) = compare(&plugin, &lua, cap, &[]);
        differ.extend(d);
        values += v;
        rows.insert(cap.clone(), v);
    }
    // Two passes (tshark -2 counts in the second) and the analysis off
    // (no response times, no links' problems, no login's presence).
    for name in ["login.pcapng", "buddies.pcapng", "malformed/no_response.pcapng", "tcp_reorder.pcapng"] {
        let cap = captures::path(name);
        for opts in [&["-2"][..], &["-o", "xmmep.analyze:FALSE"][..]] {
            let (d, v) = compare(&plugin, &lua, &cap, opts);
            differ.extend(d);
            values += v;
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    // The response times were compared, not only counts.
    assert!(values >= 15, "{values} response time values compared: {rows:?}");
}

/// The parser and the comparison read what they are given: a count or a
/// value changed in the script's text is a difference.
#[test]
fn a_changed_count_or_value_is_a_difference() {
    let row = |cells: [&str; 6]| format!("{:<20}{:<14}{:<14}{:<14}{:<14}{}\n", cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]);
    let text = [
        "\nXMMEP:\n".to_string(),
        row(names::LUA_COLUMNS),
        "------\n".into(),
        row(["Response times", "2", "", "", "", "100%"]),
        row([" 112 MSG_LOGIN_REQ", "2", "2.38", "1.945172", "2.902108", "100.00%"]),
        "------\n".into(),
    ]
    .concat();
    let rows = parse(&text);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1].path, "Response times/112 MSG_LOGIN_REQ");
    assert_eq!((rows[1].count, rows[1].values.clone()), (2, ["2.38".to_string(), "1.945172".to_string(), "2.902108".to_string()]));
    assert!(rows[0].values.iter().all(String::is_empty), "{rows:?}");
    assert!(same_value("1.945172", "1.9451723"));
    assert!(same_value("2.38", "2.381"));
    assert!(!same_value("1.945172", "1.945190"));
    assert!(!same_value("2.38", "2.40"));
    assert!(!same_value("2.38", ""));
}
