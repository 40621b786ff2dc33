//! Atomic edits of governance elements: one tag, owner, term, domain, deprecation or link added
//! to or removed from an entity's aspect. Each edit is a patch applied inside the write
//! transaction with the entity's row locked, so concurrent edits never lose each other (a
//! client's read-modify-write of the whole aspect would). Adding what is there or removing what
//! is not changes nothing and makes no version; audit stamps change only with the content.

use serde_json::Map;

use super::aspects::{
    Deprecation, Domains, EditableSchemaFieldInfo, EditableSchemaMetadata, GlobalTags,
    GlossaryTermAssociation, GlossaryTerms, InstitutionalMemory, InstitutionalMemoryMetadata,
    Owner, Ownership, TagAssociation, TimeStamp,
};
use super::edit::patch;
use super::write::AspectWrite;
use super::{Error, Result};
use crate::urn::{EntityKind, Urn};

/// The entity types whose governance the mutations edit.
pub const GOVERNED_KINDS: [EntityKind; 7] = [
    EntityKind::MlModel,
    EntityKind::MlModelGroup,
    EntityKind::MlFeature,
    EntityKind::MlFeatureTable,
    EntityKind::MlPrimaryKey,
    EntityKind::MlModelDeployment,
    EntityKind::Dataset,
];

/// An owner to add: who, and the kind of ownership (DataHub's `type` and its `typeUrn`).
#[derive(Clone, Debug)]
pub struct NewOwner {
    pub owner: Urn,
    pub ownership_type: String,
    pub type_urn: Urn,
}

/// One element edit of one entity's governance.
#[derive(Clone, Debug)]
pub enum GovernanceEdit {
    AddTags(Vec<Urn>),
    RemoveTags(Vec<Urn>),
    AddOwners(Vec<NewOwner>),
    /// Removes these owners; with a type URN, only their ownership of that type.
    RemoveOwners {
        owners: Vec<Urn>,
        type_urn: Option<Urn>,
    },
    AddTerms(Vec<Urn>),
    RemoveTerms(Vec<Urn>),
    /// Sets the one domain, or with `None` removes it.
    SetDomain(Option<Urn>),
    Deprecate {
        deprecated: bool,
        note: Option<String>,
        decommission_time: Option<i64>,
        replacement: Option<Urn>,
    },
    AddLink {
        url: String,
        label: String,
    },
    /// Removes the links to `url`; with a label, only those with that label.
    RemoveLink {
        url: String,
        label: Option<String>,
    },
}

fn stamp(now: i64, actor: &str) -> TimeStamp {
    TimeStamp {
        time: now,
        actor: Some(actor.to_string()),
        extra: Map::new(),
    }
}

