package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * Second-order drivers by forward-over-reverse: the forward sweep carries tangents with the
 * values, the reverse sweep carries the tangents of the adjoints, and the variables' adjoint
 * tangents are then {@code H v}. With {@code m} directions the tangents are {@code m} times
 * wider and every product in the sweep is a matrix-matrix product.
 */
public final class Hessians {

  /** Directions per sweep when a driver chooses (dense Hessian, rows). */
  public static final int DEFAULT_BATCH = 32;

  private Hessians() {}

  /**
   * Hessian-vector product of a scalar {@code loss} at {@code x} along {@code v}. Writes
   * {@code H v} and, when {@code gradient} is not null, the gradient. Returns the value.
   */
  public static double hessianVectorProduct(
      Var loss, double[] x, double[] v, double[] gradient, double[] hv) {
    return hessianMatrixProduct(loss, x, v, 1, gradient, hv);
  }

  /**
   * Hessian times {@code m} directions in one sweep: {@code directions} and {@code result} are
   * {@code P x m} row-major. Writes the gradient too when {@code gradient} is not null. Returns
   * the value.
   */
  public static double hessianMatrixProduct(
      Var loss, double[] x, double[] directions, int m, double[] gradient, double[] result) {
    Tape tape = loss.tape;
    evaluate(loss, x);
    if (gradient != null) {
      tape.getAdjoints(gradient);
    }
    sweepDirections(loss, directions, m, result);
    return loss.scalar();
  }

  /**
   * The dense Hessian of a scalar {@code loss} at {@code x}, {@code P x P} row-major, from
   * {@code P} unit directions taken {@code batch} at a time (values and gradient are computed
   * once).
   */
  public static double[] hessian(Var loss, double[] x, int batch) {
    int p = loss.tape.parameterCount();
    double[] h = new double[Math.multiplyExact(p, p)];
    evaluate(loss, x);
    int m = Math.min(batch, p);
    double[] directions = new double[p * m];
    double[] block = new double[p * m];
    for (int first = 0; first < p; first += m) {
      int count = Math.min(m, p - first);
      unitDirections(p, first, count, directions);
      sweepDirections(loss, directions, count, block);
      // block is P x count: column c is H e_(first+c), i.e. row first+c of the symmetric H.
      Kernels.transpose(p, count, block, 0, count, h, first * p, p);
    }
    return h;
  }

  /** {@link #hessian(Var, double[], int)} with {@link #DEFAULT_BATCH} directions per sweep. */
  public static double[] hessian(Var loss, double[] x) {
    return hessian(loss, x, DEFAULT_BATCH);
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
