// A join condition compares columns of one type: an integer is no text.
use strata_reference_schema::{message, user};

fn main() {
    let _ = message::MessageTable::select()
        .join_on(user::UserTable, message::output_tokens.eq_col(user::id));
}
