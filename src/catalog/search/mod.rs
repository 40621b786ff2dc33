//! Search: what an entity is found by (its index row, rebuilt by the write path inside the
//! write's transaction whenever an aspect it is made from changes), and the one search
//! interface the front doors ask (words, filters, facets → a ranked page of entities, the
//! total and exact facet counts). The two engines (SQLite FTS5, PostgreSQL `tsvector`) are in
//! `store::search`; `filters.rs` holds what a search can be filtered on, `document.rs` what
//! an entity is found by.
//!
//! Words are split and folded here, for both the index and the query: a word is a run of
//! letters and digits (`customer_churn-v2` is `customer`, `churn`, `v2`), lower-cased with
//! Unicode's rules. Anything else in a query (quotes, `*`, `:`, parentheses, `-`, `NEAR`'s
//! syntax) separates words and is otherwise ignored, so no query reaches an engine's syntax.

use futures_util::FutureExt;
use sea_orm::TransactionTrait;

use super::records::{EntityId, EntityRecord};
use super::text::refuse_nul;
use super::{Catalog, Error, Result};
use crate::store::search::{self as index, After, Order};
use crate::store::{entity, CHUNK};
use crate::urn::EntityKind;
use filters::predicate;

mod document;
mod filters;

pub use document::{changes_document, is_indexed, INDEXED_ASPECTS, NAMING_ASPECTS};
pub(crate) use document::{reindex, reindex_carriers};
pub use filters::{Condition, FieldFilter, SearchField, SEARCHED_KINDS};

/// The longest query text, in characters.
pub const MAX_SEARCH_QUERY_CHARS: usize = 1_000;

/// The words of a text: runs of letters and digits, lower-cased.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// What results can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// The name, case-folded.
    Name,
    /// When an aspect was last written.
    LastModified,
    /// When the catalog first saw the URN.
    Created,
}

/// An order of results other than best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sort {
    pub key: SortKey,
    pub ascending: bool,
}

/// Where a scroll goes on: after the entity with this sort value and URN. Made by the catalog
/// from the last entity of a page ([`ScrollPage::next`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cursor {
    /// The folded name and URN of the last entity seen.
    Name(String, String),
    /// The creation time and URN of the last entity seen.
    Created(i64, String),
}

/// One page of a scroll.
#[derive(Clone, Debug)]
pub struct ScrollPage {
    pub page: SearchPage,
    /// Where the next page starts; `None` after the last page.
    pub next: Option<Cursor>,
}

/// A search.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    /// What a person typed; empty or `*` for every entity.
    pub query: String,
    /// Entity types to search; empty for all.
    pub kinds: Vec<EntityKind>,
    /// Any one of these lists of conditions, all of each; empty for no filter.
    pub any_of: Vec<Vec<FieldFilter>>,
    /// The fields to count facets on.
    pub facets: Vec<SearchField>,
    /// The order of the results; `None` best first.
    pub sort: Option<Sort>,
    /// Soft-deleted entities too (as when a filter names `removed`).
    pub include_removed: bool,
    /// Only these entities, when set (a lineage search: the entities a walk reached): list `i`
    /// restricts `any_of[i]`, so each list of conditions can have its own; a single list when
    /// `any_of` is empty.
    pub within: Option<Vec<Vec<EntityId>>>,
    pub start: u64,
    pub count: u64,
}

/// One entity a search found.
#[derive(Clone, Debug)]
pub struct SearchHit {
    pub entity: EntityRecord,
    /// Whether the query's words are in the entity's name (rather than elsewhere).
    pub name_matched: bool,
}

/// The values of one facet field among all the entities a search matches.
#[derive(Clone, Debug)]
pub struct Facet {
    pub field: SearchField,
    /// `(value, how many entities have it)`, most frequent first.
    pub values: Vec<(String, u64)>,
}

/// One page of a search.
#[derive(Clone, Debug)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    /// How many entities match in all.
    pub total: u64,
    pub facets: Vec<Facet>,
}

/// The longest a scroll may stay open, in milliseconds (a day).
pub const MAX_KEEP_ALIVE_MS: i64 = 24 * 60 * 60 * 1000;

/// A search request checked and in the store's terms, which [`index::Query`] borrows.
struct Parts<'r> {
    words: Vec<String>,
    phrase: String,
    kinds: Vec<&'r str>,
    any_of: Vec<Vec<index::Predicate>>,
    with_removed: bool,
    order: Order,
    within: Option<Vec<Vec<i64>>>,
}

