package io.llmopt.model.loader;

import io.llmopt.tensor.Tensor;
import java.util.Optional;

/** Named tensors of one opened model file (GGUF, safetensors, …), as the name tables see them. */
public interface TensorSource {
    /** A file or directory name for error messages. */
    String source();

    Optional<Tensor> find(String name);
}
