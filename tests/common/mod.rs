//! Shared helpers of the integration tests.
#![allow(dead_code)]

pub mod spec_examples;
pub mod mutate;
pub mod values;
