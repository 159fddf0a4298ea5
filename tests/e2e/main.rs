//! End-to-end tests of the real `cuecard` binary. Each module covers one area and says which.

mod browse;
mod check_sheet;
mod discord;
mod practice;
mod util;
