package org.dtheta.nn;

import java.util.Arrays;
import java.util.Random;

/**
 * Seeded initial parameters: weights drawn from {@code N(0, 1)} times a per-layer scale, biases
 * zero. The draws come from one {@link java.util.Random} stream, whose generator and {@code
 * nextGaussian} (polar method, {@code StrictMath}) the Java specification fixes, so a seed gives
 * the same theta on every JVM. W1 is filled first (row-major), then W2 (row-major), matching the
 * layout of theta.
 */
public final class Initializer {

  private final long seed;
  /** The standard deviation of every weight, or NaN for fan-in scaling. */
  private final double std;

  private Initializer(long seed, double std) {
    this.seed = seed;
    this.std = std;
  }

  /**
   * Every weight {@code ~ N(0, std^2)}, biases 0: the convention of the 784-50-10 reference
   * implementations the MNIST seeds follow ({@code std = 0.01}).
   */
  public static Initializer gaussian(long seed, double std) {
    if (!(std >= 0) || !Double.isFinite(std)) {
      throw new IllegalArgumentException("initial weight std must be finite and >= 0, not " + std);
    }
    return new Initializer(seed, std);
  }

  /**
   * LeCun scaling: W1 entries {@code ~ N(0, 1/inputs)}, W2 entries {@code ~ N(0, 1/hidden)},
   * biases 0, so pre-activations start with unit variance whatever the widths.
   */
  public static Initializer fanIn(long seed) {
    return new Initializer(seed, Double.NaN);
  }

  /** The seed of the random stream. */
  public long seed() {
    return seed;
  }

  /** A new theta for {@code config}. */
  public double[] initialize(NetworkConfig config) {
    double[] theta = new double[config.layout().size()];
    initialize(config, theta);
    return theta;
  }

  /** Overwrites {@code theta} (length P of {@code config}) with the initial parameters. */
  public void initialize(NetworkConfig config, double[] theta) {
    ParamLayout layout = config.layout();
    layout.checkLength(theta);
    Arrays.fill(theta, 0.0);
    Random random = new Random(seed);
    boolean fanIn = Double.isNaN(std);
    fill(random, theta, layout, Block.W1, fanIn ? 1 / Math.sqrt(config.inputs()) : std);
    fill(random, theta, layout, Block.W2, fanIn ? 1 / Math.sqrt(config.hidden()) : std);
  }

  private static void fill(Random random, double[] theta, ParamLayout layout, Block b, double scale) {
    int start = layout.offset(b);
    for (int i = 0; i < layout.length(b); i++) {
      theta[start + i] = scale * random.nextGaussian();
    }
  }

  @Override
  public String toString() {
    return Double.isNaN(std)
        ? "Initializer[fan-in, seed " + seed + "]"
        : "Initializer[gaussian std " + std + ", seed " + seed + "]";
  }
}
