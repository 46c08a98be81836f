package org.dtheta.mnist;

import com.google.gson.annotations.JsonAdapter;
import java.util.List;
import org.dtheta.nn.NetworkConfig;
import org.dtheta.nn.Presets;

/**
 * Everything that determines a training run's numbers; a run resumes only under an equal
 * config. Stored in {@code run.json} and {@code checkpoint.json}.
 *
 * @param k training images used (the first k in file order)
 * @param hidden hidden widths h1, ..., hL (JSON: an array; a plain number, as runs written
 *     before deeper nets have it, reads as one hidden layer: {@link HiddenWidthsAdapter})
 * @param activation hidden activation: sigmoid, tanh or relu (absent in older runs: sigmoid)
 * @param steps gradient-descent steps
 * @param lr learning rate alpha
 * @param seed seed of the initial parameters (unused with an init file)
 * @param initStd standard deviation of the initial weights (unused with an init file)
 * @param saveEvery steps between saved trajectory rows
 * @param initFile initial parameters file, or null
 * @param initSha256 SHA-256 of that file, or null
 * @param sharpnessEvery steps between sharpness measurements ({@code --sharpness-every}), or
 *     null for none (runs written before the option have none)
 */
record TrainConfig(
    int k,
    @JsonAdapter(HiddenWidthsAdapter.class) List<Integer> hidden,
    String activation,
    int steps,
    double lr,
    long seed,
    double initStd,
    int saveEvery,
    String initFile,
    String initSha256,
    Integer sharpnessEvery) {

  /** Checks the values a user can get wrong, naming the option. */
  TrainConfig {
    require(k >= 1, "--k must be >= 1, not " + k);
    hidden = new Architecture(hidden, null).hidden(); // checks the widths, naming --hidden
    activation = Architecture.parseActivation(activation == null ? "sigmoid" : activation,
        "--activation").name().toLowerCase(java.util.Locale.ROOT);
    require(steps >= 0, "--steps must be >= 0, not " + steps);
    require(lr > 0 && Double.isFinite(lr), "--lr must be a finite number > 0, not " + lr);
    require(initStd >= 0 && Double.isFinite(initStd), "--init-std must be finite and >= 0, not " + initStd);
    require(saveEvery >= 1, "--save-every must be >= 1, not " + saveEvery);
    require(steps % saveEvery == 0,
        "--steps " + steps + " must be a multiple of --save-every " + saveEvery
            + " so that the last step is saved");
    require(sharpnessEvery == null || sharpnessEvery >= 1,
        "--sharpness-every must be >= 1 (steps between sharpness measurements), not " + sharpnessEvery);
  }

  /** A config without sharpness measurements. */
  TrainConfig(int k, List<Integer> hidden, String activation, int steps, double lr, long seed,
      double initStd, int saveEvery, String initFile, String initSha256) {
    this(k, hidden, activation, steps, lr, seed, initStd, saveEvery, initFile, initSha256, null);
  }

  /** Whether step {@code t} gets a sharpness measurement: 0, N, 2N, ... */
  boolean measuresSharpness(int t) {
    return sharpnessEvery != null && t % sharpnessEvery == 0;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The network: 784, the hidden widths, 10, with the activation. */
  Architecture architecture() {
    return new Architecture(hidden, Architecture.parseActivation(activation, "--activation"));
  }

  /** The MNIST preset at {@code hidden} units and learning rate {@code lr}. */
  static NetworkConfig network(int hidden, double lr) {
    return Presets.mnist().withHidden(hidden).withLearningRate(lr);
  }

  /** Rows of the trajectory file: steps 0, s, 2s, ..., T. */
  int savedRows() {
    return steps / saveEvery + 1;
  }

  /** Parameters P of the network. */
  int parameters() {
    return architecture().parameters();
  }
}
