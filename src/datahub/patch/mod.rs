//! DataHub's PATCH change type: a JSON Patch (`add`, `remove`, `replace`) applied to the latest
//! value of an aspect. Pure functions: the write path calls [`AspectPatch::apply`] inside its
//! transaction with the latest value, so two concurrent patches never lose each other.
//!
//! DataHub does not patch arrays by index. An array of records is addressed as a map keyed by
//! some of its records' fields, as GMS's patch templates key them (upstreams by `dataset`, tags
//! by `tag`, owners by `owner` then `type`, ...), and an array of URNs by the URNs themselves:
//! `add /upstreams/urn:li:dataset:(...)` adds or replaces the upstream of that dataset. The
//! SDK's newer builders send a `GenericJsonPatch` envelope instead of a bare array of
//! operations, `{"arrayPrimaryKeys": {"tags": ["attribution\u{241f}source", "tag"]}, "patch":
//! [...]}`, which names the key fields of an array itself (`\u{241f}` separating the fields of
//! a nested key). So a patch is applied in three steps: every keyed array becomes nested
//! objects keyed by its key fields' values, the operations run as plain JSON Patch on that,
//! and the objects become arrays again, in the order their elements were first added.
//!
//! A `remove` of something absent changes nothing (DataHub's templates remove idempotently);
//! a `remove` whose path stops before the last key removes every element under it (all the
//! entries of one owner), and `*` at a key level stands for every key there. An `add` creates
//! the objects on its way.

mod templates;

use serde_json::{json, Map, Value};

pub use templates::patchable;
use templates::{Template, FINE_GRAINED, TEMPLATES};

/// What separates the fields of a nested key field (`attribution\u{241f}source`).
const UNIT_SEPARATOR: char = '\u{241f}';

/// One operation of a patch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Add,
    Remove,
    Replace,
}

#[derive(Clone, Debug)]
struct Op {
    kind: Kind,
    /// The path as sent, for messages.
    text: String,
    /// Its segments, unescaped (`~1` is `/`, `~0` is `~`).
    path: Vec<String>,
    value: Value,
}

/// A checked patch of one aspect, ready to apply to whatever the latest value is.
#[derive(Clone, Debug)]
pub struct AspectPatch {
    ops: Vec<Op>,
    /// The keyed arrays: path of field names (`a/b`) → key fields (none: keyed by the element).
    keys: Vec<(String, Vec<String>)>,
    empty: Value,
}

