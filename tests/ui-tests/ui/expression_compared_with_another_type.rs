// An expression compares with values and expressions of its own type:
// lower(email) is text, referral_limit an integer.
use strata_reference_schema::user;
use strata::runtime::lower;

fn main() {
    let _ = user::UserTable::select().filter(lower(user::email).eq_expr(user::referral_limit));
}
