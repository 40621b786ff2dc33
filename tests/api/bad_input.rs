//! The catalogue of bad input: one table of malformed requests across GraphQL and the DataHub
//! REST endpoints, run in one loop against the demo catalog. Each case names the status and
//! the error code it must get; none may get a 5xx (the DataHub SDK retries those), and none
//! may write a row. `errors.rs` and `datahub.rs` test the messages of many of these in depth;
//! this is the one place that lists them all.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use mlcat::config::Limits;
use serde_json::{json, Value};

use crate::support::TestApp;

const FEATURE: &str = "urn:li:mlFeature:(uc01_preprocess,FREQUENCY)";
const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v1,PROD)";
const DATASET: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.orders,PROD)";
/// Entities the demo does not hold: a request that wrongly succeeded would create them.
const NEW_FEATURE: &str = "urn:li:mlFeature:(bad_input,new)";
const NEW_MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:bad_input,new,PROD)";
/// A model no case would create even if it wrongly succeeded, for cases that need it absent.
const NEVER_WRITTEN: &str = "urn:li:mlModel:(urn:li:dataPlatform:bad_input,never_written,PROD)";

const GRAPHQL: &str = "/api/graphql";
const INGEST: &str = "/aspects?action=ingestProposal";
const BATCH: &str = "/aspects?action=ingestProposalBatch";
const OPENAPI_FEATURE: &str = "/openapi/v3/entity/mlFeature";

/// The body limit of the catalogue's server: above the 1 MB strings, below the oversized bodies.
const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// Deep enough to overflow a parser that recurses without a limit.
const DEEP: usize = 10_000;

const BAD: StatusCode = StatusCode::BAD_REQUEST;
const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
const BAD_INPUT: Option<&str> = Some("BAD_USER_INPUT");

const REPLACE: &str = "mutation($urn: String!, $aspect: String!, $value: JSON!) {
    replaceAspect(input: {urn: $urn, aspectName: $aspect, value: $value}) { version } }";
const UPSERT_MODEL: &str =
    "mutation($input: UpsertMLModelInput!) { upsertMLModel(input: $input) { urn } }";
const ADD: &str =
    "mutation($input: RelationshipEditInput!) { addRelationships(input: $input) { version } }";
const REMOVE: &str = "mutation($input: RelationshipEditInput!) {
    removeRelationships(input: $input) { version } }";
