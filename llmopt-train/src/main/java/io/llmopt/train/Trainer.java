package io.llmopt.train;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.checkpoint.CheckpointFile;
import io.llmopt.train.checkpoint.TrainingState;
import io.llmopt.train.data.TokenCorpus;
import io.llmopt.train.data.ValidationWindows;
import io.llmopt.train.data.WindowSampler;
import io.llmopt.train.optim.AdamW;
import io.llmopt.train.optim.GradientClipping;
import io.llmopt.train.optim.LearningRateSchedule;
import java.nio.file.Path;
import java.util.Map;

/**
 * The training loop. Per optimizer step s (0-based): zero the gradients; for each of the accumulation
 * micro-batches take B windows from the sampler, run forward, the objective (gradients scaled by
 * 1/(B·T·accum), so they are of the mean loss) and backward; clip to the global norm; AdamW at lr(s).
 * Validation (mean cross-entropy over fixed held-out windows) runs before the first step, every
 * {@code evalEvery} steps and after the last; checkpoints every {@code checkpointEvery} steps and after the last.
 * Everything is a function of (initial parameters, data, options), so a run resumed from a checkpoint continues
 * the same loss curve bit for bit.
 */
public final class Trainer {
    private final ModelParameters params;
    private final TrainOptions o;
    private final Objective objective;
    private final WorkerPool pool;
    private final TrainingModel model;
    private final WindowSampler sampler;
    private final ValidationWindows valid;
    private final AdamW adamw;
    private final GradientClipping clipping;
    private final LearningRateSchedule schedule;
    private final CrossEntropyObjective crossEntropy;
    private final int[] inputs;
    private final int[] targets;
    private TrainHistory history = new TrainHistory();
    private Path checkpoint;
    private TrainListener listener = new TrainListener() { };
    private int step;
    private long tokensSeen;
    private int stopAfter = Integer.MAX_VALUE;

    public Trainer(ModelParameters params, TrainOptions options, Objective objective, TokenCorpus train, TokenCorpus validation,
            WorkerPool pool) {
        train.requireWindow(options.seqLen());
        this.params = params;
        this.o = options;
        this.objective = objective;
        this.pool = pool;
        this.model = new TrainingModel(params, options.batchSize(), options.seqLen(), pool);
        this.sampler = new WindowSampler(train.tokens(), options.seqLen(), options.seed());
        this.valid = validation == null ? null : new ValidationWindows(validation.tokens(), options.seqLen(), options.evalWindows());
        if (valid != null && valid.count() == 0) {
            throw new LlmoptException(validation.source() + ": " + validation.tokens().length
                    + " tokens, fewer than one validation window of --seq-len " + options.seqLen() + " + 1");
        }
        this.adamw = new AdamW(params.layout(), new AdamW.Settings(options.beta1(), options.beta2(), 1e-8, options.weightDecay()));
        this.clipping = new GradientClipping(params.layout());
        this.schedule = new LearningRateSchedule(options.learningRate(), options.warmupSteps(), options.effectiveDecaySteps(),
                options.lrFloor());
        this.crossEntropy = new CrossEntropyObjective(pool);
        this.inputs = new int[options.batchSize() * options.seqLen()];
        this.targets = new int[options.batchSize() * options.seqLen()];
    }

    /** Writes a checkpoint to this file every {@code checkpointEvery} steps and after the last. */
    public Trainer checkpointTo(Path file) {
        this.checkpoint = file;
        return this;
    }

    public Trainer listener(TrainListener l) {
        this.listener = l;
        return this;
    }

    /** Stops (as if killed) once this many steps are done; for tests of resuming. */
    public Trainer stopAfter(int steps) {
        this.stopAfter = steps;
        return this;
    }

    public TrainingModel model() {
        return model;
    }

    /** Continues from a checkpoint; fails with a clear message when it belongs to another model or settings. */
    public Trainer resume(TrainingState s) {
        return resume(s, java.util.Set.of());
    }

