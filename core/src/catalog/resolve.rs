//! The resolution rules of PostgreSQL 15's `parse_coerce.c`
//! (`find_coercion_pathway`, `can_coerce_type`, the polymorphic checks,
//! `select_common_type`), `parse_func.c` (`func_get_detail`,
//! `func_match_argtypes`, `func_select_candidate`) and `parse_oper.c`
//! (`oper`, `left_oper`, `oper_select_candidate`), written over the
//! generated catalog. Domains are not modelled: any domain met makes the
//! answer `Unsupported`.

use super::USER_TYPE_BASE;
use super::{
    oid, ChosenFunc, ChosenOper, CoercionContext, Env, Oid, OperInfo, Pathway, ProcInfo, Resolve,
    TypeId, TypeInfo,
};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

/// Why a step could not finish: the server's error, or a case not encoded.
enum Fail {
    Error(&'static str, String),
    Unsupported(String),
}

type R<T> = Result<T, Fail>;

/// Operators resolved on built-in and extension types, by catalog (its
/// address) and installed extensions, then name, then argument types. See
/// [`Env::oper`].
type OperCache = HashMap<
    usize,
    HashMap<Vec<String>, HashMap<String, HashMap<(Option<TypeId>, TypeId), Resolve<ChosenOper>>>>,
>;

thread_local! {
    static OPERS: RefCell<OperCache> = RefCell::new(HashMap::new());
}

/// A user type as its place among the enums met so far (`enums` holds
/// their even ids): the `i`-th enum is `USER_TYPE_BASE + 2i`, its array the
/// next id. A built-in type is itself.
fn by_place(t: TypeId, enums: &mut Vec<TypeId>) -> TypeId {
    if t < USER_TYPE_BASE {
        return t;
    }
    let parity = (t - USER_TYPE_BASE) % 2;
    let base = t - parity;
    let at = match enums.iter().position(|b| *b == base) {
        Some(i) => i,
        None => {
            enums.push(base);
            enums.len() - 1
        }
    };
    USER_TYPE_BASE + 2 * at as TypeId + parity
}

/// [`by_place`] undone against the operands' enums.
fn from_place(t: TypeId, enums: &[TypeId]) -> TypeId {
    if t < USER_TYPE_BASE {
        return t;
    }
    let parity = (t - USER_TYPE_BASE) % 2;
    let at = ((t - USER_TYPE_BASE) / 2) as usize;
    enums.get(at).map_or(t, |b| b + parity)
}

impl<T> From<Fail> for Resolve<T> {
    fn from(f: Fail) -> Resolve<T> {
        match f {
            Fail::Error(sqlstate, message) => Resolve::Error { sqlstate, message },
            Fail::Unsupported(why) => Resolve::Unsupported(why),
        }
    }
}

/// Why a choice other than an exact match is not proven while an extension
/// outside the catalog is installed.
fn uncovered(ext: &str, what: &str) -> String {
    format!(
        "extension {ext} is installed and strata's catalog does not hold its objects: it may define {what} that takes these arguments before the built-in does (an exact match on every argument type is proven; this call needs a coercion)"
    )
}

fn done<T>(r: R<T>) -> Resolve<T> {
    match r {
        Ok(v) => Resolve::Found(v),
        Err(f) => f.into(),
    }
}

const DATATYPE_MISMATCH: &str = "42804";
const CANNOT_COERCE: &str = "42846";
const UNDEFINED_FUNCTION: &str = "42883";
const AMBIGUOUS_FUNCTION: &str = "42725";
const WRONG_OBJECT_TYPE: &str = "42809";

fn is_family1(t: TypeId) -> bool {
    matches!(
        t,
        oid::ANYELEMENT
            | oid::ANYARRAY
            | oid::ANYNONARRAY
            | oid::ANYENUM
            | oid::ANYRANGE
            | oid::ANYMULTIRANGE
    )
}

fn is_family2(t: TypeId) -> bool {
    matches!(
        t,
        oid::ANYCOMPATIBLE
            | oid::ANYCOMPATIBLEARRAY
            | oid::ANYCOMPATIBLENONARRAY
            | oid::ANYCOMPATIBLERANGE
            | oid::ANYCOMPATIBLEMULTIRANGE
    )
}

/// `IsPolymorphicType`.
fn is_polymorphic(t: TypeId) -> bool {
    is_family1(t) || is_family2(t)
}

/// One candidate of `FuncnameGetCandidates` / `OpernameGetCandidates`.
#[derive(Clone, Debug)]
struct Cand {
    oid: Oid,
    /// Effective argument types (variadic expanded; defaults included).
    args: Vec<TypeId>,
    /// Search-path position: 0 for pg_catalog, 1 for extensions.
    pathpos: u8,
    /// Arguments folded into the variadic parameter.
    nvargs: usize,
    /// Defaulted trailing parameters.
    ndargs: usize,
    /// Two equally good functions of one schema share these arguments.
    ambiguous: bool,
}

impl Env<'_> {
    fn info(&self, t: TypeId) -> R<Cow<'_, TypeInfo>> {
        self.type_info(t)
            .ok_or_else(|| Fail::Unsupported(format!("type id {t} is not in the catalog")))
    }

    /// `getBaseType` refusing domains (not modelled).
    fn base(&self, t: TypeId) -> R<TypeId> {
        if t == 0 || t == oid::UNKNOWN {
            return Ok(t);
        }
        let info = self.info(t)?;
        if info.typtype == 'd' {
            return Err(Fail::Unsupported(format!(
                "domain {} is not modelled",
                info.display
            )));
        }
        Ok(t)
    }

    fn category(&self, t: TypeId) -> R<(char, bool)> {
        let i = self.info(t)?;
        Ok((i.category, i.preferred))
    }

    /// `format_type_be`.
    fn fmt(&self, t: TypeId) -> String {
        match self.type_info(t) {
            Some(i) => i.display.clone(),
            None => format!("type id {t}"),
        }
    }

    /// `get_element_type`: the element of a true array (`typlen = -1`).
    fn element_type(&self, t: TypeId) -> R<TypeId> {
        if t == 0 || t == oid::UNKNOWN {
            return Ok(0);
        }
        let i = self.info(t)?;
        Ok(if i.elem != 0 && i.len == -1 {
            i.elem
        } else {
            0
        })
    }

    /// `get_array_type`.
    fn array_type(&self, t: TypeId) -> R<TypeId> {
        Ok(self.info(t)?.array)
    }

    fn is_enum(&self, t: TypeId) -> R<bool> {
        Ok(t != 0 && self.info(t)?.typtype == 'e')
    }

    fn is_composite(&self, t: TypeId) -> R<bool> {
        Ok(self.info(t)?.typtype == 'c')
    }

    fn range_subtype(&self, t: TypeId) -> R<TypeId> {
        if self.info(t)?.typtype != 'r' {
            return Ok(0);
        }
        self.catalog.range_subtype(t).ok_or_else(|| {
            Fail::Unsupported(format!("range type {} is not in the catalog", self.fmt(t)))
        })
    }

    fn multirange_range(&self, t: TypeId) -> R<TypeId> {
        if self.info(t)?.typtype != 'm' {
            return Ok(0);
        }
        self.catalog.multirange_range(t).ok_or_else(|| {
            Fail::Unsupported(format!(
                "multirange type {} is not in the catalog",
                self.fmt(t)
            ))
        })
    }

    /// `find_coercion_pathway`: `None` when there is no pathway.
    fn pathway(&self, target: TypeId, source: TypeId, ctx: CoercionContext) -> R<Option<Pathway>> {
        let source = self.base(source)?;
        let target = self.base(target)?;
        if source == target {
            return Ok(Some(Pathway::Relabel));
        }
        if let Some(cast) = self.cast(source, target) {
            let needed = match cast.context {
                'i' => CoercionContext::Implicit,
                'a' => CoercionContext::Assignment,
                _ => CoercionContext::Explicit,
            };
            if ctx < needed {
                return Ok(None);
            }
            return Ok(Some(match cast.method {
                'f' => Pathway::Func(cast.func),
                'b' => Pathway::Relabel,
                'i' => Pathway::ViaIo,
                m => {
                    return Err(Fail::Unsupported(format!("castmethod {m}")));
                }
            }));
        }
        if target != oid::OIDVECTOR && target != oid::INT2VECTOR {
            let target_elem = self.element_type(target)?;
            let source_elem = self.element_type(source)?;
            if target_elem != 0 && source_elem != 0 {
                if let Some(elem) = self.pathway(target_elem, source_elem, ctx)? {
                    return Ok(Some(Pathway::Array(Box::new(elem))));
                }
            }
        }
        if ctx >= CoercionContext::Assignment && self.category(target)?.0 == 'S' {
            return Ok(Some(Pathway::ViaIo));
        }
        if ctx >= CoercionContext::Explicit && self.category(source)?.0 == 'S' {
            return Ok(Some(Pathway::ViaIo));
        }
        Ok(None)
    }

    /// `can_coerce_type`.
    fn can_coerce(&self, inputs: &[TypeId], targets: &[TypeId], ctx: CoercionContext) -> R<bool> {
        let mut have_generics = false;
        for (&input, &target) in inputs.iter().zip(targets) {
            if input == target || target == oid::ANY {
                continue;
            }
            if is_polymorphic(target) {
                have_generics = true;
                continue;
            }
            if input == oid::UNKNOWN {
                continue;
            }
            if self.pathway(target, input, ctx)?.is_some() {
                continue;
            }
            if input == oid::RECORD && self.is_composite(target)? {
                continue;
            }
            if target == oid::RECORD && self.is_composite(input)? {
                continue;
            }
            if target == oid::RECORD_ARRAY {
                let elem = self.element_type(input)?;
                if elem != 0 && self.is_composite(elem)? {
                    continue;
                }
            }
            // typeInheritsFrom / typeIsOfTypedTable: only table row types
            // inherit, and no table row type is modelled here.
            return Ok(false);
        }
        if have_generics && !self.generic_consistent(inputs, targets)? {
            return Ok(false);
        }
        Ok(true)
    }

    /// `check_generic_type_consistency`.
    fn generic_consistent(&self, actuals: &[TypeId], declared: &[TypeId]) -> R<bool> {
        let mut elem: TypeId = 0;
        let mut array: TypeId = 0;
        let mut range: TypeId = 0;
        let mut multirange: TypeId = 0;
        let mut have_nonarray = false;
        let mut have_enum = false;
        let mut compatible: Vec<TypeId> = Vec::new();
        let mut have_compatible_nonarray = false;
        for (&decl, &actual) in declared.iter().zip(actuals) {
            match decl {
                oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM => {
                    have_nonarray |= decl == oid::ANYNONARRAY;
                    have_enum |= decl == oid::ANYENUM;
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    if elem != 0 && actual != elem {
                        return Ok(false);
                    }
                    elem = actual;
                }
                oid::ANYARRAY => {
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    let actual = self.base(actual)?;
                    if array != 0 && actual != array {
                        return Ok(false);
                    }
                    array = actual;
                }
                oid::ANYRANGE => {
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    let actual = self.base(actual)?;
                    if range != 0 && actual != range {
                        return Ok(false);
                    }
                    range = actual;
                }
                oid::ANYMULTIRANGE => {
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    let actual = self.base(actual)?;
                    if multirange != 0 && actual != multirange {
                        return Ok(false);
                    }
                    multirange = actual;
                }
                oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLENONARRAY => {
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    have_compatible_nonarray |= decl == oid::ANYCOMPATIBLENONARRAY;
                    compatible.push(actual);
                }
                oid::ANYCOMPATIBLEARRAY => {
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    let e = self.element_type(self.base(actual)?)?;
                    if e == 0 {
                        return Ok(false);
                    }
                    compatible.push(e);
                }
                oid::ANYCOMPATIBLERANGE | oid::ANYCOMPATIBLEMULTIRANGE => {
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    return Err(Fail::Unsupported(
                        "anycompatiblerange/anycompatiblemultirange arguments are not modelled"
                            .to_string(),
                    ));
                }
                _ => {}
            }
        }
        if array != 0 {
            if array == oid::ANYARRAY {
                if elem != 0 {
                    return Ok(false);
                }
            } else {
                let e = self.element_type(array)?;
                if e == 0 {
                    return Ok(false);
                }
                if elem == 0 {
                    elem = e;
                } else if e != elem {
                    return Ok(false);
                }
            }
        }
        if multirange != 0 {
            let r = self.multirange_range(multirange)?;
            if r == 0 {
                return Ok(false);
            }
            if range == 0 {
                range = r;
            } else if r != range {
                return Ok(false);
            }
        }
        if range != 0 {
            let sub = self.range_subtype(range)?;
            if sub == 0 {
                return Ok(false);
            }
            if elem == 0 {
                elem = sub;
            } else if sub != elem {
                return Ok(false);
            }
        }
        if have_nonarray && elem != 0 && self.element_type(self.base(elem)?)? != 0 {
            return Ok(false);
        }
        if have_enum && !self.is_enum(elem)? {
            return Ok(false);
        }
        if !compatible.is_empty() {
            let common = match self.common_of(&compatible, None)? {
                Some(t) => t,
                None => return Ok(false),
            };
            if have_compatible_nonarray && self.element_type(self.base(common)?)? != 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `enforce_generic_type_consistency` followed by what `coerce_type`
    /// does with a polymorphic target: the type every argument is coerced
    /// to, and the resolved result type.
    fn enforce_generic(
        &self,
        actuals: &[TypeId],
        declared: &[TypeId],
        rettype: TypeId,
    ) -> R<(Vec<TypeId>, TypeId)> {
        let mismatch = |m: String| Fail::Error(DATATYPE_MISMATCH, m);
        let mut elem: TypeId = 0;
        let mut array: TypeId = 0;
        let mut range: TypeId = 0;
        let mut multirange: TypeId = 0;
        let mut n_poly = 0;
        let mut have_nonarray = false;
        let mut have_enum = false;
        let mut have_compat = false;
        let mut have_compat_array = false;
        let mut have_compat_nonarray = false;
        let mut compatible: Vec<TypeId> = Vec::new();
        for (&decl, &actual) in declared.iter().zip(actuals) {
            match decl {
                oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM => {
                    n_poly += 1;
                    have_nonarray |= decl == oid::ANYNONARRAY;
                    have_enum |= decl == oid::ANYENUM;
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    if elem != 0 && actual != elem {
                        return Err(mismatch(format!(
                            "arguments declared \"{}\" are not all alike",
                            "anyelement"
                        )));
                    }
                    elem = actual;
                }
                oid::ANYARRAY | oid::ANYRANGE | oid::ANYMULTIRANGE => {
                    n_poly += 1;
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    let actual = self.base(actual)?;
                    let slot = match decl {
                        oid::ANYARRAY => &mut array,
                        oid::ANYRANGE => &mut range,
                        _ => &mut multirange,
                    };
                    if *slot != 0 && actual != *slot {
                        return Err(mismatch(format!(
                            "arguments declared \"{}\" are not all alike",
                            self.fmt(decl)
                        )));
                    }
                    *slot = actual;
                }
                oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLENONARRAY => {
                    have_compat = true;
                    have_compat_nonarray |= decl == oid::ANYCOMPATIBLENONARRAY;
                    if actual != oid::UNKNOWN {
                        compatible.push(actual);
                    }
                }
                oid::ANYCOMPATIBLEARRAY => {
                    have_compat = true;
                    have_compat_array = true;
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    let e = self.element_type(self.base(actual)?)?;
                    if e == 0 {
                        return Err(mismatch(format!(
                            "argument declared {} is not an array but type {}",
                            "anycompatiblearray",
                            self.fmt(actual)
                        )));
                    }
                    compatible.push(e);
                }
                oid::ANYCOMPATIBLERANGE | oid::ANYCOMPATIBLEMULTIRANGE => {
                    return Err(Fail::Unsupported(
                        "anycompatiblerange/anycompatiblemultirange arguments are not modelled"
                            .to_string(),
                    ));
                }
                _ => {}
            }
        }
        if matches!(
            rettype,
            oid::ANYCOMPATIBLERANGE | oid::ANYCOMPATIBLEMULTIRANGE
        ) {
            return Err(Fail::Unsupported(
                "anycompatiblerange/anycompatiblemultirange results are not modelled".to_string(),
            ));
        }
        if n_poly == 0 && !have_compat {
            // coerce_type leaves an argument declared "any" as it is.
            let targets = declared
                .iter()
                .zip(actuals)
                .map(|(&d, &a)| if d == oid::ANY { a } else { d })
                .collect();
            return Ok((targets, rettype));
        }
        if n_poly > 0 {
            if array != 0 {
                let e = self.element_type(array)?;
                if e == 0 {
                    return Err(mismatch(format!(
                        "argument declared {} is not an array but type {}",
                        "anyarray",
                        self.fmt(array)
                    )));
                }
                if elem == 0 {
                    elem = e;
                } else if e != elem {
                    return Err(mismatch(format!(
                        "argument declared {} is not consistent with argument declared {}",
                        "anyarray", "anyelement"
                    )));
                }
            }
            if multirange != 0 {
                let r = self.multirange_range(multirange)?;
                if r == 0 {
                    return Err(mismatch(format!(
                        "argument declared {} is not a multirange type but type {}",
                        "anymultirange",
                        self.fmt(multirange)
                    )));
                }
                if range == 0 {
                    range = r;
                } else if r != range {
                    return Err(mismatch(format!(
                        "argument declared {} is not consistent with argument declared {}",
                        "anymultirange", "anyrange"
                    )));
                }
            }
            if range != 0 {
                let sub = self.range_subtype(range)?;
                if sub == 0 {
                    return Err(mismatch(format!(
                        "argument declared {} is not a range type but type {}",
                        "anyrange",
                        self.fmt(range)
                    )));
                }
                if elem == 0 {
                    elem = sub;
                } else if sub != elem {
                    return Err(mismatch(format!(
                        "argument declared {} is not consistent with argument declared {}",
                        "anyrange", "anyelement"
                    )));
                }
            }
            if elem == 0 {
                return Err(mismatch(
                    "could not determine polymorphic type because input has type unknown"
                        .to_string(),
                ));
            }
            if have_nonarray && self.element_type(self.base(elem)?)? != 0 {
                return Err(mismatch(format!(
                    "type matched to anynonarray is an array type: {}",
                    self.fmt(elem)
                )));
            }
            if have_enum && !self.is_enum(elem)? {
                return Err(mismatch(format!(
                    "type matched to anyenum is not an enum type: {}",
                    self.fmt(elem)
                )));
            }
        }
        let mut compat: TypeId = 0;
        let mut compat_array: TypeId = 0;
        if have_compat {
            if compatible.is_empty() {
                compat = oid::TEXT;
                compat_array = oid::TEXT_ARRAY;
            } else {
                compat = match self.common_of(&compatible, None)? {
                    Some(t) => t,
                    None => unreachable!("common_of without a context raises"),
                };
                for &t in &compatible {
                    if !self.can_coerce(&[t], &[compat], CoercionContext::Implicit)? {
                        return Err(mismatch(
                            "arguments of anycompatible family cannot be cast to a common type"
                                .to_string(),
                        ));
                    }
                }
                if have_compat_array {
                    compat_array = self.array_type(compat)?;
                    if compat_array == 0 {
                        return Err(Fail::Error(
                            "42704",
                            format!(
                                "could not find array type for data type {}",
                                self.fmt(compat)
                            ),
                        ));
                    }
                }
                if have_compat_nonarray && self.element_type(self.base(compat)?)? != 0 {
                    return Err(mismatch(format!(
                        "type matched to anycompatiblenonarray is an array type: {}",
                        self.fmt(compat)
                    )));
                }
            }
        }
        let array_of_elem = |array: TypeId| -> R<TypeId> {
            if array != 0 {
                return Ok(array);
            }
            let a = self.array_type(elem)?;
            if a == 0 {
                return Err(Fail::Error(
                    "42704",
                    format!("could not find array type for data type {}", self.fmt(elem)),
                ));
            }
            Ok(a)
        };
        let range_of_elem = |range: TypeId| -> R<TypeId> {
            if range != 0 {
                Ok(range)
            } else {
                Err(mismatch(format!(
                    "could not find range type for data type {}",
                    self.fmt(elem)
                )))
            }
        };
        let multirange_of = |multirange: TypeId| -> R<TypeId> {
            if multirange != 0 {
                return Ok(multirange);
            }
            let r = range_of_elem(range)?;
            self.catalog.range_multirange(r).ok_or_else(|| {
                mismatch(format!(
                    "could not find multirange type for data type {}",
                    self.fmt(elem)
                ))
            })
        };
        let mut targets = Vec::with_capacity(declared.len());
        for (&decl, &actual) in declared.iter().zip(actuals) {
            let t = match decl {
                oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLENONARRAY => compat,
                oid::ANYCOMPATIBLEARRAY => compat_array,
                // coerce_type leaves a known argument as it is.
                d if is_family1(d) && actual != oid::UNKNOWN => actual,
                oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM => elem,
                oid::ANYARRAY => array_of_elem(array)?,
                oid::ANYRANGE => range_of_elem(range)?,
                oid::ANYMULTIRANGE => multirange_of(multirange)?,
                oid::ANY => actual,
                d => d,
            };
            targets.push(t);
        }
        let result = match rettype {
            oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM => elem,
            oid::ANYARRAY => array_of_elem(array)?,
            oid::ANYRANGE => range_of_elem(range)?,
            oid::ANYMULTIRANGE => multirange_of(multirange)?,
            oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLENONARRAY => compat,
            oid::ANYCOMPATIBLEARRAY => {
                if compat_array == 0 {
                    self.array_type(compat)?
                } else {
                    compat_array
                }
            }
            r => r,
        };
        Ok((targets, result))
    }

    /// `select_common_type` over type ids: `Ok(None)` on a category clash
    /// when `context` is None (`noerror`), the server's error otherwise.
    fn common_of(&self, types: &[TypeId], context: Option<&str>) -> R<Option<TypeId>> {
        let Some(&first) = types.first() else {
            return Err(Fail::Unsupported("no types to unify".to_string()));
        };
        if first != oid::UNKNOWN && types.iter().all(|&t| t == first) {
            return Ok(Some(first));
        }
        let mut ptype = self.base(first)?;
        let (mut pcat, mut ppref) = self.category(ptype)?;
        for &t in &types[1..] {
            let ntype = self.base(t)?;
            if ntype == oid::UNKNOWN || ntype == ptype {
                continue;
            }
            let (ncat, npref) = self.category(ntype)?;
            if ptype == oid::UNKNOWN {
                (ptype, pcat, ppref) = (ntype, ncat, npref);
            } else if ncat != pcat {
                return match context {
                    None => Ok(None),
                    Some(ctx) => Err(Fail::Error(
                        DATATYPE_MISMATCH,
                        format!(
                            "{ctx} types {} and {} cannot be matched",
                            self.fmt(ptype),
                            self.fmt(ntype)
                        ),
                    )),
                };
            } else if !ppref
                && self.can_coerce(&[ptype], &[ntype], CoercionContext::Implicit)?
                && !self.can_coerce(&[ntype], &[ptype], CoercionContext::Implicit)?
            {
                (ptype, pcat, ppref) = (ntype, ncat, npref);
            }
        }
        if ptype == oid::UNKNOWN {
            ptype = oid::TEXT;
        }
        Ok(Some(ptype))
    }

    /// `func_match_argtypes`: the candidates the inputs coerce to implicitly.
    fn match_argtypes(&self, inputs: &[TypeId], cands: Vec<Cand>) -> R<Vec<Cand>> {
        let mut out = Vec::new();
        for c in cands {
            if self.can_coerce(inputs, &c.args, CoercionContext::Implicit)? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// `func_select_candidate`.
    fn select_candidate(&self, inputs: &[TypeId], cands: Vec<Cand>) -> R<Option<Cand>> {
        let n = inputs.len();
        let mut base = Vec::with_capacity(n);
        let mut nunknowns = 0;
        for &t in inputs {
            if t == oid::UNKNOWN {
                nunknowns += 1;
                base.push(oid::UNKNOWN);
            } else {
                base.push(self.base(t)?);
            }
        }
        // Most exact matches on known inputs.
        let mut cands = keep_best(cands, |c| {
            Ok((0..n)
                .filter(|&i| base[i] != oid::UNKNOWN && c.args[i] == base[i])
                .count())
        })?;
        if cands.len() == 1 {
            return Ok(cands.pop());
        }
        // Exact matches or preferred types of the input's category.
        let mut slot_cat = Vec::with_capacity(n);
        for &t in &base {
            slot_cat.push(self.category(t)?.0);
        }
        cands = keep_best(cands, |c| {
            let mut m = 0;
            for i in 0..n {
                if base[i] == oid::UNKNOWN {
                    continue;
                }
                let (cat, pref) = self.category(c.args[i])?;
                if c.args[i] == base[i] || (pref && cat == slot_cat[i]) {
                    m += 1;
                }
            }
            Ok(m)
        })?;
        if cands.len() == 1 {
            return Ok(cands.pop());
        }
        if nunknowns == 0 {
            return Ok(None);
        }
        // Categories for the unknown positions.
        let mut resolved = true;
        let mut slot_pref = vec![false; n];
        for i in 0..n {
            if base[i] != oid::UNKNOWN {
                continue;
            }
            let mut cat: Option<char> = None;
            let mut conflict = false;
            for c in &cands {
                let (ccat, cpref) = self.category(c.args[i])?;
                match cat {
                    None => {
                        cat = Some(ccat);
                        slot_pref[i] = cpref;
                    }
                    Some(s) if s == ccat => slot_pref[i] |= cpref,
                    Some(_) => {
                        if ccat == 'S' {
                            cat = Some(ccat);
                            slot_pref[i] = cpref;
                        } else {
                            conflict = true;
                        }
                    }
                }
            }
            slot_cat[i] = cat.unwrap_or('\0');
            if conflict && slot_cat[i] != 'S' {
                resolved = false;
                break;
            }
        }
        if resolved {
            let mut kept = Vec::new();
            for c in &cands {
                let mut keep = true;
                for i in 0..n {
                    if base[i] != oid::UNKNOWN {
                        continue;
                    }
                    let (ccat, cpref) = self.category(c.args[i])?;
                    if ccat != slot_cat[i] || (slot_pref[i] && !cpref) {
                        keep = false;
                        break;
                    }
                }
                if keep {
                    kept.push(c.clone());
                }
            }
            if !kept.is_empty() {
                cands = kept;
            }
            if cands.len() == 1 {
                return Ok(cands.pop());
            }
        }
        // Last gasp: unknowns as the one known type.
        if nunknowns < n {
            let mut known = oid::UNKNOWN;
            for &t in &base {
                if t == oid::UNKNOWN {
                    continue;
                }
                if known == oid::UNKNOWN {
                    known = t;
                } else if known != t {
                    known = oid::UNKNOWN;
                    break;
                }
            }
            if known != oid::UNKNOWN {
                let all = vec![known; n];
                let mut found: Option<Cand> = None;
                for c in &cands {
                    if self.can_coerce(&all, &c.args, CoercionContext::Implicit)? {
                        if found.is_some() {
                            return Ok(None);
                        }
                        found = Some(c.clone());
                    }
                }
                return Ok(found);
            }
        }
        Ok(None)
    }

    fn oper_extension_pathpos(&self, o: &OperInfo) -> u8 {
        u8::from(self.catalog.oper_extension(o.oid).is_some())
    }

    /// `OpernameGetOprid` over the search path (pg_catalog first).
    fn oper_exact(&self, name: &str, left: TypeId, right: TypeId) -> Option<&OperInfo> {
        self.visible_opers(name)
            .filter(|o| o.left == left && o.right == right)
            .min_by_key(|o| (self.oper_extension_pathpos(o), o.oid))
    }

    /// `OpernameGetCandidates` (binary when `prefix` is false).
    fn oper_candidates(&self, name: &str, prefix: bool) -> Vec<Cand> {
        let mut out: Vec<Cand> = Vec::new();
        let mut opers: Vec<&OperInfo> = self
            .visible_opers(name)
            .filter(|o| (o.left == 0) == prefix)
            .collect();
        opers.sort_by_key(|o| (self.oper_extension_pathpos(o), o.oid));
        for o in opers {
            let args = if prefix {
                vec![o.right]
            } else {
                vec![o.left, o.right]
            };
            // A later schema's operator with the same arguments is hidden.
            if out.iter().any(|c| c.args == args) {
                continue;
            }
            out.push(Cand {
                oid: o.oid,
                args,
                pathpos: self.oper_extension_pathpos(o),
                nvargs: 0,
                ndargs: 0,
                ambiguous: false,
            });
        }
        out
    }

    fn op_signature(&self, name: &str, left: Option<TypeId>, right: TypeId) -> String {
        match left {
            Some(l) => format!("{} {name} {}", self.fmt(l), self.fmt(right)),
            None => format!("{name} {}", self.fmt(right)),
        }
    }

    fn oper_impl(&self, name: &str, left: Option<TypeId>, right: TypeId) -> R<ChosenOper> {
        let exact = match left {
            Some(l) => {
                // binary_oper_exact: one unknown side takes the other's type.
                let (mut a, mut b) = (l, right);
                if a == oid::UNKNOWN {
                    a = b;
                } else if b == oid::UNKNOWN {
                    b = a;
                }
                if a != oid::UNKNOWN {
                    self.base(a)?;
                }
                self.oper_exact(name, a, b)
            }
            None => self.oper_exact(name, 0, right),
        };
        let oper = match exact {
            Some(o) => o.clone(),
            None => {
                let cands = self.oper_candidates(name, left.is_none());
                let inputs: Vec<TypeId> = match left {
                    Some(l) => vec![l, right],
                    None => vec![right],
                };
                let mut matched = self.match_argtypes(&inputs, cands)?;
                let chosen = match matched.len() {
                    0 => None,
                    1 => matched.pop(),
                    _ => match self.select_candidate(&inputs, matched)? {
                        Some(c) => Some(c),
                        None => {
                            return Err(Fail::Error(
                                AMBIGUOUS_FUNCTION,
                                format!(
                                    "operator is not unique: {}",
                                    self.op_signature(name, left, right)
                                ),
                            ))
                        }
                    },
                };
                match chosen.and_then(|c| self.catalog.oper_by_oid(c.oid)) {
                    Some(o) => o.clone(),
                    None => {
                        return Err(Fail::Error(
                            UNDEFINED_FUNCTION,
                            format!(
                                "operator does not exist: {}",
                                self.op_signature(name, left, right)
                            ),
                        ))
                    }
                }
            }
        };
        let (actuals, declared) = match left {
            Some(l) => (vec![l, right], vec![oper.left, oper.right]),
            None => (vec![right], vec![oper.right]),
        };
        let (targets, result) = self.enforce_generic(&actuals, &declared, oper.result)?;
        Ok(ChosenOper {
            left: left.map(|_| targets[0]),
            right: *targets.last().expect("one argument at least"),
            result,
            oper,
        })
    }

    /// `FuncnameGetCandidates` for a positional call of `nargs` arguments,
    /// variadic and default expansion on.
    fn func_candidates(&self, name: &str, nargs: usize, builtin_only: bool) -> Vec<Cand> {
        let mut procs: Vec<(&ProcInfo, u8)> = self
            .visible_procs(name)
            .map(|p| (p, u8::from(self.catalog.proc_extension(p.oid).is_some())))
            .filter(|(_, pos)| !builtin_only || *pos == 0)
            .collect();
        procs.sort_by_key(|(p, pos)| (*pos, p.oid));
        let mut out: Vec<Cand> = Vec::new();
        for (p, pathpos) in procs {
            let pronargs = p.args.len();
            let variadic = pronargs <= nargs && p.variadic != 0;
            let use_defaults = pronargs > nargs;
            if use_defaults && nargs + usize::from(p.n_defaults) < pronargs {
                continue;
            }
            if pronargs != nargs && !variadic && !use_defaults {
                continue;
            }
            let effective = pronargs.max(nargs);
            let mut args = p.args.clone();
            let mut nvargs = 0;
            if variadic {
                nvargs = effective - pronargs + 1;
                args.truncate(pronargs - 1);
                args.resize(effective, p.variadic);
            }
            let ndargs = if use_defaults { pronargs - nargs } else { 0 };
            let new = Cand {
                oid: p.oid,
                args,
                pathpos,
                nvargs,
                ndargs,
                ambiguous: false,
            };
            if let Some(prev) = out.iter_mut().find(|c| c.args == new.args) {
                let preference: i32 = if new.pathpos != prev.pathpos {
                    i32::from(new.pathpos) - i32::from(prev.pathpos)
                } else if variadic && prev.nvargs == 0 {
                    1
                } else if !variadic && prev.nvargs > 0 {
                    -1
                } else {
                    0
                };
                match preference.cmp(&0) {
                    std::cmp::Ordering::Greater => {}
                    std::cmp::Ordering::Less => *prev = new,
                    std::cmp::Ordering::Equal => prev.ambiguous = true,
                }
                continue;
            }
            out.push(new);
        }
        out
    }

    /// `FuncNameAsType`: a type named like the function (search path
    /// pg_catalog, then the extensions, then the schema's own types).
    fn func_name_as_type(&self, name: &str, builtin_only: bool) -> Option<TypeId> {
        let usable = |t: &TypeInfo| t.typtype != 'c';
        if let Some(t) = self
            .catalog
            .types()
            .find(|t| t.typname == name && t.id < super::EXTENSION_ID_BASE && usable(t))
        {
            return Some(t.id);
        }
        if builtin_only {
            return None;
        }
        if let Some(t) = self.catalog.types().find(|t| {
            t.typname == name
                && self.ext_visible(self.catalog.type_extension(t.id))
                && self.catalog.type_extension(t.id).is_some()
                && usable(t)
        }) {
            return Some(t.id);
        }
        self.user.type_named(name)
    }

    fn func_impl(&self, name: &str, args: &[TypeId]) -> R<ChosenFunc> {
        let (bare, builtin_only) = match name.strip_prefix("pg_catalog.") {
            Some(b) => (b, true),
            None => (name, false),
        };
        let signature = || {
            let list: Vec<String> = args.iter().map(|&t| self.fmt(t)).collect();
            format!("{name}({})", list.join(", "))
        };
        let raw = self.func_candidates(bare, args.len(), builtin_only);
        let mut best = raw.iter().find(|c| c.args[..args.len()] == *args).cloned();
        if best.is_none() {
            if let Some(target) = self.cast_call_target(bare, builtin_only, args)? {
                return Err(Fail::Unsupported(format!(
                    "{} is a cast to type {}, not a function call (see Env::func_as_cast)",
                    signature(),
                    self.fmt(target)
                )));
            }
            if !raw.is_empty() {
                let mut matched = self.match_argtypes(args, raw)?;
                best = match matched.len() {
                    0 => None,
                    1 => matched.pop(),
                    _ => match self.select_candidate(args, matched)? {
                        Some(c) => Some(c),
                        None => {
                            return Err(Fail::Error(
                                AMBIGUOUS_FUNCTION,
                                format!("function {} is not unique", signature()),
                            ))
                        }
                    },
                };
            }
        }
        let Some(best) = best else {
            return Err(Fail::Error(
                UNDEFINED_FUNCTION,
                format!("function {} does not exist", signature()),
            ));
        };
        if best.ambiguous {
            return Err(Fail::Error(
                AMBIGUOUS_FUNCTION,
                format!("function {} is not unique", signature()),
            ));
        }
        let proc = self
            .catalog
            .proc(best.oid)
            .cloned()
            .ok_or_else(|| Fail::Unsupported(format!("proc {} missing", best.oid)))?;
        if proc.kind == 'p' {
            return Err(Fail::Error(
                WRONG_OBJECT_TYPE,
                format!("{} is a procedure", signature()),
            ));
        }
        let declared = &best.args[..args.len()];
        if best.ndargs > 0 && best.args[args.len()..].iter().any(|&t| is_polymorphic(t)) {
            return Err(Fail::Unsupported(format!(
                "{}: polymorphic defaulted parameters are not modelled",
                signature()
            )));
        }
        let (targets, result) = self.enforce_generic(args, declared, proc.result)?;
        let variadic_folded = best.nvargs > 0 && proc.variadic != oid::ANY;
        Ok(ChosenFunc {
            proc,
            args: targets,
            result,
            variadic_folded,
        })
    }

    /// The type coercion `func_get_detail` turns `name(arg)` into when no
    /// function matches exactly and `name` is a type (`FuncNameAsType`) whose
    /// pathway from the argument is a relabelling or an I/O conversion, or
    /// the argument is an unknown literal.
    fn cast_call_target(
        &self,
        bare: &str,
        builtin_only: bool,
        args: &[TypeId],
    ) -> R<Option<TypeId>> {
        if args.len() != 1 {
            return Ok(None);
        }
        let Some(target) = self.func_name_as_type(bare, builtin_only) else {
            return Ok(None);
        };
        let source = args[0];
        let is_coercion = if source == oid::UNKNOWN {
            true
        } else {
            match self.pathway(target, source, CoercionContext::Explicit)? {
                Some(Pathway::Relabel) => true,
                Some(Pathway::ViaIo) => {
                    !((source == oid::RECORD || self.is_composite(source)?)
                        && self.category(target)?.0 == 'S')
                }
                _ => false,
            }
        };
        Ok(is_coercion.then_some(target))
    }

    /// Whether PostgreSQL reads the call `name(args…)` as a type coercion
    /// (`text(5)`, `int4('7')`, `varchar(txt)`): `Found(Some(type))` with the
    /// target type (its pathway is `coercion(arg, type, Explicit)`),
    /// `Found(None)` when the call is a function call (resolve it with
    /// [`Env::func`]).
    pub fn func_as_cast(&self, name: &str, args: &[TypeId]) -> Resolve<Option<TypeId>> {
        let (bare, builtin_only) = match name.strip_prefix("pg_catalog.") {
            Some(b) => (b, true),
            None => (name, false),
        };
        let raw = self.func_candidates(bare, args.len(), builtin_only);
        if raw.iter().any(|c| c.args[..args.len()] == *args) {
            return Resolve::Found(None);
        }
        done(self.cast_call_target(bare, builtin_only, args))
    }

    /// `find_coercion_pathway` for `from` → `to` in `context`;
    /// `Error` when no such coercion exists. A polymorphic target
    /// (`anyelement`, …) that accepts `from` is `Pathway::None`, as
    /// `coerce_type` leaves the argument as it is.
    pub fn coercion(&self, from: TypeId, to: TypeId, context: CoercionContext) -> Resolve<Pathway> {
        done(self.coercion_impl(from, to, context))
    }

    fn coercion_impl(&self, from: TypeId, to: TypeId, ctx: CoercionContext) -> R<Pathway> {
        self.base(from)?;
        self.base(to)?;
        if from == to {
            return Ok(Pathway::None);
        }
        if from == oid::UNKNOWN {
            return Ok(Pathway::ViaIo);
        }
        let cannot = || {
            Fail::Error(
                CANNOT_COERCE,
                format!("cannot cast type {} to {}", self.fmt(from), self.fmt(to)),
            )
        };
        if to == oid::ANY {
            return Ok(Pathway::None);
        }
        if is_polymorphic(to) {
            return if self.generic_consistent(&[from], &[to])? {
                Ok(Pathway::None)
            } else {
                Err(cannot())
            };
        }
        if let Some(p) = self.pathway(to, from, ctx)? {
            return Ok(p);
        }
        let record_composite = (from == oid::RECORD && self.is_composite(to)?)
            || (to == oid::RECORD && self.is_composite(from)?);
        if record_composite {
            return Err(Fail::Unsupported(format!(
                "coercion of {} to {} (row types) is not modelled",
                self.fmt(from),
                self.fmt(to)
            )));
        }
        Err(cannot())
    }

    /// `oper()` (binary, `left` given) / `left_oper()` (prefix, `left`
    /// None): the operator `name` chosen for these argument types, unknown
    /// literals being `oid::UNKNOWN`.
    pub fn oper(&self, name: &str, left: Option<TypeId>, right: TypeId) -> Resolve<ChosenOper> {
        // The answer depends on nothing but the catalog, the installed
        // extensions and the types, and the same operator on the same types
        // comes back at every row of a schema (`price * qty`, `status =
        // 'done'` at 10,000 tables). A user type is an enum of this analysis
        // only: it is remembered by its place among the operands (the first
        // enum met, the second), which is all resolution can tell apart when
        // every user type is an enum; only a found operator is kept for them
        // (an error names the enum).
        let pure = left.is_none_or(|l| l < USER_TYPE_BASE) && right < USER_TYPE_BASE;
        if !pure && !self.user.enums_only() {
            return self.oper_uncached(name, left, right);
        }
        let mut enums: Vec<TypeId> = Vec::new();
        let key = (
            left.map(|l| by_place(l, &mut enums)),
            by_place(right, &mut enums),
        );
        let catalog = std::ptr::from_ref(self.catalog) as usize;
        let hit = OPERS.with(|cache| {
            cache
                .borrow()
                .get(&catalog)
                .and_then(|sets| sets.get(self.extensions.as_slice()))
                .and_then(|names| names.get(name))
                .and_then(|by_types| by_types.get(&key))
                .cloned()
        });
        if let Some(hit) = hit {
            return match hit {
                Resolve::Found(c) if !pure => Resolve::Found(ChosenOper {
                    left: c.left.map(|t| from_place(t, &enums)),
                    right: from_place(c.right, &enums),
                    result: from_place(c.result, &enums),
                    ..c
                }),
                other => other,
            };
        }
        let r = self.oper_uncached(name, left, right);
        let kept = match &r {
            _ if pure => Some(r.clone()),
            Resolve::Found(c) => {
                let known = |t: TypeId| {
                    t < USER_TYPE_BASE || enums.contains(&(t - (t - USER_TYPE_BASE) % 2))
                };
                let all_known = c.left.is_none_or(known) && known(c.right) && known(c.result);
                all_known.then(|| {
                    let mut places = enums.clone();
                    Resolve::Found(ChosenOper {
                        left: c.left.map(|t| by_place(t, &mut places)),
                        right: by_place(c.right, &mut places),
                        result: by_place(c.result, &mut places),
                        ..c.clone()
                    })
                })
            }
            _ => None,
        };
        if let Some(kept) = kept {
            OPERS.with(|cache| {
                cache
                    .borrow_mut()
                    .entry(catalog)
                    .or_default()
                    .entry(self.extensions.clone())
                    .or_default()
                    .entry(name.to_string())
                    .or_default()
                    .insert(key, kept);
            });
        }
        r
    }

    fn oper_uncached(
        &self,
        name: &str,
        left: Option<TypeId>,
        right: TypeId,
    ) -> Resolve<ChosenOper> {
        let r = self.oper_impl(name, left, right);
        if let (Ok(c), Some(ext)) = (&r, self.uncovered_extension()) {
            let exact = c.oper.left == left.unwrap_or(0)
                && c.oper.right == right
                && left != Some(oid::UNKNOWN)
                && right != oid::UNKNOWN;
            if !exact {
                return Resolve::Unsupported(uncovered(ext, &format!("an operator {name}")));
            }
        }
        done(r)
    }

    /// `func_get_detail` for a plain call `name(args…)` (no named
    /// arguments, no `VARIADIC` keyword), `name` unqualified or
    /// `pg_catalog`-qualified. A call PostgreSQL reads as a cast
    /// (`text(5)`, `int4('7')`) is `Unsupported`.
    pub fn func(&self, name: &str, args: &[TypeId]) -> Resolve<ChosenFunc> {
        let r = self.func_impl(name, args);
        if let (Ok(c), Some(ext)) = (&r, self.uncovered_extension()) {
            let exact = !c.variadic_folded
                && c.proc.args.as_slice() == args
                && !args.contains(&oid::UNKNOWN);
            if !exact {
                return Resolve::Unsupported(uncovered(ext, &format!("a function {name}()")));
            }
        }
        done(r)
    }

    /// `select_common_type` (CASE, COALESCE, ARRAY[…], IN lists, VALUES):
    /// `context` names the construct for the error message. `types` must be
    /// in the order the server visits them — the order matters for the
    /// result (`COALESCE(varchar, text)` is varchar, `COALESCE(text,
    /// varchar)` text) and for the message; for CASE the ELSE result (or
    /// `unknown` for a missing ELSE's NULL) comes FIRST, then the THEN
    /// results in order (`transformCaseExpr`). Also raises
    /// what the construct raises next when an input cannot be coerced
    /// implicitly to the chosen type (`42846`).
    pub fn common_type(&self, types: &[TypeId], context: &str) -> Resolve<TypeId> {
        done(self.common_type_impl(types, context))
    }

    fn common_type_impl(&self, types: &[TypeId], context: &str) -> R<TypeId> {
        let common = self
            .common_of(types, Some(context))?
            .expect("with a context, a clash raises");
        for &t in types {
            if t != common
                && t != oid::UNKNOWN
                && !self.can_coerce(&[t], &[common], CoercionContext::Implicit)?
            {
                return Err(Fail::Error(
                    CANNOT_COERCE,
                    format!(
                        "{context} could not convert type {} to {}",
                        self.fmt(t),
                        self.fmt(common)
                    ),
                ));
            }
        }
        Ok(common)
    }
}

/// Keeps the candidates with the highest score (all of them if every score
/// is 0), in order.
fn keep_best(cands: Vec<Cand>, mut score: impl FnMut(&Cand) -> R<usize>) -> R<Vec<Cand>> {
    let mut best = 0;
    let mut out: Vec<Cand> = Vec::new();
    for c in cands {
        let s = score(&c)?;
        if s > best || out.is_empty() {
            best = s;
            out.clear();
            out.push(c);
        } else if s == best {
            out.push(c);
        }
    }
    Ok(out)
}
