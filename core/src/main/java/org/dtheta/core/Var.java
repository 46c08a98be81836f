package org.dtheta.core;

/**
 * A node of a {@link Tape}: a {@code rows x cols} matrix held flat and row-major, together with
 * the buffers the sweeps fill for it. Vectors are {@code 1 x n}, scalars {@code 1 x 1}.
 *
 * <p>Four quantities live side by side, in JAX's vocabulary: the value {@code x}, the tangent
 * {@code xDot} (a directional derivative, one per direction), the adjoint {@code xBar} (the
 * derivative of the output with respect to {@code x}) and the adjoint tangent {@code xBarDot}
 * (the directional derivative of the adjoint). With {@code m} directions, tangents are stored
 * as {@code rows x (m*cols)}: row {@code i}, direction {@code d}, column {@code j} at
 * {@code i*m*cols + d*cols + j}, so a matrix product of tangents is one matrix-matrix product.
 *
 * <p>The arrays returned by the accessors are live buffers owned by the tape and overwritten by
 * the next sweep: read them, copy what must survive, do not keep or resize them.
 */
public final class Var {

  /** How a node came to be. */
  public enum Kind {
    /** An input the derivatives are taken with respect to. */
    VARIABLE,
    /** An input held fixed (data, labels). */
    CONSTANT,
    /** The output of an op. */
    COMPUTED
  }

  final Tape tape;
  final int id;
  final int rows;
  final int cols;
  final Kind kind;
  /** Whether this node depends on a variable, and so carries adjoints and tangents. */
  final boolean active;
  /** Where this variable's entries start in the tape's flat parameter vector (-1 otherwise). */
  final int parameterOffset;

  double[] value;
  double[] adjoint;
  double[] tangent;
  double[] adjointTangent;
  /**
   * During a second-order reverse sweep: no contribution has reached {@link #adjointTangent}
   * yet, so it holds stale numbers rather than zeros (see {@link Op#writesFreshAdjointTangents}).
   */
  boolean adjointTangentUnset;
  /**
   * Whether {@link #value} of a constant is the tape's own buffer (after {@link
   * Tape#setConstant}) rather than the caller's wrapped array.
   */
  boolean ownsValue;
  /** The op that computes this node, or null for an input. */
  Op producer;

  Var(Tape tape, int id, int rows, int cols, Kind kind, boolean active, int parameterOffset,
      double[] value) {
    this.tape = tape;
    this.id = id;
    this.rows = rows;
    this.cols = cols;
    this.kind = kind;
    this.active = active;
    this.parameterOffset = parameterOffset;
    this.value = value;
    if (active) {
      this.adjoint = new double[rows * cols];
    }
  }

  /** The tape this node belongs to. */
  public Tape tape() {
    return tape;
  }

  /** Number of rows. */
  public int rows() {
    return rows;
  }

  /** Number of columns. */
  public int cols() {
    return cols;
  }

  /** Number of entries, {@code rows * cols}. */
  public int size() {
    return rows * cols;
  }

  /** How this node was made. */
  public Kind kind() {
    return kind;
  }

  /** Whether the node depends on a variable (and so has adjoints and tangents). */
  public boolean isActive() {
    return active;
  }

  /** The shape as text, {@code "rows x cols"}, as used in error messages. */
  public String shape() {
    return rows + "x" + cols;
  }

  /** The current value (live buffer, row-major, length {@link #size()}). */
  public double[] value() {
    return value;
  }

  /** The value of a {@code 1 x 1} node. */
  public double scalar() {
    if (rows != 1 || cols != 1) {
      throw new ShapeException("scalar(): node is " + shape() + ", not 1x1");
    }
    return value[0];
  }

  /** The adjoint after a reverse sweep (live buffer), or null for an inactive node. */
  public double[] adjoint() {
    return adjoint;
  }

  /** The tangents after a tangent sweep (live buffer, tangent layout), or null. */
  public double[] tangent() {
    return tangent;
  }

  /** The adjoint tangents after a second-order sweep (live buffer, tangent layout), or null. */
  public double[] adjointTangent() {
    return adjointTangent;
  }

  /** The name of the op that produced this node, or the kind of input. */
  public String label() {
    return producer != null ? producer.name() : kind.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String toString() {
    return "Var#" + id + "(" + label() + ", " + shape() + ")";
  }

  /** Makes sure the tangent buffers hold {@code m} directions (reallocates only to grow). */
  void ensureDirections(int m) {
    long needed = (long) rows * cols * m;
    if (needed > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          this + ": " + m + " directions need " + needed + " doubles, more than one Java array holds");
    }
    if (tangent == null || tangent.length < needed) {
      tangent = new double[(int) needed];
      adjointTangent = new double[(int) needed];
    }
  }
}
