//! Rule-based Indonesian stemming for search. (Being written.)
