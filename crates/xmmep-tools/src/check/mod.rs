//! `xmmep-check`: decodes captures through tshark with an XMMEP dissector
//! (the binary plugin, or the generated Lua script), collects every expert
//! info the dissector raised, and judges them against a severity threshold.
//! Split into: how tshark is run (`runner`), what is collected (`report`),
//! where the problems are kept (`problems`), the JUnit report (`junit`).

pub mod args;
pub mod junit;
pub mod problems;
pub mod report;
pub mod runner;
