package org.dtheta.core;

import static org.dtheta.core.DriverArguments.count;
import static org.dtheta.core.DriverArguments.matrix;
import static org.dtheta.core.DriverArguments.vector;

import org.dtheta.core.kernel.Kernels;

/**
 * Second-order drivers by forward-over-reverse: the forward sweep carries tangents with the
 * values, the reverse sweep carries the tangents of the adjoints, and the variables' adjoint
 * tangents are then {@code H v}. With {@code m} directions the tangents are {@code m} times
 * wider and every product in the sweep is a matrix-matrix product.
 *
 * <p>A product needs four sweeps: values forward and adjoints in reverse (which depend on the
 * point only), then tangents forward and adjoint tangents in reverse (which depend on the
 * directions too). {@link #hessianVectorProduct} and {@link #hessianMatrixProduct} run all four
 * on every call; {@link #at} runs the first two once and returns a {@link HessianOperator} whose
 * products run only the last two.
 *
 * <p>Every array argument must have exactly the length given ({@code P} for points, vectors and
 * gradients, {@code P*m} for direction matrices and results) and counts must be at least 1:
 * anything else throws an {@link IllegalArgumentException} naming the argument, the expected
 * and the actual length. Each call holds the loss's tape for its whole duration (see {@link
 * Tape} on threads).
 */
public final class Hessians {

  /** Directions per sweep when a driver chooses (dense Hessian, rows). */
  public static final int DEFAULT_BATCH = 32;

  private Hessians() {}

  /**
   * Hessian-vector product of a scalar {@code loss} at {@code x} (length P) along {@code v}
   * (length P). Writes {@code H v} to {@code hv} (length P) and, when {@code gradient} is not
   * null, the gradient (length P). Returns the value.
   *
   * @throws IllegalArgumentException if an array's length is not P
   * @throws ShapeException if {@code loss} is not 1x1
   * @throws IllegalStateException if another thread is using the tape
   */
  public static double hessianVectorProduct(
      Var loss, double[] x, double[] v, double[] gradient, double[] hv) {
    String method = "Hessians.hessianVectorProduct";
    int p = checkLoss(method, loss);
    vector(method, "v", v, p);
    vector(method, "hv", hv, p);
    return product(method, loss, x, v, 1, gradient, hv);
  }

  /**
   * Hessian times {@code m >= 1} directions in one sweep: {@code directions} and {@code result}
   * are exactly {@code P x m} row-major (entry {@code i*m + d} is component {@code i} of
   * direction {@code d}). Writes the gradient (length P) too when {@code gradient} is not null.
   * Returns the value.
   *
   * @throws IllegalArgumentException if {@code m < 1} or an array's length is not the one stated
   * @throws ShapeException if {@code loss} is not 1x1
   * @throws IllegalStateException if another thread is using the tape
   */
  public static double hessianMatrixProduct(
      Var loss, double[] x, double[] directions, int m, double[] gradient, double[] result) {
    String method = "Hessians.hessianMatrixProduct";
    int p = checkLoss(method, loss);
    count(method, "m", m);
    matrix(method, "directions", directions, p, m);
    matrix(method, "result", result, p, m);
    return product(method, loss, x, directions, m, gradient, result);
  }

  private static double product(String method, Var loss, double[] x, double[] directions, int m,
      double[] gradient, double[] result) {
    Tape tape = loss.tape;
    vector(method, "x", x, tape.parameterCount());
    if (gradient != null) {
      vector(method, "gradient", gradient, tape.parameterCount());
    }
    tape.enter();
    try {
      evaluate(loss, x);
      if (gradient != null) {
        tape.getAdjoints(gradient);
      }
      sweepDirections(loss, directions, m, result);
      return loss.scalar();
    } finally {
      tape.exit();
    }
  }

