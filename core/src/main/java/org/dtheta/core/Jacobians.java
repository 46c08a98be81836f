package org.dtheta.core;

import static org.dtheta.core.DriverArguments.count;
import static org.dtheta.core.DriverArguments.vector;

/**
 * Dense Jacobians of vector-valued functions by forward mode: {@code P} unit tangents pushed
 * through the tape, {@code batch} at a time. Arguments are checked as in {@link Gradients}, and
 * each call holds the output's tape for its whole duration (see {@link Tape} on threads).
 */
public final class Jacobians {

  private Jacobians() {}

  /**
   * The Jacobian of {@code output} at {@code x} (length P): {@code output.size() x P},
   * row-major (row {@code i} is the gradient of output entry {@code i}), from {@code batch >=
   * 1} directions per tangent sweep.
   *
   * @throws IllegalArgumentException if {@code batch < 1} or {@code x}'s length is not P
   * @throws IllegalStateException if another thread is using the tape
   */
  public static double[] jacobian(Var output, double[] x, int batch) {
    String method = "Jacobians.jacobian";
    Tape tape = DriverArguments.output(method, "output", output).tape;
    int p = tape.parameterCount();
    count(method, "batch", batch);
    vector(method, "x", x, p);
    int rows = output.size();
    double[] jac = new double[Math.multiplyExact(rows, p)];
    tape.enter();
    try {
      tape.setVariables(x);
      tape.forward();
      int m = Math.min(batch, p);
      double[] directions = new double[p * m];
      double[] tangents = new double[rows * m];
      for (int first = 0; first < p; first += m) {
        int count = Math.min(m, p - first);
        if (count != m) { // the tape takes exactly P x count: the last, smaller batch
          directions = new double[p * count];
          tangents = new double[rows * count];
        }
        Hessians.unitDirections(p, first, count, directions);
        tape.setTangents(directions, count);
        tape.forwardTangents(count);
        tape.getTangents(output, tangents, count);
        for (int r = 0; r < rows; r++) {
          System.arraycopy(tangents, r * count, jac, r * p + first, count);
        }
      }
    } finally {
      tape.exit();
    }
    return jac;
  }

  /**
   * {@link #jacobian(Var, double[], int)} with {@link Hessians#DEFAULT_BATCH} directions.
   *
   * @throws IllegalArgumentException if {@code x}'s length is not P
   * @throws IllegalStateException if another thread is using the tape
   */
  public static double[] jacobian(Var output, double[] x) {
    return jacobian(output, x, Hessians.DEFAULT_BATCH);
  }
}
