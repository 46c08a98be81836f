package org.dtheta.nn;

/**
 * A full batch: {@code k} samples as rows of {@code x} ({@code k x inputs}, row-major) and their
 * targets ({@code k x outputs}, one-hot rows for classification). Arrays are shared, not copied.
 *
 * @param x inputs, row-major {@code k x inputs}
 * @param targets targets, row-major {@code k x outputs}
 * @param k number of samples
 * @param inputs features per sample
 * @param outputs target width
 */
public record Dataset(double[] x, double[] targets, int k, int inputs, int outputs) {

  /** Checks that the arrays hold {@code k} rows. */
  public Dataset {
    if (k < 1 || inputs < 1 || outputs < 1) {
      throw new IllegalArgumentException("dataset sizes must be positive: k " + k + ", inputs " + inputs + ", outputs " + outputs);
    }
    if (x.length != (long) k * inputs) {
      throw new IllegalArgumentException("x has " + x.length + " entries, expected " + k + " x " + inputs);
    }
    if (targets.length != (long) k * outputs) {
      throw new IllegalArgumentException("targets have " + targets.length + " entries, expected " + k + " x " + outputs);
    }
  }

  /** One-hot targets from integer labels in {@code [0, classes)}. */
  public static Dataset ofLabels(double[] x, int[] labels, int inputs, int classes) {
    double[] t = new double[Math.multiplyExact(labels.length, classes)];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " outside 0.." + (classes - 1));
      }
      t[i * classes + labels[i]] = 1.0;
    }
    return new Dataset(x, t, labels.length, inputs, classes);
  }

  /** The first {@code n} samples (copies). */
  public Dataset head(int n) {
    if (n < 1 || n > k) {
      throw new IllegalArgumentException("cannot take " + n + " of " + k + " samples");
    }
    return new Dataset(
        java.util.Arrays.copyOf(x, n * inputs), java.util.Arrays.copyOf(targets, n * outputs), n, inputs, outputs);
  }
}