impl<'r> Parts<'r> {
    fn of(request: &'r SearchRequest) -> Result<Parts<'r>> {
        refuse_nul("query", &request.query)?;
        super::text::refuse_longer("query", &request.query, MAX_SEARCH_QUERY_CHARS)?;
        let trimmed = request.query.trim();
        let mut any_of = Vec::with_capacity(request.any_of.len());
        let mut with_removed = request.include_removed;
        for (i, all) in request.any_of.iter().enumerate() {
            let mut preds = Vec::with_capacity(all.len());
            for (j, f) in all.iter().enumerate() {
                with_removed |= f.field == SearchField::Removed;
                preds.push(predicate(&format!("orFilters[{i}].and[{j}]"), f)?);
            }
            any_of.push(preds);
        }
        let order = match request.sort {
            None => Order::Rank,
            Some(Sort { key, ascending }) => match key {
                SortKey::Name => Order::Name(ascending),
                SortKey::LastModified => Order::Modified(ascending),
                SortKey::Created => Order::Created(ascending),
            },
        };
        let within: Option<Vec<Vec<i64>>> = request.within.as_ref().map(|lists| {
            lists
                .iter()
                .map(|l| l.iter().map(|id| id.0).collect())
                .collect()
        });
        if let Some(lists) = &within {
            if lists.len() != any_of.len().max(1) {
                return Err(Error::Internal(anyhow::anyhow!(
                    "a search restricted by {} lists of entities has {} lists of conditions",
                    lists.len(),
                    any_of.len()
                )));
            }
        }
        Ok(Parts {
            words: words(trimmed).collect(),
            phrase: trimmed.to_lowercase(),
            kinds: request.kinds.iter().map(EntityKind::as_str).collect(),
            any_of,
            with_removed,
            order,
            within,
        })
    }

    /// The store's query: the words in the name only when `in_name`; after `after` in a scroll.
    fn query<'a>(&'a self, in_name: bool, after: Option<&'a After>) -> index::Query<'a> {
        index::Query {
            words: (!self.words.is_empty()).then_some(self.words.as_slice()),
            in_name,
            phrase: &self.phrase,
            kinds: &self.kinds,
            any_of: &self.any_of,
            with_removed: self.with_removed,
            order: self.order,
            after,
            within: self.within.as_deref(),
        }
    }
}

impl Catalog {
    /// One page of the entities a search matches, best first, how many match in all, and the
    /// counts of the asked facets among all of them. Soft-deleted entities are left out unless
    /// a filter names `removed`.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchPage> {
        Ok(self.run(request, None).await?.0)
    }

    /// Up to `request.count` entities whose names complete `request.query`, for type-ahead:
    /// names starting with it first (the name that is it first of all), then names holding its
    /// words (the last as a prefix), each in name order; the request's types and filters apply,
    /// its page start, sort and facets do not. Words elsewhere (descriptions, tags) do not
    /// complete a name.
    pub async fn complete(&self, request: &SearchRequest) -> Result<Vec<EntityRecord>> {
        let parts = Parts::of(request)?;
        let query = parts.query(true, None);
        Ok(self
            .read(|db| index::complete(db, &query, request.count).boxed())
            .await?
            .into_iter()
            .map(EntityRecord::from)
            .collect())
    }

