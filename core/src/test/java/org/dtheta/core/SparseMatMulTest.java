package org.dtheta.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dtheta.core.sparse.CsrMatrix;
import org.junit.jupiter.api.Test;

/**
 * The sparse product op against the dense one on the same data (an independent path through
 * other kernels), and its gradient against finite differences.
 */
class SparseMatMulTest {

  static final int K = 23;
  static final int N_IN = 31;
  static final int H = 6;
  static final int N_OUT = 4;

  /** Data with about 70% zeros, an all-zero column and an all-zero row. */
  static double[] data(Random rnd) {
    double[] x = new double[K * N_IN];
    for (int i = 0; i < K; i++) {
      for (int j = 0; j < N_IN; j++) {
        if (j != 3 && i != 5 && rnd.nextDouble() < 0.3) {
          x[i * N_IN + j] = rnd.nextDouble();
        }
      }
    }
    return x;
  }

  /** The two-layer loss with the first product sparse or dense. */
  static Var loss(Tape t, double[] x, double[] targets, boolean sparse) {
    return loss(t, x, targets, sparse, false);
  }

  /**
   * The two-layer loss with the first product sparse or dense, and with {@code fused} the
   * sparse first layer as one {@link Ops#sparseAffine} op instead of a product and a bias.
   */
  static Var loss(Tape t, double[] x, double[] targets, boolean sparse, boolean fused) {
    Var w1 = t.variable(N_IN, H);
    Var b1 = t.variable(1, H);
    Var w2 = t.variable(H, N_OUT);
    Var b2 = t.variable(1, N_OUT);
    Var a1;
    if (sparse && fused) {
      a1 = Ops.sparseAffine(CsrMatrix.fromDense(x, K, N_IN), w1, b1);
    } else {
      Var xw = sparse
          ? Ops.sparseMatmul(CsrMatrix.fromDense(x, K, N_IN), w1)
          : Ops.matmul(t.constant(x, K, N_IN), w1);
      a1 = Ops.addRowBroadcast(xw, b1);
    }
    Var z1 = Ops.sigmoid(a1);
    Var a2 = Ops.addRowBroadcast(Ops.matmul(z1, w2), b2);
    return Ops.softmaxCrossEntropy(a2, t.constant(targets, K, N_OUT));
  }

  static double[] targets(Random rnd) {
    double[] t = new double[K * N_OUT];
    for (int i = 0; i < K; i++) {
      t[i * N_OUT + rnd.nextInt(N_OUT)] = 1;
    }
    return t;
  }

  @Test
  void gradientAndHessianProductsEqualTheDenseOp() {
    Random rnd = new Random(11);
    double[] x = data(rnd);
    double[] y = targets(rnd);
    Tape ts = new Tape();
    Var sparse = loss(ts, x, y, true);
    Tape td = new Tape();
    Var dense = loss(td, x, y, false);
    int p = ts.parameterCount();
    double[] theta = TestVectors.gaussian(rnd, p);
    int m = 7;
    double[] dirs = TestVectors.gaussian(rnd, p * m);
    assertSameDerivatives(sparse, dense, theta, dirs, m);

    double[] js = new double[K * H * m];
    double[] jd = new double[K * H * m];
    Var xwSparse = firstProduct(ts, sparse);
    Var xwDense = firstProduct(td, dense);
    Gradients.jacobianVectorProducts(xwSparse, theta, dirs, m, js);
    Gradients.jacobianVectorProducts(xwDense, theta, dirs, m, jd);
    assertTrue(FiniteDifferences.relativeError(js, jd, 1e-12) < 1e-12, "tangents of X W1");
  }

  /** The fused first layer against the dense product plus bias: value, gradient, H V. */
  @Test
  void affineOpEqualsTheDenseProductPlusBias() {
    Random rnd = new Random(13);
    double[] x = data(rnd);
    double[] y = targets(rnd);
    Tape tf = new Tape();
    Var fused = loss(tf, x, y, true, true);
    Tape td = new Tape();
    Var dense = loss(td, x, y, false, false);
    int p = tf.parameterCount();
    double[] theta = TestVectors.gaussian(rnd, p);
    int m = 5;
    assertSameDerivatives(fused, dense, theta, TestVectors.gaussian(rnd, p * m), m);
  }

  /** Two recordings of one loss: value, gradient and H V ({@code m} directions) agree to 1e-12. */
  private static void assertSameDerivatives(Var a, Var b, double[] theta, double[] dirs, int m) {
    int p = theta.length;
    double[] ga = new double[p];
    double[] gb = new double[p];
    double va = Gradients.valueAndGradient(a, theta, ga);
    double vb = Gradients.valueAndGradient(b, theta, gb);
    assertTrue(Math.abs(va - vb) <= 1e-12 * Math.abs(vb), "loss value");
    assertTrue(FiniteDifferences.relativeError(ga, gb, 1e-12) < 1e-12, "gradient");
    double[] ha = new double[p * m];
    double[] hb = new double[p * m];
    Hessians.hessianMatrixProduct(a, theta, dirs, m, null, ha);
    Hessians.hessianMatrixProduct(b, theta, dirs, m, null, hb);
    assertTrue(FiniteDifferences.relativeError(ha, hb, 1e-12) < 1e-12, "Hessian times " + m + " directions");
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Random rnd = new Random(12);
    double[] x = data(rnd);
    Tape t = new Tape();
    Var loss = loss(t, x, targets(rnd), true);
    double[] theta = TestVectors.gaussian(rnd, t.parameterCount());
    double[] g = Gradients.gradient(loss, theta);
    double[] fd = FiniteDifferences.gradient(th -> {
      t.setVariables(th);
      t.forward();
      return loss.scalar();
    }, theta, 1e-6);
    assertTrue(FiniteDifferences.relativeError(g, fd, 1e-3) < 1e-7);
  }

  @Test
  void shapeMismatchNamesTheOp() {
    Tape t = new Tape();
    Var w = t.variable(4, 2);
    CsrMatrix x = CsrMatrix.fromDense(new double[] {1, 0, 2}, 1, 3);
    ShapeException e = assertThrows(ShapeException.class, () -> Ops.sparseMatmul(x, w));
    assertTrue(e.getMessage().startsWith("sparseMatmul"));
    Var b = t.variable(1, 2);
    e = assertThrows(ShapeException.class, () -> Ops.sparseAffine(x, w, b));
    assertTrue(e.getMessage().startsWith("sparseAffine"));
    Var w3 = t.variable(3, 2);
    Var wrongBias = t.variable(1, 3);
    e = assertThrows(ShapeException.class, () -> Ops.sparseAffine(x, w3, wrongBias));
    assertTrue(e.getMessage().startsWith("sparseAffine") && e.getMessage().contains("bias"));
  }

  /** The node {@code X W1}: the input of the first addRowBroadcast feeding the loss. */
  private static Var firstProduct(Tape t, Var loss) {
    Var v = loss;
    while (v.producer != null) {
      Var[] in = v.producer.inputs();
      if (v.producer instanceof MatMul || v.producer instanceof SparseMatMul) {
        if (in[0].kind != Var.Kind.COMPUTED) {
          return v;
        }
      }
      v = in[0];
    }
    throw new AssertionError("no first product in " + t.size() + " ops");
  }
}
