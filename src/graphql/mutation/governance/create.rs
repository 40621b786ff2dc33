//! DataHub's mutations that create, rename and soft-delete the entities governance points at
//! (tags, glossary terms and nodes, domains, groups), manage group members, and edit what people
//! say about users and groups. Creations answer the new URN; creating an id that exists is
//! CONFLICT and writes nothing. Every edit is one transaction of the catalog's write path.

use async_graphql::{Context, InputObject, Object, Result};
use serde_json::{Map, Value};

use super::{loaders, new_owners, urn_of, writer, OwnerInput};
use crate::catalog::{
    create_entity, edit_info, membership_edit, new_urn, rename, AspectWrite, Catalog, Deadline,
    Error, GovernanceEdit, NewEntity,
};
use crate::graphql::types::{CorpGroup, CorpUser};
use crate::urn::{EntityKind, Urn};

/// A tag to create.
#[derive(InputObject)]
pub struct CreateTagInput {
    /// The tag's id, its URN being `urn:li:tag:<id>`; a random UUID when absent.
    pub id: Option<String>,
    /// The name to show.
    pub name: String,
    /// What the tag means.
    pub description: Option<String>,
}

/// A glossary term or node to create.
#[derive(InputObject)]
pub struct CreateGlossaryEntityInput {
    /// The id, the URN being `urn:li:glossaryTerm:<id>` (or `glossaryNode`); a random UUID when
    /// absent.
    pub id: Option<String>,
    /// The name to show.
    pub name: String,
    /// What the term or node means (stored as its `definition`).
    pub description: Option<String>,
    /// The glossary node to place it under (`urn:li:glossaryNode:...`); it must exist.
    pub parent_node: Option<String>,
    /// DataHub's note for a proposal. mlcat has no proposals: the creation is made at once and
    /// the note is not kept.
    pub proposal_note: Option<String>,
}

/// A domain to create.
#[derive(InputObject)]
pub struct CreateDomainInput {
    /// The domain's id, its URN being `urn:li:domain:<id>`; a random UUID when absent.
    pub id: Option<String>,
    /// The name to show.
    pub name: String,
    /// What the domain covers.
    pub description: Option<String>,
    /// The domain to place it under (`urn:li:domain:...`); it must exist.
    pub parent_domain: Option<String>,
    /// Owners to give the domain. mlcat does not make the creator an owner when none are given.
    pub owners: Option<Vec<OwnerInput>>,
}

/// A group to create.
#[derive(InputObject)]
pub struct CreateGroupInput {
    /// The group's id, its URN being `urn:li:corpGroup:<id>`; a random UUID when absent.
    pub id: Option<String>,
    /// The name to show.
    pub name: String,
    /// What the group is.
    pub description: Option<String>,
}

/// Users to add to a group.
#[derive(InputObject)]
pub struct AddGroupMembersInput {
    /// The group (`urn:li:corpGroup:...`); it must exist.
    pub group_urn: String,
    /// The users to add (`urn:li:corpuser:...`); a user not seen before is created as a
    /// referenced entity.
    pub user_urns: Vec<String>,
}

/// Users to remove from a group.
#[derive(InputObject)]
pub struct RemoveGroupMembersInput {
    /// The group (`urn:li:corpGroup:...`).
    pub group_urn: String,
    /// The users to remove (`urn:li:corpuser:...`); each must exist.
    pub user_urns: Vec<String>,
}

/// What people say about a user; only the fields given change.
#[derive(InputObject)]
pub struct CorpUserUpdateInput {
    /// The name to show.
    pub display_name: Option<String>,
    /// The job title.
    pub title: Option<String>,
    /// What the user says about themselves.
    pub about_me: Option<String>,
    /// The teams the user is in.
    pub teams: Option<Vec<String>>,
    /// The user's skills.
    pub skills: Option<Vec<String>>,
    /// A link to the user's picture.
    pub picture_link: Option<String>,
    /// The user's Slack handle.
    pub slack: Option<String>,
    /// The user's phone number.
    pub phone: Option<String>,
    /// The email address.
    pub email: Option<String>,
    /// The platforms the user works with (`urn:li:dataPlatform:...`).
    pub platform_urns: Option<Vec<String>>,
    /// The user's persona (`urn:li:dataHubPersona:...`).
    pub persona_urn: Option<String>,
}