    /// One page of a scroll through the entities a search matches: `after` the entity a
    /// previous page ended with (from the start when `None`), and where the next page starts.
    ///
    /// Pages are keyset pages on a total order of keys that never change: the folded name (the
    /// URN's own name part) or the creation time, then the URN. So an entity that matches for
    /// the whole scroll is on exactly one page however others write meanwhile: its key is
    /// either before the cursor (seen already) or after it (still to come), and the cursor only
    /// moves forward. Best-first and last-modified orders are refused here: an edit moves an
    /// entity within them, which could show it twice or never.
    pub async fn scroll(
        &self,
        request: &SearchRequest,
        after: Option<&Cursor>,
    ) -> Result<ScrollPage> {
        let ascending = match request.sort {
            None => true,
            Some(Sort {
                key: SortKey::Name | SortKey::Created,
                ascending,
            }) => ascending,
            Some(Sort {
                key: SortKey::LastModified,
                ..
            }) => {
                return Err(Error::Invalid {
                    field: "input.sortInput".into(),
                    message: "input.sortInput: a scroll cannot sort by lastModifiedAt (an edit \
                              moves an entity in that order, so a scroll could show it twice); \
                              sort by name or createdAt, or use searchAcrossEntities"
                        .into(),
                })
            }
        };
        let key = request.sort.map_or(SortKey::Name, |s| s.key);
        match (key, after) {
            (_, None) | (SortKey::Name, Some(Cursor::Name(..))) => {}
            (SortKey::Created, Some(Cursor::Created(..))) => {}
            _ => {
                return Err(Error::Invalid {
                    field: "input.scrollId".into(),
                    message: "input.scrollId was issued for another order; start again \
                              without scrollId"
                        .into(),
                })
            }
        }
        let mut request = request.clone();
        request.sort = Some(Sort { key, ascending });
        // One more than asked, to know whether another page follows.
        let count = request.count;
        request.count = count.saturating_add(1);
        let after = after.map(|c| match c {
            Cursor::Name(name, urn) => After::Name(name.clone(), urn.clone()),
            Cursor::Created(at, urn) => After::Time(*at, urn.clone()),
        });
        let (mut page, mut keys) = self.run(&request, after.as_ref()).await?;
        let more = page.hits.len() as u64 > count;
        page.hits.truncate(count as usize);
        keys.truncate(count as usize);
        let next = match (more, keys.pop()) {
            (true, Some((name, created, urn))) => Some(match key {
                SortKey::Created => Cursor::Created(created, urn),
                _ => Cursor::Name(name, urn),
            }),
            _ => None,
        };
        Ok(ScrollPage { page, next })
    }

    /// Runs a search; answers the page and, for each hit, its folded name, creation time and
    /// URN (the keys a scroll goes on from).
    async fn run(
        &self,
        request: &SearchRequest,
        after: Option<&After>,
    ) -> Result<(SearchPage, Vec<(String, i64, String)>)> {
        let parts = Parts::of(request)?;
        let query = parts.query(false, after);
        let fields: Vec<index::Counted> = request.facets.iter().map(|f| f.counted()).collect();
        let mut facets: Vec<Facet> = request
            .facets
            .iter()
            .map(|&field| Facet {
                field,
                values: Vec::new(),
            })
            .collect();
        // Facets count every match, wherever the page starts; the statement that counts them
        // counts the matches too, so a search with facets finds its matches twice, not three
        // times.
        let total = if fields.is_empty() {
            self.read(|db| index::count(db, &query).boxed()).await?
        } else {
            let (total, counted) = self
                .read(|db| index::facets(db, &query, &fields, index::FACET_ROWS_PER_MATCH).boxed())
                .await?;
            for (field, value, count) in counted {
                if let Some(facet) = facets.iter_mut().find(|f| f.field.as_str() == field) {
                    facet.values.push((value, count.max(0) as u64));
                }
            }
            total
        };
        // A page past the last match holds nothing (a keyset page starts after an entity, not
        // at a position).
        let hits = if after.is_none() && total <= request.start {
            Vec::new()
        } else {
            self.read(|db| index::page(db, &query, request.start, request.count).boxed())
                .await?
        };
        let keys = hits
            .iter()
            .map(|h| {
                (
                    h.entity.search_name.clone(),
                    h.entity.created_at,
                    h.entity.urn.clone(),
                )
            })
            .collect();
        let page = SearchPage {
            hits: hits
                .into_iter()
                .map(|h| SearchHit {
                    name_matched: h.class < 3,
                    entity: EntityRecord::from(h.entity),
                })
                .collect(),
            total,
            facets,
        };
        Ok((page, keys))
    }

    /// Writes the index rows of entities written before the index existed (a catalog made by
    /// an older mlcat), in batches; answers how many. Run at start-up, after the migrations.
    pub async fn index_missing(&self) -> Result<u64> {
        let mut done = 0;
        loop {
            let rows = index::unindexed(&self.db, CHUNK as u64).await?;
            if rows.is_empty() {
                return Ok(done);
            }
            done += rows.len() as u64;
            let refs: Vec<&entity::Model> = rows.iter().collect();
            let txn = self.db.begin().await?;
            reindex(&txn, &refs).await?;
            txn.commit().await?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_folded() {
        let got: Vec<String> = words("Customer_Churn-v2 \"NEAR\"(x:*) ÄRGER").collect();
        assert_eq!(
            got,
            ["customer", "churn", "v2", "near", "x", "ärger"].map(String::from)
        );
    }
}
