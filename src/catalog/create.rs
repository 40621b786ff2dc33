//! The governance entities a person creates by name (tags, glossary terms and nodes, domains,
//! groups) and the edits of their names, editable information and group members. A creation
//! writes the entity's info aspect in DataHub's shape and is refused with `Conflict` when that
//! aspect exists already (checked inside the transaction, so of two concurrent creations of one
//! id, one wins); a tag that is only referenced so far (attached to entities, no properties) is
//! created by filling its properties in. Membership edits are element patches of the user's
//! `groupMembership` aspect, so concurrent edits never lose each other.

use serde_json::{json, Map, Value};

use super::aspects::{AspectSpec, GroupMembership};
use super::edit::patch;
use super::governance::{governance_edit, GovernanceEdit, NewOwner};
use super::write::AspectWrite;
use super::{Error, Result};
use crate::urn::{EntityKind, Urn};

/// A governance entity to create, with what DataHub's create mutations take.
#[derive(Clone, Debug)]
pub enum NewEntity {
    Tag {
        name: String,
        description: Option<String>,
    },
    GlossaryTerm {
        name: String,
        description: Option<String>,
        parent: Option<Urn>,
    },
    GlossaryNode {
        name: String,
        description: Option<String>,
        parent: Option<Urn>,
    },
    Domain {
        name: String,
        description: Option<String>,
        parent: Option<Urn>,
    },
    Group {
        name: String,
        description: Option<String>,
    },
}

impl NewEntity {
    /// The entity type created.
    pub fn kind(&self) -> EntityKind {
        match self {
            NewEntity::Tag { .. } => EntityKind::Tag,
            NewEntity::GlossaryTerm { .. } => EntityKind::GlossaryTerm,
            NewEntity::GlossaryNode { .. } => EntityKind::GlossaryNode,
            NewEntity::Domain { .. } => EntityKind::Domain,
            NewEntity::Group { .. } => EntityKind::CorpGroup,
        }
    }

    /// The aspect that holds the entity's name: its presence is what "exists" means here.
    pub fn info_aspect(kind: &EntityKind) -> Option<&'static str> {
        Some(match kind {
            EntityKind::Tag => "tagProperties",
            EntityKind::GlossaryTerm => "glossaryTermInfo",
            EntityKind::GlossaryNode => "glossaryNodeInfo",
            EntityKind::Domain => "domainProperties",
            EntityKind::CorpGroup => "corpGroupInfo",
            _ => return None,
        })
    }

    fn name(&self) -> &str {
        match self {
            NewEntity::Tag { name, .. }
            | NewEntity::GlossaryTerm { name, .. }
            | NewEntity::GlossaryNode { name, .. }
            | NewEntity::Domain { name, .. }
            | NewEntity::Group { name, .. } => name,
        }
    }
}

/// The field of an info aspect that holds the display name (`updateName` writes it).
fn name_field(kind: &EntityKind) -> &'static str {
    match kind {
        EntityKind::CorpGroup => "displayName",
        _ => "name",
    }
}

