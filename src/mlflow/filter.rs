//! MLflow's search grammar for registered models and model versions: the filter (`name LIKE
//! 'churn%' AND tags.team = 'ml'`), `order_by` (`name ASC`, `last_updated_timestamp DESC`) and
//! page tokens. Parsed here into clauses a search applies to what it read; anything that does
//! not parse is refused with a message that says what is allowed.
//!
//! The grammar, as MLflow's server accepts it: clauses joined by `AND`; a clause is a field, a
//! comparator and a value. Fields: `name` (both searches), `run_id`, `source_path` and
//! `version_number` (versions), `tags.<key>` or `tag.<key>` (the key may be in backticks or
//! quotes). Comparators: `=`, `!=`, `LIKE`, `ILIKE` for text (`%` any run, `_` one
//! character; ILIKE ignores case), `IN (...)` and `NOT IN (...)` for `name` and `run_id`, and
//! `=`, `!=`, `<`, `<=`, `>`, `>=` for `version_number`. Values are quoted with `'` or `"`.

/// What is searched: the fields and orders allowed differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    RegisteredModels,
    ModelVersions,
}

/// A field a filter names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    RunId,
    SourcePath,
    VersionNumber,
    Tag(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Like,
    ILike,
    In,
    NotIn,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    Text(String),
    List(Vec<String>),
    Number(i64),
}

/// One clause of a filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    pub field: Field,
    pub op: Op,
    pub value: Operand,
}

/// The tag MLflow's client adds to every registered-model search (`!= 'true'`) to leave
/// prompts out; a model without it is not a prompt.
const PROMPT_TAG: &str = "mlflow.prompt.is_prompt";

impl Clause {
    /// Whether an item whose fields `get` answers passes this clause. A field the item does
    /// not have passes nothing (except the prompt tag, which an item without it is not).
    pub fn matches<'a>(&self, get: impl Fn(&Field) -> Option<&'a str>) -> bool {
        let Some(have) = get(&self.field) else {
            if let (Field::Tag(key), Operand::Text(v)) = (&self.field, &self.value) {
                if key == PROMPT_TAG {
                    return (self.op == Op::Ne && v == "true")
                        || (self.op == Op::Eq && v == "false");
                }
            }
            return false;
        };
        match (&self.op, &self.value) {
            (Op::Eq, Operand::Text(v)) => have == v,
            (Op::Ne, Operand::Text(v)) => have != v,
            (Op::Like, Operand::Text(v)) => like(have, v, false),
            (Op::ILike, Operand::Text(v)) => like(have, v, true),
            (Op::In, Operand::List(vs)) => vs.iter().any(|v| v == have),
            (Op::NotIn, Operand::List(vs)) => vs.iter().all(|v| v != have),
            (op, Operand::Number(n)) => match have.parse::<i64>() {
                Ok(have) => match op {
                    Op::Eq => have == *n,
                    Op::Ne => have != *n,
                    Op::Lt => have < *n,
                    Op::Le => have <= *n,
                    Op::Gt => have > *n,
                    Op::Ge => have >= *n,
                    _ => false,
                },
                Err(_) => false,
            },
            _ => false,
        }
    }
}

/// SQL's LIKE: `%` matches any run of characters, `_` any one; `fold` ignores case.
pub fn like(text: &str, pattern: &str, fold: bool) -> bool {
    let fold_str = |s: &str| -> Vec<char> {
        if fold {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (t, p) = (fold_str(text), fold_str(pattern));
    // Greedy match with one backtrack point (the last `%`): linear in practice.
    let (mut ti, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '_' || p[pi] == t[ti]) && p[pi] != '%' {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '%')
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Backticked(String),
    Number(i64),
    Op(&'static str),
    Open,
    Close,
    Comma,
    Dot,
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => (out.push(Token::Open), i += 1).1,
            ')' => (out.push(Token::Close), i += 1).1,
            ',' => (out.push(Token::Comma), i += 1).1,
            '.' => (out.push(Token::Dot), i += 1).1,
            '=' => (out.push(Token::Op("=")), i += 1).1,
            '!' | '<' | '>' => {
                let two = chars.get(i + 1) == Some(&'=');
                let op = match (c, two) {
                    ('!', true) => "!=",
                    ('<', true) => "<=",
                    ('>', true) => ">=",
                    ('<', false) => "<",
                    ('>', false) => ">",
                    _ => return Err(format!("unexpected '!' at character {}", i + 1)),
                };
                out.push(Token::Op(op));
                i += if two { 2 } else { 1 };
            }
            '\'' | '"' | '`' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|d| *d == c)
                    .ok_or_else(|| format!("the quote at character {} is not closed", i + 1))?;
                let inner: String = chars[i + 1..i + 1 + close].iter().collect();
                out.push(if c == '`' {
                    Token::Backticked(inner)
                } else {
                    Token::Quoted(inner)
                });
                i += close + 2;
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                out.push(Token::Number(
                    s.parse().map_err(|_| format!("{s:?} is not a number"))?,
                ));
            }
            c if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected {other:?} at character {}", i + 1)),
        }
    }
    Ok(out)
}

