package org.dtheta.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.dtheta.core.kernel.UnaryFunction;

/**
 * One row of the op table the derivative tests run over: an op applied to operands whose shapes
 * follow from three sizes {@code (r, c, q)}, each operand drawn from a domain where the op is
 * smooth, and each operand a variable or a constant according to an activity pattern.
 */
final class OpCase {

  /** Where an operand's entries are drawn from (kept away from kinks and poles). */
  enum Domain {
    GAUSSIAN,
    POSITIVE,
    AWAY_FROM_ZERO,
    NONNEGATIVE,
    PROBABILITY
  }

  /** An operand's shape as a function of the sizes {@code (r, c, q)}. */
  interface ShapeRule {
    int[] of(int r, int c, int q);
  }

  /** One operand: its shape, its domain, and whether it must stay constant (targets). */
  static final class Operand {
    final ShapeRule shape;
    final Domain domain;
    final boolean alwaysConstant;

    Operand(ShapeRule shape, Domain domain, boolean alwaysConstant) {
      this.shape = shape;
      this.domain = domain;
      this.alwaysConstant = alwaysConstant;
    }
  }

  static final ShapeRule R_BY_C = (r, c, q) -> new int[] {r, c};
  static final ShapeRule R_BY_Q = (r, c, q) -> new int[] {r, q};
  static final ShapeRule Q_BY_C = (r, c, q) -> new int[] {q, c};
  static final ShapeRule Q_BY_R = (r, c, q) -> new int[] {q, r};
  static final ShapeRule C_BY_Q = (r, c, q) -> new int[] {c, q};
  static final ShapeRule ONE_BY_C = (r, c, q) -> new int[] {1, c};
  static final ShapeRule R_BY_R = (r, c, q) -> new int[] {r, r};
  static final ShapeRule R_BY_ONE = (r, c, q) -> new int[] {r, 1};
  static final ShapeRule ONE_BY_ONE = (r, c, q) -> new int[] {1, 1};
  static final ShapeRule R_PLUS_Q_BY_C = (r, c, q) -> new int[] {r + q, c};
  static final ShapeRule R_BY_C_PLUS_Q = (r, c, q) -> new int[] {r, c + q};
  static final ShapeRule R_PLUS_2_BY_C = (r, c, q) -> new int[] {r + 2, c};
  static final ShapeRule R_BY_C_PLUS_2 = (r, c, q) -> new int[] {r, c + 2};

  final String name;
  final Operand[] operands;
  final Function<Var[], Var> op;

  OpCase(String name, Function<Var[], Var> op, Operand... operands) {
    this.name = name;
    this.op = op;
    this.operands = operands;
  }

  static Operand free(ShapeRule shape) {
    return new Operand(shape, Domain.GAUSSIAN, false);
  }

  static Operand free(ShapeRule shape, Domain domain) {
    return new Operand(shape, domain, false);
  }

  static Operand fixed(ShapeRule shape, Domain domain) {
    return new Operand(shape, domain, true);
  }

  /**
   * Every way to make operands variables or constants, with at least one variable and the
   * always-constant operands constant.
   */
  List<boolean[]> activityPatterns() {
    List<boolean[]> patterns = new ArrayList<>();
    int n = operands.length;
    for (int mask = 1; mask < (1 << n); mask++) {
      boolean[] active = new boolean[n];
      boolean allowed = true;
      for (int k = 0; k < n; k++) {
        active[k] = (mask & (1 << k)) != 0;
        allowed &= !(active[k] && operands[k].alwaysConstant);
      }
      if (allowed) {
        patterns.add(active);
      }
    }
    return patterns;
  }

  /** The pattern as text, e.g. {@code "VC"} (variable, constant). */
  static String describe(boolean[] active) {
    StringBuilder s = new StringBuilder();
    for (boolean a : active) {
      s.append(a ? 'V' : 'C');
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return name;
  }

  /** A recorded instance: the op's output, a scalar function of it, and the point. */
  static final class Built {
    final Tape tape;
    final Var opOutput;
    final Var loss;
    final double[] theta;

    Built(Tape tape, Var opOutput, Var loss, double[] theta) {
      this.tape = tape;
      this.opOutput = opOutput;
      this.loss = loss;
      this.theta = theta;
    }
  }

  /**
   * Records the op on a new tape with operands of sizes {@code (r, c, q)} and composes it into
   * {@code sum(square(op(...)))}, so the scalar has a non-trivial Hessian even for linear ops
   * and the op sees a non-uniform adjoint.
   */
  Built build(int r, int c, int q, boolean[] active, Random rnd) {
    Tape tape = new Tape();
    Var[] vars = new Var[operands.length];
    for (int k = 0; k < operands.length; k++) {
      int[] shape = operands[k].shape.of(r, c, q);
      double[] values = draw(operands[k].domain, shape[0], shape[1], rnd);
      vars[k] = active[k] ? tape.variable(values, shape[0], shape[1])
          : tape.constant(values, shape[0], shape[1]);
    }
    Var out = op.apply(vars);
    Var loss = Ops.sum(Ops.square(out));
    double[] theta = new double[tape.parameterCount()];
    tape.getVariables(theta);
    return new Built(tape, out, loss, theta);
  }

  static double[] draw(Domain domain, int rows, int cols, Random rnd) {
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      double u = rnd.nextDouble();
      switch (domain) {
        case POSITIVE:
          v[i] = 0.5 + 1.5 * u;
          break;
        case AWAY_FROM_ZERO:
          v[i] = (rnd.nextBoolean() ? 1 : -1) * (0.5 + u);
          break;
        case NONNEGATIVE:
          v[i] = 2.0 * u;
          break;
        case PROBABILITY:
          v[i] = u;
          break;
        default:
          v[i] = 0.8 * rnd.nextGaussian();
      }
    }
    return v;
  }

