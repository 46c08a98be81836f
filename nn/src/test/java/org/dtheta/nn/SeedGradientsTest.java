package org.dtheta.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The engine's gradient against closed forms transcribed from each seed's own derivation, by
 * plain loops in the seed's notation, on random data. The seeds' shortcuts are replaced by the
 * exact formulas (see {@link Presets}); everything else follows the notes line by line.
 */
class SeedGradientsTest {

  private static final double TOLERANCE = 1e-12;

  /** The engine's loss and gradient, checked against the seed's value too. */
  private static double[] engineGradient(NetworkConfig c, Dataset d, double[] theta, double seedLoss) {
    TwoLayerNet net = new TwoLayerNet(c, d);
    double[] g = new double[theta.length];
    double loss = net.lossAndGradient(theta, g);
    assertEquals(seedLoss, loss, 1e-12 * Math.abs(seedLoss), "loss");
    assertEquals(loss, net.loss(theta), 0.0, "loss() and lossAndGradient() agree");
    return g;
  }

  private static void assertClose(double[] closedForm, double[] engine, String what) {
    double err = Fixtures.relativeError(engine, closedForm);
    assertTrue(err < TOLERANCE, what + ": relative error " + err);
  }

  /**
   * Seeds 000/001: A1 = X W1 + b1, Z1 = sigmoid(A1), A2 = Z1 W2 + b2, Y = softmax(A2), L =
   * -(1/k) sum T log Y. The chain rule as the seeds write it, dL/dA2 = dL/dY . dY/dA2, but with
   * the full softmax Jacobian diag(y) - y y^T instead of the seeds' diagonal y(1 - y).
   */
  @Test
  void mnistSeeds000And001() {
    NetworkConfig c = Presets.mnist();
    assertEquals(39760, c.layout().size());
    Random rnd = new Random(11);
    int k = 6;
    Dataset d = Fixtures.dataset(rnd, c, k);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.1);
    int n = 784;
    int h = 50;
    int o = 10;
    double[] x = d.x();
    double[] t = d.targets();
    double[] w1 = slice(theta, 0, n * h);
    double[] b1 = slice(theta, n * h, h);
    double[] w2 = slice(theta, n * h + h, h * o);
    double[] b2 = slice(theta, n * h + h + h * o, o);

