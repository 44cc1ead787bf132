package io.llmopt.cli.train;

import io.llmopt.cli.Json;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Progressive distillation ({@code llmopt distill --chain S1,S2,…}): stage i distils its teacher (the given
 * teacher for stage 1, stage i−1's written model after that) into student Si in OUT_DIR/stage-i. The whole chain is
 * validated before anything is written (specs, shapes, shared vocabulary, existing checkpoints). With --resume,
 * stages whose train_log.json exists are done (it is written after the model) and are skipped; the first
 * unfinished stage resumes from its checkpoint or starts. OUT_DIR/chain.json holds the per-stage summaries.
 */
final class DistillChain {
    private static final String[] SUMMARY_KEYS = {"teacher", "student_init", "output", "steps", "train_loss_last",
        "valid_loss_first", "valid_loss_last", "parameters", "seconds", "config"};

    private DistillChain() {
    }

    static void run(DistillCommand cmd, List<String> texts, WorkerPool pool) throws IOException {
        TrainingFlags f = cmd.flags;
        PrintWriter out = cmd.spec.commandLine().getOut();
        PrintWriter err = cmd.spec.commandLine().getErr();
        List<StudentSpec> specs = parse(texts);
        validate(cmd.teacher, specs, f);

        Path teacher = cmd.teacher;
        List<Map<String, Object>> stages = new ArrayList<>();
        List<?> outputs = List.of();
        for (int i = 0; i < specs.size(); i++) {
            Path dir = stageDir(f, i);
            Path log = dir.resolve("train_log.json");
            Map<String, Object> report;
            if (f.resume && Files.isRegularFile(log)) {
                report = readLog(log);
                err.printf("stage %d of %d: done earlier, %s%n", i + 1, specs.size(), report.get("output"));
            } else {
                boolean resumeStage = f.resume && Files.isRegularFile(dir.resolve("checkpoint.bin"));
                TrainingFlags sf = f.stage(dir, false);
                sf.resume = resumeStage;
                sf.reschedule = resumeStage && f.reschedule;
                err.printf("stage %d of %d: teacher %s, student %s%n", i + 1, specs.size(), teacher, specs.get(i).describe());
                err.flush();
                Path cache = cmd.teacherCache != null ? cmd.teacherCache.resolve("stage-" + (i + 1)) : dir.resolve("teacher-cache");
                report = cmd.stage(teacher, specs.get(i), sf, cache, pool, f.json ? new PrintWriter(Writer.nullWriter()) : out);
            }
            if (report.get("output") == null) {
                throw new LlmoptException(log + ": stage " + (i + 1) + " wrote no model");
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("stage", i + 1);
            for (String k : SUMMARY_KEYS) {
                s.put(k, report.get(k));
            }
            stages.add(s);
            teacher = Path.of(report.get("output").toString());
            outputs = report.get("outputs") instanceof List<?> l ? l : List.of(teacher.toString());
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("command", "distill");
        summary.put("teacher", cmd.teacher.toString());
        summary.put("chain", texts.stream().map(String::strip).toList());
        summary.put("stages", stages);
        summary.put("output", teacher.toString());
        summary.put("outputs", outputs);
        Path file = f.out.resolve("chain.json");
        Path tmp = file.resolveSibling("chain.json.tmp");
        Files.writeString(tmp, Json.write(summary));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (f.json) {
            out.println(Json.write(summary));
        } else {
            out.printf("distill chain: %d stages, final model %s%n", stages.size(), teacher);
        }
        out.flush();
    }

    static Path stageDir(TrainingFlags f, int i) {
        return f.out.resolve("stage-" + (i + 1));
    }

    private static List<StudentSpec> parse(List<String> texts) {
        if (texts.isEmpty() || texts.stream().allMatch(String::isBlank)) {
            throw new LlmoptException("--chain needs at least one student, e.g. --chain every:2,every:2");
        }
        List<StudentSpec> specs = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).isBlank()) {
                throw new LlmoptException("--chain stage " + (i + 1) + " is empty (two commas in a row?)");
            }
            specs.add(StudentSpec.parse(texts.get(i), i + 1));
        }
        return specs;
    }

    /** Everything that can be checked before training: shapes along the chain, vocabulary, flags, output directories. */
    private static void validate(Path teacher, List<StudentSpec> specs, TrainingFlags f) {
        try (LoadedModel t = ModelLoader.load(teacher)) {
            LlamaConfig c = t.config();
            for (int i = 0; i < specs.size(); i++) {
                try {
                    c = specs.get(i).shape(c, t.tokenizer());
                } catch (LlmoptException e) {
                    throw new LlmoptException("--chain stage " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
            f.options(c.contextLength());
        }
        for (Path text : f.valid == null ? List.of(f.train) : List.of(f.train, f.valid)) {
            if (!Files.isRegularFile(text)) {
                throw new LlmoptException(text + ": no such file");
            }
        }
        f.writesGguf();
        ModelOutput.type(f.type);
        if (f.reschedule && !f.resume) {
            throw new LlmoptException("--reschedule only applies with --resume");
        }
        if (f.resume && !Files.isRegularFile(stageDir(f, 0).resolve("checkpoint.bin"))) {
            throw new LlmoptException(stageDir(f, 0).resolve("checkpoint.bin") + ": no checkpoint to resume from (run without --resume to start)");
        }
        if (!f.resume) {
            for (int i = 0; i < specs.size(); i++) {
                Path ckpt = stageDir(f, i).resolve("checkpoint.bin");
                if (Files.exists(ckpt)) {
                    throw new LlmoptException(ckpt + " exists: continue that chain with --resume, or choose another -o directory");
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readLog(Path log) throws IOException {
        return Json.MAPPER.readValue(log.toFile(), LinkedHashMap.class);
    }
}
