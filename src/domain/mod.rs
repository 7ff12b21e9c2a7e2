//! Business rules and text handling that know nothing of the terminal or the network.

pub mod html;
