package org.dtheta.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The extended Rosenbrock function {@code f(x) = sum_{i < n-1} 100 (x_{i+1} - x_i^2)^2 + (1 -
 * x_i)^2}, written with the ops alone (slices, squares, a constant and scalar broadcasts, no
 * selection matrices or ones vectors), against its closed-form value, gradient and dense
 * Hessian at a few points.
 */
class RosenbrockTest {

  static final int N = 6;

  /** {@code x} as an {@code n x 1} column: neighbours are row slices. */
  static Var asColumn(Tape t) {
    Var x = t.variable(N, 1);
    Var head = Ops.sliceRows(x, 0, N - 1);
    Var tail = Ops.sliceRows(x, 1, N);
    Var valley = Ops.scale(Ops.square(Ops.sub(tail, Ops.square(head))), 100.0);
    Var offset = Ops.square(Ops.addConstant(Ops.scale(head, -1.0), 1.0));
    return Ops.sum(Ops.add(valley, offset));
  }

  /**
   * {@code x} as a {@code 1 x n} row: neighbours are column slices, the factor 100 a constant
   * {@code 1 x 1} node broadcast by {@code mulScalar} and the 1 of {@code 1 - x_i} one broadcast
   * by {@code addScalar}.
   */
  static Var asRow(Tape t) {
    Var x = t.variable(1, N);
    Var head = Ops.sliceColumns(x, 0, N - 1);
    Var tail = Ops.sliceColumns(x, 1, N);
    Var hundred = t.constant(new double[] {100.0}, 1, 1);
    Var one = t.constant(new double[] {1.0}, 1, 1);
    Var valley = Ops.mulScalar(Ops.square(Ops.sub(tail, Ops.square(head))), hundred);
    Var offset = Ops.square(Ops.addScalar(Ops.scale(head, -1.0), one));
    return Ops.add(Ops.sum(valley), Ops.sum(offset));
  }

  /**
   * {@code x} as a {@code 2 x n/2} matrix (its flat row-major order is {@code x}'s): each row
   * transposed to a column and the two stacked into one {@code n x 1} column, then as {@link
   * #asColumn} with {@code pow} for the square and {@code x_i - 1} for {@code 1 - x_i}.
   */
  static Var asTransposedMatrix(Tape t) {
    Var x = t.variable(2, N / 2);
    Var column = Ops.concatRows(Ops.transpose(Ops.sliceRows(x, 0, 1)),
        Ops.transpose(Ops.sliceRows(x, 1, 2)));
    Var head = Ops.sliceRows(column, 0, N - 1);
    Var tail = Ops.sliceRows(column, 1, N);
    Var valley = Ops.scale(Ops.square(Ops.sub(tail, Ops.pow(head, 2))), 100.0);
    Var offset = Ops.square(Ops.addConstant(head, -1.0));
    return Ops.sum(Ops.add(valley, offset));
  }

  static Stream<Arguments> cases() {
    double[][] points = {
      {-1.2, 1.0, -1.2, 1.0, -1.2, 1.0},
      {1, 1, 1, 1, 1, 1},
      {0.3, -0.7, 1.9, 0.05, -2.2, 0.8},
      {0, 0, 0, 0, 0, 0},
    };
    Stream.Builder<Arguments> b = Stream.builder();
    for (double[] p : points) {
      b.add(Arguments.of("column (sliceRows)", (Function<Tape, Var>) RosenbrockTest::asColumn, p));
      b.add(Arguments.of("row (sliceColumns, scalars)", (Function<Tape, Var>) RosenbrockTest::asRow, p));
      b.add(Arguments.of("transposes and concatenations",
          (Function<Tape, Var>) RosenbrockTest::asTransposedMatrix, p));
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} at {2}")
  @MethodSource("cases")
  void valueGradientAndHessianMatchTheClosedForm(String form, Function<Tape, Var> build,
      double[] x) {
    Tape t = new Tape();
    Var f = build.apply(t);
    double[] gradient = new double[N];
    double value = Gradients.valueAndGradient(f, x, gradient);
    assertEquals(value(x), value, 1e-12 * (1 + Math.abs(value(x))), "value");
    double[] g = gradient(x);
    for (int i = 0; i < N; i++) {
      assertEquals(g[i], gradient[i], 1e-12 * (1 + Math.abs(g[i])), "gradient component " + i);
    }
    double[] exact = hessian(x);
    for (int batch : new int[] {1, 4, Hessians.DEFAULT_BATCH}) {
      double[] h = Hessians.hessian(f, x, batch);
      for (int i = 0; i < N * N; i++) {
        assertEquals(exact[i], h[i], 1e-12 * (1 + Math.abs(exact[i])),
            "H[" + i / N + "," + i % N + "] (batches of " + batch + ")");
      }
    }
  }

  static double value(double[] x) {
    double f = 0;
    for (int i = 0; i < N - 1; i++) {
      double a = x[i + 1] - x[i] * x[i];
      f += 100 * a * a + (1 - x[i]) * (1 - x[i]);
    }
    return f;
  }

  static double[] gradient(double[] x) {
    double[] g = new double[N];
    for (int i = 0; i < N - 1; i++) {
      double a = x[i + 1] - x[i] * x[i];
      g[i] += -400 * x[i] * a - 2 * (1 - x[i]);
      g[i + 1] += 200 * a;
    }
    return g;
  }

  static double[] hessian(double[] x) {
    double[] h = new double[N * N];
    for (int i = 0; i < N - 1; i++) {
      h[i * N + i] += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
      h[(i + 1) * N + i + 1] += 200;
      h[i * N + i + 1] = -400 * x[i];
      h[(i + 1) * N + i] = -400 * x[i];
    }
    return h;
  }
}