/// Parses a filter; empty or blank is no clause.
pub fn parse(filter: &str, target: Target) -> Result<Vec<Clause>, String> {
    let toks = tokens(filter)?;
    let mut clauses = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !clauses.is_empty() {
            match &toks[i] {
                Token::Word(w) if w.eq_ignore_ascii_case("and") => i += 1,
                Token::Word(w) if w.eq_ignore_ascii_case("or") => {
                    return Err("OR is not supported: join clauses with AND".into())
                }
                other => {
                    return Err(format!(
                        "expected AND between clauses, found {}",
                        show(other)
                    ))
                }
            }
        }
        let (field, next) = field(&toks, i, target)?;
        i = next;
        let (op, next) = comparator(&toks, i)?;
        i = next;
        let (value, next) = operand(&toks, i)?;
        i = next;
        check(&field, op, &value, target)?;
        clauses.push(Clause { field, op, value });
    }
    Ok(clauses)
}

fn show(t: &Token) -> String {
    match t {
        Token::Word(w) => w.clone(),
        Token::Quoted(q) => format!("'{q}'"),
        Token::Backticked(b) => format!("`{b}`"),
        Token::Number(n) => n.to_string(),
        Token::Op(o) => (*o).to_string(),
        Token::Open => "(".into(),
        Token::Close => ")".into(),
        Token::Comma => ",".into(),
        Token::Dot => ".".into(),
    }
}

const FIELDS_MODELS: &str = "name, tags.<key>";
const FIELDS_VERSIONS: &str = "name, run_id, source_path, version_number, tags.<key>";

fn field(toks: &[Token], i: usize, target: Target) -> Result<(Field, usize), String> {
    let allowed = match target {
        Target::RegisteredModels => FIELDS_MODELS,
        Target::ModelVersions => FIELDS_VERSIONS,
    };
    let first = match toks.get(i) {
        Some(Token::Word(w)) | Some(Token::Backticked(w)) => w.clone(),
        Some(other) => {
            return Err(format!(
                "expected a field ({allowed}), found {}",
                show(other)
            ))
        }
        None => return Err(format!("expected a field ({allowed}) at the end")),
    };
    let (entity, key, next) = if toks.get(i + 1) == Some(&Token::Dot) {
        let key = match toks.get(i + 2) {
            Some(Token::Word(w)) | Some(Token::Backticked(w)) | Some(Token::Quoted(w)) => w.clone(),
            _ => return Err(format!("expected a key after {first}.")),
        };
        // A bare key may have dots of its own (`tags.a.b`): they belong to the key.
        let mut key = key;
        let mut j = i + 3;
        while toks.get(j) == Some(&Token::Dot) {
            match toks.get(j + 1) {
                Some(Token::Word(w)) => key = format!("{key}.{w}"),
                _ => return Err(format!("expected a key after {first}.{key}.")),
            }
            j += 2;
        }
        (Some(first), key, j)
    } else {
        (None, first, i + 1)
    };
    let field = match entity.as_deref() {
        Some("tags" | "tag") => Field::Tag(key),
        Some("attribute" | "attributes") | None => match (key.as_str(), target) {
            ("name", _) => Field::Name,
            ("run_id", Target::ModelVersions) => Field::RunId,
            ("source_path", Target::ModelVersions) => Field::SourcePath,
            ("version_number", Target::ModelVersions) => Field::VersionNumber,
            _ => return Err(format!("invalid field {key:?}: filter on {allowed}")),
        },
        Some(other) => {
            return Err(format!(
                "invalid entity type {other:?}: filter on {allowed}"
            ))
        }
    };
    Ok((field, next))
}

