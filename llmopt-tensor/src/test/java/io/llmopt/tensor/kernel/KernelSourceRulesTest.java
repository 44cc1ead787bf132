package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The source rules of {@link Simd}'s class comment, checked on the kernel sources: no accumulation with the
 * loop-carried vector as the receiver, and, in the K-quant panel kernels, no wrapper ({@code mul}, {@code add},
 * {@code fma}, {@code and}, {@code or}, {@code bitwiseBlend}) where {@code lanewise} does. Breaking either is invisible
 * in normal runs and costs a factor of eight in a JVM whose class-check traps are spent (BENCHMARKS, session 18), so
 * it is caught here rather than by timing.
 */
class KernelSourceRulesTest {
    private static final Path KERNELS = Path.of("src/main/java/io/llmopt/tensor/kernel");
    /** {@code a = a.lanewise(ADD|MAX|MIN, x)} or {@code a = a.add|max|min(x)}, where x does not itself use a. */
    private static final Pattern RECEIVER_ACCUMULATION =
            Pattern.compile("\\b(\\w+) = \\1\\.(?:lanewise\\(VectorOperators\\.(?:ADD|MAX|MIN), |add\\(|max\\(|min\\()(.*)$");
    private static final Pattern WRAPPER = Pattern.compile("(?<!Math)\\.(mul|add|fma|and|or|bitwiseBlend)\\(");
    private static final List<String> PANEL_KERNELS = List.of("PanelKQuants.java");

    @Test
    void accumulationsKeepTheLoopCarriedVectorAsTheArgument() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (var files = Files.list(KERNELS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = RECEIVER_ACCUMULATION.matcher(lines.get(i));
                    // a reduction tree (v = v.lanewise(ADD, v.rearrange(…))) is straight-line code, not an accumulation
                    if (m.find() && !Pattern.compile("\\b" + m.group(1) + "\\b").matcher(m.group(2)).find()) {
                        offenders.add(f.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(offenders).as("accumulations with the loop-carried vector as the receiver (see Simd)").isEmpty();
    }

    @Test
    void kQuantPanelKernelsCallLanewiseDirectly() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (String name : PANEL_KERNELS) {
            List<String> lines = Files.readAllLines(KERNELS.resolve(name));
            for (int i = 0; i < lines.size(); i++) {
                String code = lines.get(i).replaceFirst("//.*", "");
                if (!code.strip().startsWith("*") && WRAPPER.matcher(code).find()) {
                    offenders.add(name + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertThat(offenders).as("vector wrappers in the K-quant panel kernels (see Simd)").isEmpty();
    }

    @Test
    void theRulesMatchWhatTheyForbid() {
        assertThat(RECEIVER_ACCUMULATION.matcher("    a0 = a0.lanewise(VectorOperators.ADD, v.mul(b));").find()).isTrue();
        assertThat(RECEIVER_ACCUMULATION.matcher("    m = m.max(x);").find()).isTrue();
        assertThat(RECEIVER_ACCUMULATION.matcher("    a0 = v.lanewise(VectorOperators.ADD, a0);").find()).isFalse();
        assertThat(WRAPPER.matcher("t = a.fma(b, t);").find()).isTrue();
        assertThat(WRAPPER.matcher("s = Math.fma(w, x, s);").find()).isFalse();
    }
}
