//! The MetadataChangeProposal envelope, as the SDK sends it over Rest.li and OpenAPI, checked
//! and turned into a write for the core. Only the DataHub-specific checks live here (the
//! envelope's shape, `changeType`, the entity type and whether it carries the aspect); the
//! aspect's own content is validated by the write path.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::patch::{self, AspectPatch};
use super::registry::{self, EntityInfo};
use super::RestError;
use crate::catalog::Actor;
use crate::urn::Urn;

/// Who writes when the proposal names no one: there is no authentication yet.
pub const ANONYMOUS: &str = "anonymous";

/// The change types of DataHub's `ChangeType` enum.
const CHANGE_TYPES: [&str; 7] = [
    "UPSERT",
    "CREATE",
    "CREATE_ENTITY",
    "UPDATE",
    "DELETE",
    "PATCH",
    "RESTATE",
];

const JSON_CONTENT_TYPE: &str = "application/json";
const JSON_PATCH_CONTENT_TYPE: &str = "application/json-patch+json";

/// One aspect to change, how, and who proposed it.
#[derive(Debug)]
pub struct Proposal {
    pub urn: Urn,
    pub aspect: String,
    pub change: Change,
    pub actor: Actor,
}

/// What a proposal does to its aspect, by `changeType`.
#[derive(Debug)]
pub enum Change {
    /// UPSERT: replace the whole aspect.
    Upsert(Value),
    /// CREATE: write the aspect only if the entity does not have it.
    Create(Value),
    /// CREATE_ENTITY: write the aspect only if the entity does not exist.
    CreateEntity(Value),
    /// PATCH: a JSON Patch applied to the latest value.
    Patch(AspectPatch),
    /// DELETE: remove the aspect.
    Delete,
}

/// A Rest.li proposal: `{"entityType", "entityUrn", "changeType", "aspectName",
/// "aspect": {"value": "<JSON text>", "contentType": "application/json"}, "systemMetadata"}`.
pub fn from_restli(p: &Value) -> Result<Proposal, RestError> {
    let p = p
        .as_object()
        .ok_or_else(|| RestError::bad_request("a proposal must be a JSON object"))?;

    let change = required_str(p, "changeType")?;
    check_change_type(change)?;

    let urn_text = match p.get("entityUrn") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(wrong_type("entityUrn", "a string")),
        None if p.get("entityKeyAspect").is_some_and(|k| !k.is_null()) => {
            return Err(RestError::unprocessable(
                "entityUrn is missing: mlcat does not build URNs from entityKeyAspect; send entityUrn",
            ))
        }
        None => return Err(missing("entityUrn")),
    };
    let urn = parse_urn(urn_text)?;

    let entity = match p.get("entityType") {
        None | Some(Value::Null) => entity_of_urn(&urn)?,
        Some(Value::String(t)) => {
            let entity = registry::entity(t).ok_or_else(|| {
                RestError::unprocessable(format!(
                    "entityType {t:?} is not an entity type of DataHub's model (such as mlFeature, mlFeatureTable, mlModel, mlModelGroup, mlPrimaryKey, dataset)"
                ))
            })?;
            if entity.name != urn.kind().as_str() {
                return Err(RestError::unprocessable(format!(
                    "entityType {t} does not match the URN, which is of type {}: {urn}",
                    urn.kind()
                )));
            }
            entity
        }
        Some(_) => return Err(wrong_type("entityType", "a string")),
    };

    let aspect = required_str(p, "aspectName")?.to_string();
    check_carried(entity, &aspect)?;

    if change == "DELETE" {
        if registry::key_aspect_of(&urn).is_some_and(|(key, _)| key == aspect) {
            return Err(RestError::unprocessable(format!(
                "changeType DELETE of the key aspect {aspect} would delete the entity: use POST /entities?action=delete"
            )));
        }
        let actor = actor_of(p.get("systemMetadata"), "systemMetadata")?;
        return Ok(Proposal {
            urn,
            aspect,
            change: Change::Delete,
            actor,
        });
    }
    let envelope =
        match p.get("aspect") {
            Some(Value::Object(a)) => a,
            Some(_) => return Err(wrong_type(
                "aspect",
                "an object {\"value\": \"<aspect JSON>\", \"contentType\": \"application/json\"}",
            )),
            None => return Err(missing("aspect")),
        };
    let is_patch = change == "PATCH";
    match envelope.get("contentType") {
        None | Some(Value::Null) => {}
        Some(Value::String(ct)) if ct == JSON_CONTENT_TYPE || ct == JSON_PATCH_CONTENT_TYPE => {}
        Some(Value::String(ct)) => {
            return Err(RestError::unprocessable(format!(
                "aspect.contentType {ct:?} is not supported: send {}",
                if is_patch {
                    JSON_PATCH_CONTENT_TYPE
                } else {
                    JSON_CONTENT_TYPE
                }
            )))
        }
        Some(_) => return Err(wrong_type("aspect.contentType", "a string")),
    }
    // The SDK serialises the aspect twice: `value` is a string holding JSON. An object (or,
    // for a patch, an array) is accepted too, for hand-written requests.
    let value = match envelope.get("value") {
        Some(Value::String(text)) => serde_json::from_str::<Value>(text)
            .map_err(|e| RestError::bad_request(format!("aspect.value is not JSON text ({e})")))?,
        Some(v @ Value::Object(_)) => v.clone(),
        Some(v @ Value::Array(_)) if is_patch => v.clone(),
        Some(_) => {
            return Err(wrong_type(
                "aspect.value",
                "a string holding the aspect's JSON",
            ))
        }
        None => return Err(missing("aspect.value")),
    };
    let change = if is_patch {
        let parsed = patch::parse(&aspect, &value)
            .map_err(|e| RestError::unprocessable(format!("PATCH of {aspect}: {e}")))?;
        Change::Patch(parsed)
    } else {
        if !value.is_object() {
            return Err(RestError::unprocessable(format!(
                "aspect {aspect} must be a JSON object"
            )));
        }
        match change {
            "CREATE" => Change::Create(value),
            "CREATE_ENTITY" => Change::CreateEntity(value),
            _ => Change::Upsert(value),
        }
    };

    let actor = actor_of(p.get("systemMetadata"), "systemMetadata")?;
    Ok(Proposal {
        urn,
        aspect,
        change,
        actor,
    })
}

