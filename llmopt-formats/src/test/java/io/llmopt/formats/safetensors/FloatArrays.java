package io.llmopt.formats.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

/** Fast bitwise comparison of large float arrays (AssertJ's containsExactly is too slow at 10^5 elements). */
final class FloatArrays {
    private FloatArrays() {
    }

    static void assertBitwiseEqual(String what, float[] actual, float[] expected) {
        assertThat(actual.length).as(what + " length").isEqualTo(expected.length);
        int i = Arrays.mismatch(actual, expected);
        if (i >= 0) {
            throw new AssertionError(what + ": first difference at index " + i + ": " + actual[i] + " != expected " + expected[i]);
        }
    }
}