const DESCRIBE: &str = "mutation($urn: String!) {
    updateDescription(input: {resourceUrn: $urn, description: \"d\"}) }";
const SOFT_DELETE: &str = "mutation($urns: [String!]!) {
    batchUpdateSoftDeleted(input: {urns: $urns, deleted: true}) }";

/// One malformed request and what it must be answered.
struct Case {
    name: &'static str,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: StatusCode,
    /// `code` of a REST error, `extensions.code` of the first GraphQL error; `None` for the
    /// router's own 404 and 405, which have no body.
    code: Option<&'static str>,
}

impl Case {
    /// A JSON POST, refused with 400 `BAD_USER_INPUT` unless told otherwise.
    fn post(name: &'static str, path: &str, body: impl Into<Vec<u8>>) -> Case {
        Case {
            name,
            method: Method::POST,
            path: path.to_string(),
            content_type: Some("application/json"),
            body: body.into(),
            status: BAD,
            code: BAD_INPUT,
        }
    }

    fn get(name: &'static str, path: &str) -> Case {
        Case {
            method: Method::GET,
            content_type: None,
            ..Case::post(name, path, "")
        }
    }

    /// A GraphQL request refused by GraphQL itself: a 200 whose first error is
    /// `BAD_USER_INPUT`.
    fn graphql(name: &'static str, query: &str, variables: Value) -> Case {
        let body = json!({"query": query, "variables": variables}).to_string();
        Case::post(name, GRAPHQL, body).answers(StatusCode::OK, BAD_INPUT)
    }

    fn answers(self, status: StatusCode, code: Option<&'static str>) -> Case {
        Case {
            status,
            code,
            ..self
        }
    }

    /// The router's own answer: a status without a body.
    fn routed(self, status: StatusCode) -> Case {
        self.answers(status, None)
    }

    fn sent_as(self, method: Method, content_type: Option<&'static str>) -> Case {
        Case {
            method,
            content_type,
            ..self
        }
    }

    fn request(&self) -> Request<Body> {
        let mut request = Request::builder()
            .method(self.method.clone())
            .uri(&self.path);
        if let Some(content_type) = self.content_type {
            request = request.header("content-type", content_type);
        }
        request.body(Body::from(self.body.clone())).unwrap()
    }

    /// What is wrong with an answer, if anything.
    fn check(&self, status: StatusCode, body: &[u8]) -> Option<String> {
        let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
        if status.is_server_error() {
            return Some(format!("a server error, {status}: {text}"));
        }
        if status != self.status {
            return Some(format!("answered {status}, not {}: {text}", self.status));
        }
        let expected = self.code?;
        let answer: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let code = answer["code"]
            .as_str()
            .or(answer["errors"][0]["extensions"]["code"].as_str());
        (code != Some(expected)).then(|| format!("the code is {code:?}, not {expected}: {text}"))
    }
}

/// `{"a": {"a": ... 1 ... }}`, `depth` objects deep.
fn nested_json(depth: usize) -> String {
    format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
}

/// Text as UTF-16 with a byte-order mark, as some Windows tools write it.
fn utf16(text: &str) -> Vec<u8> {
    std::iter::once(0xfeff)
        .chain(text.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect()
}

/// Percent-encodes everything but unreserved characters, for paths and query strings.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A proposal that would be accepted, creating `NEW_FEATURE`; each case breaks one thing.
fn proposal() -> Value {
    json!({
        "entityType": "mlFeature",
        "entityUrn": NEW_FEATURE,
        "changeType": "UPSERT",
        "aspectName": "mlFeatureProperties",
        "aspect": {"value": "{\"description\": \"d\"}", "contentType": "application/json"},
    })
}

/// An ingest body with one field of the proposal replaced (`Value::Null` removes it).
fn ingest_with(field: &str, value: Value) -> String {
    let mut p = proposal();
    if let (Value::Null, Some(fields)) = (&value, p.as_object_mut()) {
        fields.remove(field);
    } else {
        p[field] = value;
    }
    json!({ "proposal": p }).to_string()
}

/// An ingest body whose aspect value is this JSON text.
fn ingest_value(text: &str) -> String {
    ingest_with(
        "aspect",
        json!({"value": text, "contentType": "application/json"}),
    )
}

/// A GraphQL body that upserts `NEW_MODEL` with a description of `size` bytes.
fn padded_mutation(size: usize) -> String {
    let input = json!({"urn": NEW_MODEL, "description": "x".repeat(size)});
    json!({"query": UPSERT_MODEL, "variables": {"input": input}}).to_string()
}

/// A valid mutation of a model of its own, so that one that wrongly runs leaves the entities
/// of the other cases alone.
fn upsert_named(name: &str) -> String {
    format!(
        r#"mutation {{ upsertMLModel(input: {{platform: "bad_input", name: "{name}"}})
           {{ urn }} }}"#
    )
}

/// `replaceAspect` of `NEW_MODEL` with `value` written as a GraphQL literal.
fn replace_literal(value: &str) -> String {
    format!(
        r#"mutation {{ replaceAspect(input: {{urn: "{NEW_MODEL}", aspectName: "x",
           value: {value}}}) {{ version }} }}"#
    )
}

