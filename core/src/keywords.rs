//! PostgreSQL keywords that `quote_ident` must quote (every category but
//! unreserved), as `pg_get_keywords()` of PostgreSQL 15 lists them.

const QUOTED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// For each first letter `a`..=`z`, the range of [`QUOTED`] that starts
/// with it (the list is sorted): a lookup compares against a handful of
/// keywords, not the whole list (every identifier printed asks).
const BY_FIRST: [(u16, u16); 26] = {
    let mut ranges = [(0u16, 0u16); 26];
    let mut i = 0;
    while i < QUOTED.len() {
        let k = (QUOTED[i].as_bytes()[0] - b'a') as usize;
        if ranges[k].1 == 0 {
            ranges[k].0 = i as u16;
        }
        ranges[k].1 = i as u16 + 1;
        i += 1;
    }
    ranges
};

/// True when `word` (already lower-case) is a keyword that an identifier
/// spelled the same way must be quoted for.
pub fn is_quote_needed_keyword(word: &str) -> bool {
    let Some(&first) = word.as_bytes().first() else {
        return false;
    };
    if !first.is_ascii_lowercase() {
        return false;
    }
    let (start, end) = BY_FIRST[(first - b'a') as usize];
    QUOTED[start as usize..end as usize]
        .binary_search(&word)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_for_binary_search() {
        assert!(QUOTED.windows(2).all(|w| w[0] < w[1]));
    }

    /// The letter index finds exactly what a search of the whole list does.
    #[test]
    fn the_letter_index_agrees_with_the_whole_list() {
        for k in QUOTED {
            assert!(is_quote_needed_keyword(k), "{k}");
            for probe in [&k[..k.len() - 1], &format!("{k}s"), &format!("{k}_")] {
                assert_eq!(
                    is_quote_needed_keyword(probe),
                    QUOTED.binary_search(&probe).is_ok(),
                    "{probe}"
                );
            }
        }
        for w in ["", "_x", "1a", "Select", "zzz", "a", "éa"] {
            assert!(!is_quote_needed_keyword(w), "{w}");
        }
    }

    #[test]
    fn reserved_words_need_quotes() {
        assert!(is_quote_needed_keyword("user"));
        assert!(is_quote_needed_keyword("order"));
        assert!(!is_quote_needed_keyword("name"));
        assert!(!is_quote_needed_keyword("status"));
    }
}
