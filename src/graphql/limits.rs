//! Limits async-graphql has no setting for: the number of tokens in a query (counted before it
//! is parsed: the parser keeps hundreds of bytes per token, so a 7.6 MB query once took 600 MB
//! to parse) and the number of aliases (a thousand aliases of one field is a cheap way to ask
//! for a thousand lookups). Depth, complexity and directives per field use async-graphql's own
//! limits, set in `build_schema`.
//!
//! The check runs on the parsed request before execution rather than as a schema extension:
//! any extension, even one that only looks at parsing, sends every field of every answer
//! through async-graphql's per-field extension path, which costs a fifth of a large query's
//! time (see BENCHMARKS.md).

use std::collections::HashMap;
use std::sync::Mutex;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{ErrorExtensions, Request, Response, ServerError, Value, Variables};

use crate::config::Limits;

/// Parsed queries by their text. Clients send the same few query texts over and over with
/// different variables; parsing one costs more than the rest of a small request's GraphQL work.
/// Holds at most [`QueryCache::ENTRIES`] documents of at most [`QueryCache::MAX_TEXT`] bytes of
/// text each, and starts afresh when full.
#[derive(Default)]
pub struct QueryCache(Mutex<HashMap<String, (ExecutableDocument, usize)>>);

impl QueryCache {
    const ENTRIES: usize = 256;
    const MAX_TEXT: usize = 16 * 1024;

    fn get(&self, query: &str) -> Option<(ExecutableDocument, usize)> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(query).cloned()
    }

    fn put(&self, query: &str, doc: ExecutableDocument, aliases: usize) {
        if query.len() > Self::MAX_TEXT {
            return;
        }
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= Self::ENTRIES {
            map.clear();
        }
        map.insert(query.to_string(), (doc, aliases));
    }
}

/// Whether `query` has more than `max` lexical tokens: names, numbers, strings and
/// punctuators, as the GraphQL grammar counts them (commas, white space and comments are not
/// tokens). Stops counting at `max + 1`. async-graphql's parser has no such limit and builds
/// every token before any check can run, so this small scanner is written here; it only counts,
/// and a text it cannot make sense of is left to the parser, which reports the error.
pub fn exceeds_tokens(query: &str, max: usize) -> bool {
    let bytes = query.as_bytes();
    let mut tokens = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            _ if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' => {
                // A name or a number (a number may hold `.`, `+`, `-` and an exponent).
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.' | b'+'))
                {
                    i += 1;
                }
            }
            _ => i += 1,
        }
        tokens += 1;
        if tokens > max {
            return true;
        }
    }
    false
}

/// The answer refusing a query of more than `--max-query-tokens` tokens.
fn too_many_tokens(limits: &Limits) -> Response {
    bad_input(format!(
        "the query has more than {} tokens (--max-query-tokens); send repeated values as variables",
        limits.max_query_tokens
    ))
}

/// An answer of one BAD_USER_INPUT error, from no place in the document.
pub(super) fn bad_input(message: String) -> Response {
    let error =
        async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "BAD_USER_INPUT"));
    Response::from_errors(vec![ServerError {
        extensions: error.extensions,
        ..ServerError::new(error.message, None)
    }])
}

/// Aliases under `set`, or `None` when it is nested deeper than `depth_left`: such a document
/// is left to async-graphql's recursion limit, which refuses it, and is not walked here.
fn aliases(set: &SelectionSet, depth_left: usize) -> Option<usize> {
    let depth_left = depth_left.checked_sub(1)?;
    let mut found = 0;
    for item in &set.items {
        found += match &item.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some())
                    + aliases(&f.node.selection_set.node, depth_left)?
            }
            Selection::InlineFragment(f) => aliases(&f.node.selection_set.node, depth_left)?,
            Selection::FragmentSpread(_) => 0,
        };
    }
    Some(found)
}

/// Every alias written in the document, in operations and fragments alike; `None` when the
/// document is nested deeper than `max_depth`.
pub fn count_aliases(doc: &ExecutableDocument, max_depth: usize) -> Option<usize> {
    let mut found = 0;
    match &doc.operations {
        DocumentOperations::Single(op) => found += aliases(&op.node.selection_set.node, max_depth)?,
        DocumentOperations::Multiple(ops) => {
            for op in ops.values() {
                found += aliases(&op.node.selection_set.node, max_depth)?;
            }
        }
    }
    for fragment in doc.fragments.values() {
        found += aliases(&fragment.node.selection_set.node, max_depth)?;
    }
    Some(found)
}

