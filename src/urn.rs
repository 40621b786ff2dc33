//! URN parsing and formatting. A URN is parsed once where it enters (a GraphQL argument, a REST
//! path, an aspect field) into a [`Urn`]; everything inside takes the typed value.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The entity types mlcat knows (the governance types `tag` to `ownershipType` have a plain
/// key: their name or id). URNs of other DataHub types (`dataJob`, `dataFlow`, ...) are
/// accepted and kept as [`EntityKind::Other`], so an aspect that references them loses nothing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Dataset,
    DataPlatform,
    MlFeature,
    MlFeatureTable,
    MlPrimaryKey,
    MlModel,
    MlModelGroup,
    MlModelDeployment,
    Tag,
    GlossaryTerm,
    GlossaryNode,
    Domain,
    CorpUser,
    CorpGroup,
    OwnershipType,
    Other(String),
}

impl EntityKind {
    /// The entity type as it is spelled in a URN (`urn:li:<this>:...`).
    pub fn as_str(&self) -> &str {
        match self {
            EntityKind::Dataset => "dataset",
            EntityKind::DataPlatform => "dataPlatform",
            EntityKind::MlFeature => "mlFeature",
            EntityKind::MlFeatureTable => "mlFeatureTable",
            EntityKind::MlPrimaryKey => "mlPrimaryKey",
            EntityKind::MlModel => "mlModel",
            EntityKind::MlModelGroup => "mlModelGroup",
            EntityKind::MlModelDeployment => "mlModelDeployment",
            EntityKind::Tag => "tag",
            EntityKind::GlossaryTerm => "glossaryTerm",
            EntityKind::GlossaryNode => "glossaryNode",
            EntityKind::Domain => "domain",
            EntityKind::CorpUser => "corpuser",
            EntityKind::CorpGroup => "corpGroup",
            EntityKind::OwnershipType => "ownershipType",
            EntityKind::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> EntityKind {
        match s {
            "dataset" => EntityKind::Dataset,
            "dataPlatform" => EntityKind::DataPlatform,
            "mlFeature" => EntityKind::MlFeature,
            "mlFeatureTable" => EntityKind::MlFeatureTable,
            "mlPrimaryKey" => EntityKind::MlPrimaryKey,
            "mlModel" => EntityKind::MlModel,
            "mlModelGroup" => EntityKind::MlModelGroup,
            "mlModelDeployment" => EntityKind::MlModelDeployment,
            "tag" => EntityKind::Tag,
            "glossaryTerm" => EntityKind::GlossaryTerm,
            "glossaryNode" => EntityKind::GlossaryNode,
            "domain" => EntityKind::Domain,
            "corpuser" => EntityKind::CorpUser,
            "corpGroup" => EntityKind::CorpGroup,
            "ownershipType" => EntityKind::OwnershipType,
            other => EntityKind::Other(other.to_string()),
        }
    }

    /// The governance types, `tag` to `ownershipType`: their key is a plain name or id, GMS
    /// derives no key aspect mlcat writes for them, and the catalog answers them from their
    /// stored aspects only. The one list of them; the matches elsewhere ask this.
    pub fn is_governance(&self) -> bool {
        matches!(
            self,
            EntityKind::Tag
                | EntityKind::GlossaryTerm
                | EntityKind::GlossaryNode
                | EntityKind::Domain
                | EntityKind::CorpUser
                | EntityKind::CorpGroup
                | EntityKind::OwnershipType
        )
    }

    /// What the key of a URN of this type looks like, for error messages.
    fn key_shape(&self) -> &'static str {
        match self {
            EntityKind::Dataset => "(urn:li:dataPlatform:<platform>,<name>,<ENV>)",
            EntityKind::MlModel => "(urn:li:dataPlatform:<platform>,<name>,<ENV>)",
            EntityKind::MlModelGroup => "(urn:li:dataPlatform:<platform>,<name>,<ENV>)",
            EntityKind::MlModelDeployment => "(urn:li:dataPlatform:<platform>,<name>,<ENV>)",
            EntityKind::MlFeatureTable => "(urn:li:dataPlatform:<platform>,<name>)",
            EntityKind::MlFeature | EntityKind::MlPrimaryKey => "(<featureNamespace>,<name>)",
            EntityKind::DataPlatform => "<platform>",
            EntityKind::Tag => "<name>",
            EntityKind::GlossaryTerm | EntityKind::GlossaryNode => "<id>",
            EntityKind::Domain | EntityKind::OwnershipType => "<id>",
            EntityKind::CorpUser => "<username>",
            EntityKind::CorpGroup => "<name>",
            EntityKind::Other(_) => "<key>",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// DataHub's FabricType: the environment of a dataset, model, group or deployment.
pub const FABRIC_TYPES: &[&str] = &[
    "DEV", "TEST", "QA", "UAT", "EI", "PRE", "STG", "NON_PROD", "PROD", "CORP", "RVW", "PRD",
    "TST", "SIT", "SBX", "SANDBOX",
];

/// Longest URN accepted, in bytes; DataHub caps typed URNs well below this.
pub const MAX_URN_LEN: usize = 1024;

/// Longest entity type accepted, in characters (ASCII, so bytes too): the width of the
/// `entity.entity_type` column.
pub const MAX_ENTITY_TYPE_LEN: usize = 64;

/// A parsed URN: its canonical text, its entity type, and where its key parts lie in the text.
/// The parts are byte ranges of `text`, so a URN is one allocation however many parts it has
/// (aspects hold lists of URNs, and every stored aspect read decodes them).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Urn {
    text: String,
    kind: EntityKind,
    name: Span,
    platform: Option<Span>,
    env: Option<Span>,
    namespace: Option<Span>,
}

/// A byte range of a URN's text; URNs are at most [`MAX_URN_LEN`] bytes long.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Span(u16, u16);

impl Span {
    /// Where `part`, a slice of `whole`, lies in it.
    fn of(whole: &str, part: &str) -> Span {
        let start = part.as_ptr() as usize - whole.as_ptr() as usize;
        Span::between(start, start + part.len())
    }

    fn between(start: usize, end: usize) -> Span {
        // Both fit: parse refuses URNs longer than MAX_URN_LEN first.
        Span(start as u16, end as u16)
    }

    fn get(self, text: &str) -> &str {
        &text[self.0 as usize..self.1 as usize]
    }
}

/// What parsing finds in a URN's text, before the text is owned.
struct Parts {
    kind: EntityKind,
    name: Span,
    platform: Option<Span>,
    env: Option<Span>,
    namespace: Option<Span>,
}

/// Why a string is not a URN mlcat accepts; the message says what to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid URN {input:?}: {reason}")]
pub struct UrnError {
    pub input: String,
    pub reason: String,
}

impl Urn {
    pub fn parse(input: &str) -> Result<Urn, UrnError> {
        let parts = Urn::parts(input)?;
        Ok(Urn::with_text(input.to_string(), parts))
    }

    /// [`Urn::parse`] of text the caller owns, keeping it as the URN's text.
    pub fn parse_owned(input: String) -> Result<Urn, UrnError> {
        let parts = Urn::parts(&input)?;
        Ok(Urn::with_text(input, parts))
    }

    fn with_text(text: String, parts: Parts) -> Urn {
        Urn {
            text,
            kind: parts.kind,
            name: parts.name,
            platform: parts.platform,
            env: parts.env,
            namespace: parts.namespace,
        }
    }

    fn parts(input: &str) -> Result<Parts, UrnError> {
        let fail = |reason: String| UrnError {
            input: truncate(input, 200),
            reason,
        };
        if input.len() > MAX_URN_LEN {
            return Err(fail(format!("longer than {MAX_URN_LEN} bytes")));
        }
        if has_control(input) {
            return Err(fail("contains control characters".into()));
        }
        let rest = input
            .strip_prefix("urn:li:")
            .ok_or_else(|| fail("must start with \"urn:li:\"".into()))?;
        let (kind, key) = rest
            .split_once(':')
            .ok_or_else(|| fail("expected urn:li:<entityType>:<key>".into()))?;
        if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(fail(format!("entity type {kind:?} is not a name")));
        }
        if kind.len() > MAX_ENTITY_TYPE_LEN {
            return Err(fail(format!(
                "the entity type is {} characters long, longer than {MAX_ENTITY_TYPE_LEN}",
                kind.len()
            )));
        }
        if key.is_empty() {
            return Err(fail("the key after the entity type is empty".into()));
        }
        let kind = EntityKind::parse(kind);
        let shape = |why: &str| {
            fail(format!(
                "{why}; a {kind} URN looks like urn:li:{kind}:{}",
                kind.key_shape()
            ))
        };
        let span = |part: &str| Span::of(input, part);
        let mut found = Parts {
            kind: kind.clone(),
            name: span(key),
            platform: None,
            env: None,
            namespace: None,
        };
        match kind {
            EntityKind::Dataset
            | EntityKind::MlModel
            | EntityKind::MlModelGroup
            | EntityKind::MlModelDeployment => {
                let parts =
                    tuple_parts(key).ok_or_else(|| shape("the key is not a (...) tuple"))?;
                if parts.len() < 3 {
                    return Err(shape("the key needs three parts"));
                }
                let platform = platform_of(parts.first())
                    .ok_or_else(|| shape("the first part must be a data platform URN"))?;
                let env = parts.last();
                if !FABRIC_TYPES.contains(&env) {
                    return Err(shape(&format!(
                        "environment {env:?} is not one of {}",
                        FABRIC_TYPES.join(", ")
                    )));
                }
                // A dataset name may itself contain commas: everything between the platform
                // and the environment is the name.
                let name = span(parts.between());
                if name.get(input).trim().is_empty() {
                    return Err(shape("the name is empty"));
                }
                found.name = name;
                found.platform = Some(span(platform));
                found.env = Some(span(env));
            }
            EntityKind::MlFeatureTable => {
                let parts =
                    tuple_parts(key).ok_or_else(|| shape("the key is not a (...) tuple"))?;
                if parts.len() < 2 {
                    return Err(shape("the key needs two parts"));
                }
                let platform = platform_of(parts.first())
                    .ok_or_else(|| shape("the first part must be a data platform URN"))?;
                let name = span(parts.after_first());
                if name.get(input).trim().is_empty() {
                    return Err(shape("the name is empty"));
                }
                found.name = name;
                found.platform = Some(span(platform));
            }
            EntityKind::MlFeature | EntityKind::MlPrimaryKey => {
                let parts =
                    tuple_parts(key).ok_or_else(|| shape("the key is not a (...) tuple"))?;
                if parts.len() != 2 {
                    return Err(shape("the key needs exactly two parts"));
                }
                let (namespace, name) = (parts.first(), parts.last());
                if namespace.trim().is_empty() || name.trim().is_empty() {
                    return Err(shape("the namespace and the name must not be empty"));
                }
                found.namespace = Some(span(namespace));
                found.name = span(name);
            }
            EntityKind::DataPlatform => {
                if key.contains(['(', ')', ',']) {
                    return Err(shape("a platform name has no parentheses or commas"));
                }
            }
            // A plain key: the governance types (`is_governance`) and the types mlcat does not
            // model.
            _ => {
                if !balanced(key) {
                    return Err(fail("unbalanced parentheses in the key".into()));
                }
            }
        }
        Ok(found)
    }

    pub fn dataset(platform: &str, name: &str, env: &str) -> Result<Urn, UrnError> {
        Urn::parse(&format!(
            "urn:li:dataset:(urn:li:dataPlatform:{platform},{name},{env})"
        ))
    }
    pub fn ml_model(platform: &str, name: &str, env: &str) -> Result<Urn, UrnError> {
        Urn::parse(&format!(
            "urn:li:mlModel:(urn:li:dataPlatform:{platform},{name},{env})"
        ))
    }
    pub fn ml_model_group(platform: &str, name: &str, env: &str) -> Result<Urn, UrnError> {
        Urn::parse(&format!(
            "urn:li:mlModelGroup:(urn:li:dataPlatform:{platform},{name},{env})"
        ))
    }
    pub fn ml_feature_table(platform: &str, name: &str) -> Result<Urn, UrnError> {
        Urn::parse(&format!(
            "urn:li:mlFeatureTable:(urn:li:dataPlatform:{platform},{name})"
        ))
    }
    pub fn ml_feature(namespace: &str, name: &str) -> Result<Urn, UrnError> {
        Urn::parse(&format!("urn:li:mlFeature:({namespace},{name})"))
    }
    pub fn ml_primary_key(namespace: &str, name: &str) -> Result<Urn, UrnError> {
        Urn::parse(&format!("urn:li:mlPrimaryKey:({namespace},{name})"))
    }
    pub fn data_platform(name: &str) -> Result<Urn, UrnError> {
        Urn::parse(&format!("urn:li:dataPlatform:{name}"))
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
    pub fn kind(&self) -> &EntityKind {
        &self.kind
    }
    /// The entity's name from its key (the `name` part; the whole key for other types).
    pub fn name(&self) -> &str {
        self.name.get(&self.text)
    }
    /// The platform name (`feast`, not the platform URN), for types whose key has one.
    pub fn platform(&self) -> Option<&str> {
        self.platform.map(|p| p.get(&self.text))
    }
    pub fn platform_urn(&self) -> Option<Urn> {
        self.platform().and_then(|p| Urn::data_platform(p).ok())
    }
    pub fn env(&self) -> Option<&str> {
        self.env.map(|e| e.get(&self.text))
    }
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.map(|n| n.get(&self.text))
    }

    /// Refuses a URN of another entity type, naming the field it came from.
    pub fn expect_kind(&self, field: &str, kinds: &[EntityKind]) -> Result<(), String> {
        match self.kind_mismatch(kinds) {
            None => Ok(()),
            Some(reason) => Err(format!("{field}: {reason}")),
        }
    }

    /// Why this URN is not of one of `kinds`, or `None` when it is.
    pub fn kind_mismatch(&self, kinds: &[EntityKind]) -> Option<String> {
        if kinds.contains(&self.kind) {
            return None;
        }
        let wanted: Vec<&str> = kinds.iter().map(EntityKind::as_str).collect();
        Some(format!(
            "expected a {} URN, got a {} URN ({})",
            wanted.join(" or "),
            self.kind,
            self.text
        ))
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

fn balanced(s: &str) -> bool {
    tuple_commas(s).is_some()
}

/// Whether `s` holds a control character (`char::is_control`), looking at bytes while the
/// text is ASCII: every stored aspect read parses the URNs it lists.
fn has_control(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        s.chars().any(char::is_control)
    }
}

/// The top-level parts of a key `(a,b,(c,d))`. Parentheses and commas are ASCII, so the key is
/// split by bytes, in one pass and without collecting the parts: a name may hold commas, and
/// the callers want the first part, the last, and everything between.
struct Tuple<'a> {
    inner: &'a str,
    /// The byte offsets in `inner` of the first and the last top-level comma.
    commas: Option<(usize, usize)>,
    len: usize,
}

impl<'a> Tuple<'a> {
    fn len(&self) -> usize {
        self.len
    }
    fn first(&self) -> &'a str {
        match self.commas {
            Some((first, _)) => &self.inner[..first],
            None => self.inner,
        }
    }
    fn last(&self) -> &'a str {
        match self.commas {
            Some((_, last)) => &self.inner[last + 1..],
            None => self.inner,
        }
    }
    /// Everything after the first part (of a tuple with at least two).
    fn after_first(&self) -> &'a str {
        let start = self.commas.map_or(self.inner.len(), |(first, _)| first + 1);
        &self.inner[start..]
    }
    /// Everything between the first and the last part (of a tuple with at least three).
    fn between(&self) -> &'a str {
        match self.commas {
            Some((first, last)) if first < last => &self.inner[first + 1..last],
            _ => &self.inner[self.inner.len()..],
        }
    }
}

