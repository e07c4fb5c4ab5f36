use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    Celsius,
    Fahrenheit,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Temperature {
    pub value: f64,
    pub unit: Unit,
}

impl Temperature {
    pub fn new(value: f64, unit: Unit) -> Self {
        Self { value, unit }
    }

    pub fn to_celsius(self) -> f64 {
        match self.unit {
            Unit::Celsius => self.value,
            Unit::Fahrenheit => (self.value - 32.0) * 5.0 / 9.0,
        }
    }
}

impl fmt::Display for Temperature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let symbol = match self.unit {
            Unit::Celsius => "C",
            Unit::Fahrenheit => "F",
        };
        write!(f, "{:.1}°{}", self.value, symbol)
    }
}
