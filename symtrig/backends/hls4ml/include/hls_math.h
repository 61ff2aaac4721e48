// symtrig's stand-in for Vivado's hls_math.h, used ONLY for hls4ml's C simulation (`compile()`/`predict()`)
// with plain g++. Vivado/Vitis never see this file: build_prj.tcl adds no -I, so synthesis uses Xilinx's own
// math library.
//
// Why: hls4ml 1.3.0's stub has only `template<class T> T exp(T)` and a few trig functions, while its symbolic
// printer emits Vivado-style calls such as `hls::exp<18, 8>((result_t)(x))`, `hls::recip<W,I>`, `hls::fabs`,
// `hls::pow`, `hls::log`. This header provides both overload sets with one, documented semantics that
// symtrig's numpy emulator reproduces bit for bit:
//   result = T( saturate( f(x.to_double()) ) ), NaN -> 0, saturation to [min(T), max(T)] (Vivado's exp
//   saturates too), then T's own quantisation (TRN for the default ap_fixed).
// Vivado's cores may differ from this by about one ulp; symtrig lowers every transcendental to a lookup table,
// whose samples are computed once per table entry.
#ifndef X_HLS_MATH_H
#define X_HLS_MATH_H

#include <cmath>

#include "ap_fixed.h"

namespace hls {
namespace symtrig_stub {

// Smallest and largest value representable in T (an ap_fixed/ap_ufixed type).
template <class T> inline double type_max() {
    const bool is_signed = T(-1) < T(0);
    return std::ldexp(1.0, T::iwidth - (is_signed ? 1 : 0)) - std::ldexp(1.0, T::iwidth - T::width);
}

template <class T> inline double type_min() {
    const bool is_signed = T(-1) < T(0);
    return is_signed ? -std::ldexp(1.0, T::iwidth - 1) : 0.0;
}

// double -> T with NaN -> 0 and saturation, then T's quantisation mode.
template <class T> inline T sat_cast(double v) {
    if (std::isnan(v))
        return T(0);
    const double hi = type_max<T>();
    const double lo = type_min<T>();
    if (v > hi)
        v = hi;
    if (v < lo)
        v = lo;
    return T(v);
}

inline double gauss(double v) { return std::exp(-v * v); }

} // namespace symtrig_stub

// Vivado-style `f<W,I>(ap_fixed<W,I>)` plus a class-T overload for `nnet::lookup_table<T, N, hls::f>`.
#define SYMTRIG_HLS_UNARY(NAME, EXPR)                                                                              \
    template <int W, int I> inline ap_fixed<W, I> NAME(ap_fixed<W, I> x) {                                          \
        const double v = x.to_double();                                                                            \
        return symtrig_stub::sat_cast<ap_fixed<W, I> >(EXPR);                                                      \
    }                                                                                                              \
    template <class T> inline T NAME(T x) {                                                                        \
        const double v = x.to_double();                                                                            \
        return symtrig_stub::sat_cast<T>(EXPR);                                                                    \
    }

SYMTRIG_HLS_UNARY(exp, std::exp(v))
SYMTRIG_HLS_UNARY(log, std::log(v))
SYMTRIG_HLS_UNARY(sqrt, std::sqrt(v))
SYMTRIG_HLS_UNARY(recip, 1.0 / v)
SYMTRIG_HLS_UNARY(fabs, std::fabs(v))
SYMTRIG_HLS_UNARY(sin, std::sin(v))
SYMTRIG_HLS_UNARY(cos, std::cos(v))
SYMTRIG_HLS_UNARY(tan, std::tan(v))
SYMTRIG_HLS_UNARY(asin, std::asin(v))
SYMTRIG_HLS_UNARY(acos, std::acos(v))
SYMTRIG_HLS_UNARY(atan, std::atan(v))
SYMTRIG_HLS_UNARY(tanh, std::tanh(v))
SYMTRIG_HLS_UNARY(gauss, symtrig_stub::gauss(v))

#undef SYMTRIG_HLS_UNARY

template <int W, int I> inline ap_fixed<W, I> pow(ap_fixed<W, I> x, ap_fixed<W, I> y) {
    return symtrig_stub::sat_cast<ap_fixed<W, I> >(std::pow(x.to_double(), y.to_double()));
}

template <class T> inline T atan2(T y, T x) { return symtrig_stub::sat_cast<T>(std::atan2(y.to_double(), x.to_double())); }

} // namespace hls
#endif