/// A fresh random id in the UUID form DataHub generates when a creation names none.
pub fn generated_id() -> String {
    use rand::Rng;
    let mut b: [u8; 16] = rand::thread_rng().gen();
    // Version 4, variant 1: a random UUID.
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The URN of a new entity of `kind` with `id` (a generated one when `None`). An id that does
/// not make a valid URN is refused naming `id`.
pub fn new_urn(kind: &EntityKind, id: Option<&str>) -> Result<Urn> {
    let id = match id {
        Some(id) if id.trim().is_empty() => {
            return Err(Error::bad_input("id: must not be empty when given"))
        }
        Some(id) => id.to_string(),
        None => generated_id(),
    };
    let urn = Urn::parse_owned(format!("urn:li:{}:{id}", kind.as_str()))
        .map_err(|e| Error::bad_input(format!("id: {e}")))?;
    if urn.kind() != kind || urn.name() != id {
        return Err(Error::bad_input(format!(
            "id: {id:?} cannot be the id of a {kind}"
        )));
    }
    Ok(urn)
}

/// The ownership type DataHub gives a creator.
const TECHNICAL_OWNER_TYPE: &str = "urn:li:ownershipType:__system__technical_owner";

/// The writes that create `entity` as `urn`, recorded for `actor`; refused with `Conflict` when
/// the entity's info aspect exists already, and with `BadInput` for an empty name. The creator
/// owns what they create, but for a group (whose owners are its admins).
pub fn create_entity(urn: Urn, entity: NewEntity, actor: &str) -> Result<Vec<AspectWrite>> {
    if entity.name().trim().is_empty() {
        return Err(Error::bad_input("name: must not be empty"));
    }
    let kind = entity.kind();
    let Some(aspect) = NewEntity::info_aspect(&kind) else {
        return Err(Error::Internal(anyhow::anyhow!(
            "no info aspect for {kind}"
        )));
    };
    let stamp =
        json!({"time": crate::store::now_millis(), "actor": format!("urn:li:corpuser:{actor}")});
    let mut info = Map::new();
    let mut extra = Vec::new();
    match entity {
        NewEntity::Tag { name, description } => {
            info.insert("name".into(), name.into());
            if let Some(d) = description {
                info.insert("description".into(), d.into());
            }
        }
        NewEntity::GlossaryTerm {
            name,
            description,
            parent,
        } => {
            info.insert("name".into(), name.into());
            info.insert("definition".into(), description.unwrap_or_default().into());
            info.insert("termSource".into(), "INTERNAL".into());
            if let Some(p) = parent {
                info.insert("parentNode".into(), p.to_string().into());
            }
        }
        NewEntity::GlossaryNode {
            name,
            description,
            parent,
        } => {
            info.insert("name".into(), name.into());
            info.insert("definition".into(), description.unwrap_or_default().into());
            if let Some(p) = parent {
                info.insert("parentNode".into(), p.to_string().into());
            }
        }
        NewEntity::Domain {
            name,
            description,
            parent,
        } => {
            info.insert("name".into(), name.into());
            if let Some(d) = description {
                info.insert("description".into(), d.into());
            }
            if let Some(p) = parent {
                info.insert("parentDomain".into(), p.to_string().into());
            }
            info.insert("created".into(), stamp);
        }
        NewEntity::Group { name, description } => {
            info.insert("displayName".into(), name.into());
            if let Some(d) = description {
                info.insert("description".into(), d.into());
            }
            // DataHub's CorpGroupInfo still requires its (deprecated) member lists.
            info.insert("admins".into(), json!([]));
            info.insert("members".into(), json!([]));
            info.insert("groups".into(), json!([]));
            info.insert("created".into(), stamp);
            // A group made in the catalog, not synced from an identity provider.
            extra.push(AspectWrite::upsert(
                urn.clone(),
                "origin",
                json!({"type": "NATIVE"}),
            ));
        }
    }
    let creator = Urn::parse_owned(format!("urn:li:corpuser:{actor}"));
    if let (Ok(creator), false) = (creator, kind == EntityKind::CorpGroup) {
        // The creator owns what they create, as in DataHub: a tag, term, node or domain has
        // someone to ask about it from the start. An element edit, so owners the request
        // names as well are added beside the creator.
        let creator = NewOwner {
            owner: creator,
            ownership_type: "TECHNICAL_OWNER".into(),
            type_urn: Urn::parse(TECHNICAL_OWNER_TYPE)?,
        };
        let mut owned =
            governance_edit(urn.clone(), GovernanceEdit::AddOwners(vec![creator]), actor);
        // Written in the transaction that creates the entity, which may have no row before it.
        owned.must_exist = false;
        extra.push(owned);
    }
    let what = format!("{urn}");
    let mut writes = vec![AspectWrite::create(urn, aspect, Value::Object(info), what)];
    writes.extend(extra);
    Ok(writes)
}

/// The write that renames an existing tag, glossary term or node, domain or group: the name
/// field of its info aspect. An entity without that aspect (never created, only referenced) is
/// `NotFound`; another type is `BadInput` naming `urn`.
pub fn rename(urn: Urn, name: String) -> Result<AspectWrite> {
    if name.trim().is_empty() {
        return Err(Error::bad_input("name: must not be empty"));
    }
    let field = name_field(urn.kind());
    set_info_field(urn, field, name)
}

/// The write that sets the description of an existing tag, glossary term or node, or domain
/// (`description`, or `definition` for the glossary), as `rename` does its name.
pub fn describe(urn: Urn, description: String) -> Result<AspectWrite> {
    let field = match urn.kind() {
        EntityKind::GlossaryTerm | EntityKind::GlossaryNode => "definition",
        _ => "description",
    };
    set_info_field(urn, field, description)
}

fn set_info_field(urn: Urn, field: &'static str, text: String) -> Result<AspectWrite> {
    let kind = urn.kind().clone();
    let aspect = NewEntity::info_aspect(&kind).ok_or_else(|| {
        Error::bad_input(format!(
            "urn: a {kind} cannot be edited here; expected a tag, glossaryTerm, glossaryNode, domain or corpGroup URN"
        ))
    })?;
    let shown = urn.to_string();
    let mut write = AspectWrite::upsert(urn, aspect, Value::Null).existing();
    write.op = super::WriteOp::Patch(Box::new(move |current| {
        let Some(Value::Object(mut info)) = current else {
            return Err(Error::NotFound(format!(
                "{shown} was never created (it has no {aspect})"
            )));
        };
        let changed = info.get(field).and_then(Value::as_str) != Some(text.as_str());
        info.insert(field.into(), text.into());
        Ok(super::Patched {
            value: Value::Object(info),
            changed,
        })
    }));
    Ok(write)
}

/// The write that sets the given fields of an editable-information aspect of an existing user
/// or group (`corpUserEditableInfo`, `corpGroupEditableInfo`), keeping the others.
pub fn edit_info(urn: Urn, aspect: &'static str, fields: Map<String, Value>) -> AspectWrite {
    AspectWrite::patch(urn, aspect, move |info: &mut Map<String, Value>| {
        for (k, v) in fields {
            info.insert(k, v);
        }
        Ok(())
    })
    .existing()
}

/// The write that adds `user` to (or removes it from) `groups`, in the user's
/// `groupMembership`. Adding creates the user (as a referenced entity, the way owners are);
/// removing needs it to exist.
pub fn membership_edit(user: Urn, groups: Vec<Urn>, add: bool) -> AspectWrite {
    let write = patch::<GroupMembership>(user, move |m| {
        if add {
            for g in groups {
                if !m.groups.contains(&g) {
                    m.groups.push(g);
                }
            }
        } else {
            m.groups.retain(|g| !groups.contains(g));
        }
    });
    debug_assert_eq!(write.aspect, GroupMembership::NAME);
    if add {
        write
    } else {
        write.existing()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_uuids_and_make_urns() {
        let id = generated_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        let urn = new_urn(&EntityKind::Tag, None).unwrap();
        assert_eq!(urn.kind(), &EntityKind::Tag);
    }

    #[test]
    fn an_id_that_makes_no_urn_is_refused() {
        let e = new_urn(&EntityKind::Tag, Some("a(b")).map(|u| u.to_string());
        assert!(matches!(e, Err(Error::BadInput(m)) if m.starts_with("id:")));
        let e = new_urn(&EntityKind::Domain, Some("  "));
        assert!(matches!(e, Err(Error::BadInput(_))));
    }
}
