//! Inspector-level tests.
