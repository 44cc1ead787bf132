package io.llmopt.compress.quantize;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A user rule {@code PATTERN=TYPE}: tensors whose GGUF name contains a match of the regular expression get
 * TYPE instead of the mix's choice (the first matching rule wins), as later llama-quantize versions'
 * {@code --tensor-type}. The shape fallback still applies.
 */
public record TensorTypeOverride(Pattern pattern, GgmlType type) {

    public static TensorTypeOverride parse(String spec) {
        int eq = spec.lastIndexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new LlmoptException("--tensor-type wants PATTERN=TYPE (e.g. attn_v=q8_0), got '" + spec + "'");
        }
        Pattern p;
        try {
            p = Pattern.compile(spec.substring(0, eq));
        } catch (PatternSyntaxException e) {
            throw new LlmoptException("--tensor-type '" + spec + "': bad pattern: " + e.getDescription());
        }
        return new TensorTypeOverride(p, QuantizeOptions.tensorType(spec.substring(eq + 1), "--tensor-type"));
    }

    boolean matches(String tensorName) {
        return pattern.matcher(tensorName).find();
    }
}