fn comparator(toks: &[Token], i: usize) -> Result<(Op, usize), String> {
    let word = |j: usize| match toks.get(j) {
        Some(Token::Word(w)) => Some(w.to_ascii_uppercase()),
        _ => None,
    };
    Ok(match toks.get(i) {
        Some(Token::Op(o)) => (
            match *o {
                "=" => Op::Eq,
                "!=" => Op::Ne,
                "<" => Op::Lt,
                "<=" => Op::Le,
                ">" => Op::Gt,
                _ => Op::Ge,
            },
            i + 1,
        ),
        Some(Token::Word(_)) => match word(i).as_deref() {
            Some("LIKE") => (Op::Like, i + 1),
            Some("ILIKE") => (Op::ILike, i + 1),
            Some("IN") => (Op::In, i + 1),
            Some("NOT") if word(i + 1).as_deref() == Some("IN") => (Op::NotIn, i + 2),
            _ => return Err(format!("invalid comparator {}", show(&toks[i]))),
        },
        Some(other) => return Err(format!("expected a comparator, found {}", show(other))),
        None => return Err("expected a comparator at the end".into()),
    })
}

fn operand(toks: &[Token], i: usize) -> Result<(Operand, usize), String> {
    match toks.get(i) {
        Some(Token::Quoted(s)) => Ok((Operand::Text(s.clone()), i + 1)),
        Some(Token::Number(n)) => Ok((Operand::Number(*n), i + 1)),
        Some(Token::Open) => {
            let mut items = Vec::new();
            let mut j = i + 1;
            loop {
                match toks.get(j) {
                    Some(Token::Quoted(s)) => items.push(s.clone()),
                    _ => return Err("a list holds quoted strings: ('a', 'b')".into()),
                }
                match toks.get(j + 1) {
                    Some(Token::Comma) => j += 2,
                    Some(Token::Close) => return Ok((Operand::List(items), j + 2)),
                    _ => return Err("a list is closed with ')'".into()),
                }
            }
        }
        Some(other) => Err(format!("expected a quoted value, found {}", show(other))),
        None => Err("expected a value at the end".into()),
    }
}

fn check(field: &Field, op: Op, value: &Operand, target: Target) -> Result<(), String> {
    let list_ok = matches!(field, Field::Name)
        || (target == Target::ModelVersions && matches!(field, Field::RunId));
    match (field, op, value) {
        (
            Field::VersionNumber,
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge,
            Operand::Number(_),
        ) => Ok(()),
        (Field::VersionNumber, _, _) => {
            Err("version_number takes =, !=, <, <=, >, >= and a number".into())
        }
        (_, Op::In | Op::NotIn, Operand::List(_)) if list_ok => Ok(()),
        (_, Op::In | Op::NotIn, _) => Err(format!(
            "IN and NOT IN take a list ('a', 'b'), on {}",
            if target == Target::ModelVersions {
                "name and run_id"
            } else {
                "name"
            }
        )),
        (_, Op::Eq | Op::Ne | Op::Like | Op::ILike, Operand::Text(_)) => Ok(()),
        (_, Op::Eq | Op::Ne | Op::Like | Op::ILike, _) => {
            Err("expected a quoted string value (e.g. 'my-value')".into())
        }
        _ => Err("<, <=, >, >= compare version_number only".into()),
    }
}

/// What results can be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderKey {
    Name,
    Created,
    LastUpdated,
    VersionNumber,
}

/// Parses `order_by` entries (`name`, `name DESC`, `last_updated_timestamp ASC`); a name
/// tie-breaker is added, as MLflow does.
pub fn order_by(entries: &[String], target: Target) -> Result<Vec<(OrderKey, bool)>, String> {
    let mut out = Vec::new();
    for entry in entries {
        let mut parts = entry.split_whitespace();
        let key = parts.next().unwrap_or_default();
        let key = key
            .strip_prefix("attribute.")
            .unwrap_or(key)
            .trim_matches('`');
        let ascending = match parts.next().map(str::to_ascii_uppercase).as_deref() {
            None | Some("ASC") => true,
            Some("DESC") => false,
            Some(other) => {
                return Err(format!("invalid order {other:?} in {entry:?}: ASC or DESC"))
            }
        };
        if parts.next().is_some() {
            return Err(format!("invalid order_by {entry:?}: a key and ASC or DESC"));
        }
        let key = match (key, target) {
            ("name", _) => OrderKey::Name,
            ("creation_timestamp", _) => OrderKey::Created,
            ("last_updated_timestamp" | "timestamp", _) => OrderKey::LastUpdated,
            ("version_number", Target::ModelVersions) => OrderKey::VersionNumber,
            _ => {
                return Err(format!(
                "invalid order_by key {key:?}: name, creation_timestamp, last_updated_timestamp{}",
                if target == Target::ModelVersions {
                    ", version_number"
                } else {
                    ""
                }
            ))
            }
        };
        out.push((key, ascending));
    }
    if !out.iter().any(|(k, _)| *k == OrderKey::Name) {
        out.push((OrderKey::Name, true));
    }
    Ok(out)
}

