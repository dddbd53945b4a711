//! The config decoder on arbitrary JSON, alone and over each scenario: a checked config or an error
//! naming a field, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    match slam_lab::config::Config::from_value(value.clone()) {
        Ok(cfg) => {
            if let Err(e) = cfg.check(&slam_lab::methods::catalogue()) {
                assert!(e.to_string().starts_with("config: `"), "{e}");
            }
        }
        Err(e) => assert!(e.to_string().starts_with("config: `"), "{e}"),
    }
    for s in slam_lab::scenarios::all() {
        let _ = slam_lab::scenarios::resolve(Some(s.name), value.clone());
    }
});
