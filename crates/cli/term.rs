//! Terminal styling: colour on a terminal that takes it, plain text everywhere else (pipes,
//! files, `NO_COLOR`), so output stays readable and testable.

use std::io::IsTerminal;

/// ANSI styles, or empty strings when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub bold: &'static str,
    pub green: &'static str,
    pub yellow: &'static str,
    pub red: &'static str,
    pub dim: &'static str,
    pub reset: &'static str,
}

impl Style {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset.
    pub fn detect() -> Self {
        if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            Self {
                bold: "\x1b[1m",
                green: "\x1b[32m",
                yellow: "\x1b[33m",
                red: "\x1b[31m",
                dim: "\x1b[2m",
                reset: "\x1b[0m",
            }
        } else {
            Self {
                bold: "",
                green: "",
                yellow: "",
                red: "",
                dim: "",
                reset: "",
            }
        }
    }
}
