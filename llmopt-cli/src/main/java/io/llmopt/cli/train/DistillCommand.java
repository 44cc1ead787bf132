package io.llmopt.cli.train;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.tokenizer.Tokenizer;
import io.llmopt.train.ModelParameters;
import io.llmopt.train.distill.DistillationObjective;
import io.llmopt.train.distill.StudentInit;
import io.llmopt.train.distill.Teacher;
import io.llmopt.train.distill.TopKTeacherCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code llmopt distill}: train a student to match a teacher's next-token distribution,
 * loss = α·τ²·KL(softmax(z_t/τ) ‖ softmax(z_s/τ)) + (1 − α)·CE(labels) (or the reverse KL).
 */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Distil a teacher model into a student (given, from a config, or every k-th teacher layer) on text.")
public final class DistillCommand implements Callable<Integer> {
    static final class Student {
        @Option(names = "--student", paramLabel = "S", description = "student model to start from (same vocabulary as the teacher)")
        Path model;

        @Option(names = "--student-config", paramLabel = "FILE", description = "random student of a Hugging Face config.json")
        Path config;

        @Option(names = "--student-preset", paramLabel = "NAME", description = "random student of a preset shape")
        String preset;

        @Option(names = "--student-from-teacher", paramLabel = "K", description = "student = every K-th teacher layer (layers 0, K, 2K, …)")
        Integer everyK;

        @Option(names = "--chain", split = ",", paramLabel = "S", description = "progressive distillation: a chain of students, "
                + "each the teacher of the next, trained in OUT_DIR/stage-1, stage-2, …; each S is every:K[+ffn:N] (of the stage's "
                + "teacher), preset:NAME, config:FILE or model:FILE")
        List<String> chain;
    }

    @Option(names = "--teacher", required = true, paramLabel = "T", description = "teacher model (any format and weight type, quantized too)")
    Path teacher;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Student student;

    @Option(names = "--student-ffn", paramLabel = "N", description = "with --student-from-teacher: keep the N most important "
            + "feed-forward neurons of each layer (‖gate‖·‖up‖·‖down‖), a narrower student")
    Integer studentFfn;

    @Option(names = "--temperature", paramLabel = "TAU", description = "softmax temperature of both distributions (default: ${DEFAULT-VALUE})")
    double temperature = 2.0;

    @Option(names = "--alpha", paramLabel = "A", description = "weight of the KL term; 1 − A weighs the label cross-entropy (default: ${DEFAULT-VALUE})")
    double alpha = 0.5;

    @Option(names = "--reverse-kl", description = "minimise KL(student ‖ teacher) instead of KL(teacher ‖ student)")
    boolean reverseKl;

    @Option(names = "--fast-teacher", description = "run a float32 copy of the teacher on the training kernels, whole batches at once "
            + "(faster; quantized teachers are dequantized)")
    boolean fastTeacher;

    @Option(names = "--teacher-topk", paramLabel = "K", description = "learn from the teacher's top K logits per position "
            + "(its distribution renormalised over them), cached on disk so the teacher runs once per window")
    int teacherTopK;

    @Option(names = "--teacher-cache", paramLabel = "DIR", description = "where the top-K cache lives, shared between runs "
            + "(default with --teacher-topk: OUT_DIR/teacher-cache)")
    Path teacherCache;

