//! The URN parser takes any string without panicking, and what it accepts it gives back
//! unchanged and parses again to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlcat::urn::Urn;

fuzz_target!(|input: &str| {
    if let Ok(urn) = Urn::parse(input) {
        assert_eq!(urn.as_str(), input);
        let again = Urn::parse(urn.as_str()).expect("an accepted URN parses again");
        assert_eq!(again, urn);
        assert!(!urn.name().is_empty());
        if let Some(platform) = urn.platform_urn() {
            assert_eq!(platform.name(), urn.platform().unwrap_or_default());
        }
    }
});
