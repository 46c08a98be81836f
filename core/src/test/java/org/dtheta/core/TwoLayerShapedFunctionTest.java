package org.dtheta.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The engine on the function it exists for: L(W1, b1, W2, b2) = softmax cross-entropy of
 * sigmoid(X W1 + b1) W2 + b2, checked against finite differences.
 */
class TwoLayerShapedFunctionTest {

  static final int K = 7, N_IN = 5, H = 4, N_OUT = 3;

  static Var build(Tape t, Random rnd) {
    double[] x = new double[K * N_IN];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextDouble() < 0.3 ? 0.0 : rnd.nextDouble();
    }
    double[] labels = new double[K * N_OUT];
    for (int i = 0; i < K; i++) {
      labels[i * N_OUT + rnd.nextInt(N_OUT)] = 1.0;
    }
    Var xv = t.constant(x, K, N_IN);
    Var tv = t.constant(labels, K, N_OUT);
    Var w1 = t.variable(N_IN, H);
    Var b1 = t.variable(1, H);
    Var w2 = t.variable(H, N_OUT);
    Var b2 = t.variable(1, N_OUT);
    Var z1 = Ops.sigmoid(Ops.addRowBroadcast(Ops.matmul(xv, w1), b1));
    Var a2 = Ops.addRowBroadcast(Ops.matmul(z1, w2), b2);
    return Ops.softmaxCrossEntropy(a2, tv);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Random rnd = new Random(1);
    Tape t = new Tape();
    Var loss = build(t, rnd);
    double[] theta = TestVectors.gaussian(rnd, t.parameterCount());
    double[] g = new double[theta.length];
    Gradients.valueAndGradient(loss, theta, g);
    double[] fd =
        FiniteDifferences.gradient(
            th -> {
              t.setVariables(th);
              t.forward();
              return loss.scalar();
            },
            theta,
            1e-6);
    assertTrue(FiniteDifferences.relativeError(g, fd, 1e-3) < 1e-7, "gradient vs finite differences");
  }

  @Test
  void hessianVectorProductMatchesFiniteDifferencesOfGradient() {
    Random rnd = new Random(2);
    Tape t = new Tape();
    Var loss = build(t, rnd);
    double[] theta = TestVectors.gaussian(rnd, t.parameterCount());
    double[] v = TestVectors.gaussian(rnd, theta.length);
    double[] hv = new double[theta.length];
    Hessians.hessianVectorProduct(loss, theta, v, null, hv);
    double[] fd = FiniteDifferences.directional(th -> Gradients.gradient(loss, th), theta, v, 1e-5);
    assertTrue(FiniteDifferences.relativeError(hv, fd, 1e-3) < 1e-6, "HVP vs finite differences of the gradient");
  }

  @Test
  void batchedProductEqualsSingleProductsAndHessianIsSymmetric() {
    Random rnd = new Random(3);
    Tape t = new Tape();
    Var loss = build(t, rnd);
    int p = t.parameterCount();
    double[] theta = TestVectors.gaussian(rnd, p);
    int m = 5;
    double[] dirs = TestVectors.gaussian(rnd, p * m);
    double[] batched = new double[p * m];
    Hessians.hessianMatrixProduct(loss, theta, dirs, m, null, batched);
    for (int d = 0; d < m; d++) {
      double[] v = new double[p];
      for (int i = 0; i < p; i++) {
        v[i] = dirs[i * m + d];
      }
      double[] hv = new double[p];
      Hessians.hessianVectorProduct(loss, theta, v, null, hv);
      for (int i = 0; i < p; i++) {
        assertEquals(hv[i], batched[i * m + d], 1e-12 * (1 + Math.abs(hv[i])));
      }
    }
    double[] h = Hessians.hessian(loss, theta, 6);
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < i; j++) {
        assertEquals(h[i * p + j], h[j * p + i], 1e-12 * (1 + Math.abs(h[i * p + j])));
      }
    }
  }
}
