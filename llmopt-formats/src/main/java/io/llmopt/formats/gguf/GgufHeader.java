package io.llmopt.formats.gguf;

import java.util.List;

/**
 * Everything before a GGUF file's data section, validated.
 *
 * @param version     2 or 3
 * @param metadata    the key/value pairs in file order
 * @param tensorInfos the tensor infos in file order
 * @param alignment   {@code general.alignment}, or 32 when absent; a power of two
 * @param dataOffset  absolute file offset where the data section starts (end of the infos, aligned)
 */
record GgufHeader(int version, GgufMetadata metadata, List<GgufTensorInfo> tensorInfos, int alignment, long dataOffset) {
    static final int DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
}