  /** The op table: every op of {@link Ops}, and operands shared between arguments. */
  static final List<OpCase> ALL =
      Arrays.asList(
          new OpCase("matmul", v -> Ops.matmul(v[0], v[1]), free(R_BY_Q), free(Q_BY_C)),
          new OpCase("matmulTransA", v -> Ops.matmulTransA(v[0], v[1]), free(Q_BY_R), free(Q_BY_C)),
          new OpCase("matmulTransB", v -> Ops.matmulTransB(v[0], v[1]), free(R_BY_Q), free(C_BY_Q)),
          new OpCase("matmul(A, A^T)", v -> Ops.matmulTransB(v[0], v[0]), free(R_BY_Q)),
          new OpCase("matmul(A^T, A)", v -> Ops.matmulTransA(v[0], v[0]), free(R_BY_Q)),
          new OpCase("matmulActivated(sigmoid)",
              v -> Ops.matmulActivated(v[0], UnaryFunction.SIGMOID, v[1]), free(R_BY_Q), free(Q_BY_C)),
          new OpCase("matmulActivated(tanh)",
              v -> Ops.matmulActivated(v[0], UnaryFunction.TANH, v[1]), free(R_BY_Q), free(Q_BY_C)),
          new OpCase("matmulActivated(exp)(x, x)",
              v -> Ops.matmulActivated(v[0], UnaryFunction.EXP, v[0]), free(R_BY_R)),
          new OpCase("addRowBroadcast", v -> Ops.addRowBroadcast(v[0], v[1]), free(R_BY_C), free(ONE_BY_C)),
          new OpCase("sum", v -> Ops.sum(v[0]), free(R_BY_C)),
          new OpCase("mean", v -> Ops.mean(v[0]), free(R_BY_C)),
          new OpCase("sumRows", v -> Ops.sumRows(v[0]), free(R_BY_C)),
          new OpCase("meanRows", v -> Ops.meanRows(v[0]), free(R_BY_C)),
          new OpCase("sumColumns", v -> Ops.sumColumns(v[0]), free(R_BY_C)),
          new OpCase("meanColumns", v -> Ops.meanColumns(v[0]), free(R_BY_C)),
          new OpCase("sigmoid", v -> Ops.sigmoid(v[0]), free(R_BY_C)),
          new OpCase("tanh", v -> Ops.tanh(v[0]), free(R_BY_C)),
          new OpCase("relu", v -> Ops.relu(v[0]), free(R_BY_C, Domain.AWAY_FROM_ZERO)),
          new OpCase("exp", v -> Ops.exp(v[0]), free(R_BY_C)),
          new OpCase("log", v -> Ops.log(v[0]), free(R_BY_C, Domain.POSITIVE)),
          new OpCase("square", v -> Ops.square(v[0]), free(R_BY_C)),
          new OpCase("add", v -> Ops.add(v[0], v[1]), free(R_BY_C), free(R_BY_C)),
          new OpCase("add(x, x)", v -> Ops.add(v[0], v[0]), free(R_BY_C)),
          new OpCase("sub", v -> Ops.sub(v[0], v[1]), free(R_BY_C), free(R_BY_C)),
          new OpCase("scale", v -> Ops.scale(v[0], -1.7), free(R_BY_C)),
          new OpCase("mul", v -> Ops.mul(v[0], v[1]), free(R_BY_C), free(R_BY_C)),
          new OpCase("mul(x, x)", v -> Ops.mul(v[0], v[0]), free(R_BY_C)),
          new OpCase("div", v -> Ops.div(v[0], v[1]), free(R_BY_C), free(R_BY_C, Domain.AWAY_FROM_ZERO)),
          new OpCase("div(x, x^2)", v -> Ops.div(v[0], Ops.square(v[0])), free(R_BY_C, Domain.AWAY_FROM_ZERO)),
          new OpCase("softmaxRows", v -> Ops.softmaxRows(v[0]), free(R_BY_C)),
          new OpCase("logSoftmaxRows", v -> Ops.logSoftmaxRows(v[0]), free(R_BY_C)),
          new OpCase("softmaxCrossEntropy", v -> Ops.softmaxCrossEntropy(v[0], v[1]),
              free(R_BY_C), fixed(R_BY_C, Domain.NONNEGATIVE)),
          new OpCase("squaredError", v -> Ops.squaredError(v[0], v[1]), free(R_BY_C), free(R_BY_C)),
          new OpCase("squaredError(x, tanh x)", v -> Ops.squaredError(v[0], Ops.tanh(v[0])), free(R_BY_C)),
          new OpCase("binaryCrossEntropyWithLogits",
              v -> Ops.binaryCrossEntropyWithLogits(v[0], v[1]),
              free(R_BY_C), fixed(R_BY_C, Domain.PROBABILITY)),
          new OpCase("l2Penalty", v -> Ops.l2Penalty(v[0], 0.3), free(R_BY_C)),
          new OpCase("sparseMatmul", v -> Ops.sparseMatmul(sparseData(v[0].rows), v[0]),
              free(Q_BY_C)),
          new OpCase("sparseAffine", v -> Ops.sparseAffine(sparseData(v[0].rows), v[0], v[1]),
              free(Q_BY_C), free(ONE_BY_C)),
          new OpCase("transpose", v -> Ops.transpose(v[0]), free(R_BY_C)),
          new OpCase("matmul(transpose(A), A)", v -> Ops.matmul(Ops.transpose(v[0]), v[0]),
              free(R_BY_Q)),
          new OpCase("sliceRows(middle)", v -> Ops.sliceRows(v[0], 1, v[0].rows - 1),
              free(R_PLUS_2_BY_C)),
          new OpCase("sliceRows(head)", v -> Ops.sliceRows(v[0], 0, v[0].rows - 1),
              free(R_PLUS_Q_BY_C)),
          new OpCase("sliceColumns(middle)", v -> Ops.sliceColumns(v[0], 1, v[0].cols - 1),
              free(R_BY_C_PLUS_2)),
          new OpCase("sliceColumns(tail)", v -> Ops.sliceColumns(v[0], 1, v[0].cols),
              free(R_BY_C_PLUS_Q)),
          new OpCase("concatRows", v -> Ops.concatRows(v[0], v[1]), free(R_BY_C), free(Q_BY_C)),
          new OpCase("concatRows(a, b, a)", v -> Ops.concatRows(v[0], v[1], v[0]),
              free(R_BY_C), free(ONE_BY_C)),
          new OpCase("concatColumns", v -> Ops.concatColumns(v[0], v[1]),
              free(R_BY_C), free(R_BY_Q)),
          new OpCase("concatColumns(x, square x)", v -> Ops.concatColumns(v[0], Ops.square(v[0])),
              free(R_BY_C)),
          new OpCase("addColumnBroadcast", v -> Ops.addColumnBroadcast(v[0], v[1]),
              free(R_BY_C), free(R_BY_ONE)),
          new OpCase("addScalar", v -> Ops.addScalar(v[0], v[1]), free(R_BY_C), free(ONE_BY_ONE)),
          new OpCase("addScalar(x, sum x)", v -> Ops.addScalar(v[0], Ops.sum(v[0])), free(R_BY_C)),
          new OpCase("mulScalar", v -> Ops.mulScalar(v[0], v[1]), free(R_BY_C), free(ONE_BY_ONE)),
          new OpCase("mulScalar(x, sum x)", v -> Ops.mulScalar(v[0], Ops.sum(v[0])), free(R_BY_C)),
          new OpCase("mulScalar(s, s)", v -> Ops.mulScalar(v[0], v[0]), free(ONE_BY_ONE)),
          new OpCase("addConstant", v -> Ops.addConstant(v[0], 0.7), free(R_BY_C)),
          new OpCase("pow(2.5)", v -> Ops.pow(v[0], 2.5), free(R_BY_C, Domain.POSITIVE)),
          new OpCase("pow(-1.5)", v -> Ops.pow(v[0], -1.5), free(R_BY_C, Domain.POSITIVE)),
          new OpCase("pow(3)", v -> Ops.pow(v[0], 3), free(R_BY_C)),
          new OpCase("pow(1)", v -> Ops.pow(v[0], 1), free(R_BY_C)),
          new OpCase("sqrt", v -> Ops.sqrt(v[0]), free(R_BY_C, Domain.POSITIVE)),
          new OpCase("abs", v -> Ops.abs(v[0]), free(R_BY_C, Domain.AWAY_FROM_ZERO)),
          new OpCase("softplus", v -> Ops.softplus(v[0]), free(R_BY_C)));

  /**
   * A fixed {@code (cols + 2) x cols} data matrix for the sparse ops (rows and columns differ,
   * so a transposed index shows): a pattern with some entries zero and some negative.
   */
  static org.dtheta.core.sparse.CsrMatrix sparseData(int cols) {
    int rows = cols + 2;
    double[] x = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        x[i * cols + j] = ((i * 5 + j * 3) % 7 - 3) * 0.4;
      }
    }
    return org.dtheta.core.sparse.CsrMatrix.fromDense(x, rows, cols);
  }
}
