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
#
# The nnf_*_f loops are compiled twice where GCC and glibc allow (target_clones): for
# x86-64-v3 CPUs (AVX2 + FMA, 8 floats per instruction) and for baseline x86-64; the
# loader picks one once (ifunc). A wheel built without -march still runs everywhere.
cdef extern from *:
    """
    #include <string.h>
    static inline __attribute__((always_inline)) float nnf_clampf(float x, float lo, float hi) {
        union { float f; int i; } a, l, h;
        int below = -(int) (x < lo), above = -(int) (x > hi);
        a.f = x;
        l.f = lo;
        h.f = hi;
        a.i = (a.i & ~below) | (l.i & below);
        a.i = (a.i & ~above) | (h.i & above);
        return a.f;
    }
    static inline __attribute__((always_inline)) float nnf_expf(float x) {
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
    static inline __attribute__((always_inline)) float nnf_sigmoidf(float x) {
        return 1.0f / (1.0f + nnf_expf(-x));
    }
    static inline __attribute__((always_inline)) float nnf_tanhf(float x) {
        return 1.0f - 2.0f / (nnf_expf(2.0f * x) + 1.0f);
    }
    #if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
    #define NNF_CLONES __attribute__((target_clones("arch=x86-64-v3", "default"), unused))
    #elif defined(__GNUC__)
    #define NNF_CLONES __attribute__((unused))
    #else
    #define NNF_CLONES
    #endif
    /* z = sigmoid(z + a [+ b [+ c]]); b, c may be NULL. */
    static NNF_CLONES void nnf_sig_add_f(float *__restrict__ z, const float *__restrict__ a,
                                         const float *__restrict__ b,
                                         const float *__restrict__ c, Py_ssize_t n) {
        Py_ssize_t j;
        if (b == NULL)
            for (j = 0; j < n; j++) z[j] = nnf_sigmoidf(z[j] + a[j]);
        else if (c == NULL)
            for (j = 0; j < n; j++) z[j] = nnf_sigmoidf(z[j] + a[j] + b[j]);
        else
            for (j = 0; j < n; j++) z[j] = nnf_sigmoidf(z[j] + a[j] + b[j] + c[j]);
    }
    /* z = tanh(z + a [+ b [* c]]); b, c may be NULL. */
    static NNF_CLONES void nnf_tanh_add_f(float *__restrict__ z, const float *__restrict__ a,
                                          const float *__restrict__ b,
                                          const float *__restrict__ c, Py_ssize_t n) {
        Py_ssize_t j;
        if (b == NULL)
            for (j = 0; j < n; j++) z[j] = nnf_tanhf(z[j] + a[j]);
        else if (c == NULL)
            for (j = 0; j < n; j++) z[j] = nnf_tanhf(z[j] + a[j] + b[j]);
        else
            for (j = 0; j < n; j++) z[j] = nnf_tanhf(z[j] + a[j] + b[j] * c[j]);
    }
    /* LSTM backward of one step for one row: dc (in: the carry's gradient from the next
       step, out: to the previous carry) and the gate pre-activations' gradients dz, from
       the activated gates z = [i, f, c, o], a = tanh(c_t), the previous carry cp and the
       state's gradient dh. */
    static NNF_CLONES void nnf_lstm_grad_f(const float *__restrict__ z,
                                           const float *__restrict__ a,
                                           const float *__restrict__ cp,
                                           const float *__restrict__ dh,
                                           float *__restrict__ dc, float *__restrict__ dz,
                                           Py_ssize_t U) {
        Py_ssize_t j;
        for (j = 0; j < U; j++) {
            float i = z[j], f = z[U + j], g = z[2 * U + j], o = z[3 * U + j];
            float d = dc[j] + dh[j] * o * (1.0f - a[j] * a[j]);
            dz[j] = d * g * i * (1.0f - i);
            dz[U + j] = d * cp[j] * f * (1.0f - f);
            dz[2 * U + j] = d * i * (1.0f - g * g);
            dz[3 * U + j] = dh[j] * a[j] * o * (1.0f - o);
            dc[j] = d * f;
        }
    }
    /* dst[j * ldd + i] (= or +=) src[i * lds + j] for i < rows, j < cols: 4 x 4 blocks
       moved through registers (GCC vector extensions, so each clone gets its own
       instructions), scalar edges. The blocks are visited along the rows of the wide,
       strided side (src's, or dst's when `dst_wide`), so the hardware prefetcher streams
       it; the other side is a small scratch matrix in cache. */
    typedef float nnf_v4 __attribute__((vector_size(16)));
    typedef int nnf_i4 __attribute__((vector_size(16)));
    static inline __attribute__((always_inline)) void nnf_block4(
            const float *__restrict__ src, Py_ssize_t lds, float *__restrict__ dst,
            Py_ssize_t ldd, int add) {
        nnf_v4 a, b, c, d, t0, t1, t2, t3, o[4], v;
        int k;
        memcpy(&a, src, 16);
        memcpy(&b, src + lds, 16);
        memcpy(&c, src + 2 * lds, 16);
        memcpy(&d, src + 3 * lds, 16);
        t0 = __builtin_shuffle(a, b, (nnf_i4){0, 4, 1, 5});
        t1 = __builtin_shuffle(a, b, (nnf_i4){2, 6, 3, 7});
        t2 = __builtin_shuffle(c, d, (nnf_i4){0, 4, 1, 5});
        t3 = __builtin_shuffle(c, d, (nnf_i4){2, 6, 3, 7});
        o[0] = __builtin_shuffle(t0, t2, (nnf_i4){0, 1, 4, 5});
        o[1] = __builtin_shuffle(t0, t2, (nnf_i4){2, 3, 6, 7});
        o[2] = __builtin_shuffle(t1, t3, (nnf_i4){0, 1, 4, 5});
        o[3] = __builtin_shuffle(t1, t3, (nnf_i4){2, 3, 6, 7});
        for (k = 0; k < 4; k++) {
            if (add) {
                memcpy(&v, dst + k * ldd, 16);
                v += o[k];
                memcpy(dst + k * ldd, &v, 16);
            } else {
                memcpy(dst + k * ldd, &o[k], 16);
            }
        }
    }
    static NNF_CLONES void nnf_transpose_f(const float *__restrict__ src, Py_ssize_t lds,
                                           Py_ssize_t rows, Py_ssize_t cols,
                                           float *__restrict__ dst, Py_ssize_t ldd,
                                           int add, int dst_wide) {
        Py_ssize_t i, j, r4 = rows - rows % 4, c4 = cols - cols % 4;
        if (dst_wide) {
            for (j = 0; j < c4; j += 4)
                for (i = 0; i < r4; i += 4)
                    nnf_block4(src + i * lds + j, lds, dst + j * ldd + i, ldd, add);
        } else {
            for (i = 0; i < r4; i += 4)
                for (j = 0; j < c4; j += 4)
                    nnf_block4(src + i * lds + j, lds, dst + j * ldd + i, ldd, add);
        }
        for (i = 0; i < r4; i++)
            for (j = c4; j < cols; j++)
                dst[j * ldd + i] = (add ? dst[j * ldd + i] : 0.0f) + src[i * lds + j];
        for (i = r4; i < rows; i++)
            for (j = 0; j < cols; j++)
                dst[j * ldd + i] = (add ? dst[j * ldd + i] : 0.0f) + src[i * lds + j];
    }
    /* y = tanh(x) */
    static NNF_CLONES void nnf_tanh_f(float *__restrict__ y, const float *__restrict__ x,
                                      Py_ssize_t n) {
        Py_ssize_t j;
        for (j = 0; j < n; j++) y[j] = nnf_tanhf(x[j]);
    }
    """
    float nnf_expf(float x) noexcept nogil
    float nnf_sigmoidf(float x) noexcept nogil
    float nnf_tanhf(float x) noexcept nogil
    void nnf_sig_add_f(float* z, const float* a, const float* b, const float* c,
                       Py_ssize_t n) noexcept nogil
    void nnf_tanh_add_f(float* z, const float* a, const float* b, const float* c,
                        Py_ssize_t n) noexcept nogil
    void nnf_tanh_f(float* y, const float* x, Py_ssize_t n) noexcept nogil
    void nnf_transpose_f(const float* src, Py_ssize_t lds, Py_ssize_t rows, Py_ssize_t cols,
                         float* dst, Py_ssize_t ldd, int add, int dst_wide) noexcept nogil
    void nnf_lstm_grad_f(const float* z, const float* a, const float* cp, const float* dh,
                         float* dc, float* dz, Py_ssize_t U) noexcept nogil
