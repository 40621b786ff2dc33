//! What text the catalog stores, checked before the database sees it, so that SQLite and
//! PostgreSQL refuse the same input with the same error instead of one of them failing inside
//! a statement: PostgreSQL cannot store a NUL character in text (SQLite can), and refuses a
//! value wider than a `varchar(n)` column (SQLite stores it). The widths are those of
//! `migrations/`, in characters, as PostgreSQL counts them.

use super::{Error, Result};

/// The width of `aspect.name` and `edge.aspect`.
pub const MAX_ASPECT_NAME_CHARS: usize = 128;

/// The longest actor and run id recorded with a version: a URN's length, far above any
/// `urn:li:corpuser:...` or ingestion run id. The columns are unbounded text; the bound keeps a
/// client from storing megabytes with every version it writes.
pub const MAX_ACTOR_CHARS: usize = crate::urn::MAX_URN_LEN;

/// The longest text a list filters by name with: far above any name a person types, far below
/// what makes SQLite's LIKE give up (50,000 bytes of pattern).
pub const MAX_QUERY_CHARS: usize = 256;

/// The longest platform a list filters by: no stored platform is longer, as it is part of a
/// URN ([`crate::urn::MAX_URN_LEN`]).
pub const MAX_PLATFORM_CHARS: usize = crate::urn::MAX_URN_LEN;

/// Refuses text holding a NUL character (U+0000), which PostgreSQL cannot store, naming the
/// field it came from.
pub fn refuse_nul(field: &str, text: &str) -> Result<()> {
    if !text.contains('\0') {
        return Ok(());
    }
    Err(Error::Invalid {
        field: field.to_string(),
        message: format!(
            "{field} contains a NUL character (U+0000), which the catalog cannot store; remove it"
        ),
    })
}

/// Refuses text longer than `max` characters, naming the field and the limit.
pub fn refuse_longer(field: &str, text: &str, max: usize) -> Result<()> {
    // Counting stops past the limit: the text may be megabytes long.
    if text.len() <= max || text.chars().nth(max).is_none() {
        return Ok(());
    }
    Err(Error::Invalid {
        field: field.to_string(),
        message: format!("{field} is longer than {max} characters; shorten it"),
    })
}

/// Whether `name` can name an aspect: 1 to [`MAX_ASPECT_NAME_CHARS`] ASCII letters and digits.
pub fn is_aspect_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_ASPECT_NAME_CHARS
        && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Refuses what cannot name an aspect, saying why; `field` is where the name came from.
pub fn check_aspect_name(field: &str, name: &str) -> Result<()> {
    if is_aspect_name(name) {
        return Ok(());
    }
    refuse_longer(field, name, MAX_ASPECT_NAME_CHARS)?;
    Err(Error::Invalid {
        field: field.to_string(),
        message: format!(
            "{field} {name:?} must be an aspect name: 1 to {MAX_ASPECT_NAME_CHARS} ASCII letters and digits, such as mlModelProperties"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(refuse_longer("q", &"é".repeat(3), 3).is_ok());
        let e = refuse_longer("q", &"é".repeat(4), 3).unwrap_err();
        assert_eq!(
            e.public_message(),
            "q is longer than 3 characters; shorten it"
        );
    }

    #[test]
    fn aspect_names_are_bounded_ascii_names() {
        assert!(is_aspect_name(&"a".repeat(MAX_ASPECT_NAME_CHARS)));
        assert!(!is_aspect_name(&"a".repeat(MAX_ASPECT_NAME_CHARS + 1)));
        for bad in ["", "a b", "a\0", "é"] {
            assert!(!is_aspect_name(bad), "{bad:?}");
            assert_eq!(
                check_aspect_name("aspectName", bad).unwrap_err().code(),
                "BAD_USER_INPUT"
            );
        }
        let e = check_aspect_name("aspectName", &"a".repeat(200)).unwrap_err();
        assert!(e.public_message().contains("128 characters"), "{e:?}");
    }

    #[test]
    fn a_nul_is_refused_naming_the_field() {
        assert!(refuse_nul("runId", "run-1").is_ok());
        let e = refuse_nul("runId", "run\u{0}-1").unwrap_err();
        assert!(
            matches!(&e, Error::Invalid { field, .. } if field == "runId"),
            "{e:?}"
        );
    }
}
