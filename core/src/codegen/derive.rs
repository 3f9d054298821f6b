//! `#[derive(strata::FromRow)]`: a struct with named fields read from a
//! projection whose rows are the tuple of its fields' types, in order.

use proc_macro2::TokenStream;
use quote::quote;

/// The `FromRow` impl of a struct with named fields, or a compile error.
pub fn derive_from_row(input: TokenStream) -> TokenStream {
    let item: syn::DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let syn::Data::Struct(data) = &item.data else {
        return syn::Error::new_spanned(
            &item.ident,
            "FromRow reads a struct with named fields (one per projected column)",
        )
        .to_compile_error();
    };
    let syn::Fields::Named(fields) = &data.fields else {
        return syn::Error::new_spanned(
            &item.ident,
            "FromRow reads a struct with named fields (one per projected column)",
        )
        .to_compile_error();
    };
    let name = &item.ident;
    let (impl_generics, ty_generics, where_clause) = item.generics.split_for_impl();
    let idents: Vec<_> = fields
        .named
        .iter()
        .filter_map(|f| f.ident.clone())
        .collect();
    let types: Vec<_> = fields.named.iter().map(|f| f.ty.clone()).collect();
    let names: Vec<String> = idents
        .iter()
        .map(|i| i.to_string().trim_start_matches("r#").to_string())
        .collect();
    quote! {
        impl #impl_generics ::strata::runtime::FromRow<(#(#types,)*)> for #name #ty_generics #where_clause {
            const FIELDS: &'static [&'static str] = &[#(#names),*];
            fn from_tuple(__values: (#(#types,)*)) -> Self {
                let (#(#idents,)*) = __values;
                Self { #(#idents),* }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_struct_maps_its_fields_in_order() {
        let out = derive_from_row(quote! {
            struct RunSummary { id: String, r#type: Option<i64> }
        })
        .to_string();
        assert!(
            out.contains("FromRow < (String , Option < i64 > ,) >"),
            "{out}"
        );
        assert!(out.contains("\"id\" , \"type\""), "{out}");
    }

    #[test]
    fn a_tuple_struct_is_refused() {
        let out = derive_from_row(quote!(
            struct Pair(String, i32);
        ))
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
    }
}
