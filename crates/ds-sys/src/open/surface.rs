//! Open NvBufSurface implementation (system memory).
