//! What a search can be filtered and faceted on: the fields and conditions as DataHub names
//! them, and a filter as the store runs it.

use crate::catalog::text::refuse_nul;
use crate::catalog::{Error, Result};
use crate::store::search::{Bound, Compare, Counted, EntityFacet, Predicate, TimeColumn};
use crate::urn::EntityKind;

/// A field search results can be filtered and faceted on, named as DataHub names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SearchField {
    /// `_entityType`: the entity type, as spelled in URNs (`mlModel`).
    EntityType,
    /// `platform`: the platform URN.
    Platform,
    /// `origin` (also `env`): the environment (`PROD`).
    Origin,
    /// `tags`: tag URNs.
    Tags,
    /// `glossaryTerms`: glossary term URNs.
    GlossaryTerms,
    /// `owners`: owner URNs (users and groups).
    Owners,
    /// `domains`: domain URNs.
    Domains,
    /// `removed`: `true` for soft-deleted entities; filters only.
    Removed,
    /// `deprecated`: `true` when its `deprecation` aspect says so, else `false`.
    Deprecated,
    /// `hasDescription`: `true` when it has a description (ingested or edited), else `false`.
    HasDescription,
    /// `customProperties`: `key=value` of each custom property.
    CustomProperties,
    /// `urn`: the entity's URN; filters only.
    Urn,
    /// `lastModifiedAt`: when an aspect of it was last written (milliseconds since the
    /// epoch); filters and sorts only.
    LastModifiedAt,
    /// `createdAt`: when the catalog first saw its URN (milliseconds since the epoch);
    /// filters and sorts only.
    CreatedAt,
}

impl SearchField {
    /// The fields facets are counted on.
    pub const FACETED: [SearchField; 7] = [
        SearchField::EntityType,
        SearchField::Platform,
        SearchField::Origin,
        SearchField::Tags,
        SearchField::GlossaryTerms,
        SearchField::Owners,
        SearchField::Domains,
    ];

    /// The fields a facet can be counted on (`aggregateAcrossEntities` asks for any of them).
    pub const FACETABLE: [SearchField; 10] = [
        SearchField::EntityType,
        SearchField::Platform,
        SearchField::Origin,
        SearchField::Tags,
        SearchField::GlossaryTerms,
        SearchField::Owners,
        SearchField::Domains,
        SearchField::Deprecated,
        SearchField::HasDescription,
        SearchField::CustomProperties,
    ];

    /// The field of a DataHub filter field name (DataHub's `.keyword` suffix, which names the
    /// same field's exact values, is accepted); `None` for a field mlcat does not filter on.
    pub fn parse(name: &str) -> Option<SearchField> {
        let name = name.strip_suffix(".keyword").unwrap_or(name);
        Some(match name {
            "_entityType" | "entityType" => SearchField::EntityType,
            "platform" => SearchField::Platform,
            "origin" | "env" => SearchField::Origin,
            "tags" => SearchField::Tags,
            "glossaryTerms" => SearchField::GlossaryTerms,
            "owners" => SearchField::Owners,
            "domains" => SearchField::Domains,
            "removed" => SearchField::Removed,
            "deprecated" => SearchField::Deprecated,
            "hasDescription" => SearchField::HasDescription,
            "customProperties" => SearchField::CustomProperties,
            "urn" => SearchField::Urn,
            "lastModifiedAt" => SearchField::LastModifiedAt,
            "createdAt" => SearchField::CreatedAt,
            _ => return None,
        })
    }

