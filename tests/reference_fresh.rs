//! The committed docs/reference.md is what the generator makes from the
//! message table: fields, messages and expert infos, the whole file.
use xmmep_tools::docs_gen;

#[test]
fn reference_is_up_to_date() {
    xmmep_testkit::generated::assert_up_to_date(docs_gen::OUTPUT, &docs_gen::reference(), docs_gen::COMMAND);
}
