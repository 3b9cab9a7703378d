//! Threats of violence: rules over normalised words. (Being written.)
