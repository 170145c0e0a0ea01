//! Open implementation of the nvds meta functions.
