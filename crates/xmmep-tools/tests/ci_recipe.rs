//! The CI recipe of docs/ci.md has one source: the shell steps of its
//! `ci-steps` block, which scripts/dist.sh runs as they stand in the Debian
//! root of each release (install the package, check the malformed
//! captures, read the JUnit report back). The GitLab job and the GitHub
//! workflow of the same page must run exactly those steps, install the
//! package that dist.sh names, and keep the report that the steps write.

/// The lines of the first fenced block of `lang` after `from`.
fn block<'a>(doc: &'a str, from: usize, lang: &str) -> (Vec<&'a str>, usize) {
    let rest = &doc[from..];
    let open = rest.find(&format!("```{lang}\n")).unwrap_or_else(|| panic!("no {lang} block"));
    let body = &rest[open + lang.len() + 4..];
    let close = body.find("\n```").expect("closed block");
    (body[..close].lines().collect(), from + open + lang.len() + 4 + close)
}

#[test]
fn gitlab_and_github_run_the_tested_steps() {
    let doc = std::fs::read_to_string(xmmep_testkit::root().join("docs/ci.md")).unwrap();
    let marker = doc.find("<!-- ci-steps").expect("a ci-steps block");
    let (steps, end) = block(&doc, marker, "sh");
    assert!(steps.len() >= 2, "{steps:?}");
    assert!(steps.iter().any(|s| s.contains("apt-get install") && s.contains("\"./$XMMEP_DEB\"")), "{steps:?}");
    let check = steps.iter().find(|s| s.starts_with("xmmep-check ")).expect("an xmmep-check step");
    let words: Vec<&str> = check.split_whitespace().collect();
    let report = words.windows(2).find(|w| w[0] == "--junit").map(|w| w[1]).expect("--junit FILE");

    // The package of bookworm, as scripts/dist.sh names it.
    let deb = format!("XMMEP_DEB: xmmep-wireshark_{}-1+bookworm_amd64.deb", env!("CARGO_PKG_VERSION"));

    let (gitlab, end) = block(&doc, end, "yaml");
    let script: Vec<&str> = gitlab.iter().skip_while(|l| l.trim() != "script:").skip(1).map_while(|l| l.strip_prefix("    - ")).collect();
    assert_eq!(script, steps, "the GitLab job's script");
    assert!(gitlab.iter().any(|l| l.trim() == deb), "{gitlab:?}");
    assert!(gitlab.iter().any(|l| l.trim() == "image: debian:bookworm"), "{gitlab:?}");
    assert!(gitlab.iter().any(|l| l.trim() == "when: always"), "the report is kept when the check fails");
    assert!(gitlab.iter().any(|l| l.trim() == format!("junit: {report}")), "artifacts:reports:junit names the report");

    let (github, _) = block(&doc, end, "yaml");
    let run: Vec<&str> = github.iter().skip_while(|l| l.trim() != "run: |").skip(1).map_while(|l| l.strip_prefix("          ")).collect();
    assert_eq!(run, steps, "the GitHub workflow's run step");
    assert!(github.iter().any(|l| l.trim() == deb), "{github:?}");
    assert!(github.iter().any(|l| l.trim() == "container: debian:bookworm"), "{github:?}");
    assert!(github.iter().any(|l| l.trim() == "if: always()"), "the report is uploaded when the check fails");
    assert!(github.iter().any(|l| l.trim() == format!("path: {report}")), "the upload names the report");
    assert!(github.iter().any(|l| l.trim() == format!("report_paths: {report}")), "the check run is made from the report");
    assert!(github.iter().any(|l| l.trim() == "checks: write"), "the reporter may write a check run");
}