/// The write of one edit of `resource`, recorded for `actor` (a token name or `anonymous`,
/// stamped into the aspect as a corpuser URN where DataHub puts an actor). The resource must
/// exist.
pub fn governance_edit(resource: Urn, edit: GovernanceEdit, actor: &str) -> AspectWrite {
    let now = crate::store::now_millis();
    let actor = format!("urn:li:corpuser:{actor}");
    let write = match edit {
        GovernanceEdit::AddTags(tags) => patch::<GlobalTags>(resource, move |a| {
            for tag in tags {
                if !a.tags.iter().any(|t| t.tag == tag) {
                    a.tags.push(TagAssociation {
                        tag,
                        extra: Map::new(),
                    });
                }
            }
        }),
        GovernanceEdit::RemoveTags(tags) => {
            patch::<GlobalTags>(resource, move |a| a.tags.retain(|t| !tags.contains(&t.tag)))
        }
        GovernanceEdit::AddOwners(owners) => patch::<Ownership>(resource, move |a| {
            let before = a.owners.clone();
            for new in owners {
                let type_urn = new.type_urn.to_string();
                if a.owners
                    .iter()
                    .any(|o| o.owner == new.owner && o.type_urn_text() == type_urn)
                {
                    continue;
                }
                a.owners.push(Owner {
                    owner: new.owner,
                    ownership_type: new.ownership_type,
                    type_urn: Some(new.type_urn),
                    extra: manual_source(),
                });
            }
            if a.owners != before {
                a.last_modified = Some(stamp(now, &actor));
            }
        }),
        GovernanceEdit::RemoveOwners { owners, type_urn } => {
            patch::<Ownership>(resource, move |a| {
                let before = a.owners.len();
                let type_urn = type_urn.map(|u| u.to_string());
                a.owners.retain(|o| {
                    !(owners.contains(&o.owner)
                        && type_urn.as_ref().is_none_or(|t| *t == o.type_urn_text()))
                });
                if a.owners.len() != before {
                    a.last_modified = Some(stamp(now, &actor));
                }
            })
        }
        GovernanceEdit::AddTerms(terms) => patch::<GlossaryTerms>(resource, move |a| {
            let before = a.terms.len();
            for urn in terms {
                if !a.terms.iter().any(|t| t.urn == urn) {
                    a.terms.push(GlossaryTermAssociation {
                        urn,
                        extra: Map::new(),
                    });
                }
            }
            if a.terms.len() != before {
                a.audit_stamp = Some(stamp(now, &actor));
            }
        }),
        GovernanceEdit::RemoveTerms(terms) => patch::<GlossaryTerms>(resource, move |a| {
            let before = a.terms.len();
            a.terms.retain(|t| !terms.contains(&t.urn));
            if a.terms.len() != before {
                a.audit_stamp = Some(stamp(now, &actor));
            }
        }),
        GovernanceEdit::SetDomain(domain) => patch::<Domains>(resource, move |a| {
            a.domains = domain.into_iter().collect();
        }),
        GovernanceEdit::Deprecate {
            deprecated,
            note,
            decommission_time,
            replacement,
        } => patch::<Deprecation>(resource, move |a| {
            let note = note.unwrap_or_default();
            let same = a.deprecated == deprecated
                && a.note == note
                && a.decommission_time == decommission_time
                && a.replacement == replacement;
            if !same {
                a.deprecated = deprecated;
                a.note = note;
                a.decommission_time = decommission_time;
                a.replacement = replacement;
                a.actor = actor;
            }
        }),
        GovernanceEdit::AddLink { url, label } => {
            patch::<InstitutionalMemory>(resource, move |a| {
                if !a
                    .elements
                    .iter()
                    .any(|e| e.url == url && e.description == label)
                {
                    a.elements.push(InstitutionalMemoryMetadata {
                        url,
                        description: label,
                        create_stamp: stamp(now, &actor),
                        extra: Map::new(),
                    });
                }
            })
        }
        GovernanceEdit::RemoveLink { url, label } => {
            patch::<InstitutionalMemory>(resource, move |a| {
                a.elements.retain(|e| {
                    !(e.url == url && label.as_ref().is_none_or(|l| *l == e.description))
                })
            })
        }
    };
    write.existing()
}

/// The write of one tag or term edit of a dataset's schema field (`field_path`), in the
/// dataset's `editableSchemaMetadata`, recorded for `actor`. The dataset must exist; other edits
/// than tags and terms are refused, naming `subResource`.
pub fn field_governance_edit(
    dataset: Urn,
    field_path: String,
    edit: GovernanceEdit,
    actor: &str,
) -> Result<AspectWrite> {
    check_field_target(&dataset, &field_path)?;
    let edit: Box<dyn FnOnce(&mut EditableSchemaMetadata) + Send> = match edit {
        GovernanceEdit::AddTags(tags) => Box::new(move |m| {
            let field = m.field_mut(&field_path);
            let list = &mut field.global_tags.get_or_insert_with(Default::default).tags;
            for tag in tags {
                if !list.iter().any(|t| t.tag == tag) {
                    list.push(TagAssociation {
                        tag,
                        extra: Map::new(),
                    });
                }
            }
        }),
        GovernanceEdit::RemoveTags(tags) => Box::new(move |m| {
            if let Some(g) = existing_field(m, &field_path).and_then(|f| f.global_tags.as_mut()) {
                g.tags.retain(|t| !tags.contains(&t.tag));
            }
        }),
        GovernanceEdit::AddTerms(terms) => Box::new(move |m| {
            let field = m.field_mut(&field_path);
            let list = &mut field
                .glossary_terms
                .get_or_insert_with(Default::default)
                .terms;
            for urn in terms {
                if !list.iter().any(|t| t.urn == urn) {
                    list.push(GlossaryTermAssociation {
                        urn,
                        extra: Map::new(),
                    });
                }
            }
        }),
        GovernanceEdit::RemoveTerms(terms) => Box::new(move |m| {
            if let Some(g) = existing_field(m, &field_path).and_then(|f| f.glossary_terms.as_mut())
            {
                g.terms.retain(|t| !terms.contains(&t.urn));
            }
        }),
        _ => {
            return Err(Error::bad_input(
                "subResource: only tags, glossary terms and descriptions can be edited on a schema field",
            ))
        }
    };
    Ok(schema_field_patch(dataset, actor, edit))
}