/// What people say about a group; only the fields given change.
#[derive(InputObject)]
pub struct CorpGroupUpdateInput {
    /// What the group is.
    pub description: Option<String>,
    /// The group's Slack channel.
    pub slack: Option<String>,
    /// The group's email address.
    pub email: Option<String>,
    /// A link to the group's picture.
    pub picture_link: Option<String>,
}

/// A new name for an entity.
#[derive(InputObject)]
pub struct UpdateNameInput {
    /// The new name.
    pub name: String,
    /// The tag, glossary term or node, domain or group to rename.
    pub urn: String,
}

/// DataHub's mutations that create and remove governance entities, and manage groups.
#[derive(Default)]
pub struct CreateMutation;

/// Writes `writes` in one transaction for the request's writer.
async fn write(ctx: &Context<'_>, writes: Vec<AspectWrite>) -> Result<()> {
    let actor = writer(ctx)?;
    ctx.data_unchecked::<Catalog>()
        .write_within(&actor, writes, ctx.data_opt::<Deadline>())
        .await?;
    Ok(())
}

/// Creates `entity` with the id given (or a generated one), plus `more` writes of the new URN;
/// answers the URN.
async fn create(
    ctx: &Context<'_>,
    id: Option<&str>,
    entity: NewEntity,
    more: impl FnOnce(&Urn) -> Vec<AspectWrite>,
) -> Result<Option<String>> {
    let actor = writer(ctx)?;
    let urn = new_urn(&entity.kind(), id)?;
    let mut writes = create_entity(urn.clone(), entity, &actor.name)?;
    writes.extend(more(&urn));
    write(ctx, writes).await?;
    Ok(Some(urn.to_string()))
}

/// A parent named at `field`: a URN of `kind` that has a row (created, or named by others).
async fn parent(
    ctx: &Context<'_>,
    field: &str,
    text: Option<&str>,
    kind: EntityKind,
) -> Result<Option<Urn>> {
    let Some(text) = text else { return Ok(None) };
    let urn = urn_of(field, text, &[kind.as_str()])?;
    if loaders::entity(ctx, &urn).await?.is_none() {
        return Err(Error::bad_input(format!("{field}: there is no {kind} {text}")).into());
    }
    Ok(Some(urn))
}

/// A group named at `groupUrn`, which must exist.
async fn existing_group(ctx: &Context<'_>, text: &str) -> Result<Urn> {
    let urn = urn_of("groupUrn", text, &["corpGroup"])?;
    if loaders::entity(ctx, &urn).await?.is_none() {
        return Err(Error::NotFound(format!("groupUrn: there is no group {text}")).into());
    }
    Ok(urn)
}

/// Soft-deletes the entity at `urn`, which must be of one of `kinds` and exist.
async fn soft_delete(ctx: &Context<'_>, urn: &str, kinds: &[&str]) -> Result<Option<bool>> {
    urn_of("urn", urn, kinds)?;
    super::super::set_removed(ctx, &[urn.to_string()], true).await?;
    Ok(Some(true))
}

/// Inserts `value` at `key` when given.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        map.insert(key.into(), v.into());
    }
}

#[Object]
impl CreateMutation {
    /// Creates a tag; answers its URN. A tag that exists (has properties) is CONFLICT; one that
    /// is only attached to entities so far gets its properties.
    async fn create_tag(&self, ctx: &Context<'_>, input: CreateTagInput) -> Result<Option<String>> {
        let entity = NewEntity::Tag {
            name: input.name,
            description: input.description,
        };
        create(ctx, input.id.as_deref(), entity, |_| vec![]).await
    }

