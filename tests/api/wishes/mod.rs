//! What a resident and a volunteer see of wishes: who is coming, editing and withdrawing,
//! photos.

mod coming;
mod edit;
mod photos;
