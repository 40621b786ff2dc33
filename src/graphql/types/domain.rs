//! `Domain`: an area of the business that entities belong to through their `domains` aspect,
//! with its `domainProperties` (`DomainProperties`) and its parent domains
//! (`ParentDomainsResult`).

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use serde::Deserialize;

use super::governance::{self, aspect_of, read_by_urn, InstitutionalMemory, Ownership};
use super::search::{SearchResult, SearchResults};
use super::search_inputs::{FacetFilterInput, FilterOperator};
use super::Entity;
use crate::catalog::{Catalog, Error};
use crate::config::Limits;
use crate::graphql::scalars::EntityType;
use crate::urn::{EntityKind, Urn};

/// The stored `domainProperties` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DomainPropertiesAspect {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    parent_domain: Option<String>,
}

/// An area of the business that entities belong to, such as `Marketing`.
pub struct Domain(pub Urn);

impl Domain {
    async fn props(&self, ctx: &Context<'_>) -> Result<Option<DomainPropertiesAspect>> {
        aspect_of(ctx, &self.0, "domainProperties").await
    }
}

/// The parent domain a `domainProperties` aspect names.
fn parent_domain(props: &DomainPropertiesAspect) -> Option<&str> {
    props.parent_domain.as_deref()
}

/// An area of the business that entities belong to, such as `Marketing`.
#[Object]
impl Domain {
    /// The URN: `urn:li:domain:<id>`.
    pub(crate) async fn urn(&self) -> String {
        self.0.to_string()
    }
    /// Always `DOMAIN`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::Domain
    }
    /// The domain's id, from its URN.
    async fn id(&self) -> &str {
        self.0.name()
    }
    /// The domain's properties; null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<DomainProperties>> {
        Ok(self.props(ctx).await?.map(|p| DomainProperties {
            name: p.name.unwrap_or_else(|| self.0.name().to_string()),
            description: p.description,
        }))
    }
    /// The domains above this one, nearest first.
    async fn parent_domains(&self, ctx: &Context<'_>) -> Result<Option<ParentDomainsResult>> {
        let first = governance::parent_of(
            self.props(ctx).await?.as_ref().and_then(parent_domain),
            &EntityKind::Domain,
        );
        let domains = governance::parent_chain(
            ctx,
            first,
            "domainProperties",
            parent_domain,
            &EntityKind::Domain,
        )
        .await?;
        Ok(Some(ParentDomainsResult {
            count: domains.len() as i32,
            domains: domains
                .into_iter()
                .map(|u| Entity::Domain(Domain(u)))
                .collect(),
        }))
    }
    /// The entities in the domain (those whose `domains` aspect names it: its `AssociatedWith`
    /// relationships), by URN, leaving out soft-deleted ones.
    #[graphql(complexity = "1 + entities_page(&input) * child_complexity")]
    async fn entities(
        &self,
        ctx: &Context<'_>,
        input: Option<DomainEntitiesInput>,
    ) -> Result<SearchResults> {
        let limits = ctx.data::<Limits>()?;
        let input = input.unwrap_or_default();
        let start = input.start.unwrap_or(0);
        let count = input
            .count
            .unwrap_or(limits.default_page_size.min(limits.max_page_size) as i32);
        if start < 0 {
            return Err(Error::bad_input("input.start must not be negative").into());
        }
        if count < 0 || count as u64 > limits.max_page_size {
            return Err(Error::bad_input(format!(
                "input.count must be between 0 and the page-size cap of {}",
                limits.max_page_size
            ))
            .into());
        }
        let kinds = entity_types(input.filters.as_deref().unwrap_or_default())?;
        let (rows, total) = match &kinds {
            Some(k) if k.is_empty() => (Vec::new(), 0),
            _ => {
                ctx.data::<Catalog>()?
                    .in_domain(&self.0, kinds.as_deref(), start as u64, count as u64)
                    .await?
            }
        };
        crate::graphql::loaders::charge(ctx, rows.len())?;
        let results: Vec<SearchResult> = rows
            .into_iter()
            .filter_map(|row| Entity::from_row(std::sync::Arc::new(row)))
            .map(|entity| SearchResult {
                entity,
                matched_fields: Vec::new(),
                extra_properties: Some(Vec::new()),
            })
            .collect();
        Ok(SearchResults {
            start,
            count: results.len() as i32,
            total: i32::try_from(total).unwrap_or(i32::MAX),
            search_results: results,
            facets: Some(Vec::new()),
        })
    }
    /// Who owns the domain.
    async fn ownership(&self, ctx: &Context<'_>) -> Result<Option<Ownership>> {
        read_by_urn!(ctx, &self.0, governance::ownership)
    }
    /// Links about the domain.
    async fn institutional_memory(&self, ctx: &Context<'_>) -> Result<Option<InstitutionalMemory>> {
        read_by_urn!(ctx, &self.0, governance::institutional_memory)
    }
    /// DataHub's raw relationships of the domain, by relation name and declaring side:
    /// `AssociatedWith` INCOMING lists the entities in it, `IsPartOf` INCOMING its sub-domains.
    #[graphql(
        complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
    )]
    pub(crate) async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::lineage::RelationshipsInput,
    ) -> Result<crate::graphql::lineage::EntityRelationshipsResult> {
        crate::graphql::lineage::relationships_by_urn(ctx, &self.0, input).await
    }
    /// False for a domain that entities name but nobody described.
    async fn exists(&self, ctx: &Context<'_>) -> Result<bool> {
        governance::exists(ctx, &self.0).await
    }
}

