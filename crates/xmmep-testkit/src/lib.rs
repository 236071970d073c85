//! Helpers shared by the XMMEP test suites (the plugin's tshark tests, the
//! core's codec tests, the tools' tests and the Lua tests): the real tshark
//! with the freshly built plugin, the committed capture corpus, small
//! captures, expectations derived from the codec, the specification's
//! examples, value strategies and mutations, and the check of the
//! committed generated files.

pub mod captures;
pub mod expect;
pub mod generated;
pub mod mutate;
pub mod pcap;
pub mod render;
pub mod spec_examples;
pub mod tshark;
pub mod values;

pub use xmmep_tools::workspace_root as root;
