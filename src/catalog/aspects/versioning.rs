//! The versioning aspects: what version of its set an entity is (`versionProperties`, DataHub's,
//! declaring `VersionOf`), a version set's properties (`versionSetProperties`, DataHub's), and
//! mlcat's own aspects of a set: its aliases (`versionSetAliases`, the source of truth for
//! aliases, whose history is the aliases' history) and its link counter (`versionSetLinks`,
//! which every link and unlink changes, so the links of one set take turns).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{check_kind, AspectSpec, DeclaredEdge, Refused, Relation, TimeStamp, VersionTag};
use crate::urn::{EntityKind, Urn};

/// The entity type of a version set, as URNs spell it.
pub const VERSION_SET: &str = "versionSet";

/// Longest version label or alias, in characters.
pub const MAX_LABEL_CHARS: usize = 256;

/// The entity kind of a version set (`urn:li:versionSet:(<id>,<entity type>)`).
pub fn version_set_kind() -> EntityKind {
    EntityKind::Other(VERSION_SET.into())
}

/// The entity types that may be versions: DataHub's `SupportsVersions`.
pub fn versioned_kinds() -> [EntityKind; 2] {
    [EntityKind::MlModel, EntityKind::Dataset]
}

/// The id and the entity type of a version set URN `urn:li:versionSet:(<id>,<entity type>)`;
/// `None` for any other URN.
pub fn version_set_parts(urn: &Urn) -> Option<(&str, &str)> {
    if urn.kind().as_str() != VERSION_SET {
        return None;
    }
    let inner = urn.name().strip_prefix('(')?.strip_suffix(')')?;
    let (id, kind) = inner.rsplit_once(',')?;
    let kind_ok = !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphanumeric());
    (kind_ok && !id.trim().is_empty()).then_some((id, kind))
}

/// Why `urn` is not a version set URN, if it is not.
pub fn version_set_mismatch(urn: &Urn) -> Option<String> {
    match version_set_parts(urn) {
        Some(_) => None,
        None => Some(format!(
            "expected a versionSet URN urn:li:versionSet:(<id>,<entity type>), got {urn}"
        )),
    }
}

/// The sort id mlcat gives a label: the label with each run of digits zero-padded to 20
/// digits, so that numeric labels sort in numeric order (`2` before `10`, `v1.9` before
/// `v1.10`) and the others as text, the way DataHub's generated sort ids sort.
pub fn sort_id_of(label: &str) -> String {
    let mut out = String::with_capacity(label.len() + 20);
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if !digits.is_empty() {
            let trimmed = digits.trim_start_matches('0');
            let trimmed = if trimmed.is_empty() { "0" } else { trimmed };
            for _ in trimmed.len()..20 {
                out.push('0');
            }
            out.push_str(trimmed);
            digits.clear();
        }
    };
    for c in label.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// DataHub's `versionProperties`: the set an entity is a version of, its label and its place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionProperties {
    pub version_set: Urn,
    pub version: VersionTag,
    /// Kept in step with the set's `versionSetAliases` by the catalog's alias moves.
    #[serde(default)]
    pub aliases: Vec<VersionTag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Required by DataHub; an aspect stored without one sorts by [`sort_id_of`] its label.
    #[serde(default)]
    pub sort_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning_scheme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_created_timestamp: Option<TimeStamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_created_timestamp: Option<TimeStamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_latest: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl VersionProperties {
    /// The label (`version.versionTag`), empty when unset.
    pub fn label(&self) -> &str {
        self.version.version_tag.as_deref().unwrap_or("")
    }

    /// Where the version sorts in its set: its sort id, or the one its label implies.
    pub fn sort_key(&self) -> String {
        if self.sort_id.is_empty() {
            sort_id_of(self.label())
        } else {
            self.sort_id.clone()
        }
    }
}

impl AspectSpec for VersionProperties {
    const NAME: &'static str = "versionProperties";
    fn carried_by(kind: &EntityKind) -> bool {
        versioned_kinds().contains(kind)
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        if let Some(reason) = version_set_mismatch(&self.version_set) {
            return Err(Refused {
                field: "versionSet".into(),
                reason,
            });
        }
        const SCHEMES: [&str; 2] = ["LEXICOGRAPHIC_STRING", "ALPHANUMERIC_GENERATED_BY_DATAHUB"];
        if let Some(s) = &self.versioning_scheme {
            if !SCHEMES.contains(&s.as_str()) {
                return Err(Refused {
                    field: "versioningScheme".into(),
                    reason: format!("{s:?} is not one of {}", SCHEMES.join(", ")),
                });
            }
        }
        Ok(())
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        vec![DeclaredEdge {
            upstream: owner.clone(),
            downstream: self.version_set.clone(),
            relation: Relation::VersionOf,
        }]
    }
}