    /**
     * Continues from a checkpoint whose settings may differ from this run's in the flags {@code mayDiffer} (e.g.
     * {@code --steps} and {@code --decay-steps}, to shorten or lengthen a run: the learning-rate schedule then follows
     * the new values from the checkpoint's step on).
     */
    public Trainer resume(TrainingState s, java.util.Set<String> mayDiffer) {
        String config = params.config().toString();
        if (!s.modelConfig().equals(config)) {
            throw new LlmoptException("the checkpoint was written for another model:\n  checkpoint: " + s.modelConfig() + "\n  this run:   " + config);
        }
        Map<String, String> mine = o.curveSettings();
        for (Map.Entry<String, String> e : mine.entrySet()) {
            String theirs = s.settings().get(e.getKey());
            if (!e.getValue().equals(theirs) && !mayDiffer.contains(e.getKey())) {
                throw new LlmoptException("the checkpoint was written with " + e.getKey() + " " + theirs + ", this run has "
                        + e.getValue() + "; resume with the same settings (or start a new run without --resume)");
            }
        }
        if (!s.objective().equals(objective.name())) {
            throw new LlmoptException("the checkpoint was written for objective '" + s.objective() + "', this run minimises '"
                    + objective.name() + "'");
        }
        if (s.params().length != params.values().length) {
            throw new LlmoptException("the checkpoint holds " + s.params().length + " parameters, the model has " + params.values().length);
        }
        System.arraycopy(s.params(), 0, params.values(), 0, s.params().length);
        adamw.restore(s.firstMoments(), s.secondMoments(), s.optimizerUpdates());
        sampler.seek(new WindowSampler.Position(s.epoch(), s.windowIndex()));
        step = Math.toIntExact(s.step());
        tokensSeen = s.tokensSeen();
        history = s.history();
        history.truncate(step);
        return this;
    }

    public TrainResult run() {
        long t0 = System.nanoTime();
        long tokensAtStart = tokensSeen;
        if (step == 0 && valid != null && history.evals() == 0) {
            evaluate();
        }
        float[] grads = model.gradients();
        float scale = 1f / o.tokensPerStep();
        while (step < o.steps() && step < stopAfter) {
            double lr = schedule.at(step);
            model.zeroGradients();
            double lossSum = 0;
            for (int micro = 0; micro < o.accumSteps(); micro++) {
                for (int b = 0; b < o.batchSize(); b++) {
                    sampler.next(inputs, targets, b);
                }
                model.forward(inputs, o.batchSize());
                lossSum += objective.lossAndGradient(model, inputs, targets, o.batchSize(), scale);
                model.backward();
            }
            float loss = (float) (lossSum / o.tokensPerStep());
            if (!Float.isFinite(loss)) {
                throw new LlmoptException("training diverged at step " + (step + 1) + " (loss " + loss + "); lower --lr or raise --warmup");
            }
            double norm = clipping.clip(grads, o.gradClip(), pool);
            adamw.step(params.values(), grads, lr, pool);
            step++;
            tokensSeen += o.tokensPerStep();
            history.addStep(loss, (float) lr, (float) norm);
            double seconds = (System.nanoTime() - t0) / 1e9;
            listener.onStep(step, o.steps(), loss, lr, norm, (tokensSeen - tokensAtStart) / seconds);
            boolean last = step == o.steps();
            if (valid != null && (last || (o.evalEvery() > 0 && step % o.evalEvery() == 0))) {
                evaluate();
            }
            if (checkpoint != null && (last || (o.checkpointEvery() > 0 && step % o.checkpointEvery() == 0))) {
                CheckpointFile.write(checkpoint, state());
                listener.onCheckpoint(step, checkpoint);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        float[] losses = history.trainLoss();
        float[] evals = history.evalLoss();
        return new TrainResult(step, losses.length == 0 ? Float.NaN : losses[losses.length - 1],
                evals.length == 0 ? Float.NaN : evals[0], evals.length == 0 ? Float.NaN : evals[evals.length - 1],
                tokensSeen, seconds, (tokensSeen - tokensAtStart) / seconds, history);
    }

    /** Mean validation cross-entropy of the current parameters, recorded in the history. */
    public float evaluate() {
        double sum = 0;
        long positions = 0;
        for (int first = 0; first < valid.count(); first += o.batchSize()) {
            int n = Math.min(o.batchSize(), valid.count() - first);
            valid.fill(inputs, targets, first, n);
            model.forward(inputs, n);
            sum += crossEntropy.loss(model, targets, n);
            positions += (long) n * o.seqLen();
        }
        float loss = (float) (sum / positions);
        history.addEval(step, loss);
        listener.onEval(step, loss);
        return loss;
    }

    /** The current state; its arrays are the live ones (write or copy it before training on). */
    public TrainingState state() {
        WindowSampler.Position p = sampler.position();
        return new TrainingState(params.config().toString(), o.curveSettings(), objective.name(), step, p.epoch(), p.index(),
                tokensSeen, adamw.updates(), history, params.values(), adamw.firstMoments(), adamw.secondMoments());
    }
}
