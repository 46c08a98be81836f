package org.dtheta.core;

import org.dtheta.core.kernel.UnaryFunction;

/**
 * The op set: each method checks shapes, records one op on the inputs' tape, evaluates it and
 * returns the output node. Shape errors throw {@link ShapeException} naming the op and the
 * shapes.
 */
public final class Ops {

  private Ops() {}

  /**
   * {@code f(X) W}: {@code f} applied entry by entry to {@code X} ({@code p x q}), times {@code W}
   * ({@code q x n}), as one op whose second-order sweeps keep the tangents of {@code f(X)} in
   * cache block by block instead of whole arrays (the same values as {@code matmul} of the
   * elementwise op, to rounding).
   */
  public static Var matmulActivated(Var x, UnaryFunction f, Var w) {
    Tape t = sameTape("matmulActivated", x, w);
    if (x.cols != w.rows) {
      throw ShapeException.of("matmulActivated", x, w, "columns of X must equal rows of W");
    }
    return t.record(new ActivatedMatMul(t.newNode(x.rows, w.cols, x.active || w.active), x, f, w));
  }

  /** {@code A B}: {@code (p x q)(q x n)}. */
  public static Var matmul(Var a, Var b) {
    Tape t = sameTape("matmul", a, b);
    if (a.cols != b.rows) {
      throw ShapeException.of("matmul", a, b, "columns of A must equal rows of B");
    }
    return t.record(new MatMul(t.newNode(a.rows, b.cols, a.active || b.active), a, b, MatMul.Form.NN));
  }

  /** {@code A^T B}: {@code (q x p)^T (q x n)}. */
  public static Var matmulTransA(Var a, Var b) {
    Tape t = sameTape("matmul(A^T B)", a, b);
    if (a.rows != b.rows) {
      throw ShapeException.of("matmul(A^T B)", a, b, "rows of A must equal rows of B");
    }
    return t.record(new MatMul(t.newNode(a.cols, b.cols, a.active || b.active), a, b, MatMul.Form.TN));
  }

  /** {@code A B^T}: {@code (p x q)(n x q)^T}. */
  public static Var matmulTransB(Var a, Var b) {
    Tape t = sameTape("matmul(A B^T)", a, b);
    if (a.cols != b.cols) {
      throw ShapeException.of("matmul(A B^T)", a, b, "columns of A must equal columns of B");
    }
    return t.record(new MatMul(t.newNode(a.rows, b.rows, a.active || b.active), a, b, MatMul.Form.NT));
  }

  /** {@code A + 1 b}: adds the {@code 1 x cols} row {@code bias} to every row of {@code a}. */
  public static Var addRowBroadcast(Var a, Var bias) {
    Tape t = sameTape("addRowBroadcast", a, bias);
    if (bias.rows != 1 || bias.cols != a.cols) {
      throw ShapeException.of("addRowBroadcast", a, bias, "bias must be 1 x columns of A");
    }
    return t.record(new AddRowBroadcast(t.newNode(a.rows, a.cols, a.active || bias.active), a, bias));
  }

  /** Sum of all entries, a {@code 1 x 1} node. */
  public static Var sum(Var x) {
    return reduce(x, Sum.Axis.ALL, 1.0, "sum");
  }

  /** Mean of all entries, a {@code 1 x 1} node. */
  public static Var mean(Var x) {
    return reduce(x, Sum.Axis.ALL, 1.0 / x.size(), "mean");
  }

  /** The sum of each row: a {@code rows x 1} column. */
  public static Var sumRows(Var x) {
    return reduce(x, Sum.Axis.EACH_ROW, 1.0, "sumRows");
  }

  /** The mean of each row: a {@code rows x 1} column. */
  public static Var meanRows(Var x) {
    return reduce(x, Sum.Axis.EACH_ROW, 1.0 / x.cols, "meanRows");
  }

  /** The sum of each column: a {@code 1 x cols} row. */
  public static Var sumColumns(Var x) {
    return reduce(x, Sum.Axis.EACH_COLUMN, 1.0, "sumColumns");
  }

  /** The mean of each column: a {@code 1 x cols} row. */
  public static Var meanColumns(Var x) {
    return reduce(x, Sum.Axis.EACH_COLUMN, 1.0 / x.rows, "meanColumns");
  }

  /** {@code a + b}, entry by entry (same shapes). */
  public static Var add(Var a, Var b) {
    return linearCombination("add", a, 1.0, b, 1.0);
  }

  /** {@code a - b}, entry by entry (same shapes). */
  public static Var sub(Var a, Var b) {
    return linearCombination("sub", a, 1.0, b, -1.0);
  }

