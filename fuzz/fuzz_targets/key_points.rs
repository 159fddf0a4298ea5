//! The key-point splitter on arbitrary text: it runs on every key-points cell of every uploaded
//! sheet, so it must never panic, and no point it returns may be blank.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for point in cuecard_sheet::split_key_points(text) {
        assert!(!point.body.trim().is_empty(), "blank point from {text:?}");
        if let Some(subject) = &point.subject {
            assert!(!subject.trim().is_empty(), "blank subject from {text:?}");
        }
    }
});