fn graphql_cases() -> Vec<Case> {
    let gql = Case::graphql;
    let input = |input: Value| json!({ "input": input });
    let replace =
        |aspect: &str, value: Value| json!({"urn": FEATURE, "aspect": aspect, "value": value});
    let lookup = "query($urn: String!) { mlModel(urn: $urn) { urn } }";
    let of_model = |fields: &str| format!(r#"{{ mlModel(urn: "{MODEL}") {{ {fields} }} }}"#);
    let lineage = |bound: &str| {
        format!(r#"{{ lineageGraph(input: {{urn: "{MODEL}", {bound}}}) {{ truncated }} }}"#)
    };
    let long_urn = format!(
        "urn:li:mlModel:(urn:li:dataPlatform:p,{},PROD)",
        "n".repeat(10 * 1024)
    );
    let as_body = |query: String| json!({ "query": query }).to_string();
    let nested_variable = format!(
        r#"{{"query": {}, "variables": {{"urn": "{NEW_MODEL}", "aspect": "x", "value": {}}}}}"#,
        json!(REPLACE),
        nested_json(DEEP)
    );
    let get_query = |query: &str, variables: &str| {
        format!(
            "{GRAPHQL}?query={}&variables={}",
            encode(query),
            encode(variables)
        )
    };
    Vec::from([
        // The transport: what is not a GraphQL request over HTTP at all.
        Case::post(
            "graphql: truncated JSON",
            GRAPHQL,
            r#"{"query": "{ listMLModels { total } }""#,
        ),
        Case::post(
            "graphql: invalid JSON",
            GRAPHQL,
            r#"{query: "{ listMLModels { total } }"}"#,
        ),
        Case::post("graphql: empty body", GRAPHQL, ""),
        Case::post(
            "graphql: a JSON string",
            GRAPHQL,
            r#""{ listMLModels { total } }""#,
        ),
        Case::post("graphql: query is a number", GRAPHQL, r#"{"query": 5}"#),
        Case::post(
            "graphql: variables is a list",
            GRAPHQL,
            r#"{"query": "{ listMLModels { total } }", "variables": [1]}"#,
        ),
        Case::post(
            "graphql: a UTF-16 body with a byte-order mark",
            GRAPHQL,
            utf16(r#"{"query": "{ listMLModels { total } }"}"#),
        ),
        Case::post(
            "graphql: non-UTF-8 bytes in a string",
            GRAPHQL,
            b"{\"query\": \"{ mlModel(urn: \\\"\xc3\x28\\\") { urn } }\"}".to_vec(),
        ),
        Case::post(
            "graphql: a mutation sent as text/plain (a cross-site form can send it)",
            GRAPHQL,
            as_body(upsert_named("text")),
        )
        .sent_as(Method::POST, Some("text/plain"))
        .answers(StatusCode::UNSUPPORTED_MEDIA_TYPE, BAD_INPUT),
        Case::post(
            "graphql: a mutation sent as a form",
            GRAPHQL,
            as_body(upsert_named("form")),
        )
        .sent_as(Method::POST, Some("application/x-www-form-urlencoded"))
        .answers(StatusCode::UNSUPPORTED_MEDIA_TYPE, BAD_INPUT),
        Case::get(
            "graphql: a mutation by GET (a link or an image can send it)",
            &get_query(&upsert_named("get"), "{}"),
        )
        .answers(StatusCode::METHOD_NOT_ALLOWED, BAD_INPUT),
        Case::get(
            "graphql: GET with variables that are not JSON",
            &get_query(lookup, r#"{"urn":"#),
        ),
        Case::post(
            "graphql: a body over the limit",
            GRAPHQL,
            padded_mutation(BODY_LIMIT + 1024),
        )
        .answers(StatusCode::PAYLOAD_TOO_LARGE, BAD_INPUT),
        Case::post(
            "graphql: a variable nested 10,000 levels",
            GRAPHQL,
            nested_variable,
        ),
        gql(
            "graphql: an object literal nested 10,000 levels",
            &replace_literal(&format!("{}1{}", "{a: ".repeat(DEEP), "}".repeat(DEEP))),
            json!({}),
        ),
        gql(
            "graphql: a list literal nested 10,000 levels",
            &replace_literal(&format!("{{a: {}{}}}", "[".repeat(DEEP), "]".repeat(DEEP))),
            json!({}),
        ),
        gql(
            "graphql: a selection nested 10,000 levels",
            &format!("{}{}", "{ a ".repeat(DEEP), "}".repeat(DEEP)),
            json!({}),
        ),
        // Documents that do not fit the schema.
        gql(
            "graphql: syntax error",
            "{ listMLModels { total }",
            json!({}),
        ),
        gql(
            "graphql: unknown field",
            "{ listMLModels { nope } }",
            json!({}),
        ),
        gql(
            "graphql: unknown argument",
            &format!(r#"{{ mlModel(urn: "{MODEL}", colour: "red") {{ urn }} }}"#),
            json!({}),
        ),
        gql(
            "graphql: unknown field of an input object",
            &format!(
                r#"mutation {{ upsertMLModel(input: {{urn: "{NEW_MODEL}", colour: "red"}})
                   {{ urn }} }}"#
            ),
            json!({}),
        ),
        gql(
            "graphql: unknown field of an input variable",
            UPSERT_MODEL,
            input(json!({"urn": NEW_MODEL, "colour": "red"})),
        ),
        gql(
            "graphql: a bad enum value",
            r#"mutation { upsertMLFeature(input: {featureNamespace: "bad_input", name: "new",
               dataType: NOPE}) { urn } }"#,
            json!({}),
        ),
        gql(
            "graphql: a bad enum value in a variable",
            UPSERT_MODEL,
            input(json!({"platform": "p", "name": "new", "origin": "MARS"})),
        ),
        gql(
            "graphql: a required argument missing",
            "{ mlModel { urn } }",
            json!({}),
        ),
        gql(
            "graphql: a required input field missing",
            ADD,
            input(json!({"urn": MODEL, "targets": [FEATURE]})),
        ),
        gql("graphql: a required variable missing", lookup, json!({})),
        gql(
            "graphql: null for a required value",
            REPLACE,
            json!({"urn": NEW_MODEL, "aspect": "x", "value": null}),
        ),
        gql(
            "graphql: a variable of the wrong type",
            "query($n: Int) { listMLModels(input: {count: $n}) { total } }",
            json!({"n": "ten"}),
        ),
        gql(
            "graphql: an Int beyond 32 bits",
            "{ listMLModels(input: {count: 99999999999}) { total } }",
            json!({}),
        ),
        Case::post(
            "graphql: an unknown operation name",
            GRAPHQL,
            json!({"query": "query A { listMLModels { total } }", "operationName": "B"})
                .to_string(),
        )
        .answers(StatusCode::OK, BAD_INPUT),
        gql(
            "graphql: two operations and no name",
            "query A { listMLModels { total } } query B { listDatasets { total } }",
            json!({}),
        ),
        // Pagination and traversal bounds.
        gql(
            "graphql: a negative start",
            "{ listMLModels(input: {start: -1}) { total } }",
            json!({}),
        ),
        gql(
            "graphql: a negative count",
            "{ listMLModels(input: {count: -5}) { total } }",
            json!({}),
        ),
        gql(
            "graphql: a count over the page-size cap",
            "{ listMLFeatures(input: {count: 1001}) { total } }",
            json!({}),
        ),
        gql(
            "graphql: the largest Int as a count",
            "{ listMLFeatures(input: {count: 2147483647}) { entities { urn } } }",
            json!({}),
        ),
        gql(
            "graphql: a history limit of 0",
            &of_model("aspectHistory(limit: 0) { version }"),
            json!({}),
        ),
        gql(
            "graphql: a negative history limit",
            &of_model("aspectHistory(limit: -1) { version }"),
            json!({}),
        ),
        gql(
            "graphql: a negative lineage depth",
            &lineage("depth: -1"),
            json!({}),
        ),
        gql(
            "graphql: a lineage budget over the maximum",
            &lineage("budget: 1000000"),
            json!({}),
        ),
        // URNs and long strings.
        gql(
            "graphql: a malformed URN",
            lookup,
            json!({"urn": "urn:li:mlModel:(nope"}),
        ),
        gql(
            "graphql: a URN of another entity type",
            lookup,
            json!({ "urn": FEATURE }),
        ),
        gql(
            "graphql: a URN with a control character",
            lookup,
            json!({"urn": "urn:li:mlModel:(urn:li:dataPlatform:p,m\u{0},PROD)"}),
        ),
        gql("graphql: a 10 KB URN", lookup, json!({ "urn": long_urn })),
        gql(
            "graphql: a 1 MB name",
            UPSERT_MODEL,
            input(json!({"platform": "p", "name": "n".repeat(1 << 20)})),
        ),
        gql(
            "graphql: a malformed URN in a list",
            UPSERT_MODEL,
            input(json!({"urn": NEW_MODEL, "mlFeatures": ["nope"]})),
        ),
        gql(
            "graphql: a URN of the wrong type in a relation",
            UPSERT_MODEL,
            input(json!({"urn": NEW_MODEL, "groups": [DATASET]})),
        ),
        gql(
            "graphql: neither a URN nor key parts",
            UPSERT_MODEL,
            input(json!({"description": "d"})),
        ),
        gql(
            "graphql: key parts that contradict the URN",
            UPSERT_MODEL,
            input(json!({"urn": MODEL, "name": "other"})),
        ),
        // Aspects.
        gql(
            "graphql: an aspect of another entity type",
            REPLACE,
            replace("mlModelProperties", json!({})),
        ),
        gql(
            "graphql: an aspect name that is not a name",
            REPLACE,
            replace("ml-feature properties", json!({})),
        ),
        gql(
            "graphql: an aspect that is not an object",
            REPLACE,
            replace("mlFeatureProperties", json!([1, 2])),
        ),
        gql(
            "graphql: a bad enum value in an aspect",
            REPLACE,
            replace("mlFeatureProperties", json!({"dataType": "NOPE"})),
        ),
        gql(
            "graphql: a field of the wrong JSON type in an aspect",
            REPLACE,
            replace("mlFeatureProperties", json!({"description": 5})),
        ),
        gql(
            "graphql: an aspect without a required field",
            REPLACE,
            json!({"urn": "urn:li:mlPrimaryKey:(bad_input,k)", "aspect": "mlPrimaryKeyProperties",
                   "value": {"description": "no sources"}}),
        ),
        gql(
            "graphql: an unknown relationship list",
            r#"mutation { addRelationships(input: {urn: "x", field: NOPE, targets: []})
               { version } }"#,
            json!({}),
        ),
        gql(
            "graphql: a relationship target of the wrong type",
            ADD,
            input(json!({"urn": MODEL, "field": "MODEL_FEATURES", "targets": [DATASET]})),
        ),
        gql(
            "graphql: a relationship owner of the wrong type",
            ADD,
            input(json!({"urn": FEATURE, "field": "MODEL_FEATURES", "targets": [FEATURE]})),
        ),
        gql(
            "graphql: removing from an entity that does not exist",
            REMOVE,
            input(json!({"urn": NEVER_WRITTEN, "field": "MODEL_FEATURES", "targets": [FEATURE]})),
        )
        .answers(StatusCode::OK, Some("NOT_FOUND")),
        gql(
            "graphql: describing an entity that does not exist",
            DESCRIBE,
            json!({ "urn": NEVER_WRITTEN }),
        )
        .answers(StatusCode::OK, Some("NOT_FOUND")),
        gql(
            "graphql: a batch soft-delete with one malformed URN",
            SOFT_DELETE,
            json!({"urns": [MODEL, "nope"]}),
        ),
        gql(
            "graphql: a batch soft-delete whose second entity does not exist",
            SOFT_DELETE,
            json!({"urns": [MODEL, NEVER_WRITTEN]}),
        )
        .answers(StatusCode::OK, Some("NOT_FOUND")),
    ])
}

