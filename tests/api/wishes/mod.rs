//! What a resident and a volunteer see of wishes: who is coming, editing and withdrawing,
//! photos, a volunteer's order of open wishes, recurring wishes.

mod coming;
mod edit;
mod for_me;
mod photos;
mod repeat;