/// DataHub's `versionSetProperties`: the set's latest version and its versioning scheme.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionSetProperties {
    #[serde(default)]
    pub custom_properties: super::CustomProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<Urn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning_scheme: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for VersionSetProperties {
    const NAME: &'static str = "versionSetProperties";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == version_set_kind()
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        match &self.latest {
            Some(latest) => check_kind(|| "latest".into(), latest, &versioned_kinds()),
            None => Ok(()),
        }
    }
}

/// One alias of a set: the label and the version that holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasEntry {
    pub alias: String,
    pub version: Urn,
}

/// mlcat's `versionSetAliases`: the aliases of a set, each held by one version. Only the
/// catalog's alias moves write it, so each of its versions is one move.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VersionSetAliases {
    #[serde(default)]
    pub aliases: Vec<AliasEntry>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl VersionSetAliases {
    /// The version holding `alias`, if any.
    pub fn holder(&self, alias: &str) -> Option<&Urn> {
        self.aliases
            .iter()
            .find(|a| a.alias == alias)
            .map(|a| &a.version)
    }

    /// Gives `alias` to `to`, or removes it (`None`); the aliases stay sorted by name.
    pub fn set(&mut self, alias: &str, to: Option<&Urn>) {
        self.aliases.retain(|a| a.alias != alias);
        if let Some(to) = to {
            self.aliases.push(AliasEntry {
                alias: alias.to_string(),
                version: to.clone(),
            });
            self.aliases.sort_by(|a, b| a.alias.cmp(&b.alias));
        }
    }
}

impl AspectSpec for VersionSetAliases {
    const NAME: &'static str = "versionSetAliases";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == version_set_kind()
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        let mut seen = std::collections::HashSet::new();
        for (i, a) in self.aliases.iter().enumerate() {
            check_kind(
                || format!("aliases[{i}].version"),
                &a.version,
                &versioned_kinds(),
            )?;
            if let Some(reason) = label_problem(&a.alias) {
                return Err(Refused {
                    field: format!("aliases[{i}].alias"),
                    reason,
                });
            }
            if !seen.insert(a.alias.as_str()) {
                return Err(Refused {
                    field: format!("aliases[{i}].alias"),
                    reason: format!("alias {:?} is named twice", a.alias),
                });
            }
        }
        Ok(())
    }
}

/// mlcat's `versionSetLinks`: how many links and unlinks the set has seen, and the highest
/// numeric label it ever had (so automatic numbers are never reused, as MLflow's are not).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionSetLinks {
    #[serde(default)]
    pub links: i64,
    #[serde(default)]
    pub highest_number: u64,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for VersionSetLinks {
    const NAME: &'static str = "versionSetLinks";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == version_set_kind()
    }
}

/// Why a version label or an alias is refused, if it is: empty, blank at either end, a
/// control character, or longer than [`MAX_LABEL_CHARS`].
pub fn label_problem(label: &str) -> Option<String> {
    if label.is_empty() {
        Some("must not be empty".into())
    } else if label.trim() != label {
        Some(format!("{label:?} starts or ends with white space"))
    } else if label.chars().any(char::is_control) {
        Some(format!("{label:?} contains a control character"))
    } else if label.chars().count() > MAX_LABEL_CHARS {
        Some(format!("is longer than {MAX_LABEL_CHARS} characters"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_ids_order_numbers_as_numbers() {
        let mut labels = vec!["10", "2", "v1.10", "v1.9", "1", "b", "a"];
        labels.sort_by_key(|l| sort_id_of(l));
        assert_eq!(labels, ["1", "2", "10", "a", "b", "v1.9", "v1.10"]);
        assert_eq!(sort_id_of("007"), sort_id_of("7"));
        assert_eq!(sort_id_of("3").len(), 20);
    }

    #[test]
    fn version_set_urns_have_an_id_and_a_type() {
        let set = Urn::parse("urn:li:versionSet:(churn,mlModel)").unwrap();
        assert_eq!(version_set_parts(&set), Some(("churn", "mlModel")));
        let set = Urn::parse("urn:li:versionSet:(a,b,mlModel)").unwrap();
        assert_eq!(version_set_parts(&set), Some(("a,b", "mlModel")));
        for bad in [
            "urn:li:versionSet:churn",
            "urn:li:versionSet:(,mlModel)",
            "urn:li:tag:x",
        ] {
            let urn = Urn::parse(bad).unwrap();
            assert!(version_set_mismatch(&urn).is_some(), "{bad}");
        }
    }
}
