//! End-to-end tests of the real `cuecard` binary. Each module covers one area and says which.

mod bot;
mod browse;
mod check_sheet;
mod daily;
mod discord;
mod faults;
mod grading;
mod hostile;
mod load;
mod operations;
mod practice;
mod study;
mod util;
