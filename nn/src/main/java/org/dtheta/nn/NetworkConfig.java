package org.dtheta.nn;

/**
 * A member of the two-layer family: {@code A1 = X W1 + 1 b1} (or, when the first layer is
 * bias-only, {@code A1 = X + 1 b1} and there is no {@code W1}), {@code Z1 = act(A1)},
 * {@code A2 = Z1 W2 + 1 b2}, {@code Y = out(A2)}, loss plus an optional L2 term
 * {@code (l2 / (2k)) (||W1||^2 + ||W2||^2)} (seed 003's {@code lambda/(2m) sum ||W||^2}).
 *
 * @param inputs features per sample
 * @param hidden hidden units (equal to {@code inputs} when the first layer is bias-only)
 * @param outputs output units
 * @param activation hidden activation
 * @param denseFirstLayer false for seed 002's {@code tanh(x + b0)} (no first weight matrix)
 * @param output output function
 * @param loss data term
 * @param l2 L2 coefficient lambda (0 for none); the penalty is {@code lambda/(2k) sum ||W||^2}
 * @param learningRate gradient-descent step alpha of the update map
 */
public record NetworkConfig(
    int inputs,
    int hidden,
    int outputs,
    Activation activation,
    boolean denseFirstLayer,
    OutputLayer output,
    Loss loss,
    double l2,
    double learningRate) {

  /** Validates sizes and the pairing of output and loss. */
  public NetworkConfig {
    if (inputs < 1 || hidden < 1 || outputs < 1) {
      throw new IllegalArgumentException(
          "sizes must be positive: inputs " + inputs + ", hidden " + hidden + ", outputs " + outputs);
    }
    if (!denseFirstLayer && hidden != inputs) {
      throw new IllegalArgumentException(
          "a bias-only first layer keeps the width: hidden " + hidden + " must equal inputs " + inputs);
    }
    if (loss == Loss.CROSS_ENTROPY && output != OutputLayer.SOFTMAX) {
      throw new IllegalArgumentException("cross-entropy needs a softmax output, not " + output);
    }
    if (loss == Loss.BINARY_CROSS_ENTROPY && output != OutputLayer.SIGMOID) {
      throw new IllegalArgumentException("binary cross-entropy needs a sigmoid output, not " + output);
    }
    if (!(l2 >= 0) || !Double.isFinite(l2)) {
      throw new IllegalArgumentException("l2 must be a finite number >= 0, not " + l2);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be a finite number > 0, not " + learningRate);
    }
  }

  /** The parameter layout of this network. */
  public ParamLayout layout() {
    return new ParamLayout(this);
  }

  /** The same network with another hidden width (dense first layer only). */
  public NetworkConfig withHidden(int h) {
    return new NetworkConfig(inputs, h, outputs, activation, denseFirstLayer, output, loss, l2, learningRate);
  }

  /** The same network with another learning rate. */
  public NetworkConfig withLearningRate(double alpha) {
    return new NetworkConfig(inputs, hidden, outputs, activation, denseFirstLayer, output, loss, l2, alpha);
  }

  /** The same network with another input size (dense first layer only). */
  public NetworkConfig withInputs(int n) {
    return new NetworkConfig(n, denseFirstLayer ? hidden : n, outputs, activation, denseFirstLayer, output, loss, l2, learningRate);
  }

  /** The same network with another number of outputs. */
  public NetworkConfig withOutputs(int n) {
    return new NetworkConfig(
        inputs, hidden, n, activation, denseFirstLayer, output, loss, l2, learningRate);
  }

  /** The same network with another L2 coefficient lambda. */
  public NetworkConfig withL2(double lambda) {
    return new NetworkConfig(
        inputs, hidden, outputs, activation, denseFirstLayer, output, loss, lambda, learningRate);
  }
}
