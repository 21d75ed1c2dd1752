# Branch-free float32 exp / sigmoid / tanh that the compiler can vectorise (libm's expf
# and tanhf are scalar calls, which dominated the LSTM gate kernels).
#
# exp: x = k ln2 + r with k = round(x / ln2) (the 1.5 * 2^23 addition rounds to nearest),
# ln2 split in two so k * hi is exact; e^r on |r| <= ln2/2 by its Taylor series to degree
# 7 (truncation error < 2^-27 relative); 2^k is written straight into the exponent bits.
# The input is clamped so 2^k stays a normal float (NaN passes through). Relative error
# about 2 ulp. The clamp selects with bit masks: a `?:` on floats is not if-converted
# under GCC's default -ftrapping-math, which left the whole gate loop scalar.
# sigmoid = 1 / (1 + e^-x) keeps full relative accuracy; tanh = 1 - 2 / (e^2x + 1) has an
# absolute error of about 1e-7 (near 0 that is not relative accuracy, which an LSTM gate
# does not need). float64 uses libm: the float64 paths are for gradient checks.
cdef extern from *:
    """
    static inline float nnf_clampf(float x, float lo, float hi) {
        union { float f; int i; } a, l, h;
        int below = -(int) (x < lo), above = -(int) (x > hi);
        a.f = x;
        l.f = lo;
        h.f = hi;
        a.i = (a.i & ~below) | (l.i & below);
        a.i = (a.i & ~above) | (h.i & above);
        return a.f;
    }
    static inline float nnf_expf(float x) {
        union { float f; int i; } scale;
        float k, r, p;
        x = nnf_clampf(x, -87.0f, 88.0f);
        k = x * 1.44269504088896341f + 12582912.0f;
        k -= 12582912.0f;
        r = x - k * 0.693359375f;
        r = r - k * -2.12194440054690583e-4f;
        p = 1.98412698e-4f;
        p = p * r + 1.38888889e-3f;
        p = p * r + 8.33333333e-3f;
        p = p * r + 4.16666667e-2f;
        p = p * r + 1.66666667e-1f;
        p = p * r + 0.5f;
        p = p * r + 1.0f;
        p = p * r + 1.0f;
        scale.i = ((int) k + 127) << 23;
        return p * scale.f;
    }
    static inline float nnf_sigmoidf(float x) {
        return 1.0f / (1.0f + nnf_expf(-x));
    }
    static inline float nnf_tanhf(float x) {
        return 1.0f - 2.0f / (nnf_expf(2.0f * x) + 1.0f);
    }
    """
    float nnf_expf(float x) noexcept nogil
    float nnf_sigmoidf(float x) noexcept nogil
    float nnf_tanhf(float x) noexcept nogil
