// Bridges zlib into Swift for SNNData's NumPy .npz (ZIP) support: raw DEFLATE streams (RFC 1951, no zlib
// wrapper) and CRC-32.
//
// zlib spells inflateInit2/deflateInit2 as macros that pass ZLIB_VERSION and sizeof(z_stream); Swift cannot
// import function-like macros, so each one used by SNNData is wrapped in a small static inline function here.
// The include path and library come from pkg-config ("zlib": Debian's zlib1g-dev installs zlib.pc); on
// macOS zlib ships with the SDK.
#ifndef SNN_CZLIB_SHIM_H
#define SNN_CZLIB_SHIM_H

#include <zlib.h>

/// Initializes `stream` to inflate a raw DEFLATE stream (window bits -15: no zlib or gzip header).
static inline int snn_inflate_init_raw(z_stream *stream) { return inflateInit2(stream, -15); }

/// Initializes `stream` to deflate into a raw DEFLATE stream at `level` (0–9, or Z_DEFAULT_COMPRESSION).
static inline int snn_deflate_init_raw(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}

#endif