  /** {@code c x} for a fixed finite number {@code c}. */
  public static Var scale(Var x, double c) {
    requireFinite("scale", "factor", c);
    Tape t = x.tape;
    return t.record(new LinearCombination("scale", t.newNode(x.rows, x.cols, x.active),
        new Var[] {x}, new double[] {c}));
  }

  /** {@code a * b}, entry by entry (same shapes; the Hadamard product). */
  public static Var mul(Var a, Var b) {
    Tape t = sameShapeOperands("mul", a, b);
    return t.record(new Multiply(t.newNode(a.rows, a.cols, a.active || b.active), a, b));
  }

  /** {@code a / b}, entry by entry (same shapes). */
  public static Var div(Var a, Var b) {
    Tape t = sameShapeOperands("div", a, b);
    return t.record(new Divide(t.newNode(a.rows, a.cols, a.active || b.active), a, b));
  }

  /** Softmax of every row, computed stably. */
  public static Var softmaxRows(Var x) {
    Tape t = x.tape;
    return t.record(new SoftmaxRows(t.newNode(x.rows, x.cols, x.active), x));
  }

  /** Log-softmax of every row, {@code x - logsumexp(row)}, without taking log of a probability. */
  public static Var logSoftmaxRows(Var x) {
    Tape t = x.tape;
    return t.record(new LogSoftmaxRows(t.newNode(x.rows, x.cols, x.active), x));
  }

  /**
   * {@code sum (y - t)^2} over all entries, a {@code 1 x 1} node. The target {@code t} has
   * {@code y}'s shape and may be a constant or depend on the variables.
   */
  public static Var squaredError(Var y, Var t) {
    Tape tape = sameShapeOperands("squaredError", y, t);
    return tape.record(new SquaredError(tape.newNode(1, 1, y.active || t.active), y, t));
  }

  /**
   * Mean over all entries of the binary cross-entropy of {@code sigmoid(z)} against targets
   * {@code t} (a constant of {@code z}'s shape, entries in [0, 1]), computed stably from the
   * logits: {@code mean(max(z, 0) - z t + log(1 + exp(-|z|)))}.
   */
  public static Var binaryCrossEntropyWithLogits(Var z, Var t) {
    Tape tape = sameShapeOperands("binaryCrossEntropyWithLogits", z, t);
    requireConstant("binaryCrossEntropyWithLogits", "targets", t);
    return tape.record(new BinaryCrossEntropyWithLogits(tape.newNode(1, 1, z.active), z, t));
  }

  /** The weight-decay term {@code (coefficient/2) sum w^2}, a {@code 1 x 1} node. */
  public static Var l2Penalty(Var w, double coefficient) {
    requireFinite("l2Penalty", "coefficient", coefficient);
    Tape t = w.tape;
    return t.record(new L2Penalty(t.newNode(1, 1, w.active), w, coefficient));
  }

  /** Logistic sigmoid, entry by entry. */
  public static Var sigmoid(Var x) {
    return elementwise(x, UnaryFunction.SIGMOID);
  }

  /** Hyperbolic tangent, entry by entry. */
  public static Var tanh(Var x) {
    return elementwise(x, UnaryFunction.TANH);
  }

  /** {@code max(x, 0)}, entry by entry (derivative 0 at 0). */
  public static Var relu(Var x) {
    return elementwise(x, UnaryFunction.RELU);
  }

  /** Exponential, entry by entry. */
  public static Var exp(Var x) {
    return elementwise(x, UnaryFunction.EXP);
  }

  /** Natural logarithm, entry by entry. */
  public static Var log(Var x) {
    return elementwise(x, UnaryFunction.LOG);
  }

  /** Square, entry by entry. */
  public static Var square(Var x) {
    return elementwise(x, UnaryFunction.SQUARE);
  }

  /** Square root, entry by entry (for {@code x >= 0}; the derivatives are infinite at 0). */
  public static Var sqrt(Var x) {
    return elementwise(x, UnaryFunction.SQRT);
  }

  /** {@code |x|}, entry by entry (derivative 0 at 0, as relu's). */
  public static Var abs(Var x) {
    return elementwise(x, UnaryFunction.ABS);
  }

  /**
   * {@code log(1 + e^x)}, entry by entry, computed stably as {@code log1p(e^-|x|) + max(x, 0)}
   * (its derivative is the sigmoid).
   */
  public static Var softplus(Var x) {
    return elementwise(x, UnaryFunction.SOFTPLUS);
  }

