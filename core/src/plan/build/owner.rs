//! Owners (`--owners`): `ALTER … OWNER TO` for every object both sides have
//! whose owner differs, and after creation for an object the target gives
//! an explicit owner. With the privileges, after every other step (the
//! objects exist by then), and before the grants, which the new owner's
//! ACL then starts from (`aclnewowner`). A sequence a column owns follows
//! its table, as the server does, and is never altered alone.

use std::collections::{BTreeMap, BTreeSet};

use super::{step, Builder};
use crate::ddl::owner::alter_target;
use crate::model::{owners, quote_ident, ObjectPath};
use crate::plan::order::Draft;

/// With the privileges (see `privilege.rs`), pushed before them.
const P_OWNER: u8 = 14;

impl Builder<'_> {
    /// `implicit`: the role that runs the plan, when known (an owner named
    /// so is the implicit one, written `CURRENT_USER`).
    pub(super) fn owners(&mut self, implicit: Option<&str>) {
        let b = self.b;
        let norm = |r: Option<&str>| r.filter(|r| Some(*r) != implicit).map(str::to_string);
        let created: BTreeSet<ObjectPath> = self
            .drafts
            .iter()
            .filter(|d| d.step.action.starts_with("create "))
            .map(|d| d.step.object.clone())
            .collect();
        let from: BTreeMap<ObjectPath, Option<String>> = owners(&self.a)
            .into_iter()
            .map(|(p, o)| (p, norm(o.role())))
            .collect();
        let mut drafts = Vec::new();
        for (path, o) in owners(b) {
            let to = norm(o.role());
            let change = match from.get(&path) {
                Some(f) if !created.contains(&path) => *f != to,
                // Created by the plan: owned by the role running it.
                _ => to.is_some(),
            };
            if !change {
                continue;
            }
            let Some(target) = alter_target(b, &path) else {
                continue;
            };
            let role = to
                .as_deref()
                .map_or_else(|| "CURRENT_USER".to_string(), quote_ident);
            drafts.push(Draft::new(
                step(
                    path.clone(),
                    "change owner",
                    vec![format!("ALTER {target} OWNER TO {role}")],
                ),
                P_OWNER,
            ));
        }
        for d in drafts {
            self.push(d);
        }
    }
}
