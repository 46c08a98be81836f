package org.dtheta.nn;

/**
 * The networks of the source notes (the seeds), as {@link NetworkConfig}s. Each preset keeps the
 * seed's architecture and loss exactly; where a seed's hand-derived formulas take a shortcut, the
 * javadoc says what the exact computation does instead (DESIGN.md section 2). Every preset uses
 * the seeds' learning rate {@link #DEFAULT_LEARNING_RATE}; change it with {@link
 * NetworkConfig#withLearningRate}.
 */
public final class Presets {

  /** Gradient-descent step of seed 001 ({@code alpha = 0.1}), used by every preset. */
  public static final double DEFAULT_LEARNING_RATE = 0.1;

  private Presets() {}

  /**
   * Seeds 000/001: the 784-50-10 MNIST network, {@code A1 = X W1 + 1 b1}, sigmoid hidden layer,
   * softmax output, mean cross-entropy {@code L = -(1/k) sum T log Y}, {@code alpha = 0.1}.
   * P = 39760.
   *
   * <p>What the seeds get wrong, and the code does not: 000/001 use {@code softmax(A)(1 -
   * softmax(A))} as the softmax derivative, which is only the diagonal of the Jacobian {@code
   * diag(y) - y y^T}; 000 differentiates {@code Y} instead of {@code L} in the update (with
   * cross-entropy the exact {@code dL/dA2 = (Y - T)/k}); 001 writes {@code y log y} for {@code t
   * log y} and {@code 1/(1 + exp(a))} for the sigmoid {@code 1/(1 + exp(-a))}.
   */
  public static NetworkConfig mnist() {
    return new NetworkConfig(
        784, 50, 10, Activation.SIGMOID, true, OutputLayer.SOFTMAX, Loss.CROSS_ENTROPY, 0.0,
        DEFAULT_LEARNING_RATE);
  }

  /**
   * Seed 002: {@code y0 = tanh(x + b0)} (a bias-only first layer, so {@code hidden = inputs} and
   * there is no W1; the seed's {@code b0} is our {@code b1}, its {@code w1, b1} our {@code W2,
   * b2}), {@code y = softmax(y0 W2 + b2)} and the squared error {@code J = sum (y - t)^2}, summed
   * (not averaged) over samples and classes.
   *
   * <p>The seed's gradients are exact for one sample and use the full softmax Jacobian {@code
   * diag(g) - g g^T}; its {@code dJ/dW} is the outer product {@code y0^T [2 (y - t) dg/dt]}. For
   * {@code k} samples the code sums the per-sample terms, as {@code J} does.
   *
   * @param inputs features per sample (also the hidden width)
   * @param classes softmax outputs
   */
  public static NetworkConfig seed002(int inputs, int classes) {
    return new NetworkConfig(
        inputs, inputs, classes, Activation.TANH, false, OutputLayer.SOFTMAX, Loss.SQUARED_ERROR,
        0.0, DEFAULT_LEARNING_RATE);
  }

  /**
   * Seed 003: 256 features, 256 ReLU hidden units, softmax over 10 classes, mean cross-entropy
   * plus {@code (lambda/(2m)) (||W1||^2 + ||W2||^2)} with {@code m} the number of samples (biases
   * are not penalised).
   *
   * <p>The seed's closed forms, read exactly: {@code dL/dA2 = (Y - T)/m}, {@code dL/dW2 = Z1^T
   * (Y - T)/m + (lambda/m) W2}, {@code dL/dW1 = X^T [((Y - T) W2^T) * 1(A1 > 0)]/m + (lambda/m)
   * W1}. Where the seed differs: it writes the products in the other order ({@code (Y - T)
   * X}), divides the b1 gradient by {@code n} (the feature count) instead of {@code m}, and in
   * its {@code dL/dz} derivation swaps the cases {@code j = t} and {@code j != t}; the result
   * {@code y_hat - y} it reaches is right. ReLU's derivative at exactly 0 is taken as 0.
   *
   * @param lambda the L2 coefficient (0 for none)
   */
  public static NetworkConfig seed003(double lambda) {
    return new NetworkConfig(
        256, 256, 10, Activation.RELU, true, OutputLayer.SOFTMAX, Loss.CROSS_ENTROPY, lambda,
        DEFAULT_LEARNING_RATE);
  }

  /**
   * Seed 004: 10 inputs, 64 sigmoid hidden units, one sigmoid output, binary cross-entropy
   * {@code J = -(1/n) sum [y log a + (1 - y) log(1 - a)]} over {@code n = 7} samples
   * ({@link #SEED004_SAMPLES}). The seed is column-major ({@code Z = W X + b} with samples as
   * columns, {@code W1} 64 x 10); we store the transposes, row-major ({@code X} 7 x 10, {@code
   * W1} 10 x 64), so the seed's {@code dW2 = dZ2 A1^T} is our {@code Z1^T dA2}.
   *
   * <p>Where the seed differs: its {@code dZ2 = A2 - Y} and {@code db2 = sum(dZ2)} drop the
   * {@code 1/n} of {@code J}; the exact values are {@code dZ2 = (A2 - Y)/n}, and every gradient
   * below it carries the {@code 1/n}. The loss is computed from the logits, so it stays finite
   * when {@code a} rounds to 0 or 1.
   */
  public static NetworkConfig seed004() {
    return new NetworkConfig(
        10, 64, 1, Activation.SIGMOID, true, OutputLayer.SIGMOID, Loss.BINARY_CROSS_ENTROPY, 0.0,
        DEFAULT_LEARNING_RATE);
  }

  /** Number of samples in seed 004's batch. */
  public static final int SEED004_SAMPLES = 7;
}