/// The answer refusing `request` before anything runs, when it has more tokens or aliases than
/// the limits.
/// Parses the query once (or takes it from `cache`); execution reuses the parsed document. A
/// query that does not parse, or is nested past the recursion limit, is left to execution,
/// which reports the error.
pub fn refuse_over_limits(
    request: &mut Request,
    limits: &Limits,
    cache: &QueryCache,
) -> Option<Response> {
    let found = match cache.get(&request.query) {
        Some((doc, found)) => {
            request.set_parsed_query(doc);
            found
        }
        None => {
            // Counted before the query is parsed: parsing costs far more than the text's size.
            // A cached query was counted when it was first parsed.
            if exceeds_tokens(&request.query, limits.max_query_tokens) {
                return Some(too_many_tokens(limits));
            }
            let doc = request.parsed_query().ok()?;
            let found = count_aliases(doc, limits.max_query_depth.max(32))?;
            let doc = doc.clone();
            cache.put(&request.query, doc, found);
            found
        }
    };
    if found > limits.max_query_aliases {
        return Some(bad_input(format!(
            "the query has {found} aliases; the limit is {} (--max-query-aliases)",
            limits.max_query_aliases
        )));
    }
    // Only a query that names a traversal is walked for it.
    if !request.query.contains("lineageGraph") && !request.query.contains("AcrossLineage") {
        return None;
    }
    let variables = request.variables.clone();
    let operation_name = request.operation_name.clone();
    let traversed = request.parsed_query().ok().map_or(0, |doc| {
        traversal_budgets(doc, operation_name.as_deref(), &variables, limits)
    });
    if traversed <= limits.max_lineage_budget {
        return None;
    }
    Some(bad_input(format!(
        "the query's lineage traversals (lineageGraph, searchAcrossLineage, scrollAcrossLineage) together ask for {traversed} entities; a request may traverse at most {} (--max-lineage-budget): ask for smaller budgets or send them as separate requests",
        limits.max_lineage_budget
    )))
}

/// The budgets of the `lineageGraph` traversals the operation that runs asks for, summed: each
/// is the entities it may visit (its `budget`, or the default; a lineage search walks with the
/// default), so together they bound the request's traversal work as one traversal's budget
/// bounds its own. A budget out of range is
/// counted as asked; the field itself refuses it.
fn traversal_budgets(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    limits: &Limits,
) -> usize {
    let operation = match &doc.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => match operation_name {
            Some(name) => ops.get(name),
            None => ops.values().next(),
        },
    };
    let Some(operation) = operation else {
        return 0;
    };
    let mut seen = Vec::new();
    root_budgets(
        doc,
        &operation.node.selection_set.node,
        variables,
        limits,
        &mut seen,
    )
}

/// The root fields of `set` (through fragments, each spread once) that walk the lineage graph.
fn root_budgets<'d>(
    doc: &'d ExecutableDocument,
    set: &'d SelectionSet,
    variables: &Variables,
    limits: &Limits,
    seen: &mut Vec<&'d str>,
) -> usize {
    let mut total = 0usize;
    for item in &set.items {
        let n = match &item.node {
            Selection::Field(f) if f.node.name.node == "lineageGraph" => {
                // The input with the request's variables put in (an unknown one is null).
                let input = f.node.get_argument("input").and_then(|v| {
                    v.node
                        .clone()
                        .into_const_with(|name| {
                            Ok::<_, std::convert::Infallible>(
                                variables.get(&name).cloned().unwrap_or(Value::Null),
                            )
                        })
                        .ok()
                });
                let budget = input.as_ref().and_then(|input| match input {
                    Value::Object(fields) => fields.get("budget").map(|b| match b {
                        Value::Number(n) => n.as_u64().unwrap_or(0) as usize,
                        _ => limits.default_lineage_budget,
                    }),
                    _ => None,
                });
                budget.unwrap_or(limits.default_lineage_budget)
            }
            Selection::Field(f)
                if matches!(
                    f.node.name.node.as_str(),
                    "searchAcrossLineage" | "scrollAcrossLineage"
                ) =>
            {
                limits.default_lineage_budget
            }
            Selection::Field(_) => 0,
            Selection::InlineFragment(f) => {
                root_budgets(doc, &f.node.selection_set.node, variables, limits, seen)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match doc.fragments.get(name) {
                    Some(fragment) if !seen.contains(&name) => {
                        seen.push(name);
                        root_budgets(
                            doc,
                            &fragment.node.selection_set.node,
                            variables,
                            limits,
                            seen,
                        )
                    }
                    _ => 0,
                }
            }
        };
        total = total.saturating_add(n);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::exceeds_tokens;

    fn tokens(query: &str) -> usize {
        (0..1000)
            .find(|&max| !exceeds_tokens(query, max))
            .expect("fewer than 1000 tokens")
    }

    #[test]
    fn tokens_are_counted_as_graphql_counts_them() {
        assert_eq!(tokens(""), 0);
        assert_eq!(tokens("{ a }"), 3);
        assert_eq!(tokens("{ a, b, c } # a comment { { {"), 5);
        assert_eq!(
            tokens(r#"query Q($x: Int = -1.5e3) { f(s: "a { b } \" c") }"#),
            18
        );
        assert_eq!(tokens("{ ...F ... on T { x } }"), 10);
        assert_eq!(tokens(r#"{ f(s: """block { \""" } """) }"#), 8);
        assert_eq!(tokens("{ f @include(if: true) @skip(if: false) }"), 17);
    }
}
