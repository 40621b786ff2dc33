//! The aspect decoder takes any JSON for any aspect of any entity type without panicking; what
//! it accepts declares edges whose ends are well-formed URNs, one of them the owner.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlcat::catalog::aspects::validate;
use mlcat::urn::Urn;

const OWNERS: &[&str] = &[
    "urn:li:mlFeature:(t,f)",
    "urn:li:mlPrimaryKey:(t,k)",
    "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,t)",
    "urn:li:mlModel:(urn:li:dataPlatform:science,m,PROD)",
    "urn:li:mlModelGroup:(urn:li:dataPlatform:science,g,PROD)",
    "urn:li:mlModelDeployment:(urn:li:dataPlatform:science,d,PROD)",
    "urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD)",
    "urn:li:dataPlatform:feast",
];

const ASPECTS: &[&str] = &[
    "mlFeatureProperties",
    "mlPrimaryKeyProperties",
    "mlFeatureTableProperties",
    "mlModelProperties",
    "mlModelGroupProperties",
    "mlModelDeploymentProperties",
    "mlModelTrainingData",
    "datasetProperties",
    "upstreamLineage",
    "status",
    "dataPlatformInfo",
    "editableMlModelProperties",
    "globalTags",
];

fuzz_target!(|data: &[u8]| {
    // The first byte picks the owner and the aspect; the rest is the JSON.
    let Some((&pick, json)) = data.split_first() else {
        return;
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let owner = Urn::parse(OWNERS[pick as usize % OWNERS.len()]).expect("owner");
    let aspect = ASPECTS[(pick as usize / OWNERS.len()) % ASPECTS.len()];
    if let Ok(declared) = validate(&owner, aspect, &value) {
        for edge in &declared.edges {
            assert!(edge.upstream == owner || edge.downstream == owner);
            assert!(Urn::parse(edge.upstream.as_str()).is_ok());
            assert!(Urn::parse(edge.downstream.as_str()).is_ok());
        }
    }
});
