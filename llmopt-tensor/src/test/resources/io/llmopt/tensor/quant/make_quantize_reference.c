// Writes quantize-reference.txt(.gz): llama.cpp's own quantization of awkward rows, for llmopt's quantizer tests.
// Not part of the build; the output is committed. Build and run against a llama.cpp b4747 build:
//   cc -O2 -o make_quantize_reference make_quantize_reference.c -I<llama.cpp>/ggml/include \
//      -L<llama.cpp>/build/bin -lggml-base -lm && LD_LIBRARY_PATH=<llama.cpp>/build/bin ./make_quantize_reference | gzip -9 -n > quantize-reference.txt.gz
// Each record: "quant <TYPE> <cols>", "input <hex f32 bits>", "importance <hex f32 bits>" or "importance none",
// "bytes <hex>" = ggml_quantize_chunk(type, input, 1 row, cols, importance) (Q8_1/Q8_K: quantize_row_*_ref).
// "dequantized <hex f32 bits>" = ggml's to_float of those bytes.
// Q8_0, Q8_1 and Q8_K have no weighted records: llama.cpp ignores importance for them.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ggml.h"

void quantize_row_q8_1_ref(const float * x, void * y, int64_t k);
void quantize_row_q8_K_ref(const float * x, void * y, int64_t k);

#define COLS 256
#define CASES 12

static uint64_t state = 20261123;

static double uniform(void) { // splitmix64 → [0, 1)
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (z >> 11) * 0x1.0p-53;
}

static double gauss(void) {
    double u = uniform(), v = uniform();
    return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

static void make_case(int c, float * x) {
    for (int i = 0; i < COLS; i++) {
        double g = gauss();
        switch (c) {
            case 0: x[i] = (float) (0.02 * g); break;                              // plain weights
            case 1: x[i] = (float) (0.05 * g * exp(gauss())); break;               // heavy tails
            case 2: x[i] = i < 80 ? 0.0f : (float) (0.03 * g); break;              // zero sub-blocks
            case 3: x[i] = 0.0f; break;                                            // all zero
            case 4: x[i] = 0.5f; break;                                            // constant
            case 5: x[i] = (float) -fabs(0.1 * g); break;                          // one sign
            case 6: x[i] = (float) (1e-30 * g); break;                             // scale underflows fp16
            case 7: x[i] = (float) ((int) (g * 8)) / 8.0f; break;                  // halfway rounding ties
            case 8: x[i] = i == 77 ? 100.0f : (float) (0.01 * g); break;           // one outlier
            case 9: x[i] = (float) uniform(); break;                               // positive only
            case 10: x[i] = (float) (3e4 * g); break;                              // large values
            default: x[i] = (i % 16 == 3) ? (float) (0.2 * g) : (float) (1e-4 * g); break; // sparse spikes
        }
    }
}

static void hex_floats(const char * tag, const float * v, int n) {
    printf("%s", tag);
    for (int i = 0; i < n; i++) {
        uint32_t b; memcpy(&b, &v[i], 4);
        printf(" %08x", b);
    }
    printf("\n");
}

static void hex_bytes(const uint8_t * b, size_t n) {
    printf("bytes ");
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
    printf("\n");
}

int main(void) {
    enum ggml_type types[] = {GGML_TYPE_Q4_0, GGML_TYPE_Q4_1, GGML_TYPE_Q5_0, GGML_TYPE_Q5_1, GGML_TYPE_Q8_0,
        GGML_TYPE_Q8_1, GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K, GGML_TYPE_Q6_K, GGML_TYPE_Q8_K,
        GGML_TYPE_IQ4_NL};
    printf("# llama.cpp b4747 (commit c392e509) quantization of awkward rows; made by make_quantize_reference.c.\n");
    // ggml_init fills the fp16 -> fp32 table that the k-quants use to re-read their stored scales
    struct ggml_init_params params = {1024 * 1024, NULL, false};
    struct ggml_context * ctx = ggml_init(params);
    static float x[COLS], w[COLS];
    static uint8_t out[COLS * 4];
    for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
        enum ggml_type type = types[t];
        for (int c = 0; c < CASES; c++) {
            make_case(c, x);
            for (int weighted = 0; weighted < 2; weighted++) {
                if (weighted && (type == GGML_TYPE_Q8_0 || type == GGML_TYPE_Q8_1 || type == GGML_TYPE_Q8_K)) continue;
                for (int i = 0; i < COLS; i++) {
                    // importance: positive, spread over orders of magnitude; case 2 also has zero entries
                    w[i] = (float) exp(2 * gauss());
                    if (c == 2 && i % 5 == 0) w[i] = 0.0f;
                }
                size_t size = ggml_row_size(type, COLS);
                memset(out, 0, sizeof(out));
                if (type == GGML_TYPE_Q8_1) quantize_row_q8_1_ref(x, out, COLS);
                else if (type == GGML_TYPE_Q8_K) quantize_row_q8_K_ref(x, out, COLS);
                else ggml_quantize_chunk(type, x, out, 0, 1, COLS, weighted ? w : NULL);
                printf("quant %s %d\n", ggml_type_name(type), COLS);
                hex_floats("input", x, COLS);
                if (weighted) hex_floats("importance", w, COLS); else printf("importance none\n");
                hex_bytes(out, size);
                static float back[COLS];
                if (ggml_get_type_traits(type)->to_float) {
                    ggml_get_type_traits(type)->to_float(out, back, COLS);
                    hex_floats("dequantized", back, COLS);
                } else {
                    printf("dequantized none\n"); // Q8_1: ggml has no decoder
                }
            }
        }
    }
    ggml_free(ctx);
    return 0;
}