/// The first and last top-level comma of `inner` and how many there are, or `None` when its
/// parentheses do not balance.
fn tuple_commas(inner: &str) -> Option<(Option<(usize, usize)>, usize)> {
    let (mut depth, mut count, mut commas) = (0i32, 0usize, None);
    for (i, b) in inner.bytes().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            b',' if depth == 0 => {
                count += 1;
                commas = Some(commas.map_or((i, i), |(first, _)| (first, i)));
            }
            _ => {}
        }
    }
    (depth == 0).then_some((commas, count))
}

/// Splits `(a,b,(c,d))` at its top-level commas.
fn tuple_parts(key: &str) -> Option<Tuple<'_>> {
    let inner = key.strip_prefix('(')?.strip_suffix(')')?;
    let (commas, count) = tuple_commas(inner)?;
    Some(Tuple {
        inner,
        commas,
        len: count + 1,
    })
}

fn platform_of(part: &str) -> Option<&str> {
    let name = part.strip_prefix("urn:li:dataPlatform:")?;
    (!name.is_empty() && !name.contains(['(', ')', ','])).then_some(name)
}

impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Urn {
    type Err = UrnError;
    fn from_str(s: &str) -> Result<Urn, UrnError> {
        Urn::parse(s)
    }
}

impl Serialize for Urn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Urn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Urn, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Urn;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a URN string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Urn, E> {
                Urn::parse(s).map_err(E::custom)
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Urn, E> {
                Urn::parse_owned(s).map_err(E::custom)
            }
        }
        d.deserialize_string(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_tutorial_urns() {
        let f = Urn::parse(
            "urn:li:mlFeature:(test_feature_table_all_feature_dtypes,test_BOOL_LIST_feature)",
        )
        .unwrap();
        assert_eq!(f.kind(), &EntityKind::MlFeature);
        assert_eq!(f.namespace(), Some("test_feature_table_all_feature_dtypes"));
        assert_eq!(f.name(), "test_BOOL_LIST_feature");

        let m =
            Urn::parse("urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,PROD)").unwrap();
        assert_eq!(
            (m.platform(), m.name(), m.env()),
            (Some("science"), "scienceModel", Some("PROD"))
        );

        let t = Urn::parse(
            "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,test_feature_table_all_feature_dtypes)",
        )
        .unwrap();
        assert_eq!(t.platform(), Some("feast"));
        assert_eq!(
            t.platform_urn().unwrap().as_str(),
            "urn:li:dataPlatform:feast"
        );
    }

    #[test]
    fn dataset_names_may_hold_commas_and_unicode() {
        let d = Urn::parse("urn:li:dataset:(urn:li:dataPlatform:hive,a,b.ü,PROD)").unwrap();
        assert_eq!(d.name(), "a,b.ü");
    }

    #[test]
    fn splits_keys_at_top_level_commas_only() {
        let d = Urn::parse("urn:li:dataset:(urn:li:dataPlatform:s3,f(a,b),c,DEV)").unwrap();
        assert_eq!(
            (d.platform(), d.name(), d.env()),
            (Some("s3"), "f(a,b),c", Some("DEV"))
        );
        let t = Urn::parse("urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,t,(x,y))").unwrap();
        assert_eq!((t.platform(), t.name()), (Some("feast"), "t,(x,y)"));
        let f = Urn::parse("urn:li:mlFeature:(ns,(a,b))").unwrap();
        assert_eq!((f.namespace(), f.name()), (Some("ns"), "(a,b)"));
        for bad in [
            "urn:li:mlFeature:(a,(b,c)",
            "urn:li:mlFeature:(a),(b)",
            "urn:li:dataset:(urn:li:dataPlatform:s3,x)y,(PROD)",
            "urn:li:mlModel:(urn:li:dataPlatform:s3,PROD)",
            "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast)",
            // U+0085, a control character outside ASCII.
            "urn:li:mlFeature:(a,b\u{85})",
        ] {
            assert!(Urn::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_malformed_urns_with_a_reason() {
        for (input, needle) in [
            ("mlModel:x", "urn:li:"),
            ("urn:li:mlModel", "urn:li:<entityType>:<key>"),
            (
                "urn:li:mlModel:(urn:li:dataPlatform:x,m,NOPE)",
                "environment",
            ),
            ("urn:li:mlModel:(x,m,PROD)", "data platform URN"),
            ("urn:li:mlFeature:(a,b,c)", "exactly two parts"),
            ("urn:li:mlFeature:(a,)", "must not be empty"),
            ("urn:li:mlFeature:a", "tuple"),
            ("urn:li:dataset:(urn:li:dataPlatform:x,t,PROD", "tuple"),
            ("urn:li:foo:(a", "unbalanced"),
            ("urn:li:mlFeature:(a,b\n)", "control"),
            (
                format!("urn:li:{}:k", "t".repeat(65)).as_str(),
                "longer than 64",
            ),
        ] {
            let err = Urn::parse(input).unwrap_err();
            assert!(err.reason.contains(needle), "{input}: {}", err.reason);
        }
    }

    #[test]
    fn decodes_from_json_with_its_parts_whether_escaped_or_not() {
        let plain: Urn =
            serde_json::from_str(r#""urn:li:dataset:(urn:li:dataPlatform:hive,a,b,PROD)""#)
                .unwrap();
        // An escape makes serde hand over an owned string instead of a slice of the input.
        let escaped: Urn =
            serde_json::from_str(r#""urn:li:dataset:(urn:li:dataPlatform:hive,a\u002cb,PROD)""#)
                .unwrap();
        assert_eq!(plain, escaped);
        for urn in [&plain, &escaped] {
            assert_eq!(
                (urn.platform(), urn.name(), urn.env()),
                (Some("hive"), "a,b", Some("PROD"))
            );
        }
        let refused = serde_json::from_str::<Urn>(r#""urn:li:mlFeature:(a,b,c)""#).unwrap_err();
        assert!(
            refused.to_string().contains("exactly two parts"),
            "{refused}"
        );
    }

    #[test]
    fn expect_kind_names_the_field() {
        let m = Urn::parse("urn:li:mlModel:(urn:li:dataPlatform:x,m,PROD)").unwrap();
        let e = m
            .expect_kind("mlFeatures[0]", &[EntityKind::MlFeature])
            .unwrap_err();
        assert!(e.starts_with("mlFeatures[0]: expected a mlFeature URN, got a mlModel URN"));
    }
}
