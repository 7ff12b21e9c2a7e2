//! Shared names: the account, status, priority, queue, assignee... names a ticket row carries.
//!
//! A desk of 100k tickets repeats a few hundred names 100k times each; as separate `String`s
//! they were a third of the TUI's memory. Rows hold them as [`Name`] (`Arc<str>`), and the
//! decoder hands out one shared copy per distinct name ([`intern`]), so a name costs 16 bytes
//! per row instead of a heap allocation.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

/// A shared, immutable name. Reads like a `&str` (`as_deref()`, `&*name`, `Display`).
pub type Name = Arc<str>;

/// Distinct names kept per thread before the table starts over. Names still in use live on in
/// their rows; starting over only costs sharing for a while, and bounds a long session.
const TABLE_CAP: usize = 20_000;

thread_local! {
    static TABLE: RefCell<HashSet<Name>> = RefCell::new(HashSet::new());
}

/// The shared copy of `s` (made on first sight). Per thread: decoding threads do not contend.
pub fn intern(s: &str) -> Name {
    TABLE.with(|table| {
        let mut table = table.borrow_mut();
        if let Some(name) = table.get(s) {
            return name.clone();
        }
        if table.len() >= TABLE_CAP {
            table.clear();
        }
        let name: Name = Arc::from(s);
        table.insert(name.clone());
        name
    })
}

/// `#[serde(with = "name::opt")]` for an `Option<Name>`: a string (interned) or null.
pub mod opt {
    use std::fmt;

    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    use super::{Name, intern};

    pub fn serialize<S: Serializer>(v: &Option<Name>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(name) => s.serialize_str(name),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Name>, D::Error> {
        d.deserialize_option(OptName)
    }

    struct OptName;

    impl<'de> Visitor<'de> for OptName {
        type Value = Option<Name>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a name or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(self)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(Some(intern(s)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    struct Row {
        #[serde(with = "opt")]
        name: Option<Name>,
    }

    #[test]
    fn equal_names_share_one_copy() {
        let a = intern("Help Desk");
        let b = intern(&String::from("Help Desk"));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &intern("Escalations")));
    }

    #[test]
    fn decoded_rows_share_names_and_round_trip() {
        let rows: Vec<Row> =
            serde_json::from_str(r#"[{"name":"Acme"},{"name":"Acme"},{"name":null},{}]"#).unwrap();
        let (a, b) = (rows[0].name.clone().unwrap(), rows[1].name.clone().unwrap());
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*a, "Acme");
        assert_eq!(rows[2], Row::default());
        assert_eq!(rows[3], Row::default());
        let text = serde_json::to_string(&rows[0]).unwrap();
        assert_eq!(text, r#"{"name":"Acme"}"#);
        // Through a `Value` (the decoder's path when keys were renamed) too.
        let v = serde_json::json!({"name": "Acme"});
        let row: Row = serde_json::from_value(v).unwrap();
        assert!(Arc::ptr_eq(&row.name.unwrap(), &a));
        assert!(serde_json::from_str::<Row>(r#"{"name": 5}"#).is_err());
    }

    #[test]
    fn the_table_starts_over_when_full_and_names_stay_valid() {
        let first = intern("kept-0");
        for i in 0..TABLE_CAP + 10 {
            intern(&format!("n-{i}"));
        }
        assert_eq!(&*first, "kept-0");
        let len = TABLE.with(|t| t.borrow().len());
        assert!(len <= TABLE_CAP, "{len}");
    }
}