  /**
   * Linearises a scalar {@code loss} at {@code theta} (length P, copied): runs the forward and
   * the reverse sweep once and returns the Hessian there as an operator, whose products with 1
   * or {@code m} directions run only the tangent sweeps. The value and the gradient at
   * {@code theta} come with it. In the spirit of JAX's {@code linearize} and Stan Math's
   * {@code hessian_times_vector}; the products equal those of {@link #hessianMatrixProduct} at
   * the same point bit for bit.
   *
   * <p>The operator lives in the tape's buffers: anything that sweeps the tape at a point
   * (another driver call, {@link Tape#setVariables}, {@link Tape#forward()}, {@link
   * Tape#reverse}, recording an op) makes it stale, and its products then throw; call {@code
   * at} again. See {@link HessianOperator}.
   *
   * @throws IllegalArgumentException if {@code theta}'s length is not P
   * @throws ShapeException if {@code loss} is not 1x1
   * @throws IllegalStateException if another thread is using the tape
   */
  public static HessianOperator at(Var loss, double[] theta) {
    String method = "Hessians.at";
    int p = checkLoss(method, loss);
    vector(method, "theta", theta, p);
    Tape tape = loss.tape;
    tape.enter();
    try {
      evaluate(loss, theta);
      double[] gradient = new double[p];
      tape.getAdjoints(gradient);
      return new HessianOperator(loss, theta.clone(), loss.scalar(), gradient,
          tape.valuesVersion());
    } finally {
      tape.exit();
    }
  }

  /**
   * The dense Hessian of a scalar {@code loss} at {@code x} (length P), {@code P x P}
   * row-major, from {@code P} unit directions taken {@code batch >= 1} at a time (values and
   * gradient are computed once).
   *
   * @throws IllegalArgumentException if {@code batch < 1} or {@code x}'s length is not P
   * @throws ShapeException if {@code loss} is not 1x1
   * @throws IllegalStateException if another thread is using the tape
   */
  public static double[] hessian(Var loss, double[] x, int batch) {
    String method = "Hessians.hessian";
    int p = checkLoss(method, loss);
    count(method, "batch", batch);
    vector(method, "x", x, p);
    Tape tape = loss.tape;
    double[] h = new double[Math.multiplyExact(p, p)];
    tape.enter();
    try {
      evaluate(loss, x);
      int m = Math.min(batch, p);
      double[] directions = new double[p * m];
      double[] block = new double[p * m];
      for (int first = 0; first < p; first += m) {
        int count = Math.min(m, p - first);
        if (count != m) { // the tape takes exactly P x count: the last, smaller batch
          directions = new double[p * count];
          block = new double[p * count];
        }
        unitDirections(p, first, count, directions);
        sweepDirections(loss, directions, count, block);
        // block is P x count: column c is H e_(first+c), i.e. row first+c of the symmetric H.
        Kernels.transpose(p, count, block, 0, count, h, first * p, p);
      }
    } finally {
      tape.exit();
    }
    return h;
  }

  /**
   * {@link #hessian(Var, double[], int)} with {@link #DEFAULT_BATCH} directions per sweep.
   *
   * @throws IllegalArgumentException if {@code x}'s length is not P
   * @throws ShapeException if {@code loss} is not 1x1
   * @throws IllegalStateException if another thread is using the tape
   */
  public static double[] hessian(Var loss, double[] x) {
    return hessian(loss, x, DEFAULT_BATCH);
  }

  /** Checks a loss argument (not null, 1x1); returns its tape's P. */
  static int checkLoss(String method, Var loss) {
    DriverArguments.output(method, "loss", loss);
    DriverArguments.scalar(method, "loss", loss);
    return loss.tape.parameterCount();
  }

  /** Forward and reverse sweep at {@code x}: values and adjoints for the tangent sweeps. */
  static void evaluate(Var loss, double[] x) {
    if (loss.size() != 1) {
      throw new ShapeException("Hessian of " + loss + ": the output must be 1x1");
    }
    Tape tape = loss.tape;
    tape.setVariables(x);
    tape.forward();
    tape.reverse(loss, null);
  }

  /** Tangent sweeps for {@code m} directions at the point last {@link #evaluate}d. */
  static void sweepDirections(Var loss, double[] directions, int m, double[] result) {
    Tape tape = loss.tape;
    tape.setTangents(directions, m);
    tape.forwardTangents(m);
    tape.reverseTangents(loss, null, m);
    tape.getAdjointTangents(result, m);
  }

  /** Fills {@code out} ({@code p x count}) with unit vectors {@code e_first .. e_(first+count-1)}. */
  static void unitDirections(int p, int first, int count, double[] out) {
    java.util.Arrays.fill(out, 0, p * count, 0.0);
    for (int c = 0; c < count; c++) {
      out[(first + c) * count + c] = 1.0;
    }
  }
}
