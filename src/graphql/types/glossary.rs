//! `GlossaryTerm` and `GlossaryNode`: a business glossary's terms and the nodes that group them,
//! with their properties (`glossaryTermInfo`, `glossaryNodeInfo`) and the chain of parent nodes
//! (`ParentNodesResult`).

use async_graphql::{Context, Object, Result, SimpleObject};
use serde::Deserialize;

use super::governance::{
    self, aspect_of, read_by_urn, Deprecation, DomainAssociation, InstitutionalMemory, Ownership,
};
use crate::graphql::scalars::{custom_properties, CustomPropertiesEntry, EntityType};
use crate::urn::{EntityKind, Urn};

/// The stored `glossaryTermInfo` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TermInfoAspect {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    definition: Option<String>,
    #[serde(default)]
    parent_node: Option<String>,
    #[serde(default)]
    term_source: Option<String>,
    #[serde(default)]
    source_ref: Option<String>,
    #[serde(default)]
    source_url: Option<String>,
    #[serde(default)]
    custom_properties: std::collections::BTreeMap<String, String>,
}

/// The stored `glossaryNodeInfo` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NodeInfoAspect {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    definition: Option<String>,
    #[serde(default)]
    parent_node: Option<String>,
}

/// The parent node a glossary info aspect names.
fn parent_node(info: &NodeInfoAspect) -> Option<&str> {
    info.parent_node.as_deref()
}

/// The chain of parent nodes above `first`, nearest first.
async fn parent_chain(ctx: &Context<'_>, first: Option<Urn>) -> Result<ParentNodesResult> {
    let nodes = governance::parent_chain(
        ctx,
        first,
        "glossaryNodeInfo",
        parent_node,
        &EntityKind::GlossaryNode,
    )
    .await?;
    Ok(ParentNodesResult {
        count: nodes.len() as i32,
        nodes: nodes.into_iter().map(GlossaryNode).collect(),
    })
}

/// The parent nodes of a glossary term or node, nearest first.
#[derive(SimpleObject)]
pub struct ParentNodesResult {
    /// How many parent nodes there are.
    pub count: i32,
    /// The parent nodes, nearest first.
    pub nodes: Vec<GlossaryNode>,
}

/// A term of the business glossary, such as `Classification.PII`.
pub struct GlossaryTerm(pub Urn);

impl GlossaryTerm {
    async fn info(&self, ctx: &Context<'_>) -> Result<Option<TermInfoAspect>> {
        aspect_of(ctx, &self.0, "glossaryTermInfo").await
    }
}

/// A term of the business glossary, such as `Classification.PII`.
#[Object]
impl GlossaryTerm {
    /// The URN: `urn:li:glossaryTerm:<id>`.
    pub(crate) async fn urn(&self) -> String {
        self.0.to_string()
    }
    /// Always `GLOSSARY_TERM`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::GlossaryTerm
    }
    /// The term's id, from its URN.
    #[graphql(deprecation = "Use `properties.name`")]
    async fn name(&self) -> &str {
        self.0.name()
    }
    /// The term's id with its place in the glossary, as in its URN (`Classification.PII`).
    async fn hierarchical_name(&self) -> &str {
        self.0.name()
    }
    /// The term's properties; null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<GlossaryTermProperties>> {
        Ok(self.info(ctx).await?.map(|i| {
            let definition = i.definition.unwrap_or_default();
            GlossaryTermProperties {
                name: i.name.unwrap_or_else(|| self.0.name().to_string()),
                description: Some(definition.clone()),
                definition,
                term_source: i.term_source.unwrap_or_default(),
                source_ref: i.source_ref,
                source_url: i.source_url,
                custom_properties: custom_properties(self.0.as_str(), &i.custom_properties),
            }
        }))
    }
    /// The glossary nodes above the term, nearest first.
    async fn parent_nodes(&self, ctx: &Context<'_>) -> Result<Option<ParentNodesResult>> {
        let info = self.info(ctx).await?;
        let first = governance::parent_of(
            info.as_ref().and_then(|i| i.parent_node.as_deref()),
            &EntityKind::GlossaryNode,
        );
        Ok(Some(parent_chain(ctx, first).await?))
    }
    /// Who owns the term.
    async fn ownership(&self, ctx: &Context<'_>) -> Result<Option<Ownership>> {
        read_by_urn!(ctx, &self.0, governance::ownership)
    }
    /// The domain the term belongs to.
    async fn domain(&self, ctx: &Context<'_>) -> Result<Option<DomainAssociation>> {
        read_by_urn!(ctx, &self.0, governance::domain)
    }
    /// Links about the term.
    async fn institutional_memory(&self, ctx: &Context<'_>) -> Result<Option<InstitutionalMemory>> {
        read_by_urn!(ctx, &self.0, governance::institutional_memory)
    }
    /// Whether the term is deprecated.
    async fn deprecation(&self, ctx: &Context<'_>) -> Result<Option<Deprecation>> {
        read_by_urn!(ctx, &self.0, governance::deprecation)
    }
    /// DataHub's raw relationships of the term, by relation name and declaring side: `TermedWith`
    /// INCOMING lists the entities it is attached to, `IsPartOf` OUTGOING its node.
    #[graphql(
        complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
    )]
    async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::lineage::RelationshipsInput,
    ) -> Result<crate::graphql::lineage::EntityRelationshipsResult> {
        crate::graphql::lineage::relationships_by_urn(ctx, &self.0, input).await
    }
    /// False for a term that is only attached to entities so far, with no metadata of its own.
    async fn exists(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        Ok(Some(governance::exists(ctx, &self.0).await?))
    }
}