    @Mixin
    TrainingFlags flags;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new LlmoptException("--temperature must be positive, got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new LlmoptException("--alpha must be in [0, 1], got " + alpha);
        }
        if (student.chain != null && studentFfn != null) {
            throw new LlmoptException("--student-ffn does not apply to --chain: write the stage as every:K+ffn:N");
        }
        if (studentFfn != null && student.everyK == null) {
            throw new LlmoptException("--student-ffn applies to a student made from the teacher: add --student-from-teacher K");
        }
        if (teacherCache != null && teacherTopK == 0) {
            throw new LlmoptException("--teacher-cache needs --teacher-topk K");
        }
        if (teacherTopK != 0 && reverseKl) {
            throw new LlmoptException("--reverse-kl is undefined on top-k teacher logits (the student's mass outside the top k "
                    + "would cost infinity); use the forward KL or drop --teacher-topk");
        }
        WorkerPool pool = new WorkerPool(Math.max(1, flags.threads));
        try {
            if (student.chain != null) {
                DistillChain.run(this, student.chain, pool);
            } else {
                StudentSpec s = new StudentSpec(student.model, student.config, student.preset, student.everyK, studentFfn);
                stage(teacher, s, flags, cacheDir(flags.out), pool, spec.commandLine().getOut());
            }
            return 0;
        } finally {
            pool.shutdown();
        }
    }

    /** The top-K cache of a run writing to {@code out}: --teacher-cache (per stage in a chain) or OUT_DIR/teacher-cache. */
    Path cacheDir(Path out) {
        return teacherCache != null ? teacherCache : out.resolve("teacher-cache");
    }

    /** One distillation of {@code teacherPath} into the student {@code s}; returns the run's summary. */
    Map<String, Object> stage(Path teacherPath, StudentSpec s, TrainingFlags f, Path cacheDir, WorkerPool pool, PrintWriter out)
            throws IOException {
        TopKTeacherCache[] cache = new TopKTeacherCache[1];
        try (LoadedModel t = ModelLoader.load(teacherPath)) {
            LlamaModel teacherModel = new LlamaModel(t.config(), t.weights(), KernelProvider.get(), pool);
            StartingModel start = student(t, teacherPath, s, f.seed);
            LlamaConfig sc = start.params().config();
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("teacher", teacherPath.toString());
            extra.put("teacher_parameters", t.config().parameterCount());
            extra.put("student_init", s.describe());
            extra.put("temperature", temperature);
            extra.put("alpha", alpha);
            extra.put("kl", reverseKl ? "reverse" : "forward");
            extra.put("teacher_engine", fastTeacher ? "float32 training forward" : "inference");
            if (teacherTopK != 0) {
                extra.put("teacher_topk", teacherTopK);
                extra.put("teacher_cache", cacheDir.toString());
            }
            Map<String, Object> report = TrainingRun.execute("distill", f, start, o -> {
                Teacher base = fastTeacher ? Teacher.float32(ModelParameters.fromWeights(t.config(), t.weights()), o.batchSize(),
                        o.seqLen(), pool) : Teacher.of(teacherModel, o.seqLen());
                if (teacherTopK != 0) {
                    cache[0] = new TopKTeacherCache(base, t.config(), teacherId(teacherPath), cacheDir, teacherTopK, o.seqLen());
                    base = cache[0];
                }
                return new DistillationObjective(base, sc.vocabSize(), o.batchSize(), o.seqLen(), temperature, alpha, reverseKl, pool);
            }, extra, pool, out, spec.commandLine().getErr());
            if (cache[0] != null) {
                spec.commandLine().getErr().printf("teacher cache %s: %,d windows stored, %,d served from the cache, %,d computed%n",
                        cacheDir, cache[0].size(), cache[0].hits(), cache[0].misses());
            }
            return report;
        } finally {
            if (cache[0] != null) {
                cache[0].close();
            }
        }
    }

    /** The teacher file's absolute path, size and modification time: a changed teacher invalidates the cache. */
    private static String teacherId(Path teacher) {
        try {
            Path p = teacher.toAbsolutePath().normalize();
            long size = java.nio.file.Files.isRegularFile(p) ? java.nio.file.Files.size(p) : -1;
            return p + " size " + size + " modified " + java.nio.file.Files.getLastModifiedTime(p).toMillis();
        } catch (java.io.IOException e) {
            throw new LlmoptException(teacher + ": cannot read the teacher's file attributes: " + e.getMessage(), e);
        }
    }

    private static StartingModel student(LoadedModel t, Path teacher, StudentSpec s, long seed) {
        if (s.model() != null) {
            StartingModel m = StartingModel.load(s.model(), null);
            sameVocabulary(t.tokenizer(), m.tokenizer(), t.config().vocabSize(), m.params().config().vocabSize());
            return m;
        }
        ModelParameters params;
        String name;
        if (s.everyK() != null) {
            params = StudentInit.everyKthLayer(ModelParameters.fromWeights(t.config(), t.weights()), s.everyK());
            name = StartingModel.baseName(teacher) + "-every" + s.everyK();
            if (s.ffn() != null) {
                params = StudentInit.narrowerFfn(params, s.ffn());
                name += "-ffn" + s.ffn();
            }
        } else {
            LlamaConfig c = s.randomConfig();
            if (c.vocabSize() != t.config().vocabSize()) {
                throw new LlmoptException("teacher and student must share the vocabulary: the teacher has " + t.config().vocabSize()
                        + " tokens, the student config " + c.vocabSize());
            }
            params = ModelParameters.random(c, seed);
            name = s.preset() != null ? s.preset() : StartingModel.baseName(s.config());
        }
        return StartingModel.from(t, teacher, null, params, name);
    }

    /** Teacher and student must give every id the same meaning: same size, same pieces. */
    static void sameVocabulary(Tokenizer teacher, Tokenizer student, int teacherVocab, int studentVocab) {
        if (teacherVocab != studentVocab || teacher.vocabSize() != student.vocabSize()) {
            throw new LlmoptException("teacher and student must share the vocabulary: the teacher has " + teacherVocab
                    + " tokens, the student " + studentVocab);
        }
        for (int id = 0; id < teacher.vocabSize(); id++) {
            if (!teacher.piece(id).equals(student.piece(id))) {
                throw new LlmoptException("teacher and student must share the vocabulary: token " + id + " is '" + teacher.piece(id)
                        + "' for the teacher and '" + student.piece(id) + "' for the student");
            }
        }
    }
}