    double[] z1 = new double[k * h];
    double[] y = new double[k * o];
    double loss = 0;
    for (int i = 0; i < k; i++) {
      for (int p = 0; p < h; p++) {
        double a = b1[p];
        for (int j = 0; j < n; j++) {
          a += x[i * n + j] * w1[j * h + p];
        }
        z1[i * h + p] = 1 / (1 + Math.exp(-a)); // the seed's exp(a) lacks the minus sign
      }
      double norm = 0;
      for (int r = 0; r < o; r++) {
        double a = b2[r];
        for (int p = 0; p < h; p++) {
          a += z1[i * h + p] * w2[p * o + r];
        }
        y[i * o + r] = Math.exp(a);
        norm += y[i * o + r];
      }
      for (int r = 0; r < o; r++) {
        y[i * o + r] /= norm;
        loss -= t[i * o + r] * Math.log(y[i * o + r]) / k; // t log y, not the seed's y log y
      }
    }
    double[] dA2 = new double[k * o];
    for (int i = 0; i < k; i++) {
      for (int s = 0; s < o; s++) {
        for (int r = 0; r < o; r++) {
          double dLdY = -t[i * o + r] / (k * y[i * o + r]);
          double dYdA = y[i * o + r] * ((r == s ? 1 : 0) - y[i * o + s]);
          dA2[i * o + s] += dLdY * dYdA;
        }
      }
    }
    double[] grad = new double[theta.length];
    for (int i = 0; i < k; i++) {
      for (int p = 0; p < h; p++) {
        double dZ1 = 0;
        for (int r = 0; r < o; r++) {
          grad[n * h + h + p * o + r] += z1[i * h + p] * dA2[i * o + r];
          dZ1 += dA2[i * o + r] * w2[p * o + r];
        }
        double dA1 = dZ1 * z1[i * h + p] * (1 - z1[i * h + p]);
        for (int j = 0; j < n; j++) {
          grad[j * h + p] += x[i * n + j] * dA1;
        }
        grad[n * h + p] += dA1;
      }
      for (int r = 0; r < o; r++) {
        grad[n * h + h + h * o + r] += dA2[i * o + r];
      }
    }
    assertClose(grad, engineGradient(c, d, theta, loss), "MNIST gradient");
  }

  /**
   * Seed 002: y0 = tanh(x + b0), t = y0 w1 + b1, y_pre = softmax(t), J = sum (y_pre - y)^2.
   * Per sample: dJ/db1 = 2(y_pre - y) dg/dt, dJ/dw1 = y0^T [2(y_pre - y) dg/dt], dJ/db0 =
   * 2(y_pre - y) dg/dt w1^T df/dh with dg/dt = diag(g) - g g^T and df/dh = diag(1 - f^2).
   */
  @Test
  void seed002() {
    int m = 5;
    int nClass = 4;
    NetworkConfig c = Presets.seed002(m, nClass);
    Random rnd = new Random(12);
    int k = 7;
    Dataset d = Fixtures.dataset(rnd, c, k);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.8);
    // seed names: b0 (our b1, 1 x m), w1 (our W2, m x n), b1 (our b2)
    double[] b0 = slice(theta, 0, m);
    double[] w1 = slice(theta, m, m * nClass);
    double[] bOut = slice(theta, m + m * nClass, nClass);
    double[] gradB0 = new double[m];
    double[] gradW1 = new double[m * nClass];
    double[] gradBOut = new double[nClass];
    double loss = 0;
    for (int s = 0; s < k; s++) {
      double[] y0 = new double[m];
      for (int z = 0; z < m; z++) {
        y0[z] = Math.tanh(d.x()[s * m + z] + b0[z]);
      }
      double[] g = new double[nClass];
      double norm = 0;
      for (int q = 0; q < nClass; q++) {
        double tq = bOut[q];
        for (int z = 0; z < m; z++) {
          tq += y0[z] * w1[z * nClass + q];
        }
        g[q] = Math.exp(tq);
        norm += g[q];
      }
      double[] e = new double[nClass];
      for (int q = 0; q < nClass; q++) {
        g[q] /= norm;
        double target = d.targets()[s * nClass + q];
        loss += (g[q] - target) * (g[q] - target);
        e[q] = 2 * (g[q] - target);
      }
      // row vector 2(y_pre - y) dg/dt
      double[] eDg = new double[nClass];
      for (int p = 0; p < nClass; p++) {
        for (int i = 0; i < nClass; i++) {
          eDg[p] += e[i] * ((i == p ? g[i] : 0) - g[i] * g[p]);
        }
        gradBOut[p] += eDg[p];
        for (int z = 0; z < m; z++) {
          gradW1[z * nClass + p] += y0[z] * eDg[p];
        }
      }
      for (int p = 0; p < m; p++) {
        double back = 0;
        for (int q = 0; q < nClass; q++) {
          back += eDg[q] * w1[p * nClass + q];
        }
        gradB0[p] += back * (1 - y0[p] * y0[p]);
      }
    }
    double[] grad = concat(gradB0, gradW1, gradBOut);
    assertClose(grad, engineGradient(c, d, theta, loss), "seed 002 gradient");
  }

  /**
   * Seed 003: n = 256, K = 10, h = max(0, W1^T x + b1), z = W2^T x1 + b2, softmax, CE, plus
   * lambda/(2m) sum ||W||^2. dL/dz = (Y - Y_true)/m, dL/dW2 = X1^T dL/dz + (lambda/m) W2,
   * dL/dW1 = X0^T [(dL/dz W2^T) * 1(h > 0)] + (lambda/m) W1, db = column sums (the seed's /n
   * for b1 is /m).
   */
  @Test
  void seed003WithL2() {
    double lambda = 0.9;
    NetworkConfig c = Presets.seed003(lambda);
    Random rnd = new Random(13);
    int mSamples = 5;
    int n = 256;
    int kClass = 10;
    Dataset d = Fixtures.dataset(rnd, c, mSamples);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.1);
    double[] w1 = slice(theta, 0, n * n);
    double[] b1 = slice(theta, n * n, n);
    double[] w2 = slice(theta, n * n + n, n * kClass);
    double[] b2 = slice(theta, n * n + n + n * kClass, kClass);
    double[] gW1 = new double[n * n];
    double[] gB1 = new double[n];
    double[] gW2 = new double[n * kClass];
    double[] gB2 = new double[kClass];
    double loss = 0;
    for (int i = 0; i < mSamples; i++) {
      double[] hPre = new double[n];
      double[] x1 = new double[n];
      for (int j = 0; j < n; j++) {
        hPre[j] = b1[j];
        for (int q = 0; q < n; q++) {
          hPre[j] += w1[q * n + j] * d.x()[i * n + q];
        }
        x1[j] = Math.max(0, hPre[j]);
      }
      double[] yHat = new double[kClass];
      double norm = 0;
      for (int j = 0; j < kClass; j++) {
        double z = b2[j];
        for (int q = 0; q < n; q++) {
          z += w2[q * kClass + j] * x1[q];
        }
        yHat[j] = Math.exp(z);
        norm += yHat[j];
      }
      double[] dz = new double[kClass];
      for (int j = 0; j < kClass; j++) {
        yHat[j] /= norm;
        loss -= d.targets()[i * kClass + j] * Math.log(yHat[j]) / mSamples;
        dz[j] = (yHat[j] - d.targets()[i * kClass + j]) / mSamples;
        gB2[j] += dz[j];
        for (int q = 0; q < n; q++) {
          gW2[q * kClass + j] += x1[q] * dz[j];
        }
      }
      for (int j = 0; j < n; j++) {
        double back = 0;
        for (int r = 0; r < kClass; r++) {
          back += dz[r] * w2[j * kClass + r];
        }
        double masked = hPre[j] > 0 ? back : 0;
        gB1[j] += masked;
        for (int q = 0; q < n; q++) {
          gW1[q * n + j] += d.x()[i * n + q] * masked;
        }
      }
    }
    double squares = 0;
    for (int e = 0; e < n * n; e++) {
      gW1[e] += lambda / mSamples * w1[e];
      squares += w1[e] * w1[e];
    }
    for (int e = 0; e < n * kClass; e++) {
      gW2[e] += lambda / mSamples * w2[e];
      squares += w2[e] * w2[e];
    }
    loss += lambda / (2 * mSamples) * squares;
    double[] grad = concat(gW1, gB1, gW2, gB2);
    assertClose(grad, engineGradient(c, d, theta, loss), "seed 003 gradient with L2");
  }

  /**
   * Seed 004, column-major as in the slides: X (10 x 7), Z1 = W1 X + b1 (64 x 7), A1 =
   * sigmoid(Z1), Z2 = W2 A1 + b2 (1 x 7), A2 = sigmoid(Z2), J = -(1/n) sum [Y log A2 + (1 - Y)
   * log(1 - A2)]. dZ2 = (A2 - Y)/n (the slides drop the 1/n), dW2 = dZ2 A1^T, db2 = row sums of
   * dZ2, dA1 = W2^T dZ2, dZ1 = dA1 * A1(1 - A1), dW1 = dZ1 X^T, db1 = row sums of dZ1.
   */
  @Test
  void seed004ColumnMajor() {
    NetworkConfig c = Presets.seed004();
    Random rnd = new Random(14);
    int nS = Presets.SEED004_SAMPLES;
    int f = 10;
    int hid = 64;
    Dataset d = Fixtures.dataset(rnd, c, nS);
    double[] theta = Fixtures.gaussian(rnd, c.layout().size(), 0.5);
    ParamLayout l = c.layout();
    // the slides' matrices are the transposes of our row-major blocks
    double[][] bigX = new double[f][nS];
    for (int s = 0; s < nS; s++) {
      for (int j = 0; j < f; j++) {
        bigX[j][s] = d.x()[s * f + j];
      }
    }
    double[][] w1 = new double[hid][f];
    double[] b1 = new double[hid];
    double[] w2 = new double[hid];
    for (int p = 0; p < hid; p++) {
      for (int j = 0; j < f; j++) {
        w1[p][j] = l.get(theta, Block.W1, j, p);
      }
      b1[p] = l.get(theta, Block.B1, 0, p);
      w2[p] = l.get(theta, Block.W2, p, 0);
    }
    double b2 = l.get(theta, Block.B2, 0, 0);
    double[][] a1 = new double[hid][nS];
    double[] a2 = new double[nS];
    double loss = 0;
    for (int s = 0; s < nS; s++) {
      double z2 = b2;
      for (int p = 0; p < hid; p++) {
        double z1 = b1[p];
        for (int j = 0; j < f; j++) {
          z1 += w1[p][j] * bigX[j][s];
        }
        a1[p][s] = 1 / (1 + Math.exp(-z1));
        z2 += w2[p] * a1[p][s];
      }
      a2[s] = 1 / (1 + Math.exp(-z2));
      double yS = d.targets()[s];
      loss -= (yS * Math.log(a2[s]) + (1 - yS) * Math.log(1 - a2[s])) / nS;
    }
    double[] dZ2 = new double[nS];
    for (int s = 0; s < nS; s++) {
      // dA2 = -Y/A2 + (1 - Y)/(1 - A2) (times 1/n), g'(Z2) = A2 (1 - A2)
      double dA2 = (-d.targets()[s] / a2[s] + (1 - d.targets()[s]) / (1 - a2[s])) / nS;
      dZ2[s] = dA2 * a2[s] * (1 - a2[s]);
    }
    double[] grad = new double[theta.length];
    for (int p = 0; p < hid; p++) {
      double dW2 = 0;
      double db1 = 0;
      double[] dW1 = new double[f];
      for (int s = 0; s < nS; s++) {
        dW2 += dZ2[s] * a1[p][s];
        double dZ1 = w2[p] * dZ2[s] * a1[p][s] * (1 - a1[p][s]);
        db1 += dZ1;
        for (int j = 0; j < f; j++) {
          dW1[j] += dZ1 * bigX[j][s];
        }
      }
      grad[l.index(Block.W2, p, 0)] = dW2;
      grad[l.index(Block.B1, 0, p)] = db1;
      for (int j = 0; j < f; j++) {
        grad[l.index(Block.W1, j, p)] = dW1[j];
      }
    }
    for (int s = 0; s < nS; s++) {
      grad[l.index(Block.B2, 0, 0)] += dZ2[s];
    }
    assertClose(grad, engineGradient(c, d, theta, loss), "seed 004 gradient");
  }

  private static double[] slice(double[] a, int from, int length) {
    return java.util.Arrays.copyOfRange(a, from, from + length);
  }

  private static double[] concat(double[]... parts) {
    int n = 0;
    for (double[] p : parts) {
      n += p.length;
    }
    double[] out = new double[n];
    int at = 0;
    for (double[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
