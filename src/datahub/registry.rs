//! DataHub's entity registry as the REST front door needs it: which aspects each entity type
//! carries, the Rest.li FQN `GET /aspects` wraps each aspect in, and the key aspect GMS
//! materialises from a URN. The data is generated (`aspect_table.rs`); the lookups are here.

use serde_json::{json, Value};

use super::aspect_table::{ASPECTS, ENTITIES};
use crate::urn::{EntityKind, Urn};

/// One aspect of DataHub's model.
#[derive(Debug)]
pub struct AspectInfo {
    pub name: &'static str,
    /// The key of the `aspect` union in a `GET /aspects` answer, e.g.
    /// `com.linkedin.ml.metadata.MLFeatureProperties`.
    pub fqn: &'static str,
    /// Timeseries aspects are not versioned in DataHub; the SDK refuses to `get_aspect` them.
    pub timeseries: bool,
}

/// One entity type of DataHub's registry.
#[derive(Debug)]
pub struct EntityInfo {
    pub name: &'static str,
    pub key_aspect: &'static str,
    /// Sorted by name; includes the key aspect.
    pub aspects: &'static [&'static str],
}

impl EntityInfo {
    pub fn carries(&self, aspect: &str) -> bool {
        self.aspects.binary_search(&aspect).is_ok()
    }
}

/// An aspect by name.
pub fn aspect(name: &str) -> Option<&'static AspectInfo> {
    ASPECTS
        .binary_search_by(|a| a.name.cmp(name))
        .ok()
        .map(|i| &ASPECTS[i])
}

/// An aspect's name by its Rest.li FQN (`com.linkedin.common.Status` → `status`), as a
/// MetadataChangeEvent's snapshot keys its aspects.
pub fn aspect_by_fqn(fqn: &str) -> Option<&'static str> {
    ASPECTS.iter().find(|a| a.fqn == fqn).map(|a| a.name)
}

/// An entity type by its exact name (`mlFeature`), as Rest.li proposals and URNs spell it.
pub fn entity(name: &str) -> Option<&'static EntityInfo> {
    ENTITIES
        .binary_search_by(|e| e.name.cmp(name))
        .ok()
        .map(|i| &ENTITIES[i])
}

/// An entity type by name in any case: OpenAPI paths are `mlFeature` from the SDK and
/// `mlfeature` in GMS's own documentation.
pub fn entity_ignore_case(name: &str) -> Option<&'static EntityInfo> {
    ENTITIES.iter().find(|e| e.name.eq_ignore_ascii_case(name))
}

/// The key that answers `GET /aspects` for an aspect: its FQN, or its own name for an aspect
/// outside DataHub's model (stored by another front door).
pub fn fqn(aspect_name: &str) -> &str {
    aspect(aspect_name).map_or(aspect_name, |a| a.fqn)
}

/// The key aspect GMS derives from a URN (`graph.exists` reads it), for the entity types whose
/// key mlcat parses; `None` for the others.
pub fn key_aspect_of(urn: &Urn) -> Option<(&'static str, Value)> {
    let platform = || urn.platform_urn().map(|p| p.to_string());
    Some(match urn.kind() {
        EntityKind::MlFeature => (
            "mlFeatureKey",
            json!({"featureNamespace": urn.namespace()?, "name": urn.name()}),
        ),
        EntityKind::MlPrimaryKey => (
            "mlPrimaryKeyKey",
            json!({"featureNamespace": urn.namespace()?, "name": urn.name()}),
        ),
        EntityKind::MlFeatureTable => (
            "mlFeatureTableKey",
            json!({"platform": platform()?, "name": urn.name()}),
        ),
        EntityKind::MlModel => (
            "mlModelKey",
            json!({"platform": platform()?, "name": urn.name(), "origin": urn.env()?}),
        ),
        EntityKind::MlModelGroup => (
            "mlModelGroupKey",
            json!({"platform": platform()?, "name": urn.name(), "origin": urn.env()?}),
        ),
        EntityKind::MlModelDeployment => (
            "mlModelDeploymentKey",
            json!({"platform": platform()?, "name": urn.name(), "origin": urn.env()?}),
        ),
        EntityKind::Dataset => (
            "datasetKey",
            json!({"platform": platform()?, "name": urn.name(), "origin": urn.env()?}),
        ),
        EntityKind::DataPlatform => ("dataPlatformKey", json!({"platformName": urn.name()})),
        // Governance entities (`EntityKind::is_governance`) are answered from their stored
        // aspects only, as before they had a kind of their own; other types are not modelled.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(ASPECTS.windows(2).all(|w| w[0].name < w[1].name));
        assert!(ENTITIES.windows(2).all(|w| w[0].name < w[1].name));
        for e in ENTITIES {
            assert!(e.aspects.windows(2).all(|w| w[0] < w[1]), "{}", e.name);
            assert!(e.carries(e.key_aspect), "{}", e.name);
            for a in e.aspects {
                assert!(aspect(a).is_some(), "{} lists unknown aspect {a}", e.name);
            }
        }
    }

    #[test]
    fn the_tutorial_aspects_have_their_fqns() {
        for (name, fqn) in [
            (
                "mlFeatureProperties",
                "com.linkedin.ml.metadata.MLFeatureProperties",
            ),
            (
                "mlFeatureTableProperties",
                "com.linkedin.ml.metadata.MLFeatureTableProperties",
            ),
            (
                "mlModelProperties",
                "com.linkedin.ml.metadata.MLModelProperties",
            ),
            (
                "mlModelGroupProperties",
                "com.linkedin.ml.metadata.MLModelGroupProperties",
            ),
            ("mlFeatureKey", "com.linkedin.metadata.key.MLFeatureKey"),
            ("status", "com.linkedin.common.Status"),
            (
                "telemetryClientId",
                "com.linkedin.telemetry.TelemetryClientId",
            ),
        ] {
            assert_eq!(fqn_of(name), fqn);
        }
        assert_eq!(fqn("someCustomAspect"), "someCustomAspect");
    }

    fn fqn_of(name: &str) -> &'static str {
        aspect(name).map(|a| a.fqn).unwrap_or_default()
    }

    #[test]
    fn entities_carry_what_datahub_says() {
        let feature = entity("mlFeature").map(|e| (e.key_aspect, e.carries("globalTags")));
        assert_eq!(feature, Some(("mlFeatureKey", true)));
        assert!(entity("mlFeature").is_some_and(|e| !e.carries("mlModelProperties")));
        assert!(entity("dataset").is_some_and(|e| e.carries("upstreamLineage")));
        assert!(entity("mlfeature").is_none());
        assert_eq!(
            entity_ignore_case("mlfeature").map(|e| e.name),
            Some("mlFeature")
        );
    }

    #[test]
    fn key_aspects_come_from_the_urn() {
        let parse = |s: &str| Urn::parse(s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            key_aspect_of(&parse("urn:li:mlFeature:(my-feature-table,my-feature)")),
            Some((
                "mlFeatureKey",
                json!({"featureNamespace": "my-feature-table", "name": "my-feature"})
            ))
        );
        assert_eq!(
            key_aspect_of(&parse(
                "urn:li:mlModel:(urn:li:dataPlatform:science,my-test-model,PROD)"
            )),
            Some((
                "mlModelKey",
                json!({"platform": "urn:li:dataPlatform:science", "name": "my-test-model", "origin": "PROD"})
            ))
        );
        assert_eq!(key_aspect_of(&parse("urn:li:corpuser:jdoe")), None);
    }
}