    /// DataHub's name of the field.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchField::EntityType => "_entityType",
            SearchField::Platform => "platform",
            SearchField::Origin => "origin",
            SearchField::Tags => "tags",
            SearchField::GlossaryTerms => "glossaryTerms",
            SearchField::Owners => "owners",
            SearchField::Domains => "domains",
            SearchField::Removed => "removed",
            SearchField::Deprecated => "deprecated",
            SearchField::HasDescription => "hasDescription",
            SearchField::CustomProperties => "customProperties",
            SearchField::Urn => "urn",
            SearchField::LastModifiedAt => "lastModifiedAt",
            SearchField::CreatedAt => "createdAt",
        }
    }

    /// Where the count of the field's facets reads its values: the entity row for the fields
    /// it holds (the index writes the same values in their facet rows, which filters read),
    /// the facet rows for the others.
    pub(crate) fn counted(self) -> Counted {
        match self {
            SearchField::EntityType => Counted::Entity(self.as_str(), EntityFacet::Type),
            SearchField::Platform => Counted::Entity(self.as_str(), EntityFacet::Platform),
            SearchField::Origin => Counted::Entity(self.as_str(), EntityFacet::Env),
            _ => Counted::Rows(self.as_str()),
        }
    }

    /// The name to show for the field.
    pub fn display_name(self) -> &'static str {
        match self {
            SearchField::EntityType => "Type",
            SearchField::Platform => "Platform",
            SearchField::Origin => "Environment",
            SearchField::Tags => "Tags",
            SearchField::GlossaryTerms => "Glossary Terms",
            SearchField::Owners => "Owners",
            SearchField::Domains => "Domain",
            SearchField::Removed => "Soft Deleted",
            SearchField::Deprecated => "Deprecated",
            SearchField::HasDescription => "Has Description",
            SearchField::CustomProperties => "Custom Properties",
            SearchField::Urn => "URN",
            SearchField::LastModifiedAt => "Last Modified",
            SearchField::CreatedAt => "Created",
        }
    }

    /// Whether the field holds `true` or `false`.
    fn is_flag(self) -> bool {
        matches!(
            self,
            SearchField::Removed | SearchField::Deprecated | SearchField::HasDescription
        )
    }

    /// The names of the filter fields, for error messages.
    pub const NAMES: &'static str = "_entityType, platform, origin (or env), tags, \
        glossaryTerms, owners, domains, removed, deprecated, hasDescription, customProperties \
        (key=value), urn, lastModifiedAt, createdAt";

    /// The names of the facet fields, for error messages.
    pub const FACET_NAMES: &'static str = "_entityType, platform, origin, tags, glossaryTerms, \
        owners, domains, deprecated, hasDescription, customProperties";
}

/// How a filter compares a field's values with its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// The field has one of the values.
    Equal,
    /// The field has one of the values (the same as `Equal` with several values).
    In,
    /// A value of the field holds one of the values.
    Contain,
    /// A value of the field starts with one of the values.
    StartWith,
    /// A value of the field ends with one of the values.
    EndWith,
    /// The field has a value at all.
    Exists,
    /// The field is greater than the value (times only).
    GreaterThan,
    /// The field is greater than or equal to the value (times only).
    GreaterThanOrEqualTo,
    /// The field is less than the value (times only).
    LessThan,
    /// The field is less than or equal to the value (times only).
    LessThanOrEqualTo,
}

impl Condition {
    /// DataHub's name of the condition (`GREATER_THAN`).
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Equal => "EQUAL",
            Condition::In => "IN",
            Condition::Contain => "CONTAIN",
            Condition::StartWith => "START_WITH",
            Condition::EndWith => "END_WITH",
            Condition::Exists => "EXISTS",
            Condition::GreaterThan => "GREATER_THAN",
            Condition::GreaterThanOrEqualTo => "GREATER_THAN_OR_EQUAL_TO",
            Condition::LessThan => "LESS_THAN",
            Condition::LessThanOrEqualTo => "LESS_THAN_OR_EQUAL_TO",
        }
    }
}

/// One condition on a field.
#[derive(Clone, Debug)]
pub struct FieldFilter {
    pub field: SearchField,
    pub condition: Condition,
    pub values: Vec<String>,
    pub negated: bool,
}

/// The facet value of a filter value: a platform name becomes its URN, an entity type is spelled
/// as in URNs whatever its case.
fn stored_value(field: SearchField, value: &str) -> String {
    match field {
        SearchField::Platform if !value.starts_with("urn:li:dataPlatform:") => {
            format!("urn:li:dataPlatform:{value}")
        }
        SearchField::EntityType => {
            let folded: String = value
                .chars()
                .filter(|c| *c != '_')
                .flat_map(char::to_lowercase)
                .collect();
            SEARCHED_KINDS
                .iter()
                .find(|k| k.as_str().to_lowercase() == folded)
                .map_or_else(|| value.to_string(), |k| k.as_str().to_string())
        }
        _ => value.to_string(),
    }
}

/// The entity types the index knows by name (the types search answers in DataHub's shapes).
pub const SEARCHED_KINDS: [EntityKind; 15] = [
    EntityKind::Dataset,
    EntityKind::DataPlatform,
    EntityKind::MlFeature,
    EntityKind::MlFeatureTable,
    EntityKind::MlPrimaryKey,
    EntityKind::MlModel,
    EntityKind::MlModelGroup,
    EntityKind::MlModelDeployment,
    EntityKind::Tag,
    EntityKind::GlossaryTerm,
    EntityKind::GlossaryNode,
    EntityKind::Domain,
    EntityKind::CorpUser,
    EntityKind::CorpGroup,
    EntityKind::OwnershipType,
];