/// The offset a page token stands for; none is the first page.
pub fn page_offset(token: Option<&str>) -> Result<usize, String> {
    match token {
        None | Some("") => Ok(0),
        Some(t) => t
            .strip_prefix("mlcat:")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| {
                format!("invalid page_token {t:?}: pass the next_page_token of the previous page")
            }),
    }
}

/// The token of the page starting at `offset`.
pub fn page_token(offset: usize) -> String {
    format!("mlcat:{offset}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Operand {
        Operand::Text(s.into())
    }

    #[test]
    fn filters_parse_into_clauses() {
        let got = parse(
            "name LIKE 'churn%' AND tags.`mlflow.prompt.is_prompt` != 'true' and tag.team = \"ml\"",
            Target::RegisteredModels,
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                Clause {
                    field: Field::Name,
                    op: Op::Like,
                    value: text("churn%")
                },
                Clause {
                    field: Field::Tag("mlflow.prompt.is_prompt".into()),
                    op: Op::Ne,
                    value: text("true")
                },
                Clause {
                    field: Field::Tag("team".into()),
                    op: Op::Eq,
                    value: text("ml")
                },
            ]
        );
        let got = parse(
            "run_id IN ('a', 'b') AND version_number >= 2",
            Target::ModelVersions,
        )
        .unwrap();
        assert_eq!(got[0].value, Operand::List(vec!["a".into(), "b".into()]));
        assert_eq!(
            got[1],
            Clause {
                field: Field::VersionNumber,
                op: Op::Ge,
                value: Operand::Number(2)
            }
        );
        assert!(parse("  ", Target::ModelVersions).unwrap().is_empty());
    }

    #[test]
    fn bad_filters_say_what_is_wrong() {
        for (bad, says) in [
            ("name = 'x' OR name = 'y'", "OR"),
            ("name = x", "quoted"),
            ("run_id = 'x'", "invalid field"),
            ("name ~ 'x'", "unexpected"),
            ("name = 'x", "not closed"),
            ("name", "comparator"),
            ("name LIKE", "value"),
            ("name = 'a' name = 'b'", "AND"),
            ("foo.bar = 'x'", "entity type"),
        ] {
            let e = parse(bad, Target::RegisteredModels).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn like_matches_as_sql_does() {
        assert!(like("churn-model", "churn%", false));
        assert!(like("churn-model", "%model", false));
        assert!(like("churn-model", "c_urn%l", false));
        assert!(!like("Churn", "churn", false));
        assert!(like("Churn", "churn", true));
        assert!(like("aXbXc", "%b%c", false));
        assert!(!like("abc", "%d%", false));
    }

    #[test]
    fn the_prompt_tag_passes_a_model_without_it() {
        let c = &parse(
            "tags.`mlflow.prompt.is_prompt` != 'true'",
            Target::RegisteredModels,
        )
        .unwrap()[0];
        assert!(c.matches(|_| None));
        assert!(!c.matches(|_| Some("true")));
        let c = &parse("tags.team = 'ml'", Target::RegisteredModels).unwrap()[0];
        assert!(!c.matches(|_| None));
    }

    #[test]
    fn order_by_adds_a_name_tie_breaker() {
        let got = order_by(
            &["last_updated_timestamp DESC".into()],
            Target::RegisteredModels,
        )
        .unwrap();
        assert_eq!(
            got,
            vec![(OrderKey::LastUpdated, false), (OrderKey::Name, true)]
        );
        assert!(order_by(&["version_number".into()], Target::RegisteredModels).is_err());
        assert!(order_by(&["name SIDEWAYS".into()], Target::ModelVersions).is_err());
        assert_eq!(page_offset(Some(&page_token(200))), Ok(200));
        assert!(page_offset(Some("junk")).is_err());
    }
}
