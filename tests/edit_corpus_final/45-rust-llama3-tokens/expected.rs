use std::num::ParseIntError;

/// A semantic version like 1.4.2.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub fn parse(text: &str) -> Result<Self, ParseIntError> {
        let text = text.trim().trim_start_matches('v');
        let mut parts = text.splitn(3, '.');
        let major = parts.next().unwrap_or("0").parse()?;
        let minor = parts.next().unwrap_or("0").parse()?;
        let patch = parts.next().unwrap_or("0").parse()?;
        Ok(Version { major, minor, patch })
    }

    pub fn bump_minor(&self) -> Self {
        Version { major: self.major, minor: self.minor + 1, patch: 0 }
    }
}