/// One item of an OpenAPI v3 `POST /openapi/v3/entity/{entityType}` array:
/// `{"urn": ..., "<aspectName>": {"value": {...}, "systemMetadata": {...}, "headers": {...}}}`,
/// with any number of aspects. With `patch` (an HTTP PATCH), each value is a patch:
/// `{"patch": [...], "arrayPrimaryKeys": {...}}`.
pub fn from_openapi(
    entity: &EntityInfo,
    item: &Value,
    patch: bool,
) -> Result<Vec<Proposal>, RestError> {
    let item = item
        .as_object()
        .ok_or_else(|| RestError::bad_request("an item must be a JSON object"))?;
    let urn = parse_urn(required_str(item, "urn")?)?;
    if entity.name != urn.kind().as_str() {
        return Err(RestError::unprocessable(format!(
            "the URN is of type {}, not {}: {urn}",
            urn.kind(),
            entity.name
        )));
    }
    let mut out = Vec::new();
    for (aspect, body) in item.iter().filter(|(k, _)| k.as_str() != "urn") {
        check_carried(entity, aspect)?;
        let body = body.as_object().ok_or_else(|| {
            wrong_type(
                aspect,
                "an object {\"value\": {...}, \"systemMetadata\": {...}}",
            )
        })?;
        let value = match body.get("value") {
            Some(v @ Value::Object(_)) => v.clone(),
            Some(Value::String(text)) => serde_json::from_str::<Value>(text).map_err(|e| {
                RestError::bad_request(format!("{aspect}.value is not JSON text ({e})"))
            })?,
            Some(_) => return Err(wrong_type(&format!("{aspect}.value"), "a JSON object")),
            None => return Err(missing(&format!("{aspect}.value"))),
        };
        let is_patch = value.get("patch").is_some_and(Value::is_array);
        if is_patch != patch {
            return Err(RestError::unprocessable(if patch {
                "an HTTP PATCH carries {\"value\": {\"patch\": [...]}} for each aspect; send a whole aspect with HTTP POST"
            } else {
                "a patch ({\"patch\": [...]}) goes with HTTP PATCH; HTTP POST sends the whole aspect"
            }));
        }
        if !value.is_object() {
            return Err(RestError::unprocessable(format!(
                "aspect {aspect} must be a JSON object"
            )));
        }
        let actor = actor_of(
            body.get("systemMetadata"),
            &format!("{aspect}.systemMetadata"),
        )?;
        let change = if patch {
            Change::Patch(
                patch::parse(aspect, &value)
                    .map_err(|e| RestError::unprocessable(format!("PATCH of {aspect}: {e}")))?,
            )
        } else {
            Change::Upsert(value)
        };
        out.push(Proposal {
            urn: urn.clone(),
            aspect: aspect.clone(),
            change,
            actor,
        });
    }
    if out.is_empty() {
        return Err(RestError::bad_request(format!(
            "the item for {urn} has no aspect: give {{\"urn\": ..., \"<aspectName>\": {{\"value\": {{...}}}}}}"
        )));
    }
    Ok(out)
}

