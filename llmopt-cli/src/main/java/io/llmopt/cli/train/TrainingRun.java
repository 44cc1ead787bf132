package io.llmopt.cli.train;

import io.llmopt.cli.Json;
import io.llmopt.model.LlamaConfig;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.Activations;
import io.llmopt.train.ModelParameters;
import io.llmopt.train.Objective;
import io.llmopt.train.TrainHistory;
import io.llmopt.train.TrainOptions;
import io.llmopt.train.TrainResult;
import io.llmopt.train.Trainer;
import io.llmopt.train.checkpoint.CheckpointFile;
import io.llmopt.train.data.TokenCorpus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One training or distillation run from the command line: checks the output directory (a fresh run never
 * overwrites an existing checkpoint; --resume needs one), tokenizes the texts, trains with progress on stderr,
 * writes the model, OUT_DIR/train_log.json and the summary (JSON with --json).
 */
final class TrainingRun {
    private TrainingRun() {
    }

    static Map<String, Object> execute(String command, TrainingFlags f, StartingModel start, Function<TrainOptions, Objective> objective,
            Map<String, Object> extra, WorkerPool pool, PrintWriter out, PrintWriter err) throws IOException {
        long t0 = System.nanoTime();
        ModelParameters params = start.params();
        LlamaConfig c = params.config();
        TrainOptions o = f.options(c.contextLength());
        if (o.seqLen() > c.contextLength()) {
            params = new ModelParameters(c.withContextLength(o.seqLen()), params.values());
            c = params.config();
        }
        f.writesGguf(); // validates --format before any work
        ModelOutput.type(f.type);
        Path ckpt = f.out.resolve("checkpoint.bin");
        if (f.reschedule && !f.resume) {
            throw new LlmoptException("--reschedule only applies with --resume");
        }
        if (f.resume && !Files.isRegularFile(ckpt)) {
            throw new LlmoptException(ckpt + ": no checkpoint to resume from (run without --resume to start)");
        }
        if (!f.resume && Files.exists(ckpt)) {
            throw new LlmoptException(ckpt + " exists: continue that run with --resume, or choose another -o directory");
        }
        Files.createDirectories(f.out);
        TokenCorpus train = TokenCorpus.read(f.train, start.tokenizer(), c.vocabSize(), pool);
        TokenCorpus valid = f.valid == null ? null : TokenCorpus.read(f.valid, start.tokenizer(), c.vocabSize(), pool);
        Trainer trainer = new Trainer(params, o, objective.apply(o), train, valid, pool)
                .checkpointTo(ckpt)
                .listener(new ProgressPrinter(err, o.steps()));
        if (f.resume) {
            trainer.resume(CheckpointFile.read(ckpt), f.reschedule ? java.util.Set.of("--steps", "--decay-steps") : java.util.Set.of());
            err.printf("resuming from %s at step %d%n", ckpt, trainer.state().step());
        }
        err.printf("%s: %,d parameters, %d layers × %d dim, %,d training tokens (%d documents)%s, %d × %d tokens × %d per step, %d threads, ~%,d MB of activations%n",
                command, params.values().length, c.numLayers(), c.hiddenSize(), train.tokens().length, train.documents(),
                valid == null ? "" : String.format(", %,d validation tokens", valid.tokens().length), o.batchSize(), o.seqLen(),
                o.accumSteps(), pool.threads(), Activations.bytes(c, o.batchSize(), o.seqLen()) >> 20);
        err.flush();
        TrainResult r = trainer.run();
        List<Path> written = ModelOutput.write(f, params, start, start.name() + "-" + command, err);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", command);
        report.put("output", written.isEmpty() ? null : written.get(0).toString());
        report.put("outputs", written.stream().map(Path::toString).toList());
        report.put("checkpoint", ckpt.toString());
        report.put("steps", r.steps());
        report.put("train_loss_last", r.trainLossLast());
        report.put("valid_loss_first", Float.isNaN(r.validLossFirst()) ? null : r.validLossFirst());
        report.put("valid_loss_last", Float.isNaN(r.validLossLast()) ? null : r.validLossLast());
        report.put("valid_ppl_last", Float.isNaN(r.validLossLast()) ? null : Math.exp(r.validLossLast()));
        report.put("tokens_seen", r.tokensSeen());
        report.put("tokens_per_second", r.tokensPerSecond());
        report.put("seconds", (System.nanoTime() - t0) / 1e9);
        report.put("parameters", params.values().length);
        report.put("config", configMap(c));
        report.put("options", o.curveSettings());
        report.put("threads", pool.threads());
        report.putAll(extra);
        writeLog(f.out.resolve("train_log.json"), report, r.history());
        if (f.json) {
            out.println(Json.write(report));
        } else {
            out.printf("%s: %d steps, train loss %.4f, validation loss %s -> %s, wrote %s (%.0f tokens/s)%n", command, r.steps(),
                    r.trainLossLast(), fmt(r.validLossFirst()), fmt(r.validLossLast()), written, r.tokensPerSecond());
        }
        out.flush();
        return report;
    }

    private static String fmt(float x) {
        return Float.isNaN(x) ? "n/a" : String.format("%.4f", x);
    }

    static Map<String, Object> configMap(LlamaConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", c.architecture());
        m.put("hidden_size", c.hiddenSize());
        m.put("intermediate_size", c.intermediateSize());
        m.put("num_layers", c.numLayers());
        m.put("num_heads", c.numHeads());
        m.put("num_kv_heads", c.numKvHeads());
        m.put("vocab_size", c.vocabSize());
        m.put("context_length", c.contextLength());
        m.put("tied_embeddings", c.tiedEmbeddings());
        return m;
    }

    /** The summary plus the whole loss curve, written atomically. */
    private static void writeLog(Path file, Map<String, Object> report, TrainHistory h) throws IOException {
        Map<String, Object> log = new LinkedHashMap<>(report);
        log.put("train_loss", h.trainLoss());
        log.put("learning_rate", h.learningRate());
        log.put("grad_norm", h.gradNorm());
        log.put("valid_steps", h.evalSteps());
        log.put("valid_loss", h.evalLoss());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Json.write(log));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