  /**
   * {@code x^p}, entry by entry, for a fixed finite exponent {@code p} ({@link Math#pow}: for a
   * non-integer {@code p} keep {@code x > 0}; for {@code p < 2} the derivatives are infinite at
   * 0).
   */
  public static Var pow(Var x, double p) {
    requireFinite("pow", "exponent", p);
    Tape t = x.tape;
    return t.record(new Power(t.newNode(x.rows, x.cols, x.active), x, p));
  }

  /** {@code x + c} for a fixed finite number {@code c} added to every entry. */
  public static Var addConstant(Var x, double c) {
    requireFinite("addConstant", "constant", c);
    Tape t = x.tape;
    return t.record(new AddConstant(t.newNode(x.rows, x.cols, x.active), x, c));
  }

  /** {@code x + s}: the {@code 1 x 1} node {@code s} added to every entry of {@code x}. */
  public static Var addScalar(Var x, Var s) {
    Tape t = sameTape("addScalar", x, s);
    requireScalar("addScalar", x, s);
    return t.record(new AddScalar(t.newNode(x.rows, x.cols, x.active || s.active), x, s));
  }

  /** {@code s x}: every entry of {@code x} times the {@code 1 x 1} node {@code s}. */
  public static Var mulScalar(Var x, Var s) {
    Tape t = sameTape("mulScalar", x, s);
    requireScalar("mulScalar", x, s);
    return t.record(new MulScalar(t.newNode(x.rows, x.cols, x.active || s.active), x, s));
  }

  /**
   * {@code A + b 1^T}: adds the {@code rows x 1} column {@code column} to every column of
   * {@code a} (the counterpart of {@link #addRowBroadcast}).
   */
  public static Var addColumnBroadcast(Var a, Var column) {
    Tape t = sameTape("addColumnBroadcast", a, column);
    if (column.cols != 1 || column.rows != a.rows) {
      throw ShapeException.of("addColumnBroadcast", a, column, "column must be rows of A x 1");
    }
    return t.record(
        new AddColumnBroadcast(t.newNode(a.rows, a.cols, a.active || column.active), a, column));
  }

  /** {@code X^T}. */
  public static Var transpose(Var x) {
    Tape t = x.tape;
    return t.record(new Transpose(t.newNode(x.cols, x.rows, x.active), x));
  }

  /** Rows {@code from} (inclusive) to {@code to} (exclusive) of {@code x}, all columns. */
  public static Var sliceRows(Var x, int from, int to) {
    requireRange("sliceRows", "rows", x, from, to, x.rows);
    Tape t = x.tape;
    return t.record(new Slice("sliceRows", t.newNode(to - from, x.cols, x.active), x, from, 0));
  }

  /** Columns {@code from} (inclusive) to {@code to} (exclusive) of {@code x}, all rows. */
  public static Var sliceColumns(Var x, int from, int to) {
    requireRange("sliceColumns", "columns", x, from, to, x.cols);
    Tape t = x.tape;
    return t.record(
        new Slice("sliceColumns", t.newNode(x.rows, to - from, x.active), x, 0, from));
  }

  /** The parts stacked top to bottom (all with the same number of columns). */
  public static Var concatRows(Var... parts) {
    return concat("concatRows", true, parts);
  }

  /** The parts side by side, left to right (all with the same number of rows). */
  public static Var concatColumns(Var... parts) {
    return concat("concatColumns", false, parts);
  }