fn check_change_type(change: &str) -> Result<(), RestError> {
    match change {
        "UPSERT" | "CREATE" | "CREATE_ENTITY" | "PATCH" | "DELETE" => Ok(()),
        c if CHANGE_TYPES.contains(&c) => Err(RestError::unprocessable(format!(
            "changeType {c} is not supported: mlcat accepts UPSERT, CREATE, CREATE_ENTITY, PATCH and DELETE"
        ))),
        c => Err(RestError::unprocessable(format!(
            "changeType {c:?} is not one of {}",
            CHANGE_TYPES.join(", ")
        ))),
    }
}

fn check_carried(entity: &EntityInfo, aspect: &str) -> Result<(), RestError> {
    if entity.carries(aspect) {
        return Ok(());
    }
    Err(RestError::unprocessable(format!(
        "aspect {aspect:?} is not an aspect of a {} entity in DataHub's model; a {} carries: {}",
        entity.name,
        entity.name,
        entity.aspects.join(", ")
    )))
}

fn entity_of_urn(urn: &Urn) -> Result<&'static EntityInfo, RestError> {
    registry::entity(urn.kind().as_str()).ok_or_else(|| {
        RestError::unprocessable(format!(
            "the URN's entity type {} is not an entity type of DataHub's model: {urn}",
            urn.kind()
        ))
    })
}

/// Parses a URN as the SDK sends it: the Rest.li path writes non-ASCII characters of
/// `entityUrn` as the six characters `\u00e9`, which are turned back into the character.
pub fn parse_urn(text: &str) -> Result<Urn, RestError> {
    Urn::parse(&unescape_unicode(text)).map_err(|e| RestError::unprocessable(e.to_string()))
}

/// The actor and run id of a proposal, from its system metadata: `runId`, and the actor of
/// `aspectModified` or `aspectCreated` when the client set one.
pub(super) fn actor_of(meta: Option<&Value>, field: &str) -> Result<Actor, RestError> {
    // `datahub put --run-id` sends the system metadata as JSON text.
    let parsed;
    let meta = match meta {
        Some(Value::String(text)) => {
            parsed = serde_json::from_str::<Value>(text).map_err(|e| {
                RestError::bad_request(format!("{field} is a string that is not JSON ({e})"))
            })?;
            Some(&parsed)
        }
        other => other,
    };
    let meta = match meta {
        None | Some(Value::Null) => return Ok(Actor::named(ANONYMOUS)),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(wrong_type(field, "an object")),
    };
    let run_id = match meta.get("runId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(unescape_unicode(s).into_owned()),
        Some(_) => return Err(wrong_type(&format!("{field}.runId"), "a string")),
    };
    let name = ["aspectModified", "aspectCreated"]
        .iter()
        .filter_map(|k| meta.get(*k)?.get("actor")?.as_str())
        .find(|a| !a.is_empty())
        .map_or_else(
            || ANONYMOUS.to_string(),
            |a| unescape_unicode(a).into_owned(),
        );
    Ok(Actor { name, run_id })
}

fn required_str<'a>(obj: &'a Map<String, Value>, field: &str) -> Result<&'a str, RestError> {
    match obj.get(field) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(missing(field)),
        Some(_) => Err(wrong_type(field, "a string")),
    }
}

fn missing(field: &str) -> RestError {
    RestError::bad_request(format!("{field} is missing"))
}

fn wrong_type(field: &str, expected: &str) -> RestError {
    RestError::bad_request(format!("{field} must be {expected}"))
}