/// The write that sets the description of a dataset's schema field (`field_path`) as a person
/// edits it, in the dataset's `editableSchemaMetadata`. The dataset must exist.
pub fn field_description_edit(
    dataset: Urn,
    field_path: String,
    description: String,
    actor: &str,
) -> Result<AspectWrite> {
    check_field_target(&dataset, &field_path)?;
    Ok(schema_field_patch(
        dataset,
        actor,
        Box::new(move |m| m.field_mut(&field_path).description = Some(description)),
    ))
}

fn check_field_target(dataset: &Urn, field_path: &str) -> Result<()> {
    if *dataset.kind() != EntityKind::Dataset {
        return Err(Error::bad_input(format!(
            "subResource: a {} has no schema fields; only a dataset's fields can be edited (subResourceType DATASET_FIELD)",
            dataset.kind()
        )));
    }
    if field_path.trim().is_empty() {
        return Err(Error::bad_input(
            "subResource: the field path of a schema field must not be empty",
        ));
    }
    Ok(())
}

fn existing_field<'a>(
    m: &'a mut EditableSchemaMetadata,
    path: &str,
) -> Option<&'a mut EditableSchemaFieldInfo> {
    m.editable_schema_field_info
        .iter_mut()
        .find(|f| f.field_path == path)
}

/// An edit of `editableSchemaMetadata` that stamps `lastModified` (and `created`, the first
/// time) only when it changes the fields.
fn schema_field_patch(
    dataset: Urn,
    actor: &str,
    edit: Box<dyn FnOnce(&mut EditableSchemaMetadata) + Send>,
) -> AspectWrite {
    let now = crate::store::now_millis();
    let actor = format!("urn:li:corpuser:{actor}");
    patch::<EditableSchemaMetadata>(dataset, move |m| {
        let before = m.editable_schema_field_info.clone();
        edit(m);
        if m.editable_schema_field_info != before {
            if m.created.is_none() {
                m.created = Some(stamp(now, &actor));
            }
            m.last_modified = Some(stamp(now, &actor));
        }
    })
    .existing()
}

/// `source: {type: MANUAL}`: an owner a person assigned, as DataHub marks it.
fn manual_source() -> Map<String, serde_json::Value> {
    let mut extra = Map::new();
    extra.insert("source".into(), serde_json::json!({"type": "MANUAL"}));
    extra
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::WriteOp;

    fn run(edit: GovernanceEdit, current: Option<serde_json::Value>) -> (serde_json::Value, bool) {
        let model = Urn::parse("urn:li:mlModel:(urn:li:dataPlatform:x,m,PROD)").unwrap();
        let w = governance_edit(model, edit, "ana");
        assert!(w.must_exist);
        let WriteOp::Patch(f) = w.op else {
            panic!("not a patch")
        };
        let p = f(current).unwrap_or_else(|_| panic!("patch failed"));
        (p.value, p.changed)
    }

    #[test]
    fn adding_an_owner_twice_changes_nothing_and_stamps_only_a_change() {
        let owner = NewOwner {
            owner: Urn::parse("urn:li:corpuser:bo").unwrap(),
            ownership_type: "TECHNICAL_OWNER".into(),
            type_urn: Urn::parse("urn:li:ownershipType:__system__technical_owner").unwrap(),
        };
        let (v, changed) = run(GovernanceEdit::AddOwners(vec![owner.clone()]), None);
        assert!(changed);
        assert_eq!(v["owners"][0]["type"], "TECHNICAL_OWNER");
        assert_eq!(v["lastModified"]["actor"], "urn:li:corpuser:ana");
        let (_, changed) = run(GovernanceEdit::AddOwners(vec![owner]), Some(v));
        assert!(!changed);
    }

    #[test]
    fn removing_a_link_by_url_keeps_the_others() {
        let add = |url: &str| GovernanceEdit::AddLink {
            url: url.into(),
            label: "doc".into(),
        };
        let (v, _) = run(add("https://a"), None);
        let (v, _) = run(add("https://b"), Some(v));
        let (v, changed) = run(
            GovernanceEdit::RemoveLink {
                url: "https://a".into(),
                label: None,
            },
            Some(v),
        );
        assert!(changed);
        assert_eq!(v["elements"].as_array().unwrap().len(), 1);
        assert_eq!(v["elements"][0]["url"], "https://b");
    }
}