    /// Creates a glossary term (source INTERNAL); answers its URN. A term that exists is
    /// CONFLICT.
    async fn create_glossary_term(
        &self,
        ctx: &Context<'_>,
        input: CreateGlossaryEntityInput,
    ) -> Result<Option<String>> {
        let parent = parent(
            ctx,
            "parentNode",
            input.parent_node.as_deref(),
            EntityKind::GlossaryNode,
        )
        .await?;
        let entity = NewEntity::GlossaryTerm {
            name: input.name,
            description: input.description,
            parent,
        };
        create(ctx, input.id.as_deref(), entity, |_| vec![]).await
    }

    /// Creates a glossary node; answers its URN. A node that exists is CONFLICT.
    async fn create_glossary_node(
        &self,
        ctx: &Context<'_>,
        input: CreateGlossaryEntityInput,
    ) -> Result<Option<String>> {
        let parent = parent(
            ctx,
            "parentNode",
            input.parent_node.as_deref(),
            EntityKind::GlossaryNode,
        )
        .await?;
        let entity = NewEntity::GlossaryNode {
            name: input.name,
            description: input.description,
            parent,
        };
        create(ctx, input.id.as_deref(), entity, |_| vec![]).await
    }

    /// Creates a domain, with the owners given; answers its URN. A domain that exists is
    /// CONFLICT.
    async fn create_domain(
        &self,
        ctx: &Context<'_>,
        input: CreateDomainInput,
    ) -> Result<Option<String>> {
        let parent = parent(
            ctx,
            "parentDomain",
            input.parent_domain.as_deref(),
            EntityKind::Domain,
        )
        .await?;
        let owners = new_owners(ctx, input.owners.as_deref().unwrap_or_default(), None).await?;
        let actor = writer(ctx)?;
        let entity = NewEntity::Domain {
            name: input.name,
            description: input.description,
            parent,
        };
        create(ctx, input.id.as_deref(), entity, |urn| {
            if owners.is_empty() {
                return vec![];
            }
            let edit = GovernanceEdit::AddOwners(owners);
            let mut w = crate::catalog::governance_edit(urn.clone(), edit, &actor.name);
            // Made in the same transaction as the domain, which may not have a row before it.
            w.must_exist = false;
            vec![w]
        })
        .await
    }

    /// Creates a group (its `corpGroupInfo`, and `origin` NATIVE); answers its URN. A group that
    /// exists is CONFLICT.
    async fn create_group(
        &self,
        ctx: &Context<'_>,
        input: CreateGroupInput,
    ) -> Result<Option<String>> {
        let entity = NewEntity::Group {
            name: input.name,
            description: input.description,
        };
        create(ctx, input.id.as_deref(), entity, |_| vec![]).await
    }

    /// Renames a tag, glossary term or node, domain or group that was created (that has
    /// properties); one never created is NOT_FOUND.
    async fn update_name(&self, ctx: &Context<'_>, input: UpdateNameInput) -> Result<Option<bool>> {
        let urn = urn_of(
            "urn",
            &input.urn,
            &["tag", "glossaryTerm", "glossaryNode", "domain", "corpGroup"],
        )?;
        write(ctx, vec![rename(urn, input.name)?]).await?;
        Ok(Some(true))
    }

    /// Adds users to a group, each in its own `groupMembership`, all in one transaction:
    /// concurrent additions to one group keep each other.
    async fn add_group_members(
        &self,
        ctx: &Context<'_>,
        input: AddGroupMembersInput,
    ) -> Result<Option<bool>> {
        members(ctx, &input.group_urn, &input.user_urns, true).await
    }

    /// Removes users from a group; removing one who is not a member changes nothing.
    async fn remove_group_members(
        &self,
        ctx: &Context<'_>,
        input: RemoveGroupMembersInput,
    ) -> Result<Option<bool>> {
        members(ctx, &input.group_urn, &input.user_urns, false).await
    }