/// The properties of a domain.
#[derive(SimpleObject)]
pub struct DomainProperties {
    /// The name to show; the id in the URN when none was given.
    pub name: String,
    /// What the domain covers.
    pub description: Option<String>,
}

/// The parent domains of a domain, nearest first.
#[derive(SimpleObject)]
pub struct ParentDomainsResult {
    /// How many parent domains there are.
    pub count: i32,
    /// The parent domains, nearest first.
    pub domains: Vec<Entity>,
}

/// The page size of a `Domain.entities` request, for pricing its complexity.
fn entities_page(input: &Option<DomainEntitiesInput>) -> usize {
    input
        .as_ref()
        .and_then(|i| i.count)
        .map_or(20, |c| c.max(0) as usize)
}

/// Which page of a domain's entities to answer.
#[derive(InputObject, Default)]
pub struct DomainEntitiesInput {
    /// Index of the first result, from 0.
    pub start: Option<i32>,
    /// How many results to return; at most the server's page-size cap.
    pub count: Option<i32>,
    /// DataHub's search filters, all of which must hold. mlcat filters on `_entityType` only
    /// (values such as `DATA_PRODUCT`); any other field is refused.
    pub filters: Option<Vec<FacetFilterInput>>,
}

/// The URN entity types the filters leave (all must hold): `None` for no filter, an empty
/// list when no type can match. A filter mlcat cannot apply is BAD_USER_INPUT naming it.
fn entity_types(filters: &[FacetFilterInput]) -> Result<Option<Vec<&'static str>>, Error> {
    use async_graphql::resolver_utils::EnumType;
    let mut kept: Option<Vec<&'static str>> = None;
    for (i, f) in filters.iter().enumerate() {
        if f.field != "_entityType" {
            return Err(Error::bad_input(format!(
                "input.filters[{i}].field {:?} is not supported: mlcat filters a domain's \
                 entities on _entityType only",
                f.field
            )));
        }
        if f.negated == Some(true) {
            return Err(Error::bad_input(format!(
                "input.filters[{i}].negated: mlcat does not negate a domain's entity filters"
            )));
        }
        if let Some(c) = f
            .condition
            .filter(|c| !matches!(c, FilterOperator::Equal | FilterOperator::In))
        {
            return Err(Error::bad_input(format!(
                "input.filters[{i}].condition {c:?}: a domain's entities are filtered with EQUAL or IN only"
            )));
        }
        let mut types = Vec::new();
        for v in f.value.iter().chain(f.values.iter().flatten()) {
            let t = EntityType::items()
                .iter()
                .find(|item| item.name == v.as_str())
                .map(|item| item.value)
                .ok_or_else(|| {
                    Error::bad_input(format!(
                        "input.filters[{i}]: {v:?} is not an entity type such as DATA_PRODUCT"
                    ))
                })?;
            if let Some(name) = t.urn_type() {
                types.push(name);
            }
        }
        if f.value.is_none() && f.values.is_none() {
            return Err(Error::bad_input(format!(
                "input.filters[{i}] needs value or values"
            )));
        }
        kept = Some(match kept {
            None => types,
            Some(before) => before.into_iter().filter(|t| types.contains(t)).collect(),
        });
    }
    Ok(kept)
}
