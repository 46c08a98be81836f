package org.dtheta.core;

import static org.dtheta.core.DriverArguments.length;
import static org.dtheta.core.DriverArguments.matrix;
import static org.dtheta.core.DriverArguments.vector;

/**
 * First-order drivers: value and gradient by one forward and one reverse sweep, Jacobian-vector
 * products by a tangent sweep, vector-Jacobian products by a seeded reverse sweep. All take the
 * flat parameter vector of the output's tape (see {@link Tape}), of length exactly P.
 *
 * <p>Every array argument must have exactly the length given (P for {@code x} and gradients,
 * {@code P*m} for direction matrices, ...) and counts must be at least 1: anything else throws
 * an {@link IllegalArgumentException} naming the argument, the expected and the actual length.
 * Each call holds the output's tape for its whole duration (see {@link Tape} on threads): a
 * second thread calling in meanwhile gets an {@link IllegalStateException}.
 */
public final class Gradients {

  private Gradients() {}

  /**
   * Evaluates a scalar {@code output} at {@code x} (length P) and writes its gradient
   * ({@code gradient}, length P); returns the value.
   *
   * @throws IllegalArgumentException if an array's length is not P
   * @throws ShapeException if {@code output} is not 1x1
   * @throws IllegalStateException if another thread is using the tape
   */
  public static double valueAndGradient(Var output, double[] x, double[] gradient) {
    String method = "Gradients.valueAndGradient";
    Tape tape = DriverArguments.output(method, "output", output).tape;
    int p = tape.parameterCount();
    DriverArguments.scalar(method, "output", output);
    vector(method, "x", x, p);
    vector(method, "gradient", gradient, p);
    tape.enter();
    try {
      tape.setVariables(x);
      tape.forward();
      tape.reverse(output, null);
      tape.getAdjoints(gradient);
      return output.scalar();
    } finally {
      tape.exit();
    }
  }

  /**
   * The gradient of a scalar {@code output} at {@code x} (length P), in a new array.
   *
   * @throws IllegalArgumentException if {@code x}'s length is not P
   * @throws ShapeException if {@code output} is not 1x1
   * @throws IllegalStateException if another thread is using the tape
   */
  public static double[] gradient(Var output, double[] x) {
    String method = "Gradients.gradient";
    Tape tape = DriverArguments.output(method, "output", output).tape;
    DriverArguments.scalar(method, "output", output);
    vector(method, "x", x, tape.parameterCount());
    double[] g = new double[tape.parameterCount()];
    valueAndGradient(output, x, g);
    return g;
  }

  /**
   * Vector-Jacobian product {@code J^T u} of any {@code output} at {@code x} (length P), with
   * {@code u} the length-{@code output.size()} seed; written to {@code result} (length P).
   *
   * @throws IllegalArgumentException if an array's length is not the one stated
   * @throws IllegalStateException if another thread is using the tape
   */
  public static void vectorJacobianProduct(Var output, double[] x, double[] u, double[] result) {
    String method = "Gradients.vectorJacobianProduct";
    Tape tape = DriverArguments.output(method, "output", output).tape;
    int p = tape.parameterCount();
    vector(method, "x", x, p);
    length(method, "u", u, output.size(), "output.size()");
    vector(method, "result", result, p);
    tape.enter();
    try {
      tape.setVariables(x);
      tape.forward();
      tape.reverse(output, u);
      tape.getAdjoints(result);
    } finally {
      tape.exit();
    }
  }

  /**
   * Jacobian-vector products of {@code output} at {@code x} (length P) along {@code m >= 1}
   * directions at once: {@code directions} is exactly {@code P x m} row-major, {@code result}
   * exactly {@code output.size() x m}.
   *
   * @throws IllegalArgumentException if {@code m < 1} or an array's length is not the one stated
   * @throws IllegalStateException if another thread is using the tape
   */
  public static void jacobianVectorProducts(
      Var output, double[] x, double[] directions, int m, double[] result) {
    jacobianVectorProducts("Gradients.jacobianVectorProducts", "directions", output, x,
        directions, m, result);
  }

  /**
   * One Jacobian-vector product {@code J v}: {@code x} and {@code v} have length P,
   * {@code result} has length {@code output.size()}.
   *
   * @throws IllegalArgumentException if an array's length is not the one stated
   * @throws IllegalStateException if another thread is using the tape
   */
  public static void jacobianVectorProduct(Var output, double[] x, double[] v, double[] result) {
    jacobianVectorProducts("Gradients.jacobianVectorProduct", "v", output, x, v, 1, result);
  }

  private static void jacobianVectorProducts(String method, String directionsName, Var output,
      double[] x, double[] directions, int m, double[] result) {
    Tape tape = DriverArguments.output(method, "output", output).tape;
    int p = tape.parameterCount();
    DriverArguments.count(method, "m", m);
    vector(method, "x", x, p);
    if (m == 1) {
      vector(method, directionsName, directions, p);
    } else {
      matrix(method, directionsName, directions, p, m);
    }
    length(method, "result", result, (long) output.size() * m,
        m == 1 ? "output.size()" : "output.size()*m = " + output.size() + "*" + m);
    tape.enter();
    try {
      tape.setVariables(x);
      tape.forward();
      tape.setTangents(directions, m);
      tape.forwardTangents(m);
      tape.getTangents(output, result, m);
    } finally {
      tape.exit();
    }
  }
}
