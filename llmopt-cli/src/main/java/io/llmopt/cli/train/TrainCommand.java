package io.llmopt.cli.train;

import io.llmopt.formats.hf.HfConfig;
import io.llmopt.model.ModelPresets;
import io.llmopt.model.loader.HfConfigs;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.CrossEntropyObjective;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code llmopt train}: train (or continue training) a model on a text file. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model on text with AdamW (warm-up + cosine schedule, clipping, accumulation), validation and resumable checkpoints.")
public final class TrainCommand implements Callable<Integer> {
    static final class Init {
        @Option(names = {"-m", "--model"}, paramLabel = "INIT", description = "model to start from (GGUF, HF directory, llama2.c .bin; any weight type)")
        Path model;

        @Option(names = "--preset", paramLabel = "NAME", description = "random initialisation of a preset shape (needs --tokenizer)")
        String preset;

        @Option(names = "--config", paramLabel = "FILE", description = "random initialisation of a Hugging Face config.json (needs --tokenizer)")
        Path config;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Init init;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer (required for --preset/--config; overrides the model's own)")
    Path tokenizer;

    @Mixin
    TrainingFlags flags;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        WorkerPool pool = new WorkerPool(Math.max(1, flags.threads));
        try {
            StartingModel start;
            if (init.model != null) {
                start = StartingModel.load(init.model, tokenizer);
            } else if (init.preset != null) {
                start = StartingModel.random(init.preset, ModelPresets.get(init.preset), tokenizer, flags.seed);
            } else {
                start = StartingModel.random(StartingModel.baseName(init.config),
                        HfConfigs.toLlamaConfig(HfConfig.read(init.config), init.config.toString()), tokenizer, flags.seed);
            }
            TrainingRun.execute("train", flags, start, o -> new CrossEntropyObjective(pool),
                    Map.of("init", init.model != null ? init.model.toString() : init.preset != null ? "preset " + init.preset : init.config.toString()),
                    pool, spec.commandLine().getOut(), spec.commandLine().getErr());
            return 0;
        } finally {
            pool.shutdown();
        }
    }
}
