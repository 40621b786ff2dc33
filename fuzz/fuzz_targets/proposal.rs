//! The DataHub proposal decoder (`src/datahub/proposal.rs`) takes any JSON as a Rest.li
//! proposal or as an OpenAPI item (POST or PATCH) of any entity type without panicking, refuses what it does
//! not take with a 4xx, and what it takes names a well-formed URN of the entity type it was
//! sent for and an aspect that type carries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlcat::datahub::proposal::{from_openapi, from_restli};
use mlcat::datahub::registry;
use mlcat::urn::Urn;

/// The entity types an OpenAPI path may name.
const ENTITY_TYPES: &[&str] = &[
    "mlFeature",
    "mlPrimaryKey",
    "mlFeatureTable",
    "mlModel",
    "mlModelGroup",
    "mlModelDeployment",
    "dataset",
    "dataPlatform",
];

fuzz_target!(|data: &[u8]| {
    // The first byte picks the entity type of the OpenAPI path (its low bits) and whether the
    // item is sent with PATCH (its high bit); the rest is the JSON.
    let Some((&pick, json)) = data.split_first() else {
        return;
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    match from_restli(&value) {
        Ok(p) => {
            assert!(Urn::parse(p.urn.as_str()).is_ok());
            let entity = registry::entity(p.urn.kind().as_str()).expect("a known entity type");
            assert!(entity.carries(&p.aspect), "{} on {}", p.aspect, entity.name);
        }
        Err(e) => assert!(e.status.is_client_error(), "{}: {}", e.status, e.message),
    }
    let name = ENTITY_TYPES[(pick & 0x7f) as usize % ENTITY_TYPES.len()];
    let entity = registry::entity(name).expect("a known entity type");
    match from_openapi(entity, &value, pick & 0x80 != 0) {
        Ok(proposals) => {
            for p in proposals {
                assert_eq!(p.urn.kind().as_str(), entity.name);
                assert!(entity.carries(&p.aspect), "{} on {}", p.aspect, entity.name);
            }
        }
        Err(e) => assert!(e.status.is_client_error(), "{}: {}", e.status, e.message),
    }
});
