//! Limits async-graphql has no setting for: the number of aliases in a query (a thousand
//! aliases of one field is a cheap way to ask for a thousand lookups). Depth and complexity
//! use async-graphql's own limits, set in `build_schema`.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{ErrorExtensions, ServerError, ServerResult, Variables};

/// Refuses a query with more aliases than the limit, before anything runs.
pub struct AliasLimit(pub usize);

impl ExtensionFactory for AliasLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AliasLimitExtension(self.0))
    }
}

struct AliasLimitExtension(usize);

fn aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some()) + aliases(&f.node.selection_set.node)
            }
            Selection::InlineFragment(f) => aliases(&f.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// Every alias written in the document, in operations and fragments alike.
pub fn count_aliases(doc: &ExecutableDocument) -> usize {
    let in_operations: usize = match &doc.operations {
        DocumentOperations::Single(op) => aliases(&op.node.selection_set.node),
        DocumentOperations::Multiple(ops) => ops
            .values()
            .map(|op| aliases(&op.node.selection_set.node))
            .sum(),
    };
    let in_fragments: usize = doc
        .fragments
        .values()
        .map(|f| aliases(&f.node.selection_set.node))
        .sum();
    in_operations + in_fragments
}

#[async_graphql::async_trait::async_trait]
impl Extension for AliasLimitExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let found = count_aliases(&doc);
        if found > self.0 {
            let error = async_graphql::Error::new(format!(
                "the query has {found} aliases; the limit is {} (--max-query-aliases)",
                self.0
            ))
            .extend_with(|_, e| e.set("code", "BAD_USER_INPUT"));
            return Err(ServerError {
                extensions: error.extensions,
                ..ServerError::new(error.message, None)
            });
        }
        Ok(doc)
    }
}
