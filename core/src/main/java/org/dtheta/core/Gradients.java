package org.dtheta.core;

/**
 * First-order drivers: value and gradient by one forward and one reverse sweep, Jacobian-vector
 * products by a tangent sweep, vector-Jacobian products by a seeded reverse sweep. All take the
 * flat parameter vector of the output's tape (see {@link Tape}).
 */
public final class Gradients {

  private Gradients() {}

  /** Evaluates a scalar {@code output} at {@code x} and writes its gradient; returns the value. */
  public static double valueAndGradient(Var output, double[] x, double[] gradient) {
    Tape tape = output.tape;
    tape.setVariables(x);
    tape.forward();
    tape.reverse(output, null);
    tape.getAdjoints(gradient);
    return output.scalar();
  }

  /** The gradient of a scalar {@code output} at {@code x}, in a new array. */
  public static double[] gradient(Var output, double[] x) {
    double[] g = new double[output.tape.parameterCount()];
    valueAndGradient(output, x, g);
    return g;
  }

  /**
   * Vector-Jacobian product {@code J^T u} of any {@code output} at {@code x}, with {@code u}
   * the length-{@code output.size()} seed; written to {@code result} (length P).
   */
  public static void vectorJacobianProduct(Var output, double[] x, double[] u, double[] result) {
    Tape tape = output.tape;
    tape.setVariables(x);
    tape.forward();
    tape.reverse(output, u);
    tape.getAdjoints(result);
  }

  /**
   * Jacobian-vector products of {@code output} at {@code x} along {@code m} directions at once:
   * {@code directions} is {@code P x m} row-major, {@code result} is {@code output.size() x m}.
   */
  public static void jacobianVectorProducts(
      Var output, double[] x, double[] directions, int m, double[] result) {
    Tape tape = output.tape;
    tape.setVariables(x);
    tape.forward();
    tape.setTangents(directions, m);
    tape.forwardTangents(m);
    tape.getTangents(output, result, m);
  }

  /** One Jacobian-vector product {@code J v}; {@code result} has length {@code output.size()}. */
  public static void jacobianVectorProduct(Var output, double[] x, double[] v, double[] result) {
    jacobianVectorProducts(output, x, v, 1, result);
  }
}
