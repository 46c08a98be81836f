package org.dtheta.mnist;

import org.dtheta.nn.NetworkConfig;
import org.dtheta.nn.Presets;

/**
 * Everything that determines a training run's numbers; a run resumes only under an equal
 * config. Stored in {@code run.json} and {@code checkpoint.json}.
 *
 * @param k training images used (the first k in file order)
 * @param hidden hidden units
 * @param steps gradient-descent steps
 * @param lr learning rate alpha
 * @param seed seed of the initial parameters (unused with an init file)
 * @param initStd standard deviation of the initial weights (unused with an init file)
 * @param saveEvery steps between saved trajectory rows
 * @param initFile initial parameters file, or null
 * @param initSha256 SHA-256 of that file, or null
 */
record TrainConfig(
    int k,
    int hidden,
    int steps,
    double lr,
    long seed,
    double initStd,
    int saveEvery,
    String initFile,
    String initSha256) {

  /** Checks the values a user can get wrong, naming the option. */
  TrainConfig {
    require(k >= 1, "--k must be >= 1, not " + k);
    require(hidden >= 1, "--hidden must be >= 1, not " + hidden);
    require(steps >= 0, "--steps must be >= 0, not " + steps);
    require(lr > 0 && Double.isFinite(lr), "--lr must be a finite number > 0, not " + lr);
    require(initStd >= 0 && Double.isFinite(initStd), "--init-std must be finite and >= 0, not " + initStd);
    require(saveEvery >= 1, "--save-every must be >= 1, not " + saveEvery);
    require(steps % saveEvery == 0,
        "--steps " + steps + " must be a multiple of --save-every " + saveEvery
            + " so that the last step is saved");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The network: the MNIST preset (784-H-10, sigmoid, softmax, cross-entropy) at this width and alpha. */
  NetworkConfig network() {
    return network(hidden, lr);
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
    return network().layout().size();
  }
}