fn rest_cases() -> Vec<Case> {
    let ingest = |name, body: String| Case::post(name, INGEST, body);
    let refused = |case: Case| case.answers(UNPROCESSABLE, BAD_INPUT);
    let openapi = |name, body: Value| Case::post(name, OPENAPI_FEATURE, body.to_string());
    let deep = nested_json(DEEP);
    let long_urn = format!("urn:li:mlFeature:(bad_input,{})", "n".repeat(10 * 1024));
    let huge_name = format!("urn:li:mlFeature:(bad_input,{})", "n".repeat(1 << 20));
    let read = |urn: &str, query: &str| format!("/aspects/{}?{query}", encode(urn));
    let key_without_sources = json!({"proposal": {
        "entityType": "mlPrimaryKey",
        "entityUrn": "urn:li:mlPrimaryKey:(bad_input,k)",
        "changeType": "UPSERT",
        "aspectName": "mlPrimaryKeyProperties",
        "aspect": {"value": "{\"description\": \"no sources\"}", "contentType": "application/json"},
    }});
    // Passes the envelope's checks, fails the aspect's: refused inside the transaction.
    let mut invalid_aspect = proposal();
    invalid_aspect["aspect"]["value"] = json!(r#"{"dataType": "NOPE"}"#);
    let not_allowed = StatusCode::METHOD_NOT_ALLOWED;
    let not_found = StatusCode::NOT_FOUND;
    Vec::from([
        // Bodies that are not the protocol's JSON.
        ingest(
            "ingest: truncated JSON",
            r#"{"proposal": {"entityType": "mlFeature""#.into(),
        ),
        ingest("ingest: invalid JSON", "{proposal: {}}".into()),
        ingest("ingest: empty body", String::new()),
        Case::post(
            "ingest: non-UTF-8 bytes",
            INGEST,
            b"{\"proposal\": \xff}".to_vec(),
        ),
        ingest(
            "ingest: sent as text/plain (a cross-site form can send it)",
            ingest_with("entityUrn", json!("urn:li:mlFeature:(bad_input,text)")),
        )
        .sent_as(Method::POST, Some("text/plain"))
        .answers(StatusCode::UNSUPPORTED_MEDIA_TYPE, BAD_INPUT),
        ingest(
            "ingest: a JSON array",
            json!([{ "proposal": proposal() }]).to_string(),
        ),
        ingest(
            "ingest: the envelope nested 10,000 levels",
            format!(
                r#"{{"proposal": {}, "systemMetadata": {deep}}}"#,
                proposal()
            ),
        ),
        ingest(
            "ingest: a body over the limit",
            ingest_value(&json!({"description": "x".repeat(BODY_LIMIT + 1024)}).to_string()),
        )
        .answers(StatusCode::PAYLOAD_TOO_LARGE, BAD_INPUT),
        // Proposals without the protocol's shape.
        ingest(
            "ingest: entityUrn missing",
            ingest_with("entityUrn", Value::Null),
        ),
        ingest(
            "ingest: entityUrn a number",
            ingest_with("entityUrn", json!(42)),
        ),
        ingest(
            "ingest: aspect.value missing",
            ingest_with("aspect", json!({"contentType": "application/json"})),
        ),
        ingest(
            "ingest: aspect.value not JSON",
            ingest_value("{\"description\": "),
        ),
        ingest(
            "ingest: aspect.value nested 10,000 levels",
            ingest_value(&deep),
        ),
        // Proposals whose content is refused.
        refused(ingest(
            "ingest: a malformed URN",
            ingest_with("entityUrn", json!("urn:li:mlFeature:(one-part)")),
        )),
        refused(ingest(
            "ingest: a URN of another entity type",
            ingest_with("entityUrn", json!(MODEL)),
        )),
        refused(ingest(
            "ingest: a 10 KB URN",
            ingest_with("entityUrn", json!(long_urn)),
        )),
        refused(ingest(
            "ingest: a 1 MB name",
            ingest_with("entityUrn", json!(huge_name)),
        )),
        refused(ingest(
            "ingest: an unknown entity type",
            ingest_with("entityType", json!("mlThing")),
        )),
        refused(ingest(
            "ingest: an aspect the entity type does not carry",
            ingest_with("aspectName", json!("mlModelProperties")),
        )),
        refused(ingest(
            "ingest: an unknown aspect name",
            ingest_with("aspectName", json!("noSuchAspect")),
        )),
        refused(ingest(
            "ingest: a bad enum value in the aspect",
            ingest_value(r#"{"dataType": "NOPE"}"#),
        )),
        refused(ingest(
            "ingest: a required field missing from the aspect",
            key_without_sources.to_string(),
        )),
        refused(ingest(
            "ingest: an unsupported changeType",
            ingest_with("changeType", json!("RESTATE")),
        )),
        refused(Case::post(
            "ingest batch: an invalid aspect after a valid one",
            BATCH,
            json!({"proposals": [proposal(), invalid_aspect]}).to_string(),
        )),
        Case::post(
            "ingest batch: proposals not a list",
            BATCH,
            json!({ "proposals": proposal() }).to_string(),
        ),
        Case::post(
            "ingest: an unknown action",
            "/aspects?action=ingest",
            ingest_value("{}"),
        ),
        Case::post("ingest: no action", "/aspects", ingest_value("{}")),
        // OpenAPI upserts.
        Case::post(
            "openapi: an unknown entity type",
            "/openapi/v3/entity/mlThing",
            "[]",
        )
        .answers(not_found, Some("NOT_FOUND")),
        openapi(
            "openapi: a body that is not a list",
            json!({"urn": NEW_FEATURE, "mlFeatureProperties": {"value": {}}}),
        ),
        refused(openapi(
            "openapi: a URN of another entity type",
            json!([{"urn": MODEL, "mlFeatureProperties": {"value": {}}}]),
        )),
        refused(openapi(
            "openapi: an aspect the entity type does not carry",
            json!([{"urn": NEW_FEATURE, "datasetProperties": {"value": {}}}]),
        )),
        refused(openapi(
            "openapi: an invalid aspect after a valid one",
            json!([{"urn": NEW_FEATURE, "mlFeatureProperties": {"value": {}},
                    "status": {"value": {"removed": "yes"}}}]),
        )),
        Case::post(
            "openapi: a value nested 10,000 levels",
            OPENAPI_FEATURE,
            format!(r#"[{{"urn": "{NEW_FEATURE}", "mlFeatureProperties": {{"value": {deep}}}}}]"#),
        ),
        // Reads.
        Case::get(
            "read: a negative version",
            &read(FEATURE, "aspect=mlFeatureProperties&version=-1"),
        ),
        Case::get(
            "read: a version beyond 64 bits",
            &read(
                FEATURE,
                "aspect=mlFeatureProperties&version=99999999999999999999",
            ),
        ),
        Case::get("read: no aspect named", &read(FEATURE, "version=0")),
        Case::get(
            "read: a malformed URN",
            &read("urn:li:mlFeature:nope", "aspect=status"),
        ),
        Case::get("read: a 10 KB URN", &read(&long_urn, "aspect=status")),
        Case::get(
            "read: a URN that is not UTF-8",
            "/aspects/%FF%FE?aspect=status",
        ),
        Case::get(
            "read: an entity with a malformed URN",
            "/entitiesV2/not-a-urn",
        ),
        // Methods and routes.
        Case::post("method: PUT to GraphQL", GRAPHQL, "{}")
            .sent_as(Method::PUT, Some("application/json"))
            .routed(not_allowed),
        Case::get("method: GET of ingestProposal", INGEST).routed(not_allowed),
        Case::get("method: DELETE of ingestProposal", INGEST)
            .sent_as(Method::DELETE, None)
            .routed(not_allowed),
        Case::post("method: POST to /health", "/health", "{}").routed(not_allowed),
        Case::post("method: POST to /config", "/config", "{}").routed(not_allowed),
        Case::get("method: GET of an OpenAPI upsert", OPENAPI_FEATURE).routed(not_allowed),
        Case::post("method: PUT of an OpenAPI upsert", OPENAPI_FEATURE, "[]")
            .sent_as(Method::PUT, Some("application/json"))
            .routed(not_allowed),
        Case::get("route: unknown", "/nope").routed(not_found),
        Case::post("route: under the GraphQL path", "/api/graphql/v2", "{}").routed(not_found),
        Case::get("route: an aspect read without a URN", "/aspects/").routed(not_found),
        Case::post(
            "route: an OpenAPI upsert without a type",
            "/openapi/v3/entity/",
            "[]",
        )
        .routed(not_found),
    ])
}

#[tokio::test]
async fn every_malformed_request_is_refused_with_its_code_and_writes_nothing() {
    let app = TestApp::with_limits(Limits {
        max_body_bytes: BODY_LIMIT,
        ..Limits::default()
    })
    .await;
    mlcat::demo::load(&app.catalog()).await.expect("load demo");
    let cases: Vec<Case> = graphql_cases().into_iter().chain(rest_cases()).collect();
    let names: BTreeSet<&str> = cases.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), cases.len(), "two cases share a name");
    assert!(cases.len() >= 50, "the issue asks for at least 50 cases");

    let mut failures = Vec::new();
    for case in &cases {
        let before = app.row_counts().await;
        let (status, body) = app.request(case.request()).await;
        let written = app.row_counts().await;
        let wrote = (written != before)
            .then(|| format!("wrote rows (entity, aspect, edge: {before:?} -> {written:?})"));
        let problems: Vec<String> = [case.check(status, &body), wrote]
            .into_iter()
            .flatten()
            .collect();
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.name, problems.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    let (status, _) = app.get("/health").await;
    assert_eq!(status, StatusCode::OK, "the server still serves");
}
