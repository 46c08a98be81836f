package org.dtheta.core;

import java.util.function.ToDoubleFunction;

/** Central finite differences: the independent oracle for every derivative the engine computes. */
public final class FiniteDifferences {

  private FiniteDifferences() {}

  /** Gradient of {@code f} at {@code x} by central differences with step {@code h}. */
  public static double[] gradient(ToDoubleFunction<double[]> f, double[] x, double h) {
    double[] g = new double[x.length];
    double[] y = x.clone();
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] + h;
      double up = f.applyAsDouble(y);
      y[i] = x[i] - h;
      double down = f.applyAsDouble(y);
      y[i] = x[i];
      g[i] = (up - down) / (2 * h);
    }
    return g;
  }

  /** Directional derivative of a vector function {@code f} along {@code v}, central differences. */
  public static double[] directional(
      java.util.function.Function<double[], double[]> f, double[] x, double[] v, double h) {
    double[] up = x.clone();
    double[] down = x.clone();
    for (int i = 0; i < x.length; i++) {
      up[i] += h * v[i];
      down[i] -= h * v[i];
    }
    double[] fu = f.apply(up);
    double[] fd = f.apply(down);
    double[] out = new double[fu.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (fu[i] - fd[i]) / (2 * h);
    }
    return out;
  }

  /** Largest |a - b| relative to max(|b|_inf, floor). */
  public static double relativeError(double[] a, double[] b, double floor) {
    double scale = floor;
    double worst = 0.0;
    for (int i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst / scale;
  }
}