/// A filter as the store runs it; refuses what cannot be run, naming it.
pub(super) fn predicate(at: &str, f: &FieldFilter) -> Result<Predicate> {
    for v in &f.values {
        refuse_nul(&format!("{at}.values"), v)?;
    }
    if f.condition != Condition::Exists && f.values.is_empty() {
        return Err(Error::Invalid {
            field: format!("{at}.values"),
            message: format!(
                "{at}.values: a filter on {} with this condition needs at least one value",
                f.field.as_str()
            ),
        });
    }
    let refuse = |what: &str| Error::Invalid {
        field: format!("{at}.condition"),
        message: format!(
            "{at}: condition {} does not apply to {}; use {what}",
            f.condition.as_str(),
            f.field.as_str()
        ),
    };
    let ordered = matches!(
        f.condition,
        Condition::GreaterThan
            | Condition::GreaterThanOrEqualTo
            | Condition::LessThan
            | Condition::LessThanOrEqualTo
    );
    if let SearchField::LastModifiedAt | SearchField::CreatedAt = f.field {
        let mut times = Vec::with_capacity(f.values.len());
        for v in &f.values {
            times.push(v.trim().parse::<i64>().map_err(|_| Error::Invalid {
                field: format!("{at}.values"),
                message: format!(
                    "{at}: {} is a time in milliseconds since the epoch, not {v:?}",
                    f.field.as_str()
                ),
            })?);
        }
        if ordered && times.len() != 1 {
            return Err(Error::Invalid {
                field: format!("{at}.values"),
                message: format!(
                    "{at}: {} compares with exactly one value",
                    f.condition.as_str()
                ),
            });
        }
        let one = times.first().copied().unwrap_or_default();
        let compare = match f.condition {
            Condition::Equal | Condition::In => Bound::In(times),
            Condition::GreaterThan => Bound::Above(one),
            Condition::GreaterThanOrEqualTo => Bound::AtLeast(one),
            Condition::LessThan => Bound::Below(one),
            Condition::LessThanOrEqualTo => Bound::AtMost(one),
            Condition::Exists => Bound::Exists,
            _ => {
                return Err(refuse(
                    "EQUAL, IN, GREATER_THAN(_OR_EQUAL_TO), LESS_THAN(_OR_EQUAL_TO) or EXISTS",
                ))
            }
        };
        let column = if f.field == SearchField::CreatedAt {
            TimeColumn::Created
        } else {
            TimeColumn::Modified
        };
        return Ok(Predicate::Time {
            column,
            compare,
            negated: f.negated,
        });
    }
    if ordered {
        return Err(refuse(
            "EQUAL, IN, CONTAIN, START_WITH, END_WITH or EXISTS (only lastModifiedAt and \
             createdAt are compared by order)",
        ));
    }
    if f.field.is_flag() {
        if !matches!(
            f.condition,
            Condition::Equal | Condition::In | Condition::Exists
        ) {
            return Err(refuse("EQUAL, IN or EXISTS"));
        }
        let mut flags = Vec::new();
        for v in &f.values {
            flags.push(match v.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(Error::Invalid {
                        field: format!("{at}.values"),
                        message: format!("{at}: {} is true or false, not {v:?}", f.field.as_str()),
                    })
                }
            });
        }
        if f.condition == Condition::Exists {
            // Every entity has the flag.
            flags = vec![true, false];
        }
        return Ok(match f.field {
            SearchField::Removed => Predicate::Removed(flags, f.negated),
            field => Predicate::Facet {
                field: field.as_str(),
                compare: Compare::In(flags.iter().map(|b| b.to_string()).collect()),
                negated: f.negated,
            },
        });
    }
    let values: Vec<String> = f.values.iter().map(|v| stored_value(f.field, v)).collect();
    let compare = match f.condition {
        Condition::Equal | Condition::In => Compare::In(values),
        Condition::Contain => Compare::Contain(f.values.clone()),
        Condition::StartWith => Compare::StartWith(f.values.clone()),
        Condition::EndWith => Compare::EndWith(f.values.clone()),
        _ => Compare::Exists,
    };
    Ok(match f.field {
        SearchField::Urn => Predicate::Urn {
            compare,
            negated: f.negated,
        },
        field => Predicate::Facet {
            field: field.as_str(),
            compare,
            negated: f.negated,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_types_are_found_whatever_their_spelling() {
        assert_eq!(
            stored_value(SearchField::EntityType, "MLMODEL_GROUP"),
            "mlModelGroup"
        );
        assert_eq!(stored_value(SearchField::EntityType, "mlModel"), "mlModel");
        assert_eq!(
            stored_value(SearchField::Platform, "feast"),
            "urn:li:dataPlatform:feast"
        );
    }
}
