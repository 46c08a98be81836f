package org.dtheta.core;

/**
 * Dense Jacobians of vector-valued functions by forward mode: {@code P} unit tangents pushed
 * through the tape, {@code batch} at a time.
 */
public final class Jacobians {

  private Jacobians() {}

  /**
   * The Jacobian of {@code output} at {@code x}: {@code output.size() x P}, row-major (row
   * {@code i} is the gradient of output entry {@code i}).
   */
  public static double[] jacobian(Var output, double[] x, int batch) {
    Tape tape = output.tape;
    int p = tape.parameterCount();
    int rows = output.size();
    double[] jac = new double[Math.multiplyExact(rows, p)];
    tape.setVariables(x);
    tape.forward();
    int m = Math.min(batch, p);
    double[] directions = new double[p * m];
    double[] tangents = new double[rows * m]; // the last, smaller batch uses a prefix
    for (int first = 0; first < p; first += m) {
      int count = Math.min(m, p - first);
      Hessians.unitDirections(p, first, count, directions);
      tape.setTangents(directions, count);
      tape.forwardTangents(count);
      tape.getTangents(output, tangents, count);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(tangents, r * count, jac, r * p + first, count);
      }
    }
    return jac;
  }

  /** {@link #jacobian(Var, double[], int)} with {@link Hessians#DEFAULT_BATCH} directions. */
  public static double[] jacobian(Var output, double[] x) {
    return jacobian(output, x, Hessians.DEFAULT_BATCH);
  }
}