  static Var concat(String op, boolean stackRows, Var[] parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException(op + ": needs at least one part");
    }
    Var first = parts[0];
    boolean active = false;
    int extent = 0;
    for (Var p : parts) {
      sameTape(op, first, p);
      if (stackRows ? p.cols != first.cols : p.rows != first.rows) {
        throw ShapeException.of(op, first, p,
            stackRows ? "parts must have equal columns" : "parts must have equal rows");
      }
      active |= p.active;
      extent = Math.addExact(extent, stackRows ? p.rows : p.cols);
    }
    Tape t = first.tape;
    Var out = stackRows ? t.newNode(extent, first.cols, active)
        : t.newNode(first.rows, extent, active);
    return t.record(new Concat(op, out, parts.clone(), stackRows));
  }

  static void requireScalar(String op, Var x, Var s) {
    if (s.rows != 1 || s.cols != 1) {
      throw ShapeException.of(op, x, s, "the scalar must be 1 x 1");
    }
  }

  static void requireRange(String op, String what, Var x, int from, int to, int extent) {
    if (from < 0 || to > extent || from >= to) {
      throw new ShapeException(op + ": " + what + " [" + from + ", " + to + ") of " + x.shape()
          + " (need 0 <= from < to <= " + extent + ")");
    }
  }

  /**
   * Mean over rows of the cross-entropy between row softmaxes of {@code logits} and
   * {@code targets} (a constant of the same shape, usually one-hot rows), computed stably from
   * the logits: {@code -(1/rows) sum_ij T_ij log softmax(Z)_ij}.
   */
  public static Var softmaxCrossEntropy(Var logits, Var targets) {
    Tape t = sameShapeOperands("softmaxCrossEntropy", logits, targets);
    requireConstant("softmaxCrossEntropy", "targets", targets);
    return t.record(new SoftmaxCrossEntropy(t.newNode(1, 1, logits.active), logits, targets));
  }

  static Var reduce(Var x, Sum.Axis axis, double c, String name) {
    Tape t = x.tape;
    int rows = axis == Sum.Axis.EACH_ROW ? x.rows : 1;
    int cols = axis == Sum.Axis.EACH_COLUMN ? x.cols : 1;
    return t.record(new Sum(t.newNode(rows, cols, x.active), x, axis, c, name));
  }

  static Var linearCombination(String op, Var a, double ca, Var b, double cb) {
    Tape t = sameShapeOperands(op, a, b);
    return t.record(new LinearCombination(op, t.newNode(a.rows, a.cols, a.active || b.active),
        new Var[] {a, b}, new double[] {ca, cb}));
  }

  /** Checks that two operands share a tape and a shape; returns the tape. */
  static Tape sameShapeOperands(String op, Var a, Var b) {
    Tape t = sameTape(op, a, b);
    requireSameShape(op, a, b);
    return t;
  }

  static void requireFinite(String op, String what, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(op + ": " + what + " must be a finite number, not " + value);
    }
  }

  static Var elementwise(Var x, UnaryFunction f) {
    Tape t = x.tape;
    return t.record(new Elementwise(t.newNode(x.rows, x.cols, x.active), x, f));
  }

  static Tape sameTape(String op, Var a, Var b) {
    if (a.tape != b.tape) {
      throw new IllegalArgumentException(op + ": operands " + a + " and " + b + " are on different tapes");
    }
    return a.tape;
  }

  static void requireSameShape(String op, Var a, Var b) {
    if (a.rows != b.rows || a.cols != b.cols) {
      throw ShapeException.of(op, a, b, "shapes must be equal");
    }
  }

  static void requireConstant(String op, String role, Var v) {
    if (v.active) {
      throw new IllegalArgumentException(
          op + ": " + role + " " + v + " must not depend on a variable (it is not differentiated)");
    }
  }

  /**
   * {@code X W} for a fixed sparse {@code X} ({@code q x p}, compressed sparse rows) and a
   * {@code p x n} node {@code w}: one multiply-add per stored entry of {@code X} and column, the
   * form for data matrices that are mostly zeros (use it when more than half the entries are 0;
   * see {@link org.dtheta.core.sparse.CsrMatrix#zeroFraction}).
   */
  public static Var sparseMatmul(org.dtheta.core.sparse.CsrMatrix x, Var w) {
    if (x.cols() != w.rows) {
      throw new ShapeException(
          "sparseMatmul: " + x + " times " + w + ": columns of X must equal rows of W");
    }
    Tape t = w.tape;
    return t.record(new SparseMatMul(t.newNode(x.rows(), w.cols, w.active), x, w));
  }

  /**
   * {@code X W + 1 b} for a fixed sparse {@code X} ({@code q x p}, compressed sparse rows), a
   * {@code p x n} node {@code w} and a {@code 1 x n} node {@code b}: the first layer of a network
   * on mostly-zero data in one op, the same values and derivatives as {@code
   * addRowBroadcast(sparseMatmul(x, w), b)} without a pass over the {@code q x n} result (and
   * its {@code m} tangents) for the bias.
   */
  public static Var sparseAffine(org.dtheta.core.sparse.CsrMatrix x, Var w, Var b) {
    Tape t = sameTape("sparseAffine", w, b);
    if (x.cols() != w.rows) {
      throw new ShapeException(
          "sparseAffine: " + x + " times " + w + ": columns of X must equal rows of W");
    }
    if (b.rows != 1 || b.cols != w.cols) {
      throw ShapeException.of("sparseAffine", w, b, "bias must be 1 x columns of W");
    }
    return t.record(
        new SparseAffine(t.newNode(x.rows(), w.cols, w.active || b.active), x, w, b));
  }
}
