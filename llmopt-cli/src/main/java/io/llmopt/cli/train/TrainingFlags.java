package io.llmopt.cli.train;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.train.TrainOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Flags shared by {@code llmopt train} and {@code llmopt distill}: data, schedule, optimizer, output. */
public final class TrainingFlags {
    @Option(names = {"-f", "--file"}, required = true, paramLabel = "TRAIN.txt",
            description = "training text; documents separated by <|endoftext|>, each trained as BOS + its tokens")
    Path train;

    @Option(names = "--valid", paramLabel = "VALID.txt", description = "held-out text for the validation loss")
    Path valid;

    @Option(names = "--steps", required = true, paramLabel = "N", description = "optimizer steps")
    int steps;

    @Option(names = "--batch", paramLabel = "B", description = "sequences per micro-batch (default: ${DEFAULT-VALUE})")
    int batch = 16;

    @Option(names = "--seq-len", paramLabel = "T", description = "tokens per sequence (default: 256, at most the model's context)")
    int seqLen;

    @Option(names = "--accum", paramLabel = "N", description = "micro-batches per optimizer step (default: ${DEFAULT-VALUE})")
    int accum = 1;

    @Option(names = "--lr", paramLabel = "LR", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    double lr = 2e-3;

    @Option(names = "--warmup", paramLabel = "N", description = "linear warm-up steps (default: steps/10, at most 50)")
    Integer warmup;

    @Option(names = "--decay-steps", paramLabel = "N", description = "cosine decay length; the rate then stays at the floor (default: steps)")
    int decaySteps;

    @Option(names = "--lr-floor", paramLabel = "F", description = "final learning rate as a fraction of the peak (default: ${DEFAULT-VALUE})")
    double lrFloor = 0.1;

    @Option(names = "--weight-decay", paramLabel = "W", description = "AdamW weight decay on matrices (default: ${DEFAULT-VALUE})")
    double weightDecay = 0.1;

    @Option(names = "--beta1", paramLabel = "B1", description = "AdamW beta1 (default: ${DEFAULT-VALUE})")
    double beta1 = 0.9;

    @Option(names = "--beta2", paramLabel = "B2", description = "AdamW beta2 (default: ${DEFAULT-VALUE})")
    double beta2 = 0.95;

    @Option(names = "--grad-clip", paramLabel = "NORM", description = "clip the global gradient norm to this, 0 = off (default: ${DEFAULT-VALUE})")
    double gradClip = 1.0;

    @Option(names = "--eval-every", paramLabel = "N", description = "validation every N steps (always before the first and after the last)")
    int evalEvery;

    @Option(names = "--eval-windows", paramLabel = "N", description = "at most N validation windows of --seq-len tokens (default: all)")
    int evalWindows;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "checkpoint every N steps (always after the last)")
    int checkpointEvery;

    @Option(names = "--seed", paramLabel = "SEED", description = "seed of the data order and of random initialisation (default: ${DEFAULT-VALUE})")
    long seed = 1337;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT_DIR",
            description = "output directory: model.gguf and/or hf/, checkpoint.bin, train_log.json")
    Path out;

    @Option(names = "--resume", description = "continue the run whose checkpoint is in OUT_DIR")
    boolean resume;

    @Option(names = "--reschedule", description = "with --resume: accept other --steps/--decay-steps than the checkpoint's "
            + "(the learning-rate schedule follows the new values from the checkpoint's step on)")
    boolean reschedule;

    @Option(names = "--format", paramLabel = "FORMAT", description = "output model format: gguf, hf or both (default: ${DEFAULT-VALUE})")
    String format = "gguf";

    @Option(names = "--type", paramLabel = "TYPE", description = "output weight type: f32, f16 or bf16 (default: ${DEFAULT-VALUE})")
    String type = "f32";

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "threads (default: all cores, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--json", description = "print a JSON summary on stdout (progress stays on stderr)")
    boolean json;

    @Option(names = "--verbose", description = "print stack traces for errors")
    boolean verbose;

    /** A copy writing to {@code dir} (a stage of a distillation chain), with {@code json} as given. */
    TrainingFlags stage(Path dir, boolean printJson) {
        TrainingFlags c = new TrainingFlags();
        c.train = train;
        c.valid = valid;
        c.steps = steps;
        c.batch = batch;
        c.seqLen = seqLen;
        c.accum = accum;
        c.lr = lr;
        c.warmup = warmup;
        c.decaySteps = decaySteps;
        c.lrFloor = lrFloor;
        c.weightDecay = weightDecay;
        c.beta1 = beta1;
        c.beta2 = beta2;
        c.gradClip = gradClip;
        c.evalEvery = evalEvery;
        c.evalWindows = evalWindows;
        c.checkpointEvery = checkpointEvery;
        c.seed = seed;
        c.out = dir;
        c.resume = resume;
        c.reschedule = reschedule;
        c.format = format;
        c.type = type;
        c.threads = threads;
        c.json = printJson;
        c.verbose = verbose;
        return c;
    }

    /** @param contextLength the model's context, the ceiling of the default sequence length */
    TrainOptions options(int contextLength) {
        if (threads < 1) {
            throw new LlmoptException("-t/--threads must be >= 1, got " + threads);
        }
        int t = seqLen > 0 ? seqLen : Math.min(256, contextLength);
        int w = warmup != null ? warmup : Math.min(50, steps / 10);
        return new TrainOptions(batch, t, steps, accum, lr, w, decaySteps, lrFloor, weightDecay, beta1, beta2, gradClip,
                evalEvery, evalWindows, checkpointEvery, seed);
    }

    boolean writesGguf() {
        return format("gguf");
    }

    boolean writesHf() {
        return format("hf");
    }

    private boolean format(String which) {
        return switch (format.toLowerCase(java.util.Locale.ROOT)) {
            case "gguf" -> which.equals("gguf");
            case "hf" -> which.equals("hf");
            case "both" -> true;
            default -> throw new LlmoptException("--format must be gguf, hf or both, got '" + format + "'");
        };
    }
}
