package org.dtheta.nn;

import java.util.Random;
import java.util.function.UnaryOperator;

/** Random nets, data and the numerical oracles the nn tests share. */
final class Fixtures {

  private Fixtures() {}

  /** A tiny member of the family for each kind of loss and first layer. */
  static NetworkConfig[] tinyNets() {
    return new NetworkConfig[] {
      Presets.mnist().withInputs(6).withHidden(4).withOutputs(3),
      Presets.seed002(5, 3),
      Presets.seed003(0.7).withInputs(6).withHidden(5).withOutputs(3),
      Presets.seed004().withInputs(4).withHidden(5),
      new NetworkConfig(4, 3, 2, Activation.SIGMOID, true, OutputLayer.IDENTITY,
          Loss.SQUARED_ERROR, 0.3, 0.05),
    };
  }

  /**
   * {@code k} samples with inputs in [0, 1) (about a third of them exactly 0, like dark pixels)
   * and targets that fit the loss: one-hot rows for softmax, 0/1 entries for sigmoid outputs,
   * Gaussian values for an identity output.
   */
  static Dataset dataset(Random rnd, NetworkConfig c, int k) {
    double[] x = new double[k * c.inputs()];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextDouble() < 0.3 ? 0.0 : rnd.nextDouble();
    }
    double[] t = new double[k * c.outputs()];
    for (int i = 0; i < k; i++) {
      switch (c.output()) {
        case SOFTMAX -> t[i * c.outputs() + rnd.nextInt(c.outputs())] = 1.0;
        case SIGMOID -> {
          for (int r = 0; r < c.outputs(); r++) {
            t[i * c.outputs() + r] = rnd.nextBoolean() ? 1.0 : 0.0;
          }
        }
        case IDENTITY -> {
          for (int r = 0; r < c.outputs(); r++) {
            t[i * c.outputs() + r] = rnd.nextGaussian();
          }
        }
      }
    }
    return new Dataset(x, t, k, c.inputs(), c.outputs());
  }

  /** {@code n} entries {@code ~ N(0, scale^2)}. */
  static double[] gaussian(Random rnd, int n, double scale) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * rnd.nextGaussian();
    }
    return v;
  }

  /** max |a - b| / max |b| (the relative error of a against the oracle b). */
  static double relativeError(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double scale = 0;
    double worst = 0;
    for (int i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst / Math.max(scale, Double.MIN_NORMAL);
  }

  /** {@code (f(x + h v) - f(x - h v)) / 2h}: central differences, the oracle for Jacobians. */
  static double[] centralDifference(UnaryOperator<double[]> f, double[] x, double[] v, double h) {
    double[] up = x.clone();
    double[] down = x.clone();
    for (int i = 0; i < x.length; i++) {
      up[i] += h * v[i];
      down[i] -= h * v[i];
    }
    double[] fu = f.apply(up);
    double[] fd = f.apply(down);
    double[] d = new double[fu.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = (fu[i] - fd[i]) / (2 * h);
    }
    return d;
  }

  /** Column {@code d} of an {@code n x m} row-major matrix. */
  static double[] column(double[] a, int n, int m, int d) {
    double[] c = new double[n];
    for (int i = 0; i < n; i++) {
      c[i] = a[i * m + d];
    }
    return c;
  }

  /** {@code A B} for row-major {@code A} (n x p) and {@code B} (p x m). */
  static double[] multiply(double[] a, double[] b, int n, int p, int m) {
    double[] c = new double[n * m];
    for (int i = 0; i < n; i++) {
      for (int l = 0; l < p; l++) {
        double ail = a[i * p + l];
        for (int j = 0; j < m; j++) {
          c[i * m + j] += ail * b[l * m + j];
        }
      }
    }
    return c;
  }
}