/// Reads a patch of `aspect`: a JSON array of operations, or a `GenericJsonPatch` object
/// `{"arrayPrimaryKeys", "patch", "forceGenericPatch"}`. The error says what to fix.
pub fn parse(aspect: &str, body: &Value) -> Result<AspectPatch, String> {
    let template = TEMPLATES.iter().find(|t| t.aspect == aspect).ok_or_else(|| {
        format!(
            "a PATCH of aspect {aspect} is not supported; mlcat patches {}. Send the whole aspect with changeType UPSERT",
            patchable().collect::<Vec<_>>().join(", ")
        )
    })?;
    let mut keys: Vec<(String, Vec<String>)> = template
        .arrays
        .iter()
        .map(|(path, k)| {
            (
                (*path).to_string(),
                k.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect();
    let ops = match body {
        Value::Array(ops) => ops,
        Value::Object(envelope) => {
            let ops = envelope
                .get("patch")
                .and_then(Value::as_array)
                .ok_or("a PATCH object must hold the operations as an array in \"patch\"")?;
            match envelope.get("arrayPrimaryKeys") {
                None | Some(Value::Null) => {}
                Some(Value::Object(given)) => {
                    for (field, fields) in given {
                        if !template.fields.contains(&field.as_str()) {
                            return Err(unknown_field(template, field, "arrayPrimaryKeys"));
                        }
                        let fields: Option<Vec<String>> = fields.as_array().and_then(|a| {
                            a.iter().map(|f| f.as_str().map(str::to_string)).collect()
                        });
                        let fields = fields.ok_or_else(|| {
                            format!("arrayPrimaryKeys.{field} must be an array of field names")
                        })?;
                        keys.retain(|(path, _)| path != field);
                        keys.push((field.clone(), fields));
                    }
                }
                Some(_) => return Err("arrayPrimaryKeys must be an object".to_string()),
            }
            ops
        }
        _ => {
            return Err(
                "a PATCH value must be a JSON Patch array like [{\"op\": \"add\", \"path\": \"/tags/urn:li:tag:x\", \"value\": {...}}]"
                    .to_string(),
            )
        }
    };
    if ops.is_empty() {
        return Err("the PATCH has no operations".to_string());
    }
    let mut parsed = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let n = i + 1;
        let obj = op.as_object().ok_or_else(|| {
            format!("operation {n} must be an object {{\"op\", \"path\", \"value\"}}")
        })?;
        let text = obj
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("operation {n} has no path"))?;
        let kind = match obj.get("op").and_then(Value::as_str) {
            Some("add") => Kind::Add,
            Some("remove") => Kind::Remove,
            Some("replace") => Kind::Replace,
            Some(other) => {
                return Err(format!(
                    "op {other:?} (operation {n}, path {text}) is not supported: use add, remove or replace"
                ))
            }
            None => return Err(format!("operation {n} (path {text}) has no op")),
        };
        let path = split_path(text).map_err(|e| format!("path {text:?} (operation {n}): {e}"))?;
        if !template.fields.contains(&path[0].as_str()) {
            return Err(format!(
                "path {text} (operation {n}): {}",
                unknown_field(template, &path[0], "the path")
            ));
        }
        let value = match (kind, obj.get("value")) {
            (Kind::Remove, _) => Value::Null,
            (_, Some(v)) => v.clone(),
            (_, None) => return Err(format!("operation {n} ({text}) has no value")),
        };
        parsed.push(Op {
            kind,
            text: text.to_string(),
            path,
            value,
        });
    }
    let empty = serde_json::from_str(template.empty).map_err(|e| e.to_string())?;
    Ok(AspectPatch {
        ops: parsed,
        keys,
        empty,
    })
}

fn unknown_field(template: &Template, field: &str, place: &str) -> String {
    format!(
        "{place} names {field:?}, which is not a field of {} that mlcat patches; its fields: {}",
        template.aspect,
        template.fields.join(", ")
    )
}

/// The segments of a JSON Pointer, unescaped.
fn split_path(text: &str) -> Result<Vec<String>, String> {
    let rest = text.strip_prefix('/').ok_or("a path starts with /")?;
    // An empty segment is a key: the SDK writes an unattributed tag's source "" that way
    // (`/tags//urn:li:tag:x`).
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

impl AspectPatch {
    /// The aspect after the patch, from its latest value (`None`: absent, starting from the
    /// aspect's empty value). The error says which operation failed and why.
    pub fn apply(&self, current: Option<Value>) -> Result<Value, String> {
        let start = match current {
            Some(v) if v.is_object() => v,
            Some(_) => return Err("the stored aspect is not a JSON object".to_string()),
            None => self.empty.clone(),
        };
        let mut tree = self.keyed(start, "");
        for op in &self.ops {
            self.apply_op(&mut tree, op, &op.path, String::new(), 0)
                .map_err(|e| format!("{} {}: {e}", kind_name(op.kind), op.text))?;
        }
        Ok(self.unkeyed(tree, ""))
    }

    /// The key fields of the keyed array at `spec`, if it is one.
    fn keys_at(&self, spec: &str) -> Option<&[String]> {
        self.keys
            .iter()
            .find(|(path, _)| path == spec)
            .map(|(_, k)| k.as_slice())
    }

    /// How many path segments address an element of the keyed array at `spec`.
    fn depth_at(&self, spec: &str) -> usize {
        self.keys_at(spec).map_or(0, |k| k.len().max(1))
    }

    /// Whether the array at `spec` is column-level lineage.
    fn is_fine_grained(&self, spec: &str) -> bool {
        self.keys_at(spec)
            .is_some_and(|k| k.first().map(String::as_str) == FINE_GRAINED.first().copied())
    }

    /// Column-level lineage as GMS patches it: `{op: {downstream: {query: {upstream:
    /// {"confidenceScore"}}}}}`, a missing operation or query being `NONE`.
    fn fine_grained_keyed(items: Vec<Value>) -> Value {
        let mut map = Map::new();
        for item in items {
            let text = |field: &str| {
                item.get(field)
                    .and_then(Value::as_str)
                    .unwrap_or("NONE")
                    .to_string()
            };
            let (op, query) = (text("transformOperation"), text("query"));
            let leaf = match item.get("confidenceScore") {
                Some(score) => json!({"confidenceScore": score}),
                None => json!({}),
            };
            let urns = |field: &str| -> Vec<String> {
                item.get(field)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            for down in urns("downstreams") {
                for up in urns("upstreams") {
                    let path = [op.clone(), down.clone(), query.clone(), up];
                    insert_nested(&mut map, &path, leaf.clone());
                }
            }
        }
        Value::Object(map)
    }

    /// Column-level lineage back as records: one per operation, downstream field and query,
    /// with its upstream fields and their highest confidence.
    fn fine_grained_unkeyed(map: Value) -> Value {
        let mut leaves = Vec::new();
        flatten(map, 4, &mut Vec::new(), &mut leaves);
        // (operation, downstream, query), its upstreams, their highest confidence.
        type Grouped = ((String, String, String), Vec<String>, Option<f64>);
        let mut records: Vec<Grouped> = Vec::new();
        for (path, leaf) in leaves {
            let [op, down, query, up] = path.as_slice() else {
                continue;
            };
            let key = (op.clone(), down.clone(), query.clone());
            let score = leaf.get("confidenceScore").and_then(Value::as_f64);
            let at = match records.iter().position(|(k, _, _)| *k == key) {
                Some(at) => at,
                None => {
                    records.push((key, Vec::new(), None));
                    records.len() - 1
                }
            };
            let record = &mut records[at];
            record.1.push(up.clone());
            record.2 = match (record.2, score) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        Value::Array(
            records
                .into_iter()
                .map(|((op, down, query), ups, score)| {
                    let mut record = json!({
                        "upstreamType": "FIELD_SET",
                        "upstreams": ups,
                        "downstreamType": "FIELD",
                        "downstreams": [down],
                        "confidenceScore": score.unwrap_or(1.0),
                    });
                    if op != "NONE" {
                        record["transformOperation"] = json!(op);
                    }
                    if query != "NONE" {
                        record["query"] = json!(query);
                    }
                    record
                })
                .collect(),
        )
    }

    /// Turns the keyed arrays in `value` (found at `spec`) into nested objects.
    fn keyed(&self, value: Value, spec: &str) -> Value {
        if self.is_fine_grained(spec) {
            if let Value::Array(items) = value {
                return Self::fine_grained_keyed(items);
            }
        }
        match (self.keys_at(spec), value) {
            (Some(keys), Value::Array(items)) => {
                let mut map = Map::new();
                for item in items {
                    let path: Vec<String> = if keys.is_empty() {
                        vec![key_text(Some(&item))]
                    } else {
                        keys.iter().map(|k| key_text(field_at(&item, k))).collect()
                    };
                    let item = self.record_keyed(item, spec);
                    insert_nested(&mut map, &path, item);
                }
                Value::Object(map)
            }
            (_, value) => self.record_keyed(value, spec),
        }
    }

    fn record_keyed(&self, value: Value, spec: &str) -> Value {
        match value {
            Value::Object(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| {
                        let inner = join(spec, &k);
                        let v = self.keyed(v, &inner);
                        (k, v)
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// Turns the nested objects of keyed arrays back into arrays.
    fn unkeyed(&self, value: Value, spec: &str) -> Value {
        if self.is_fine_grained(spec) && value.is_object() {
            return Self::fine_grained_unkeyed(value);
        }
        match (self.keys_at(spec), value) {
            (Some(keys), Value::Object(map)) => {
                let depth = keys.len().max(1);
                let mut leaves = Vec::new();
                flatten(Value::Object(map), depth, &mut Vec::new(), &mut leaves);
                let items = leaves
                    .into_iter()
                    .map(|(path, leaf)| {
                        let mut leaf = self.record_unkeyed(leaf, spec);
                        // A record added under its key path may leave its key fields out.
                        if let Value::Object(record) = &mut leaf {
                            for (field, key) in keys.iter().zip(&path) {
                                if !key.is_empty() {
                                    fill_field(record, field, key);
                                }
                            }
                        }
                        leaf
                    })
                    .collect();
                Value::Array(items)
            }
            (Some(_), Value::Array(items)) => Value::Array(
                items
                    .into_iter()
                    .map(|i| self.record_unkeyed(i, spec))
                    .collect(),
            ),
            (_, value) => self.record_unkeyed(value, spec),
        }
    }

    fn record_unkeyed(&self, value: Value, spec: &str) -> Value {
        match value {
            Value::Object(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| {
                        let inner = join(spec, &k);
                        let v = self.unkeyed(v, &inner);
                        (k, v)
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// Applies `op` at `path` below `node`, which sits at `spec` with `keys_left` key segments
    /// of a keyed array still to come.
    fn apply_op(
        &self,
        node: &mut Value,
        op: &Op,
        path: &[String],
        spec: String,
        keys_left: usize,
    ) -> Result<(), String> {
        let Some((seg, rest)) = path.split_first() else {
            return Err("the path is empty".to_string());
        };
        // Where the segment leads: a key of a keyed array, or a field.
        let (next_spec, next_left) = if keys_left > 0 {
            (spec.clone(), keys_left - 1)
        } else {
            let inner = join(&spec, seg);
            let depth = self.depth_at(&inner);
            (inner, depth)
        };
        // `*` at a key level of a removal: every key there.
        if seg == "*" && keys_left > 0 && op.kind == Kind::Remove {
            if let Value::Object(map) = node {
                if !map.contains_key("*") {
                    if rest.is_empty() {
                        map.clear();
                        return Ok(());
                    }
                    for child in map.values_mut() {
                        self.apply_op(child, op, rest, next_spec.clone(), next_left)?;
                    }
                    return Ok(());
                }
            }
        }
        if rest.is_empty() {
            return self.apply_last(node, op, seg, &next_spec, next_left);
        }
        let child = match node {
            Value::Object(map) => match map.get_mut(seg.as_str()) {
                Some(child) => child,
                None => match op.kind {
                    Kind::Remove => return Ok(()),
                    Kind::Replace => return Err(format!("there is nothing at {seg:?} to replace")),
                    Kind::Add => map
                        .entry(seg.clone())
                        .or_insert_with(|| Value::Object(Map::new())),
                },
            },
            Value::Array(items) => {
                let index = seg.parse::<usize>().ok().filter(|i| *i < items.len());
                match (index, op.kind) {
                    (Some(i), _) => &mut items[i],
                    (None, Kind::Remove) => return Ok(()),
                    (None, _) => return Err(format!("{seg:?} is not an index of the array")),
                }
            }
            Value::Null if op.kind == Kind::Add => {
                *node = Value::Object(Map::new());
                return self.apply_op(node, op, path, spec, keys_left);
            }
            _ => return Err(format!("{seg:?} goes into a value that is not an object")),
        };
        self.apply_op(child, op, rest, next_spec, next_left)
    }

    fn apply_last(
        &self,
        node: &mut Value,
        op: &Op,
        seg: &str,
        spec: &str,
        keys_left: usize,
    ) -> Result<(), String> {
        let value = match op.kind {
            Kind::Remove => None,
            Kind::Add | Kind::Replace => {
                let full = self.depth_at(spec);
                if keys_left > 0 && keys_left < full {
                    let keys = self.keys_at(spec).unwrap_or_default().join(", ");
                    return Err(format!(
                        "the path must name every key of the element ({keys}), or none to set the whole array"
                    ));
                }
                Some(self.keyed(op.value.clone(), spec))
            }
        };
        match node {
            Value::Object(map) => match value {
                None => {
                    map.shift_remove(seg);
                }
                Some(v) => {
                    if op.kind == Kind::Replace && !map.contains_key(seg) {
                        return Err(format!("there is nothing at {seg:?} to replace"));
                    }
                    map.insert(seg.to_string(), v);
                }
            },
            Value::Array(items) => {
                let index = if seg == "-" {
                    Some(items.len())
                } else {
                    seg.parse::<usize>().ok()
                };
                match (op.kind, index, value) {
                    (Kind::Remove, Some(i), _) if i < items.len() => {
                        items.remove(i);
                    }
                    (Kind::Remove, _, _) => {}
                    (Kind::Add, Some(i), Some(v)) if i <= items.len() => items.insert(i, v),
                    (Kind::Replace, Some(i), Some(v)) if i < items.len() => items[i] = v,
                    _ => return Err(format!("{seg:?} is not an index of the array")),
                }
            }
            Value::Null if op.kind == Kind::Add => {
                let mut map = Map::new();
                if let Some(v) = value {
                    map.insert(seg.to_string(), v);
                }
                *node = Value::Object(map);
            }
            _ => return Err(format!("{seg:?} goes into a value that is not an object")),
        }
        Ok(())
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Add => "add",
        Kind::Remove => "remove",
        Kind::Replace => "replace",
    }
}

fn join(spec: &str, field: &str) -> String {
    if spec.is_empty() {
        field.to_string()
    } else {
        format!("{spec}/{field}")
    }
}

/// The value of a (possibly nested, `a\u{241f}b`) key field of a record.
fn field_at<'a>(record: &'a Value, field: &str) -> Option<&'a Value> {
    field
        .split(UNIT_SEPARATOR)
        .try_fold(record, |v, name| v.get(name))
}

/// A key as text: a string as it is, a number or boolean as written, a one-member union
/// (`{"string": "x"}`) by its member, anything absent as "" (DataHub's empty source).
fn key_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Object(o)) if o.len() == 1 => key_text(o.values().next()),
        Some(other @ (Value::Object(_) | Value::Array(_))) => other.to_string(),
        Some(Value::Null) | None => String::new(),
    }
}

/// Sets a (possibly nested) key field the record does not have.
fn fill_field(record: &mut Map<String, Value>, field: &str, key: &str) {
    let mut names = field.split(UNIT_SEPARATOR).peekable();
    let mut at = record;
    while let Some(name) = names.next() {
        if names.peek().is_none() {
            at.entry(name.to_string())
                .or_insert_with(|| Value::String(key.to_string()));
            return;
        }
        let next = at
            .entry(name.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        match next {
            Value::Object(inner) => at = inner,
            _ => return,
        }
    }
}

fn insert_nested(map: &mut Map<String, Value>, path: &[String], item: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = map;
    for key in parents {
        let next = at
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        match next {
            Value::Object(inner) => at = inner,
            _ => return,
        }
    }
    at.insert(last.clone(), item);
}

/// The elements under `depth` levels of keys, with their key paths, in order.
fn flatten(
    value: Value,
    depth: usize,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Value)>,
) {
    match value {
        Value::Object(map) if depth > 0 => {
            for (k, v) in map {
                path.push(k);
                flatten(v, depth - 1, path, out);
                path.pop();
            }
        }
        leaf => out.push((path.clone(), leaf)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patched(aspect: &str, current: Option<Value>, body: Value) -> Value {
        let patch = parse(aspect, &body).unwrap_or_else(|e| panic!("{e}"));
        patch.apply(current).unwrap_or_else(|e| panic!("{e}"))
    }

    const DS_A: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,a,PROD)";
    const DS_B: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,b,PROD)";

    #[test]
    fn upstreams_are_keyed_by_dataset() {
        let current = json!({"upstreams": [{"dataset": DS_A, "type": "TRANSFORMED"}]});
        let out = patched(
            "upstreamLineage",
            Some(current),
            json!([
                {"op": "add", "path": format!("/upstreams/{}", DS_B.replace('/', "~1")), "value": {"dataset": DS_B, "type": "COPY"}},
                {"op": "add", "path": format!("/upstreams/{DS_A}"), "value": {"dataset": DS_A, "type": "VIEW"}},
            ]),
        );
        assert_eq!(
            out,
            json!({"upstreams": [{"dataset": DS_A, "type": "VIEW"}, {"dataset": DS_B, "type": "COPY"}]})
        );
        let out = patched(
            "upstreamLineage",
            Some(out),
            json!([{"op": "remove", "path": format!("/upstreams/{DS_A}")}]),
        );
        assert_eq!(
            out,
            json!({"upstreams": [{"dataset": DS_B, "type": "COPY"}]})
        );
    }

    #[test]
    fn generic_envelope_keys_tags_by_source_then_tag() {
        // As the SDK's add_tag sends it: an unattributed tag has the source "".
        let body = json!({
            "arrayPrimaryKeys": {"tags": ["attribution\u{241f}source", "tag"]},
            "patch": [
                {"op": "add", "path": "/tags//urn:li:tag:b", "value": {"tag": "urn:li:tag:b"}},
                {"op": "add", "path": "/tags/urn:li:x:1/urn:li:tag:a", "value": {"tag": "urn:li:tag:a", "attribution": {"source": "urn:li:x:1"}}},
            ]
        });
        let out = patched(
            "globalTags",
            Some(json!({"tags": [{"tag": "urn:li:tag:a"}]})),
            body,
        );
        assert_eq!(
            out,
            json!({"tags": [
                {"tag": "urn:li:tag:a"},
                {"tag": "urn:li:tag:b"},
                {"tag": "urn:li:tag:a", "attribution": {"source": "urn:li:x:1"}}
            ]})
        );
    }

    #[test]
    fn owners_removed_by_owner_whatever_the_type() {
        let current = json!({"owners": [
            {"owner": "urn:li:corpuser:a", "type": "DATAOWNER"},
            {"owner": "urn:li:corpuser:a", "type": "TECHNICAL_OWNER"},
            {"owner": "urn:li:corpuser:b", "type": "DATAOWNER"}
        ]});
        let out = patched(
            "ownership",
            Some(current),
            json!([{"op": "remove", "path": "/owners/urn:li:corpuser:a"}]),
        );
        assert_eq!(
            out,
            json!({"owners": [{"owner": "urn:li:corpuser:b", "type": "DATAOWNER"}]})
        );
    }

    #[test]
    fn wildcard_removes_a_tag_from_every_source() {
        let body = json!({
            "arrayPrimaryKeys": {"tags": ["attribution\u{241f}source", "tag"]},
            "patch": [{"op": "remove", "path": "/tags/*/urn:li:tag:a"}]
        });
        let current = json!({"tags": [
            {"tag": "urn:li:tag:a"},
            {"tag": "urn:li:tag:a", "attribution": {"source": "urn:li:x:1", "time": 0, "actor": "urn:li:corpuser:x"}},
            {"tag": "urn:li:tag:b"}
        ]});
        assert_eq!(
            patched("globalTags", Some(current), body),
            json!({"tags": [{"tag": "urn:li:tag:b"}]})
        );
    }

    #[test]
    fn absent_aspect_starts_empty_and_custom_properties_are_a_map() {
        let out = patched(
            "mlModelProperties",
            None,
            json!([
                {"op": "add", "path": "/customProperties/team", "value": "search"},
                {"op": "add", "path": "/mlFeatures/urn:li:mlFeature:(t,f1)", "value": "urn:li:mlFeature:(t,f1)"},
                {"op": "add", "path": "/mlFeatures/urn:li:mlFeature:(t,f2)", "value": "urn:li:mlFeature:(t,f2)"},
                {"op": "remove", "path": "/mlFeatures/urn:li:mlFeature:(t,f1)"},
                {"op": "remove", "path": "/customProperties/absent"},
            ]),
        );
        assert_eq!(
            out,
            json!({"customProperties": {"team": "search"}, "mlFeatures": ["urn:li:mlFeature:(t,f2)"]})
        );
    }

    #[test]
    fn whole_array_set_then_keyed() {
        let out = patched(
            "upstreamLineage",
            Some(json!({"upstreams": [{"dataset": DS_A, "type": "COPY"}]})),
            json!([
                {"op": "add", "path": "/upstreams", "value": [{"dataset": DS_B, "type": "COPY"}]},
                {"op": "add", "path": format!("/upstreams/{DS_A}"), "value": {"dataset": DS_A, "type": "COPY"}},
            ]),
        );
        assert_eq!(
            out,
            json!({"upstreams": [{"dataset": DS_B, "type": "COPY"}, {"dataset": DS_A, "type": "COPY"}]})
        );
    }

    #[test]
    fn fine_grained_lineage_is_keyed_by_operation_downstream_query_upstream() {
        let field = |ds: &str, f: &str| format!("urn:li:schemaField:({ds},{f})");
        let (down, up1, up2) = (
            field(DS_A, "total"),
            field(DS_B, "price"),
            field(DS_B, "qty"),
        );
        let current = json!({"upstreams": [], "fineGrainedLineages": [{
            "upstreamType": "FIELD_SET", "upstreams": [up1], "downstreamType": "FIELD",
            "downstreams": [down], "transformOperation": "SUM", "confidenceScore": 0.5
        }]});
        let path = |up: &str| format!("/fineGrainedLineages/SUM/{}/NONE/{}", down, up);
        let out = patched(
            "upstreamLineage",
            Some(current),
            json!([{"op": "add", "path": path(&up2), "value": {"confidenceScore": 0.9}}]),
        );
        assert_eq!(
            out["fineGrainedLineages"],
            json!([{"upstreamType": "FIELD_SET", "upstreams": [up1, up2], "downstreamType": "FIELD",
                    "downstreams": [down], "confidenceScore": 0.9, "transformOperation": "SUM"}])
        );
        let out = patched(
            "upstreamLineage",
            Some(out),
            json!([{"op": "remove", "path": path(&up1)}, {"op": "remove", "path": path(&up2)}]),
        );
        assert_eq!(out["fineGrainedLineages"], json!([]));
    }

    #[test]
    fn field_tags_nest_under_the_field_path() {
        let out = patched(
            "editableSchemaMetadata",
            None,
            json!([{"op": "add", "path": "/editableSchemaFieldInfo/user_id/globalTags/tags/urn:li:tag:pii", "value": {"tag": "urn:li:tag:pii"}}]),
        );
        assert_eq!(
            out,
            json!({"editableSchemaFieldInfo": [{"globalTags": {"tags": [{"tag": "urn:li:tag:pii"}]}, "fieldPath": "user_id"}]})
        );
    }

    #[test]
    fn refuses_what_it_cannot_apply() {
        let cases = [
            (
                "globalTags",
                json!([{"op": "move", "path": "/tags/x", "from": "/tags/y"}]),
                "op \"move\"",
            ),
            (
                "globalTags",
                json!([{"op": "add", "path": "/labels/x", "value": {}}]),
                "\"labels\"",
            ),
            (
                "globalTags",
                json!([{"op": "add", "path": "tags", "value": {}}]),
                "starts with /",
            ),
            (
                "globalTags",
                json!([{"op": "add", "path": "/tags/x"}]),
                "no value",
            ),
            ("globalTags", json!([]), "no operations"),
            ("globalTags", json!({"patch": 1}), "\"patch\""),
            (
                "schemaMetadata",
                json!([{"op": "add", "path": "/fields", "value": []}]),
                "not supported",
            ),
        ];
        for (aspect, body, expected) in cases {
            let e = parse(aspect, &body).expect_err("refused");
            assert!(e.contains(expected), "{e} should contain {expected}");
        }
        let patch = parse(
            "ownership",
            &json!([{"op": "replace", "path": "/owners/urn:li:corpuser:a/DATAOWNER", "value": {}}]),
        )
        .unwrap();
        assert!(patch.apply(None).unwrap_err().contains("nothing"));
    }
}
