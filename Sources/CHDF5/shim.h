// Bridges the HDF5 C library (libhdf5, serial build) into Swift.
//
// hdf5.h spells its type ids, property-list defaults and file-access flags as macros that call
// H5open() and read library globals (H5T_NATIVE_FLOAT → (H5open(), H5T_NATIVE_FLOAT_g)); Swift cannot
// import such macros, so each one used by SNNData is wrapped in a small static inline function here.
// The include path and library directory come from pkg-config ("hdf5": Debian's libhdf5-dev installs
// hdf5.pc as an alternative pointing at hdf5-serial.pc; Homebrew's hdf5 installs hdf5.pc).
#ifndef SNN_CHDF5_SHIM_H
#define SNN_CHDF5_SHIM_H

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

// MARK: - Constants

static inline hid_t snn_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t snn_h5s_all(void) { return H5S_ALL; }
static inline hid_t snn_h5e_default(void) { return H5E_DEFAULT; }
static inline size_t snn_h5t_variable(void) { return H5T_VARIABLE; }
static inline hsize_t snn_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline unsigned snn_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned snn_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned snn_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned snn_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline hid_t snn_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t snn_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }

// MARK: - Native (memory) types

static inline hid_t snn_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t snn_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t snn_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t snn_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t snn_h5t_native_int16(void) { return H5T_NATIVE_INT16; }
static inline hid_t snn_h5t_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t snn_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t snn_h5t_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t snn_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t snn_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }

// MARK: - Standard (file) types, little-endian

static inline hid_t snn_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t snn_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t snn_h5t_std_i8le(void) { return H5T_STD_I8LE; }
static inline hid_t snn_h5t_std_u8le(void) { return H5T_STD_U8LE; }
static inline hid_t snn_h5t_std_i16le(void) { return H5T_STD_I16LE; }
static inline hid_t snn_h5t_std_u16le(void) { return H5T_STD_U16LE; }
static inline hid_t snn_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t snn_h5t_std_u32le(void) { return H5T_STD_U32LE; }
static inline hid_t snn_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t snn_h5t_std_u64le(void) { return H5T_STD_U64LE; }
static inline hid_t snn_h5t_c_s1(void) { return H5T_C_S1; }

// MARK: - Errors

/// Turns off HDF5's automatic printing of its error stack for the calling thread (the stack is per
/// thread in thread-safe builds, so this is called before every batch of library calls).
static inline void snn_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static inline herr_t snn_h5_innermost_error_cb(unsigned n, const H5E_error2_t *err, void *data) {
    if (n == 0 && err != NULL && err->desc != NULL) {
        char *out = (char *)data;
        strncpy(out, err->desc, 511);
        out[511] = '\0';
    }
    return 0;
}

/// Copies the most specific message of the calling thread's HDF5 error stack into `out`
/// (at least 512 bytes; empty when the stack is empty) and clears the stack.
static inline void snn_h5_take_error(char *out) {
    out[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, snn_h5_innermost_error_cb, out);
    H5Eclear2(H5E_DEFAULT);
}

// MARK: - Reads: strict conversions and a budget for variable-length data

/// State shared with a read's transfer property list (snn_h5_read_plist).
typedef struct snn_h5_read_state {
    /// In: whether the destination type is an integer type.
    int destination_is_integer;
    /// Out: set when a value did not fit the destination type.
    int value_did_not_fit;
    /// In/out: bytes of variable-length data HDF5 may still allocate for this read.
    size_t vlen_bytes_left;
    /// Out: bytes of variable-length data HDF5 asked for, including a refused request.
    size_t vlen_bytes_requested;
    /// Out: set when a request was refused because it exceeded the budget.
    int vlen_budget_exceeded;
} snn_h5_read_state;

/// Conversion-exception handler: a value that does not fit the destination type (out of range, or a
/// fraction, NaN or ±infinity into an integer) aborts the read instead of being clipped. Loss of
/// precision (e.g. a large int64 into float) is allowed.
static inline H5T_conv_ret_t snn_h5_strict_conversion(H5T_conv_except_t except, hid_t src, hid_t dst,
                                                      void *src_buf, void *dst_buf, void *data) {
    (void)src; (void)dst; (void)src_buf; (void)dst_buf;
    snn_h5_read_state *state = (snn_h5_read_state *)data;
    if (except == H5T_CONV_EXCEPT_PRECISION) return H5T_CONV_UNHANDLED;
    if (!state->destination_is_integer && except != H5T_CONV_EXCEPT_RANGE_HI && except != H5T_CONV_EXCEPT_RANGE_LOW)
        return H5T_CONV_UNHANDLED;
    state->value_did_not_fit = 1;
    return H5T_CONV_ABORT;
}

/// Allocator for variable-length data: refuses (and records) any request beyond the budget, so a file
/// declaring huge arrays fails before the memory is taken.
static inline void *snn_h5_budget_allocate(size_t size, void *info) {
    snn_h5_read_state *state = (snn_h5_read_state *)info;
    state->vlen_bytes_requested += size;
    if (size > state->vlen_bytes_left) {
        state->vlen_budget_exceeded = 1;
        return NULL;
    }
    state->vlen_bytes_left -= size;
    return malloc(size > 0 ? size : 1);
}

static inline void snn_h5_budget_free(void *pointer, void *info) {
    (void)info;
    free(pointer);
}

/// A dataset-transfer property list for a read: strict conversions and the variable-length budget, both
/// reported in `state`, which must outlive the list. Reclaim variable-length data read with it through
/// snn_h5_vlen_reclaim with the same list; close it with H5Pclose.
static inline hid_t snn_h5_read_plist(snn_h5_read_state *state) {
    hid_t plist = H5Pcreate(H5P_DATASET_XFER);
    if (plist < 0) return -1;
    if (H5Pset_type_conv_cb(plist, snn_h5_strict_conversion, state) < 0 ||
        H5Pset_vlen_mem_manager(plist, snn_h5_budget_allocate, state, snn_h5_budget_free, state) < 0) {
        H5Pclose(plist);
        return -1;
    }
    return plist;
}

// MARK: - The open file

/// The POSIX file descriptor libhdf5 reads `file` through, or -1 when the file does not use the default
/// (sec2, POSIX I/O) driver. Used to notice a file changed on disk after opening (fstat).
static inline int snn_h5f_descriptor(hid_t file) {
    hid_t fapl = H5Fget_access_plist(file);
    if (fapl < 0) return -1;
    hid_t driver = H5Pget_driver(fapl);
    H5Pclose(fapl);
    if (driver < 0 || driver != H5FD_SEC2) return -1;
    void *handle = NULL;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || handle == NULL) return -1;
    return *(int *)handle;
}

// MARK: - Version differences

/// Frees the variable-length data read into `buf` with the transfer list `plist`
/// (H5Treclaim from 1.12 on, H5Dvlen_reclaim before).
static inline herr_t snn_h5_vlen_reclaim(hid_t mem_type, hid_t space, hid_t plist, void *buf) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(mem_type, space, plist, buf);
#else
    return H5Dvlen_reclaim(mem_type, space, plist, buf);
#endif
}

#endif
