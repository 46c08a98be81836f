package org.dtheta.core.linalg;

import java.util.SplittableRandom;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Kernels;

/**
 * Hutchinson's estimate of the trace of a symmetric {@link LinearMap}: the mean of {@code z^T A
 * z} over Rademacher vectors {@code z} (entries +1 or -1 with equal probability), an unbiased
 * estimate with variance {@code 2 (||A||_F^2 - sum_i A_ii^2)} per sample, reported with its
 * standard error. For when the exact diagonal is too dear (a deep net at MNIST size); where it is
 * cheap, sum the diagonal instead.
 *
 * <p>The vectors come from one seeded stream, vector by vector, so the estimate does not depend
 * on how many are applied per call; the same map, count and seed give the same bits.
 */
public final class Hutchinson {

  private Hutchinson() {}

  /**
   * An estimate.
   *
   * @param trace the mean of the samples
   * @param standardError their standard deviation (n - 1 in the denominator) over {@code
   *     sqrt(samples)}
   * @param samples how many vectors
   * @param values {@code z^T A z} for each vector, in order
   */
  public record Estimate(double trace, double standardError, int samples, double[] values) {}

  /**
   * Estimates {@code trace(a)} from {@code samples >= 2} Rademacher vectors drawn from {@code
   * seed}, applying the map to {@code blockSize} of them per call; reports vectors done.
   */
  public static Estimate trace(LinearMap a, int samples, long seed, int blockSize,
      ProgressListener progress) {
    if (samples < 2) {
      throw new IllegalArgumentException(
          "Hutchinson: at least 2 samples are needed for a standard error, not " + samples);
    }
    if (blockSize < 1) {
      throw new IllegalArgumentException("Hutchinson: block size must be >= 1, not " + blockSize);
    }
    int n = a.dimension();
    int m = Math.min(blockSize, samples);
    SplittableRandom random = new SplittableRandom(seed);
    double[] z = new double[n * m];
    double[] az = new double[n * m];
    double[] values = new double[samples];
    for (int first = 0; first < samples; first += m) {
      int count = Math.min(m, samples - first);
      double[] in = count == m ? z : new double[n * count];
      double[] out = count == m ? az : new double[n * count];
      for (int d = 0; d < count; d++) {
        for (int i = 0; i < n; i++) {
          in[i * count + d] = random.nextBoolean() ? 1.0 : -1.0;
        }
      }
      a.apply(in, count, out);
      for (int d = 0; d < count; d++) {
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
          sum += in[i * count + d] * out[i * count + d];
        }
        values[first + d] = sum;
      }
      progress.update(first + count, samples);
    }
    double mean = Kernels.sum(samples, values, 0) / samples;
    double squares = 0.0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    return new Estimate(mean, Math.sqrt(squares / (samples - 1) / samples), samples, values);
  }
}
