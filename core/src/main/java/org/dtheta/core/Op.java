package org.dtheta.core;

/**
 * One recorded operation: the value, tangent (JVP), adjoint (VJP) and tangent-of-adjoint rules
 * of one mathematical function, side by side. Ops call kernels for every loop over doubles and
 * hold no sweep logic; the {@link Tape} orders the calls.
 *
 * <p>Contract, for output {@code y = f(x...)}, with {@code m} directions:
 *
 * <ul>
 *   <li>{@link #forward()}: {@code y = f(x)}, saving any residual the other rules need;
 *   <li>{@link #jvp(int)}: {@code yDot = J xDot} (overwrite; inactive inputs have zero tangent);
 *   <li>{@link #vjp()}: {@code xBar += J^T yBar} for active inputs (accumulate);
 *   <li>{@link #vjpTangent(int)}: {@code xBarDot += J^T yBarDot + (dJ[xDot])^T yBar} (accumulate;
 *       an op that {@linkplain #writesFreshAdjointTangents writes fresh inputs} overwrites an input
 *       that has received nothing yet in the sweep instead, sparing the tape a zero fill).
 * </ul>
 */
abstract class Op {

  final Var out;
  private final Var[] inputs;
  private double[][] scratch = new double[0][];

  Op(Var out, Var... inputs) {
    this.out = out;
    this.inputs = inputs;
  }

  /** The op's name as used in messages, e.g. {@code "matmul"}. */
  abstract String name();

  abstract void forward();

  abstract void jvp(int m);

  abstract void vjp();

  abstract void vjpTangent(int m);

  /**
   * Whether {@link #vjpTangent} honours {@link Var#adjointTangentUnset}: for every active input
   * whose adjoint tangent is unset its first write overwrites ({@link #firstBeta}), and it
   * writes every active input. The tape then leaves such inputs unfilled (and calls this op so
   * only when its active inputs are distinct, so a shared input is never overwritten twice).
   * Other ops see zero-filled buffers and simply accumulate.
   */
  boolean writesFreshAdjointTangents() {
    return false;
  }

  /** {@code beta} of the first product into {@code in}'s adjoint tangent: 0 if still unset. */
  static double firstBeta(Var in) {
    return in.adjointTangentUnset ? 0.0 : 1.0;
  }

  /** Whether the first write into {@code in}'s adjoint tangent adds to it (it holds a sum). */
  static boolean accumulates(Var in) {
    return !in.adjointTangentUnset;
  }

  Var[] inputs() {
    return inputs;
  }

  /** The work buffers allocated so far, by slot (a copy of the slot table, same arrays). */
  final double[][] scratchBuffers() {
    return scratch.clone();
  }

  /**
   * A work buffer of at least {@code size} doubles, kept between calls so that replaying the
   * tape does not allocate. Slots are numbered by the op.
   */
  final double[] scratch(int slot, int size) {
    if (slot >= scratch.length) {
      scratch = java.util.Arrays.copyOf(scratch, slot + 1);
    }
    double[] buf = scratch[slot];
    if (buf == null || buf.length < size) {
      buf = new double[size];
      scratch[slot] = buf;
    }
    return buf;
  }
}
