//! `CREATE` / `ALTER` / `DROP EXTENSION` (`extension.c`).

use crate::model::{Extension, ObjectKind, ObjectPath};
use crate::parse::QName;

use super::{err, Replayer, DUPLICATE_OBJECT, R, UNDEFINED_OBJECT};

impl Replayer {
    /// Extensions beyond PL/pgSQL (which every database has) may bring
    /// types and access methods strata does not know.
    pub(super) fn has_extensions(&self) -> bool {
        self.schema.extensions.keys().any(|k| k != "plpgsql")
    }

    /// `CREATE EXTENSION`.
    pub(super) fn create_extension(
        &mut self,
        name: String,
        if_not_exists: bool,
        schema: Option<String>,
        version: Option<String>,
    ) -> R<()> {
        if self.schema.extensions.contains_key(&name) {
            if if_not_exists {
                return Ok(());
            }
            return Err(err(
                DUPLICATE_OBJECT,
                format!("extension \"{name}\" already exists"),
            ));
        }
        let ns = match schema {
            Some(s) => self.creation_ns(&QName {
                schema: Some(s),
                name: name.clone(),
            })?,
            None => self.creation_ns(&QName {
                schema: None,
                name: name.clone(),
            })?,
        };
        self.schema.extensions.insert(
            name.clone(),
            Extension {
                namespace: ns,
                version,
            },
        );
        self.touch(ObjectPath::new(ObjectKind::Extension, "", &name));
        Ok(())
    }

    /// `ALTER EXTENSION … UPDATE` / `SET SCHEMA`.
    pub(super) fn alter_extension(
        &mut self,
        name: String,
        version: Option<String>,
        schema: Option<String>,
    ) -> R<()> {
        let Some(e) = self.schema.extensions.get_mut(&name) else {
            return Err(err(
                UNDEFINED_OBJECT,
                format!("extension \"{name}\" does not exist"),
            ));
        };
        if let Some(v) = version {
            e.version = Some(v);
        }
        if let Some(s) = schema {
            e.namespace = s;
        }
        self.touch(ObjectPath::new(ObjectKind::Extension, "", &name));
        Ok(())
    }

    /// `DROP EXTENSION`.
    pub(super) fn drop_extension(&mut self, names: Vec<String>, if_exists: bool) -> R<()> {
        for name in names {
            if self.schema.extensions.contains_key(&name) {
                self.drop_extension_wrappers(&name)?;
            }
            if self.schema.extensions.remove(&name).is_none() && !if_exists {
                return Err(err(
                    UNDEFINED_OBJECT,
                    format!("extension \"{name}\" does not exist"),
                ));
            }
        }
        Ok(())
    }
}
