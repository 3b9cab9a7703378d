//! A fixed, generated corpus of social-media-like messages for benchmarks. (Being written.)