/// Turns `\uXXXX` escapes back into characters (the SDK's `preserve_unicode_escapes`).
///
/// Four hex digits make a character of the Basic Multilingual Plane, and a UTF-16 surrogate
/// pair (`\ud83d\ude00`) one beyond it. The SDK writes a character beyond the BMP with five or
/// six digits (`\u1f600`), which cannot be told apart in general from a BMP character followed
/// by a hex digit; five digits are read only for the emoji and symbol blocks (U+1F000 to
/// U+1FAFF), where such names most likely come from. An escape that is not followed by hex
/// digits, or a lone surrogate, stays as written.
pub fn unescape_unicode(s: &str) -> Cow<'_, str> {
    if !s.contains("\\u") {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let hex_at = |i: usize, n: usize| -> Option<u32> {
        let digits = s.get(i..i + n)?;
        if digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            u32::from_str_radix(digits, 16).ok()
        } else {
            None
        }
    };
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'\\' || bytes[i + 1] != b'u' {
            i += 1;
            continue;
        }
        let Some(unit) = hex_at(i + 2, 4) else {
            i += 2;
            continue;
        };
        let (ch, len) =
            if let Some(wide) = hex_at(i + 2, 5).filter(|w| (0x1F000..=0x1FAFF).contains(w)) {
                (char::from_u32(wide), 7)
            } else if (0xD800..0xDC00).contains(&unit) {
                let low = (bytes.get(i + 6) == Some(&b'\\') && bytes.get(i + 7) == Some(&b'u'))
                    .then(|| hex_at(i + 8, 4))
                    .flatten()
                    .filter(|l| (0xDC00..0xE000).contains(l));
                match low {
                    Some(low) => (
                        char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)),
                        12,
                    ),
                    None => (None, 6),
                }
            } else {
                (char::from_u32(unit), 6)
            };
        match ch {
            Some(c) => {
                out.push_str(&s[copied..i]);
                out.push(c);
                i += len;
                copied = i;
            }
            None => i += len,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(s);
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unescapes_what_the_sdk_escapes() {
        assert_eq!(unescape_unicode("caf\\u00e9"), "café");
        assert_eq!(unescape_unicode("caf\\u00e91"), "café1");
        assert_eq!(unescape_unicode("\\u20ac5"), "€5");
        assert_eq!(unescape_unicode("\\u6a21\\u578b"), "模型");
        assert_eq!(unescape_unicode("x\\u1f600y"), "x😀y");
        assert_eq!(unescape_unicode("\\ud83d\\ude00"), "😀");
        assert_eq!(unescape_unicode("plain"), "plain");
        assert_eq!(unescape_unicode("a\\u12"), "a\\u12");
        assert_eq!(unescape_unicode("a\\uzzzz"), "a\\uzzzz");
        assert_eq!(unescape_unicode("lone \\ud83d end"), "lone \\ud83d end");
        assert_eq!(unescape_unicode("\\\\u"), "\\\\u");
    }

    fn proposal() -> Value {
        json!({
            "entityType": "mlFeature",
            "entityUrn": "urn:li:mlFeature:(t,caf\\u00e9)",
            "changeType": "UPSERT",
            "aspectName": "mlFeatureProperties",
            "aspect": {"value": "{\"description\": \"d\"}", "contentType": "application/json"},
            "systemMetadata": {"runId": "run-1", "aspectModified": {"time": 1, "actor": "urn:li:corpuser:ana"}}
        })
    }

    #[test]
    fn reads_the_sdk_envelope() {
        let p = from_restli(&proposal()).unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(p.urn.as_str(), "urn:li:mlFeature:(t,café)");
        assert!(matches!(p.change, Change::Upsert(ref v) if *v == json!({"description": "d"})));
        assert_eq!(p.actor.name, "urn:li:corpuser:ana");
        assert_eq!(p.actor.run_id.as_deref(), Some("run-1"));
    }

    #[test]
    fn names_what_is_wrong() {
        let cases: [(&str, Value, &str); 6] = [
            ("changeType", json!("RESTATE"), "not supported"),
            ("changeType", json!("NOPE"), "not one of"),
            ("entityType", json!("mlModel"), "does not match"),
            ("entityType", json!("fooBar"), "not an entity type"),
            (
                "aspectName",
                json!("mlModelProperties"),
                "not an aspect of a mlFeature",
            ),
            ("aspect", json!({"value": "{not json"}), "not JSON"),
        ];
        for (field, bad, needle) in cases {
            let mut p = proposal();
            p[field] = bad;
            let e = from_restli(&p).expect_err(field);
            assert!(e.message.contains(needle), "{field}: {}", e.message);
        }
        let mut p = proposal();
        p.as_object_mut().map(|o| o.remove("aspectName"));
        let e = from_restli(&p).expect_err("missing");
        assert_eq!(e.message, "aspectName is missing");
    }
}