    /// Sets what people say about a user (`corpUserEditableInfo`), the fields given only; a user
    /// not seen before is created. Answers the user.
    async fn update_corp_user_properties(
        &self,
        ctx: &Context<'_>,
        urn: String,
        input: CorpUserUpdateInput,
    ) -> Result<Option<CorpUser>> {
        let user = urn_of("urn", &urn, &["corpuser"])?;
        let platforms = match &input.platform_urns {
            Some(p) => Some(super::urns_of("input.platformUrns", p, &["dataPlatform"])?),
            None => None,
        };
        if let Some(p) = &input.persona_urn {
            urn_of("input.personaUrn", p, &["dataHubPersona"])?;
        }
        let mut fields = Map::new();
        put(&mut fields, "displayName", input.display_name);
        put(&mut fields, "title", input.title);
        put(&mut fields, "aboutMe", input.about_me);
        put(&mut fields, "teams", input.teams);
        put(&mut fields, "skills", input.skills);
        put(&mut fields, "pictureLink", input.picture_link);
        put(&mut fields, "slack", input.slack);
        put(&mut fields, "phone", input.phone);
        put(&mut fields, "email", input.email);
        put(
            &mut fields,
            "platforms",
            platforms.map(|p| p.iter().map(|u| u.to_string()).collect::<Vec<_>>()),
        );
        put(&mut fields, "persona", input.persona_urn);
        let mut w = edit_info(user.clone(), "corpUserEditableInfo", fields);
        // A user is known by being named; editing one not seen before creates it.
        w.must_exist = false;
        write(ctx, vec![w]).await?;
        Ok(Some(CorpUser(user)))
    }

    /// Sets what people say about a group (`corpGroupEditableInfo`), the fields given only; the
    /// group must exist. Answers the group.
    async fn update_corp_group_properties(
        &self,
        ctx: &Context<'_>,
        urn: String,
        input: CorpGroupUpdateInput,
    ) -> Result<Option<CorpGroup>> {
        let group = urn_of("urn", &urn, &["corpGroup"])?;
        let mut fields = Map::new();
        put(&mut fields, "description", input.description);
        put(&mut fields, "slack", input.slack);
        put(&mut fields, "email", input.email);
        put(&mut fields, "pictureLink", input.picture_link);
        write(
            ctx,
            vec![edit_info(group.clone(), "corpGroupEditableInfo", fields)],
        )
        .await?;
        Ok(Some(CorpGroup(group)))
    }

    /// Soft-deletes a tag: it leaves every list and relation, its data and history are kept,
    /// and `restoreEntity` brings it back. The entities that carry it keep their `globalTags`.
    async fn delete_tag(&self, ctx: &Context<'_>, urn: String) -> Result<Option<bool>> {
        soft_delete(ctx, &urn, &["tag"]).await
    }

    /// Soft-deletes a glossary term or node, as `deleteTag` does a tag.
    async fn delete_glossary_entity(&self, ctx: &Context<'_>, urn: String) -> Result<Option<bool>> {
        soft_delete(ctx, &urn, &["glossaryTerm", "glossaryNode"]).await
    }

    /// Soft-deletes a domain, as `deleteTag` does a tag.
    async fn delete_domain(&self, ctx: &Context<'_>, urn: String) -> Result<Option<bool>> {
        soft_delete(ctx, &urn, &["domain"]).await
    }

    /// Soft-deletes a user, as `deleteTag` does a tag.
    async fn remove_user(&self, ctx: &Context<'_>, urn: String) -> Result<Option<bool>> {
        soft_delete(ctx, &urn, &["corpuser"]).await
    }

    /// Soft-deletes a group, as `deleteTag` does a tag.
    async fn remove_group(&self, ctx: &Context<'_>, urn: String) -> Result<Option<bool>> {
        soft_delete(ctx, &urn, &["corpGroup"]).await
    }
}

/// The one path of `addGroupMembers` and `removeGroupMembers`.
async fn members(
    ctx: &Context<'_>,
    group: &str,
    users: &[String],
    add: bool,
) -> Result<Option<bool>> {
    let group = existing_group(ctx, group).await?;
    let users = super::urns_of("userUrns", users, &["corpuser"])?;
    let writes: Vec<AspectWrite> = users
        .into_iter()
        .map(|u| membership_edit(u, vec![group.clone()], add))
        .collect();
    if !writes.is_empty() {
        write(ctx, writes).await?;
    }
    Ok(Some(true))
}
