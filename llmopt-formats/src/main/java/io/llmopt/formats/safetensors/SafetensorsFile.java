package io.llmopt.formats.safetensors;

import static io.llmopt.formats.safetensors.Messages.quote;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only, memory-mapped view of a safetensors checkpoint: one {@code .safetensors} file, or all shards
 * named by a {@code model.safetensors.index.json}. Everything is validated when the file is opened (see
 * {@link SafetensorsHeader} for the rules); afterwards tensors are served as zero-copy {@link Tensor} slices of
 * the mappings.
 *
 * <p>Lifetime: {@link #open(Path)} maps into a shared arena owned by this object, so tensors are usable from
 * any thread until {@link #close()}, after which touching their data throws {@link IllegalStateException}.
 * {@link #open(Path, Arena)} maps into the caller's arena instead and {@link #close()} leaves it alone.
 *
 * <p>Tensor order: shards sorted by file name (shard order for Hugging Face names), tensors in header order
 * within a shard.
 * Tensors present in a shard but not listed in the index's weight_map are included; a name present in two
 * shards, or a weight_map entry missing from its shard, is an error.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The name Hugging Face gives a single-file checkpoint inside a model directory. */
    public static final String SINGLE_FILE_NAME = "model.safetensors";
    /** The name Hugging Face gives the index of a sharded checkpoint inside a model directory. */
    public static final String INDEX_FILE_NAME = SafetensorsIndex.FILE_NAME;

    private record Located(SafetensorsShard shard, SafetensorsEntry entry) {
    }

    private final Path source;
    private final List<SafetensorsShard> shards;
    private final Map<String, Located> tensors;
    private final Arena arena;
    private final boolean ownsArena;
    private volatile boolean closed;

    private SafetensorsFile(Path source, List<SafetensorsShard> shards, Map<String, Located> tensors, Arena arena, boolean ownsArena) {
        this.source = source;
        this.shards = List.copyOf(shards);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.arena = arena;
        this.ownsArena = ownsArena;
    }

    /**
     * Opens {@code path}: a safetensors file, an index {@code .json}, or a model directory holding
     * {@value #SINGLE_FILE_NAME} or {@value #INDEX_FILE_NAME} (not both).
     */
    public static SafetensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try {
            return open(path, arena, true);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * As {@link #open(Path)}, mapping into {@code arena}, whose lifetime the caller manages (the mappings of a file
     * that fails validation also stay in that arena until it is closed).
     */
    public static SafetensorsFile open(Path path, Arena arena) {
        return open(path, arena, false);
    }

    private static SafetensorsFile open(Path path, Arena arena, boolean ownsArena) {
        Path target = resolve(path);
        if (target.getFileName().toString().endsWith(".json")) {
            return openIndexed(target, arena, ownsArena);
        }
        SafetensorsShard shard = SafetensorsShard.open(target, arena);
        Map<String, Located> tensors = new LinkedHashMap<>();
        shard.entries().values().forEach(e -> tensors.put(e.name(), new Located(shard, e)));
        return new SafetensorsFile(target, List.of(shard), tensors, arena, ownsArena);
    }

    private static Path resolve(Path path) {
        if (!Files.isDirectory(path)) {
            if (!Files.exists(path)) {
                throw new LlmoptException(path + ": no such file or directory");
            }
            return path;
        }
        Path single = path.resolve(SINGLE_FILE_NAME);
        Path index = path.resolve(INDEX_FILE_NAME);
        boolean hasSingle = Files.isRegularFile(single);
        boolean hasIndex = Files.isRegularFile(index);
        if (hasSingle && hasIndex) {
            throw new LlmoptException(path + ": holds both " + SINGLE_FILE_NAME + " and " + INDEX_FILE_NAME + "; pass the one to use");
        }
        if (!hasSingle && !hasIndex) {
            throw new LlmoptException(path + ": no " + SINGLE_FILE_NAME + " or " + INDEX_FILE_NAME + " in this directory");
        }
        return hasSingle ? single : index;
    }

    private static SafetensorsFile openIndexed(Path indexFile, Arena arena, boolean ownsArena) {
        SafetensorsIndex index = SafetensorsIndex.read(indexFile);
        List<SafetensorsShard> shards = new ArrayList<>();
        Map<Path, SafetensorsShard> byPath = new LinkedHashMap<>();
        Map<String, Located> tensors = new LinkedHashMap<>();
        for (Path p : index.shards()) {
            SafetensorsShard shard = SafetensorsShard.open(p, arena);
            shards.add(shard);
            byPath.put(p, shard);
            for (SafetensorsEntry e : shard.entries().values()) {
                Located previous = tensors.putIfAbsent(e.name(), new Located(shard, e));
                if (previous != null) {
                    throw new LlmoptException(p + ": tensor " + quote(e.name()) + " is also in " + previous.shard().file()
                            + "; a tensor name must appear in one shard only");
                }
            }
        }
        Path dir = indexFile.toAbsolutePath().getParent();
        for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
            SafetensorsShard shard = byPath.get(dir.resolve(e.getValue()).normalize());
            if (!shard.entries().containsKey(e.getKey())) {
                throw new LlmoptException(indexFile + ": weight_map places tensor " + quote(e.getKey()) + " in " + shard.file()
                        + " but that file has no such tensor");
            }
        }
        return new SafetensorsFile(indexFile, shards, tensors, arena, ownsArena);
    }

    /** The file that was opened (the single file or the index). */
    public Path source() {
        return source;
    }

    /** The safetensors files that hold the data, in shard order. */
    public List<Path> files() {
        return shards.stream().map(SafetensorsShard::file).toList();
    }

    public List<String> tensorNames() {
        return List.copyOf(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Header information of every tensor, whatever its dtype. */
    public List<SafetensorsEntry> entries() {
        return tensors.values().stream().map(Located::entry).toList();
    }

    public Optional<SafetensorsEntry> findEntry(String name) {
        return Optional.ofNullable(tensors.get(name)).map(Located::entry);
    }

    /**
     * The tensor called {@code name}, as a view of the mapped bytes. Fails with a message naming the file if there
     * is no such tensor or its dtype has no llmopt tensor type (see {@link SafetensorsDtype#ggmlType()}).
     */
    public Tensor tensor(String name) {
        return findTensor(name).orElseThrow(() -> new LlmoptException(source + ": no tensor " + quote(name) + " (the file has "
                + tensors.size() + " tensors)"));
    }

    /** Like {@link #tensor(String)} but empty when the name is absent; an unsupported dtype is still an error. */
    public Optional<Tensor> findTensor(String name) {
        checkOpen();
        Located l = tensors.get(name);
        return l == null ? Optional.empty() : Optional.of(l.shard().tensor(l.entry()));
    }

    /**
     * The stored bytes of tensor {@code name} whatever its dtype (e.g. U8 tensors, which have no llmopt tensor
     * type), as a view of the mapped file; empty when the name is absent.
     */
    public Optional<MemorySegment> findBytes(String name) {
        checkOpen();
        Located l = tensors.get(name);
        return l == null ? Optional.empty() : Optional.of(l.shard().bytes(l.entry()));
    }

    /**
     * The {@code __metadata__} string map of the (first) file, e.g. {@code {"format": "pt"}}; empty if absent.
     * For a sharded checkpoint this is the first shard's; the index's own {@code metadata} is not exposed.
     */
    public Map<String, String> metadata() {
        return shards.getFirst().header().metadata();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(source + " has been closed");
        }
    }

    /** Unmaps the files if this object owns its arena. Tensors obtained earlier become unusable. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (ownsArena) {
                arena.close();
            }
        }
    }
}
