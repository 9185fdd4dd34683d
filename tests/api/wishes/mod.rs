//! What a resident and a volunteer see of wishes: who is coming, editing and withdrawing.

mod coming;
mod edit;
