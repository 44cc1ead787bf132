package io.llmopt.formats.safetensors;

import static io.llmopt.formats.safetensors.Messages.oneLine;
import static io.llmopt.formats.safetensors.Messages.quote;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Hugging Face sharded-checkpoint index ({@code model.safetensors.index.json}):
 * {@code {"metadata": {"total_size": N, ...}, "weight_map": {tensor name: shard file name}}}.
 * Shard names are resolved against the index's directory and must stay inside it.
 */
record SafetensorsIndex(Path file, Map<String, String> weightMap, List<Path> shards) {

    static final String FILE_NAME = "model.safetensors.index.json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    SafetensorsIndex {
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
        shards = List.copyOf(shards);
    }

    /**
     * Reads and checks {@code file}; {@link #shards()} lists the shard paths sorted by file name, which for
     * Hugging Face names ({@code model-00001-of-00003.safetensors}) is shard order.
     */
    static SafetensorsIndex read(Path file) {
        JsonNode root;
        try {
            if (Files.size(file) > SafetensorsHeader.MAX_HEADER_BYTES) {
                throw new LlmoptException(file + ": index is larger than " + SafetensorsHeader.MAX_HEADER_BYTES + " bytes");
            }
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot read index: " + oneLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new LlmoptException(file + ": index must be a JSON object with a 'weight_map'");
        }
        JsonNode metadata = root.get("metadata");
        if (metadata != null && !metadata.isObject() && !metadata.isNull()) {
            throw new LlmoptException(file + ": 'metadata' must be an object, found " + metadata.getNodeType());
        }
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new LlmoptException(file + ": missing or non-object field 'weight_map'");
        }
        if (map.isEmpty()) {
            throw new LlmoptException(file + ": 'weight_map' lists no tensors");
        }
        Path dir = file.toAbsolutePath().getParent();
        Map<String, String> weightMap = new LinkedHashMap<>();
        Map<String, Path> shards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isTextual()) {
                throw new LlmoptException(file + ": weight_map entry for tensor " + quote(e.getKey()) + " must be a file name string");
            }
            String shardName = e.getValue().textValue();
            weightMap.put(e.getKey(), shardName);
            if (!shards.containsKey(shardName)) {
                shards.put(shardName, resolveShard(file, dir, shardName, e.getKey()));
            }
        }
        List<Path> ordered = new ArrayList<>(shards.values());
        ordered.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return new SafetensorsIndex(file, weightMap, ordered);
    }

    private static Path resolveShard(Path index, Path dir, String shardName, String tensor) {
        Path resolved;
        try {
            resolved = dir.resolve(shardName).normalize();
        } catch (RuntimeException e) { // InvalidPathException: NUL or other characters the OS cannot name
            throw new LlmoptException(index + ": weight_map names an invalid shard file " + quote(shardName) + " for tensor " + quote(tensor));
        }
        if (shardName.isEmpty() || !resolved.startsWith(dir) || resolved.equals(dir)) {
            throw new LlmoptException(index + ": weight_map shard " + quote(shardName) + " for tensor " + quote(tensor)
                    + " must be a file name inside " + dir);
        }
        if (!Files.isRegularFile(resolved)) {
            throw new LlmoptException(index + ": weight_map names shard " + quote(shardName) + " for tensor " + quote(tensor)
                    + " but " + resolved + " does not exist");
        }
        return resolved;
    }

    /** The index JSON as Hugging Face writes it: 2-space indent, keys sorted, {@code metadata.total_size}. */
    static byte[] toJson(long totalSize, Map<String, String> weightMap) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("metadata").put("total_size", totalSize);
        ObjectNode map = root.putObject("weight_map");
        new TreeMap<>(weightMap).forEach(map::put);
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        try {
            return (JSON.writer(printer).writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LlmoptException("cannot serialize safetensors index: " + oneLine(e.getMessage()), e);
        }
    }
}