/// The properties of a glossary term.
#[derive(SimpleObject)]
pub struct GlossaryTermProperties {
    /// The name to show; the id in the URN when none was given.
    pub name: String,
    /// What the term means (its definition).
    pub description: Option<String>,
    /// What the term means; empty when none was written.
    #[graphql(deprecation = "Use `description`")]
    pub definition: String,
    /// Where the term comes from (`INTERNAL`, `EXTERNAL`); empty when none was written.
    pub term_source: String,
    /// The term's id in its external source.
    pub source_ref: Option<String>,
    /// A link to the term in its external source.
    pub source_url: Option<String>,
    /// Free-form key-value properties.
    pub custom_properties: Option<Vec<CustomPropertiesEntry>>,
}

/// A node of the business glossary: a group of terms and nodes.
pub struct GlossaryNode(pub Urn);

/// A node of the business glossary: a group of terms and nodes.
#[Object]
impl GlossaryNode {
    /// The URN: `urn:li:glossaryNode:<id>`.
    pub(crate) async fn urn(&self) -> String {
        self.0.to_string()
    }
    /// Always `GLOSSARY_NODE`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::GlossaryNode
    }
    /// The node's properties; null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<GlossaryNodeProperties>> {
        let info: Option<NodeInfoAspect> = aspect_of(ctx, &self.0, "glossaryNodeInfo").await?;
        Ok(info.map(|i| GlossaryNodeProperties {
            name: i.name.unwrap_or_else(|| self.0.name().to_string()),
            description: i.definition,
        }))
    }
    /// The glossary nodes above this one, nearest first.
    async fn parent_nodes(&self, ctx: &Context<'_>) -> Result<Option<ParentNodesResult>> {
        let info: Option<NodeInfoAspect> = aspect_of(ctx, &self.0, "glossaryNodeInfo").await?;
        let first = governance::parent_of(
            info.as_ref().and_then(|i| i.parent_node.as_deref()),
            &EntityKind::GlossaryNode,
        );
        Ok(Some(parent_chain(ctx, first).await?))
    }
    /// Who owns the node.
    async fn ownership(&self, ctx: &Context<'_>) -> Result<Option<Ownership>> {
        read_by_urn!(ctx, &self.0, governance::ownership)
    }
    /// Links about the node.
    async fn institutional_memory(&self, ctx: &Context<'_>) -> Result<Option<InstitutionalMemory>> {
        read_by_urn!(ctx, &self.0, governance::institutional_memory)
    }
    /// DataHub's raw relationships of the node, by relation name and declaring side: `IsPartOf`
    /// INCOMING lists the terms and nodes in it.
    #[graphql(
        complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
    )]
    async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::lineage::RelationshipsInput,
    ) -> Result<crate::graphql::lineage::EntityRelationshipsResult> {
        crate::graphql::lineage::relationships_by_urn(ctx, &self.0, input).await
    }
    /// False for a node that is only named by other entities so far.
    async fn exists(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        Ok(Some(governance::exists(ctx, &self.0).await?))
    }
}

/// The properties of a glossary node.
#[derive(SimpleObject)]
pub struct GlossaryNodeProperties {
    /// The name to show; the id in the URN when none was given.
    pub name: String,
    /// What the node groups (its definition).
    pub description: Option<String>,
}
